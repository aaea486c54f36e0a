"""Every dbt model, seed and test: staging, intermediate, marts (tests become asset checks)."""


import shutil

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration.lib.dbt import CscDbtTranslator, dbt_project, load_manifest
from orchestration.lib.warehouse import RefreshLockResource


@dg.definitions
def dbt_definitions() -> dg.Definitions:
    manifest = load_manifest()

    @dbt_assets(manifest=manifest, project=dbt_project(), dagster_dbt_translator=CscDbtTranslator(manifest))
    def csc_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, refresh_lock: RefreshLockResource):
        # dbt writes the work database: the refresh lock is held while this step runs
        invocation = dbt.cli(["build"], context=context)
        yield from invocation.stream()
        # Each invocation writes its own ~2 MB folder under target/; Dagster has its events.
        # A failed build raises above and leaves its folder for inspection.
        shutil.rmtree(invocation.target_path, ignore_errors=True)

    return dg.Definitions(assets=[csc_dbt_models])
