"""Every expectation suite in expectations/ as a blocking asset check on the asset it guards.

The suites of one asset run in one step (a multi-asset check: one check per suite in the UI,
one step to plan and log). A failed suite stops everything downstream of its asset, the
publication included. A suite whose input and code are unchanged since it last passed is not
validated again (orchestration.lib.expectations.run_suite); its check says which refresh
validated that input.
"""

from itertools import groupby

import dagster as dg

from expectations import discover_suites
from expectations.spec import SuiteSpec
from orchestration.lib.expectations import remember, run_suite, write_result
from orchestration.lib.warehouse import WarehouseResource


def build_gate(asset: tuple[str, ...], suites: list[SuiteSpec]) -> dg.AssetChecksDefinition:
    key = dg.AssetKey(list(asset))

    @dg.multi_asset_check(
        name=f"gate__{'__'.join(asset)}",
        description=f"Expectation suites on {'.'.join(asset)}: " + ", ".join(s.name for s in suites),
        specs=[dg.AssetCheckSpec(s.name, asset=key, description=s.description, blocking=True) for s in suites],
    )
    def _gate(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource):
        settings = warehouse.settings()
        memo = None if settings.revalidate else settings.validation_memo_dir
        validations = settings.runs_dir / context.run.run_id / "validations"
        table_states: dict = {}  # the step reads each table's state once, for all its suites
        with warehouse.connect(read_only=True) as con:
            for spec in suites:
                outcome = run_suite(con, spec, memo_dir=memo, table_states=table_states)
                path = write_result(outcome, validations, spec)
                remember(outcome, settings.validation_memo_dir, context.run.run_id)
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
                        "validated_in_refresh": outcome.reused_from or context.run.run_id,
                        "result": dg.MetadataValue.path(str(path)),
                        "report": dg.MetadataValue.path(str(validations / "index.html")),
                    },
                )

    return _gate


@dg.definitions
def expectation_checks() -> dg.Definitions:
    by_asset = groupby(sorted(discover_suites(), key=lambda s: s.asset), key=lambda s: s.asset)
    return dg.Definitions(asset_checks=[build_gate(asset, list(suites)) for asset, suites in by_asset])
