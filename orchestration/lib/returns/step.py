"""The steps that take one LA's return from the inbox to figures, as Dagster runs them: one
partition per LA and collection year (``E06000009-2025``) of each kind's asset.

1. ``returns/ssda903``: the return landed and pseudonymised (landing.py), then DfE's rules run on
   it (validation.py); their issues land pseudonymised in the private database, with an HTML
   report in the private area, and as the ``dfe_rules`` check: a warning with counts by rule.
   Rule failures do not stop the figures: an LA uses in-year figures while it fixes its data.
   ``returns/cin_census``: the same for the children in need census, whose file is first checked
   against its year's schema (the ``schema`` check: where the file departs from it, by element),
   and whose rules are checked apart: rules on each child (``dfe_child_rules``) and rules on the
   LA's return as a whole (``dfe_la_rules``).
2. ``raw/la_return_figures`` (unpartitioned, beside the raw tables the publishers' files fill):
   every landed return counted the published way and suppressed (counting.py, one query for
   all: it costs about what one LA's does), and the shown figures copied out for dbt
   (figures.py). The partitions split what costs per LA: landing, and DfE's rules.

Nothing child-level reaches Dagster: metadata and log lines carry file names, table names,
counts shown the way DfE shows them, rule codes and paths in the private area.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

import dagster as dg
import polars as pl

from orchestration.lib.core import versions
from orchestration.lib.ingest.step import unchanged
from orchestration.lib.returns import census_landing, counting, figures, inbox, landing, private, validation
from orchestration.lib.returns.cin_census import SPECS
from orchestration.lib.returns.counting import shown
from orchestration.lib.returns.inbox import CIN_CENSUS, SSDA903
from orchestration.settings import TEMPLATES_DIR, Settings

PARTITIONS = dg.DynamicPartitionsDefinition(name="la_returns")
LANDED = dg.AssetKey(["returns", "ssda903"])
CIN_LANDED = dg.AssetKey(["returns", "cin_census"])
ASSETS = {SSDA903: LANDED, CIN_CENSUS: CIN_LANDED}
RULES_CHECK = "dfe_rules"
SCHEMA_CHECK, CHILD_RULES_CHECK, LA_RULES_CHECK = "schema", "dfe_child_rules", "dfe_la_rules"


@cache
def landing_code_version(kind: str = SSDA903) -> str:
    """What landing a return of ``kind`` runs: its landing module (and what it imports), DfE's
    rules' wrapper, what runs in the validators' own environment, the report's template, and for
    the census, its schemas."""
    common = [
        validation.VALIDATOR_PROJECT / "pyproject.toml",
        validation.VALIDATOR_PROJECT / "uv.lock",
        validation.RUNNER,
        TEMPLATES_DIR / validation.TEMPLATE,
    ]
    if kind == CIN_CENSUS:
        return versions.code_version(census_landing, validation, files=[*common, *sorted(SPECS.glob("*.xsd"))])
    return versions.code_version(landing, validation, files=common)


def by_rule(issues: pl.DataFrame) -> pl.DataFrame:
    return (
        issues.group_by("rule_code").agg(pl.len().alias("rows")).sort(["rows", "rule_code"], descending=[True, False])
        if issues.height
        else pl.DataFrame({"rule_code": [], "rows": []}, schema={"rule_code": pl.Utf8, "rows": pl.UInt32})
    )


@dataclass(frozen=True)
class Rules:
    """DfE's rules' run on a return, or why they did not run (``not_run``: a year they do not cover)."""

    issues: pl.DataFrame
    rules_run: int = 0
    rules_failed: tuple[str, ...] = ()
    not_run: str | None = None


def rules_of(run) -> Rules:
    """``run()``, DfE's rules on a return, as :class:`Rules`: a year the installed rules do not
    cover is counted all the same, and its checks say the rules did not run."""
    try:
        done = run()
    except validation.UnsupportedYearError as e:
        return Rules(pl.DataFrame(schema=validation.ISSUE_SCHEMA), not_run=str(e))
    return Rules(done.issues, done.rules_run, done.rules_failed)


def run_rules(settings: Settings, ret: inbox.Return, tables: dict) -> Rules:
    """DfE's SSDA903 rules on the return as read. The validator reads a table only in its exact
    columns and UTF-8: it gets plain copies of the tables (the XML form as sent, which it reads
    itself), made in the private area and removed straight after."""
    work = private.private_dir(settings, "validation", ret.la_code, str(ret.year))
    xml = [f for f in ret.files if f.suffix.lower() == ".xml"]
    copies = [] if xml else landing.plain_copies(tables, work)
    try:
        return rules_of(lambda: validation.run_ssda903_rules(xml or copies, ret.year, ret.la_code, work))
    finally:
        for copy in copies:
            copy.unlink(missing_ok=True)


def run_census_rules(settings: Settings, ret: inbox.Return) -> Rules:
    """DfE's CIN census rules on the census as sent (the validator reads the XML itself)."""
    work = private.private_dir(settings, "validation", ret.la_code, str(ret.year))
    return rules_of(lambda: validation.run_cin_rules(ret.files[0], ret.year, ret.la_code, work))


