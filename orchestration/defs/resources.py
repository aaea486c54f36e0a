import dagster as dg

from orchestration.lib.dbt import dbt_resource
from orchestration.lib.warehouse import RefreshLockResource, WarehouseResource


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        resources={
            "warehouse": WarehouseResource(),
            "refresh_lock": RefreshLockResource(),
            # dbt finds the work database through the same environment variables and defaults as
            # orchestration/settings.py (dbt_project/profiles.yml; tests/test_warehouse.py checks both agree);
            # this environment's dbt, without dagster-dbt's per-command `dbt --version` (lib/dbt.py)
            "dbt": dbt_resource(),
        }
    )
