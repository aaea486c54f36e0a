"""A gate step: the expectation suites on a group of tables, run as Dagster asset checks.

The suites on the raw tables of one source run in one step, as the source's ingest does, and
the suites on the marts in another (one check per suite in the UI, one step to plan and log for
many tables: every step costs Dagster bookkeeping). Dagster writes every event to its storage,
so a step logs only what a person needs: each failed suite, and one line for the step; a
passing suite's summary is already its check's description. A failed suite stops everything
downstream of its table, the publication included.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import groupby

import dagster as dg

from orchestration.lib.ingest.catalogue import load_catalogue
from orchestration.lib.projections import tables
from orchestration.lib.quality.runner import SuiteOutcome, run_suite, suite_code_version, write_result
from orchestration.lib.quality.suites import SuiteSpec, discover_suites, tables_read
from orchestration.lib.quality.validation_report import ReportWriter


def check_spec(spec: SuiteSpec) -> dg.AssetCheckSpec:
    """A suite as a blocking check on its table; what it reads besides its table is in its
    metadata, so a rebuild of those runs it again (orchestration/lib/refresh/build_plan.py)."""
    return dg.AssetCheckSpec(
        spec.name,
        asset=dg.AssetKey(list(spec.asset)),
        description=spec.description,
        blocking=True,
        metadata={"code_version": suite_code_version(spec), "reads": tables_read(spec.query)},
    )


def run_gate(
    context: dg.AssetCheckExecutionContext, con, suites: Iterable[SuiteSpec], validations
) -> Iterator[dg.AssetCheckResult]:
    """Run the selected suites on the work database (``con``, read-only), writing each result
    under ``validations`` and into the run's validation report, and yield one check result each."""
    selected = context.selected_asset_check_keys
    ran: list[SuiteOutcome] = []
    with ReportWriter(validations) as report:
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


def step_summary(outcomes: list[SuiteOutcome]) -> str:
    """One line for a gate step, in place of one log event per suite."""
    failed = [o.suite for o in outcomes if not o.success]
    passed = sum(o.evaluated - o.failed for o in outcomes)
    rows = sum(o.rows if o.scanned is None else o.scanned for o in outcomes)  # a prefiltered suite looked at them all
    line = (
        f"{len(outcomes) - len(failed)} of {len(outcomes)} suites passed: {passed} expectations passed on {rows} rows"
    )
    return line + (f"; failed: {', '.join(failed)}" if failed else "")


def step_of(asset: tuple[str, ...], source_of: dict[str, str]) -> str:
    """The step a table's suites run in: ``raw__<source>`` for a raw table; ``projections`` for
    the projection marts, which are built after the other marts' gate has passed (one step over
    both would have to run before and after the projections asset, and Dagster would split the dbt
    build around it); else its schema."""
    if asset[0] == "raw" and asset[1] in source_of:
        return f"raw__{source_of[asset[1]]}"
    if asset[0] == tables.SCHEMA and asset[1] in {t.name for t in tables.TABLES}:
        return "projections"
    return asset[0]


def suites_by_step() -> list[tuple[str, list[SuiteSpec]]]:
    """Every suite, grouped into the steps they run in."""
    source_of = {f.raw_table: f.source for f in load_catalogue().families}
    suites = sorted(discover_suites(), key=lambda s: (step_of(s.asset, source_of), s.asset, s.name))
    return [(step, list(group)) for step, group in groupby(suites, key=lambda s: step_of(s.asset, source_of))]
