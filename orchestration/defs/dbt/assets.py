"""Every dbt model and seed: staging, intermediate, marts; dbt tests become asset checks."""

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration.lib.core.warehouse import RefreshLockResource
from orchestration.lib.dbt.project import dbt_project, load_manifest
from orchestration.lib.dbt.translator import CscDbtTranslator
from orchestration.settings import get_settings


@dg.definitions
def dbt_definitions() -> dg.Definitions:
    manifest = load_manifest()

    @dbt_assets(manifest=manifest, project=dbt_project(), dagster_dbt_translator=CscDbtTranslator(manifest))
    def csc_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, refresh_lock: RefreshLockResource):
        # dbt writes the work database: the refresh lock is held while this step runs. Its target
        # folder is the warehouse's own, kept between runs, so dbt parses only what changed
        # (Settings.dbt_target_dir); a failed build leaves its artifacts there until the next.
        target = get_settings().dbt_target_dir
        target.mkdir(parents=True, exist_ok=True)
        yield from dbt.cli(["build"], context=context, target_path=target).stream()

    return dg.Definitions(assets=[csc_dbt_models])
