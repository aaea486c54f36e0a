"""Every expectation suite in expectations/ as a blocking asset check on the asset it guards.

The suites of one asset run in one step (a multi-asset check: one check per suite in the UI,
one step to plan and log). A failed suite stops everything downstream of its asset, the
publication included. Each check carries its suite's code version; a refresh runs a suite
again only when its table was rebuilt, its code changed, or its last result does not vouch
for the table as it is now (orchestration/lib/plan.py).
"""

from itertools import groupby

import dagster as dg

from expectations import discover_suites
from expectations.spec import SuiteSpec
from orchestration.lib.expectations import run_suite, suite_code_version, write_result
from orchestration.lib.warehouse import WarehouseResource


def build_gate(asset: tuple[str, ...], suites: list[SuiteSpec]) -> dg.AssetChecksDefinition:
    key = dg.AssetKey(list(asset))

    @dg.multi_asset_check(
        name=f"gate__{'__'.join(asset)}",
        description=f"Expectation suites on {'.'.join(asset)}: " + ", ".join(s.name for s in suites),
        specs=[dg.AssetCheckSpec(s.name, asset=key, description=s.description, blocking=True,
                                 metadata={"code_version": suite_code_version(s)}) for s in suites],
        can_subset=True,
    )
    def _gate(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource):
        validations = warehouse.settings().runs_dir / context.run.run_id / "validations"
        selected = {k.name for k in context.selected_asset_check_keys}
        with warehouse.connect(read_only=True) as con:
            for spec in suites:
                if spec.name not in selected:
                    continue
                outcome = run_suite(con, spec)
                path = write_result(outcome, validations, spec)
                (context.log.info if outcome.success else context.log.error)(outcome.summary())
                yield dg.AssetCheckResult(
                    asset_key=key,
                    check_name=spec.name,
                    passed=outcome.success,
                    severity=dg.AssetCheckSeverity.ERROR,
                    description=outcome.summary()[:2000],
                    metadata={
                        "expectations": outcome.evaluated,
                        "failed": outcome.failed,
                        "rows": outcome.rows,
                        "code_version": suite_code_version(spec),
                        "result": dg.MetadataValue.path(str(path)),
                        "report": dg.MetadataValue.path(str(validations / "index.html")),
                    },
                )

    return _gate


@dg.definitions
def expectation_checks() -> dg.Definitions:
    by_asset = groupby(sorted(discover_suites(), key=lambda s: s.asset), key=lambda s: s.asset)
    return dg.Definitions(asset_checks=[build_gate(asset, list(suites)) for asset, suites in by_asset])
