"""Every expectation suite in expectations/ as a blocking asset check on the asset it guards.

A failed suite stops everything downstream of its asset, the publication included.
"""


import dagster as dg

from expectations import discover_suites
from expectations.spec import SuiteSpec
from orchestration.lib.expectations import run_suite, write_result
from orchestration.lib.warehouse import WarehouseResource


def build_suite_check(spec: SuiteSpec) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=dg.AssetKey(list(spec.asset)),
        name=spec.name,
        description=spec.description,
        blocking=True,
    )
    def _check(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.connect(read_only=True) as con:
            outcome = run_suite(con, spec)
        validations = warehouse.settings().runs_dir / context.run.run_id / "validations"
        path = write_result(outcome, validations, spec)
        (context.log.info if outcome.success else context.log.error)(outcome.summary())
        return dg.AssetCheckResult(
            passed=outcome.success,
            severity=dg.AssetCheckSeverity.ERROR,
            description=outcome.summary()[:2000],
            metadata={
                "expectations": outcome.evaluated,
                "failed": outcome.failed,
                "rows": outcome.rows,
                "result": dg.MetadataValue.path(str(path)),
                "report": dg.MetadataValue.path(str(validations / "index.html")),
            },
        )

    return _check


@dg.definitions
def expectation_checks() -> dg.Definitions:
    return dg.Definitions(asset_checks=[build_suite_check(s) for s in discover_suites()])
