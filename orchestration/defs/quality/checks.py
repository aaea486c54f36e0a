"""Every expectation suite in expectations/ as a blocking asset check on the table it guards,
one step per source's raw tables and one for the marts (orchestration/lib/quality/gate.py)."""

import dagster as dg

from orchestration.lib.core.warehouse import RefreshLockResource, WarehouseResource
from orchestration.lib.quality.gate import check_spec, run_gate, suites_by_step
from orchestration.lib.quality.suites import SuiteSpec


def build_gate(name: str, suites: list[SuiteSpec]) -> dg.AssetChecksDefinition:
    tables = sorted({".".join(s.asset) for s in suites})

    @dg.multi_asset_check(
        name=f"gate__{name}",
        description=f"Expectation suites on {', '.join(tables)}",
        specs=[check_spec(s) for s in suites],
        can_subset=True,
    )
    def _gate(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource, refresh_lock: RefreshLockResource):
        validations = warehouse.settings().runs_dir / context.run.run_id / "validations"
        with warehouse.connect(read_only=True) as con:
            yield from run_gate(context, con, suites, validations)

    return _gate


@dg.definitions
def expectation_checks() -> dg.Definitions:
    return dg.Definitions(asset_checks=[build_gate(step, suites) for step, suites in suites_by_step()])