def land_and_validate(context: dg.AssetExecutionContext, settings: Settings, kind: str = SSDA903) -> Iterator:
    """Read the return (a census is checked against its year's schema as it streams), run DfE's
    rules on it, then land it: a return that cannot be read, or that the rules cannot be run on
    (the validator's environment or process fails), lands nothing, and its earlier figures stay.
    A partition with no return of this kind (a run of both assets for an LA that sent one) has
    nothing to land: the asset is skipped, not failed."""
    ret = inbox.find_kind(settings, context.partition_key, kind)
    if ret is None:
        context.log.info(f"{context.partition_key}: no {inbox.NAMES[kind]} return in the inbox; nothing to land")
        return
    if kind == CIN_CENSUS:
        census = census_landing.read_census(ret)
        rules = run_census_rules(settings, ret)
        landed = census_landing.land_census(settings, ret, census)
        schema = census.schema_issues
        summary = {"file": ret.files[0].name, "places the file departs from its year's schema": schema.height}
    else:
        tables = landing.read_return(ret)
        rules = run_rules(settings, ret, tables)
        landed = landing.land_return(settings, ret, tables)
        schema = None
        summary = {"files": ", ".join(f.name for f in ret.files), "tables missing": ", ".join(landed.missing) or "none"}
    pseudonymiser = private.Pseudonymiser(private.pseudonym_key(settings), ret.la_code)
    issues = rules.issues.with_columns(pseudonymiser.children(rules.issues["child_id"]).alias("child_id"))
    report = validation.render_report(
        issues,
        title=f"{inbox.NAMES[kind]} {ret.year - 1}-{ret.year % 100:02d}: {ret.la_code}",
        summary={
            "LA": ret.la_code,
            "collection year": ret.year,
            **summary,
            "rules that could not run": ", ".join(rules.rules_failed) or "none",
            "checked at": datetime.now(UTC).isoformat(timespec="seconds"),
        },
        out_path=private.private_dir(settings, "reports", ret.la_code, str(ret.year)) / f"{kind}_validation.html",
        schema_issues=schema,
    )
    write_issues(settings, ret.la_code, ret.year, issues, rules_run=rules.not_run is None, kind=kind)
    key = ASSETS[kind]
    yield dg.MaterializeResult(
        asset_key=key,
        data_version=dg.DataVersion(landed.digest),
        metadata={
            "files": dg.MetadataValue.json(sorted(landed.files)),
            # rows of each table: counts of children's records, shown as DfE shows a small count
            "tables": dg.MetadataValue.json({t: shown(n) for t, n in landed.rows.items()}),
            **({"tables_missing": dg.MetadataValue.json(landed.missing)} if kind == SSDA903 else {}),
            "validation_report": dg.MetadataValue.path(str(report)),
        },
    )
    if kind == SSDA903:
        yield rules_check(key, RULES_CHECK, issues, rules, "DfE's SSDA903 rules", report)
        return
    yield schema_check(key, schema, ret.year, report)
    for check, level, what in (
        (CHILD_RULES_CHECK, "child", "DfE's CIN census rules on each child's records"),
        (LA_RULES_CHECK, "la", "DfE's CIN census rules on the LA's return as a whole"),
    ):
        yield rules_check(key, check, issues.filter(pl.col("level") == level), rules, what, report)


def rules_check(
    key: dg.AssetKey, check: str, issues: pl.DataFrame, rules: Rules, what: str, report
) -> dg.AssetCheckResult:
    """A check on what DfE's rules found: a warning, with counts by rule; it does not pass while
    any rule could not run."""
    counted = by_rule(issues)
    not_checked = f"; {len(rules.rules_failed)} rule(s) could not run: {', '.join(rules.rules_failed)}"
    return dg.AssetCheckResult(
        asset_key=key,
        check_name=check,
        passed=issues.height == 0 and rules.not_run is None and not rules.rules_failed,
        severity=dg.AssetCheckSeverity.WARN,
        description=rules.not_run
        or f"{shown(issues.height)} issue(s) under {counted.height} of {what}; the figures are "
        "counted all the same and say how many were outstanding"
        + (not_checked if rules.rules_failed else ""),
        # issue counts are counts of children's records: shown as DfE shows a small count
        metadata={
            "issues": shown(issues.height),
            "rules_with_issues": counted.height,
            "rules_run": rules.rules_run,
            "rules_that_could_not_run": dg.MetadataValue.json(list(rules.rules_failed)),
            "issues_by_rule": dg.MetadataValue.json(
                {r: shown(n) for r, n in zip(counted["rule_code"], counted["rows"])}
            ),
            "report": dg.MetadataValue.path(str(report)),
        },
    )


