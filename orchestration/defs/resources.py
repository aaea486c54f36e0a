import dagster as dg
from dagster_dbt import DbtCliResource

from orchestration.lib.dbt import dbt_project
from orchestration.lib.warehouse import WarehouseResource


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        resources={
            "warehouse": WarehouseResource(),
            "dbt": DbtCliResource(project_dir=dbt_project()),
        }
    )
