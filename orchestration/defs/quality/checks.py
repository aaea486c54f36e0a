"""Every expectation suite in expectations/ as a blocking asset check on the asset it guards.

The suites on the raw tables of one source run in one step, as the source's ingest does, and
the suites on the marts in another (multi-asset checks: one check per suite in the UI, one
step to plan and log for many tables; a step costs ~0.2 s of Dagster bookkeeping, and 57 steps
of one table each cost ~10 s of a cold refresh). Dagster writes every event to its storage
(2 to 4 ms each with orchestration/lib/dagster_storage.py), so a step logs only what a person needs: each failed suite, and one line for the
step; a passing suite's summary is already its check's description. A failed suite stops
everything downstream of its table, the publication included. Each check carries its suite's
code version; a refresh runs a suite again only when its table was rebuilt, its code changed,
or its last result does not vouch for the table as it is now (orchestration/lib/plan.py).
"""

from itertools import groupby

import dagster as dg

from orchestration.lib.catalogue import load_catalogue
from orchestration.lib.expectations import run_suite, suite_code_version, write_result
from orchestration.lib.report import ReportWriter
from orchestration.lib.suites import SuiteSpec, discover_suites, tables_read
from orchestration.lib.warehouse import RefreshLockResource, WarehouseResource


def build_gate(name: str, suites: list[SuiteSpec]) -> dg.AssetChecksDefinition:
    tables = sorted({".".join(s.asset) for s in suites})

    @dg.multi_asset_check(
        name=f"gate__{name}",
        description=f"Expectation suites on {', '.join(tables)}",
        specs=[
            dg.AssetCheckSpec(
                s.name,
                asset=dg.AssetKey(list(s.asset)),
                description=s.description,
                blocking=True,
                # what it reads besides its table: a rebuild of those runs it again (lib/plan.py)
                metadata={"code_version": suite_code_version(s), "reads": tables_read(s.query)},
            )
            for s in suites
        ],
        can_subset=True,
    )
    def _gate(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource, refresh_lock: RefreshLockResource):
        validations = warehouse.settings().runs_dir / context.run.run_id / "validations"
        selected = context.selected_asset_check_keys
        ran = []
        with warehouse.connect(read_only=True) as con, ReportWriter(validations) as report:
            for spec in suites:
                key = dg.AssetKey(list(spec.asset))
                if dg.AssetCheckKey(key, spec.name) not in selected:
                    continue
                outcome = run_suite(con, spec)
                path = write_result(outcome, validations, spec, report)
                ran.append(outcome)
                if not outcome.success:  # a passing suite's summary is its check's description: no log event of its own
                    context.log.error(outcome.summary())
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
        context.log.info(step_summary(ran))

    return _gate


def step_summary(outcomes: list) -> str:
    """One line for a gate step, in place of one log event per suite."""
    failed = [o.suite for o in outcomes if not o.success]
    passed = sum(o.evaluated - o.failed for o in outcomes)
    rows = sum(o.rows if o.scanned is None else o.scanned for o in outcomes)  # a prefiltered suite looked at them all
    line = (
        f"{len(outcomes) - len(failed)} of {len(outcomes)} suites passed: {passed} expectations passed on {rows} rows"
    )
    return line + (f"; failed: {', '.join(failed)}" if failed else "")


def step_of(asset: tuple[str, ...], source_of: dict[str, str]) -> str:
    """The step a table's suites run in: ``raw__<source>`` for a raw table, else its schema."""
    if asset[0] == "raw" and asset[1] in source_of:
        return f"raw__{source_of[asset[1]]}"
    return asset[0]


@dg.definitions
def expectation_checks() -> dg.Definitions:
    source_of = {f.raw_table: f.source for f in load_catalogue().families}
    suites = sorted(discover_suites(), key=lambda s: (step_of(s.asset, source_of), s.asset, s.name))
    by_step = groupby(suites, key=lambda s: step_of(s.asset, source_of))
    return dg.Definitions(asset_checks=[build_gate(step, list(group)) for step, group in by_step])