def schema_check(key: dg.AssetKey, schema: pl.DataFrame, year: int, report) -> dg.AssetCheckResult:
    """Where a census departs from its year's schema: a warning, by element and the rule broken
    (each place is in one child's record: counts shown as DfE shows a small count)."""
    by_element = (
        schema.group_by("element", "problem").agg(pl.len().alias("n")).sort(["n", "element"], descending=[True, False])
        if schema.height
        else schema.select("element", "problem").with_columns(pl.lit(0).alias("n"))
    )
    return dg.AssetCheckResult(
        asset_key=key,
        check_name=SCHEMA_CHECK,
        passed=schema.height == 0,
        severity=dg.AssetCheckSeverity.WARN,
        description=f"{shown(schema.height)} place(s) where the file departs from the CIN census schema for "
        f"{year} (elements and the rule each breaks; the lines are in the report)",
        metadata={
            "departures": shown(schema.height),
            "by_element": dg.MetadataValue.json(
                [{"element": e, "problem": p, "n": shown(n)} for e, p, n in by_element.head(50).iter_rows()]
            ),
            "schema": f"CIN_schema_{year}.xsd",
            "report": dg.MetadataValue.path(str(report)),
        },
    )


def write_issues(
    settings: Settings, la_code: str, year: int, issues: pl.DataFrame, rules_run: bool, kind: str = SSDA903
) -> None:
    frame = issues.select(  # noqa: F841 (read by DuckDB's replacement scan)
        pl.lit(la_code).alias("la_code"), pl.lit(year).alias("collection_year"), pl.all()
    )
    with private.connect(settings) as con:
        con.execute("begin")
        con.execute(f"create table if not exists {kind}_issues as select * from frame limit 0")
        have = {r[0] for r in con.execute(f"describe {kind}_issues").fetchall()}
        for column, dtype, *_ in con.execute("describe frame").fetchall():  # a column added since it was made
            if column not in have:
                con.execute(f'alter table {kind}_issues add column "{column}" {dtype}')
        con.execute(f"delete from {kind}_issues where la_code = ? and collection_year = ?", [la_code, year])
        con.execute(f"insert into {kind}_issues by name select * from frame")
        con.execute(
            f"update {kind}_returns set rules_run = ? where la_code = ? and collection_year = ?",
            [rules_run, la_code, year],
        )
        con.execute("commit")


def stale(instance: dg.DagsterInstance, settings: Settings) -> list[tuple[inbox.Return, str]]:
    """Every return in the inbox whose files or code changed since it was last landed, with why."""
    found = []
    for ret in inbox.scan(settings):
        tags = latest_tags(instance, ASSETS[ret.kind], ret.partition)
        if tags is None:
            found.append((ret, "never landed"))
        elif tags.get("dagster/code_version") != landing_code_version(ret.kind):
            found.append((ret, "its code changed"))
        elif tags.get("dagster/data_version") != ret.digest():
            found.append((ret, "its files changed"))
    return found


def latest_tags(instance: dg.DagsterInstance, key: dg.AssetKey, partition: str) -> dict | None:
    result = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=key, asset_partitions=[partition]), limit=1
    )
    if not result.records:
        return None
    return result.records[0].asset_materialization.tags or {}


COLLECTED = dg.AssetKey(["raw", "la_return_figures"])


@cache
def collect_code_version() -> str:
    """Counting and what leaves the private area: the modules, and the counting SQL."""
    return versions.code_version(figures, files=list(counting.SQLS.values()))


def collect(context: dg.AssetExecutionContext, warehouse) -> Iterator[dg.MaterializeResult]:
    """Every landed return counted, and the shown figures into ``raw.la_return_figures``: recorded
    only when they (or the code) changed, as a raw table filled from the publishers' files is."""
    with warehouse.connect() as con:
        version, rows = figures.collect(con, warehouse.settings())
    records = context.instance.get_asset_records([COLLECTED])
    last = records[0].asset_entry.last_materialization_record if records else None
    tags = (last.asset_materialization.tags or {}) if last else {}
    if unchanged(context, tags, version, collect_code_version()):
        return
    yield dg.MaterializeResult(asset_key=COLLECTED, data_version=dg.DataVersion(version), metadata={"rows": rows})
