"""The resources every domain's steps use: the work database, the refresh lock and dbt."""

import dagster as dg

from orchestration.lib.core.warehouse import RefreshLockResource, WarehouseResource
from orchestration.lib.dbt.dagster_dbt_internals import dbt_resource


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        resources={
            "warehouse": WarehouseResource(),
            "refresh_lock": RefreshLockResource(),
            # dbt finds the work database through the same environment variables and defaults as
            # orchestration/settings.py (dbt_project/profiles.yml; a test checks both agree)
            "dbt": dbt_resource(),
        }
    )
