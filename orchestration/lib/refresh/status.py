"""What ``csc status`` says: what is published, how each publisher answered the latest refresh,
which releases are overdue or new, and how the last refresh went.

The publishers' answers come from the work database, which every refresh's ingest writes
whether or not it goes on to publish: when and how each publisher was last asked. While a
refresh holds the work database (or in a warehouse that has only a publication) they come from
the publication, and the status says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import dagster as dg
import duckdb

from orchestration.lib.core.warehouse import DUCKDB_CONFIG
from orchestration.lib.refresh.sequence import STAGE
from orchestration.settings import Settings

NEW_RELEASES_SQL = """
select source, release, count(*) as files, min(published_at) as published_at
from meta.release_index where is_new group by all order by published_at, release"""


def _dicts(con, sql: str) -> list[dict]:
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def _meta_tables(con) -> set[str]:
    return {r[0] for r in con.execute("select table_name from duckdb_tables() where schema_name = 'meta'").fetchall()}


def _publishers(con) -> tuple[list[dict], list[dict]]:
    present = _meta_tables(con)
    sources = _dicts(con, "select * from meta.source_status order by source") if "source_status" in present else []
    new = _dicts(con, NEW_RELEASES_SQL) if "release_index" in present else []
    return sources, new


def read_publication(settings: Settings) -> dict | None:
    """What is published: the refresh row, its source files and checks, and the publishers'
    status as published (None if nothing is)."""
    path = settings.published_path
    if not path.exists():
        return None
    with duckdb.connect(str(path), read_only=True, config=DUCKDB_CONFIG) as con:
        refresh = _dicts(con, "select * from meta.refresh")[0]
        files = _dicts(
            con,
            "select family, release, file, sha256, row_count from meta.refresh_source_files order by family, release",
        )
        checks = _dicts(con, "select asset_key, check_name, passed, severity from meta.refresh_checks")
        sources, new_releases = _publishers(con)
    return {
        "path": str(path),
        "refresh": refresh,
        "source_files": files,
        "checks": checks,
        "sources": sources,
        "new_releases": new_releases,
    }


def read_latest_answers(settings: Settings) -> tuple[list[dict], list[dict]] | None:
    """The publishers' status and the new releases as the latest refresh's ingest wrote them to
    the work database; None while another process holds it (or before the first refresh)."""
    if not settings.duckdb_path.exists():
        return None
    try:
        con = duckdb.connect(str(settings.duckdb_path), read_only=True, config=DUCKDB_CONFIG)
    except duckdb.Error:  # a refresh holds the file (DuckDB lets one process at a time open it)
        return None
    try:
        return _publishers(con)
    finally:
        con.close()


@dataclass
class LastRun:
    run_id: str
    job: str
    status: str
    checks_run: int
    failed_checks: list[tuple[str, str]] = field(default_factory=list)  # (name, description), blocking
    warnings: list[tuple[str, str]] = field(default_factory=list)  # failed checks that only warn
    step_failures: list[tuple[str, str]] = field(default_factory=list)  # (step, reason)
    report: str | None = None


def last_run(settings: Settings, instance: dg.DagsterInstance, failure_reason) -> LastRun | None:
    """The latest run of a refresh (ingest, build or full) on this warehouse, with its failed
    checks and steps (``failure_reason``: the one line a step's error comes down to)."""
    runs = instance.get_runs(filters=dg.RunsFilter(tags={STAGE: ["ingest", "build", "full"]}), limit=1)
    if not runs:
        return None
    run = runs[0]
    records = instance.get_records_for_run(
        run_id=run.run_id,
        of_type={dg.DagsterEventType.ASSET_CHECK_EVALUATION, dg.DagsterEventType.STEP_FAILURE},
        limit=100_000,
    ).records
    events = [r.event_log_entry.dagster_event for r in records]
    evaluations = [e.event_specific_data for e in events if e.event_type_value == "ASSET_CHECK_EVALUATION"]
    out = LastRun(run_id=run.run_id, job=run.job_name, status=run.status.value, checks_run=len(evaluations))
    for evaluation in evaluations:
        if evaluation.passed:
            continue
        entry = (f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}", evaluation.description or "")
        warns = evaluation.severity is not None and evaluation.severity.value == "WARN"
        (out.warnings if warns else out.failed_checks).append(entry)
    for event in events:
        if event.event_type_value == "STEP_FAILURE" and event.event_specific_data.error:
            out.step_failures.append((event.step_key, failure_reason(event.event_specific_data.error)))
    report = settings.runs_dir / run.run_id / "validations" / "index.html"
    out.report = str(report) if report.exists() else None
    return out
