"""Run the expectation suites in ``expectations/`` against the work database.

Great Expectations' SQL datasource does not work on DuckDB (../shared/STACK.md), so each
suite's query runs in DuckDB and the rows are validated as a pandas dataframe through an
ephemeral GX context. Results are written as JSON under ``<warehouse>/runs/<run>/validations``.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from orchestration.lib.core import files, versions
from orchestration.lib.quality.suites import IDENTIFYING_COLUMNS, LOCATOR_COLUMNS, SuiteSpec

if TYPE_CHECKING:
    from orchestration.lib.quality.validation_report import ReportWriter

MAX_EXAMPLES = 5


@dataclass(frozen=True)
class SuiteOutcome:
    suite: str
    success: bool
    evaluated: int
    failed: int
    rows: int
    failures: list[str] = field(default_factory=list)
    result: dict = field(default_factory=dict)
    scanned: int | None = None  # prefiltered: the rows DuckDB looked through for rule breakers

    def summary(self) -> str:
        if self.success:
            if self.scanned is not None:
                return (
                    f"{self.suite}: {self.evaluated} expectations passed; DuckDB found {self.rows} of "
                    f"{self.scanned} rows breaking a rule"
                )
            return f"{self.suite}: {self.evaluated} expectations passed on {self.rows} rows"
        return f"{self.suite}: {self.failed} of {self.evaluated} expectations failed: " + "; ".join(self.failures)


@lru_cache(maxsize=1)
def _batch_definition():
    """One ephemeral context and one dataframe batch definition for every suite: suites are
    validated against a batch directly, so nothing is saved into the context per suite."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = {"globally": False}  # no progress bar per suite in the run log
    asset = context.data_sources.add_pandas("warehouse_queries").add_dataframe_asset("suite_query")
    return asset.add_batch_definition_whole_dataframe("rows")


def _run(suite, frame, result_format: dict):
    return (
        _batch_definition()
        .get_batch(batch_parameters={"dataframe": frame})
        .validate(suite, result_format=result_format)
    )


@lru_cache(maxsize=1)
def _gx_version() -> str:
    return importlib.metadata.version("great_expectations")


def suite_code_version(spec: SuiteSpec) -> str:
    """A suite's code version: the suite's module and everything it imports, this runner, the
    Great Expectations version (read without importing it), and the suite's name and query. A
    suite whose code version changed runs again on the next refresh, even when its table did not
    change (orchestration/lib/refresh/build_plan.py); one whose table and code are unchanged is
    not run again."""
    gx_version = _gx_version()
    defined_in = spec.module or getattr(spec.expectations, "__module__", "")
    modules = [m for m in (defined_in, __name__) if versions.module_path(m) is not None]
    return versions.code_version(*modules, extra=[gx_version, spec.name, spec.query])


_GENERIC_FIELDS = {
    "id",
    "meta",
    "notes",
    "result_format",
    "description",
    "catch_exceptions",
    "rendered_content",
    "severity",
    "windows",
    "batch_id",
    "column",
    "column_list",
    "ignore_row_if",
    "row_condition",
    "condition_parser",
}


def _expected(config) -> str:
    """What the expectation asked for, defaults of this project's rule classes included."""
    try:
        expectation = config.to_domain_obj()
    except Exception:  # an unregistered type: fall back to what the config holds
        return str({k: v for k, v in config.kwargs.items() if k not in _GENERIC_FIELDS})
    if expectation.description:
        return expectation.description
    fields = {k: v for k, v in expectation.dict().items() if k not in _GENERIC_FIELDS and v is not None}
    if fields.get("mostly") == 1:
        fields.pop("mostly")
    return str(fields)


def _shown(value: object) -> str:
    """A cell as a failure message shows it: a missing value is "empty", whether pandas gave None or NaN."""
    if value is None or (isinstance(value, float) and value != value):
        return "empty"
    return str(value)


def _describe_failure(er, locators: list[str]) -> str:
    config = er.expectation_config
    kwargs = config.kwargs
    result = er.result or {}
    if "column_list" in kwargs:  # one rule on many columns: name the cells that broke it
        return _describe_cells_failure(er, locators)
    where = f"column {kwargs['column']!r}" if "column" in kwargs else "table"
    if er.exception_info and er.exception_info.get("raised_exception"):
        return f"{config.type} on {where}: raised {er.exception_info.get('exception_message')}"
    detail = f"{config.type} on {where} (expected {_expected(config)})"
    if "unexpected_count" in result:
        detail += f": {result['unexpected_count']} unexpected"
        rows = result.get("unexpected_index_list") or []
        if rows and locators:
            shown = ", ".join(
                "[" + " ".join(f"{k}={_shown(r.get(k))}" for k in (*locators, kwargs.get("column")) if k in r) + "]"
                for r in rows[:MAX_EXAMPLES]
            )
            detail += f", e.g. {shown}"
        else:
            detail += f", e.g. {result.get('partial_unexpected_list', [])[:MAX_EXAMPLES]}"
    elif "observed_value" in result:
        detail += f": observed {result['observed_value']}"
    return detail


def _describe_cells_failure(er, locators: list[str]) -> str:
    """A multicolumn rule (rules.cells) lists whole rows: say which columns broke it,
    and for each row shown, where it is and the cells that broke the rule."""
    config = er.expectation_config
    columns = list(config.kwargs["column_list"])
    result = er.result or {}
    if er.exception_info and er.exception_info.get("raised_exception"):
        return f"{config.type} on columns {columns!r}: raised {er.exception_info.get('exception_message')}"
    expectation = config.to_domain_obj()
    rows = (result.get("unexpected_index_list") if locators else None) or result.get("partial_unexpected_list") or []
    broken = [[c for c in columns if c in r and expectation.cell_breaks(r[c])] for r in rows]
    named = [c for c in columns if any(c in cells for cells in broken)]
    where = f"column {named[0]!r}" if len(named) == 1 else "columns " + ", ".join(repr(c) for c in named or columns)
    detail = f"{config.type} on {where} (expected {_expected(config)})"
    if "unexpected_count" in result:
        detail += f": {result['unexpected_count']} unexpected"
        if rows:
            shown = ", ".join(
                "["
                + " ".join(
                    [*(f"{k}={_shown(r.get(k))}" for k in locators if k in r), *(f"{c}={_shown(r[c])}" for c in cells)]
                )
                + "]"
                for r, cells in list(zip(rows, broken))[:MAX_EXAMPLES]
            )
            detail += f", e.g. {shown}"
    return detail


def run_suite(con: duckdb.DuckDBPyConnection, spec: SuiteSpec) -> SuiteOutcome:
    """Validate the rows of ``spec.query``."""
    return _validate(con, spec)


def _sql_literal(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def breaks_a_rule(expectations, types: dict[str, str] | None = None) -> str:
    """A DuckDB predicate true for a row that breaks at least one of these column rules, as
    Great Expectations judges them (a NULL breaks only a not-null rule; a regex is searched
    for, as pandas' ``str.contains`` does); a rule on many columns (rules.cells) is broken
    when one of its cells is. Table-level rules are not row rules and are left to GX; a rule
    this cannot translate, or a ``mostly`` below 1, is refused rather than guessed.
    ``types`` (column -> DuckDB type): a value rule needs text columns, as the landed raw tables
    hold; pandas would see other types differently (an integer column with NULLs as floats, a
    NaN as missing), so the two could disagree about a row."""
    import great_expectations as gx

    from orchestration.lib.quality import rules

    e = gx.expectations
    terms = []
    for rule in expectations:
        if isinstance(rule, (e.ExpectTableColumnsToMatchSet, e.ExpectTableColumnsToMatchOrderedList)):
            continue  # about the columns, which a filter keeps
        columns = getattr(rule, "column_list", None) or [getattr(rule, "column", None)]
        if None in columns or (getattr(rule, "mostly", 1) or 1) < 1 or getattr(rule, "row_condition", None):
            raise ValueError(f"{type(rule).__name__} cannot be checked on a prefiltered query")
        not_null = isinstance(rule, (e.ExpectColumnValuesToNotBeNull, rules.ExpectCellsToNotBeNull))
        for column in columns:
            c = '"' + column.replace('"', '""') + '"'
            kind = (types or {}).get(column, "VARCHAR")
            if not not_null and kind != "VARCHAR":
                raise ValueError(
                    f"{type(rule).__name__} on column {column!r} of type {kind}: a prefiltered query "
                    "must give its value rules text columns"
                )
            if not_null:
                terms.append(f"{c} is null")
            elif isinstance(rule, (e.ExpectColumnValuesToMatchRegex, rules.ExpectCellsToMatchRegex)):
                terms.append(
                    f"({c} is not null and not regexp_matches(cast({c} as varchar), {_sql_literal(rule.regex)}))"
                )
            elif isinstance(rule, e.ExpectColumnValuesToBeInSet):
                terms.append(f"({c} is not null and {c} not in ({', '.join(_sql_literal(v) for v in rule.value_set)}))")
            elif isinstance(rule, e.ExpectColumnValuesToBeBetween) and not (rule.strict_min or rule.strict_max):
                bounds = ([f"{c} < {_sql_literal(rule.min_value)}"] if rule.min_value is not None else []) + (
                    [f"{c} > {_sql_literal(rule.max_value)}"] if rule.max_value is not None else []
                )
                terms.append(f"({c} is not null and ({' or '.join(bounds) or 'false'}))")
            else:
                raise ValueError(f"{type(rule).__name__} cannot be checked on a prefiltered query")
    return " or ".join(terms) or "false"


def _validate(con: duckdb.DuckDBPyConnection, spec: SuiteSpec) -> SuiteOutcome:
    import great_expectations as gx

    expectations = list(spec.expectations())
    scanned = None
    if spec.prefilter:
        described = con.execute(f"select * from ({spec.query}) as suite_rows limit 0").description
        types = {column[0]: str(column[1]) for column in described}
        query = f"select * from ({spec.query}) as suite_rows where {breaks_a_rule(expectations, types)}"
        frame = con.execute(query).df()
        scanned = con.execute(f"select count(*) from ({spec.query}) as suite_rows").fetchone()[0]
    else:
        frame = con.execute(spec.query).df()
    suite = gx.ExpectationSuite(name=spec.name, expectations=expectations)
    # BASIC says pass or fail with counts and observed values; listing the rows that broke a
    # rule takes GX longer per expectation, so a suite with something to list runs again
    result = _run(suite, frame, {"result_format": "BASIC"})
    # failing rows are named by the file and row they came from, and by LA and period
    locators = [c for c in (*LOCATOR_COLUMNS, *IDENTIFYING_COLUMNS) if c in frame.columns]
    if any(not er.success or (er.result or {}).get("unexpected_count") for er in result.results):
        detailed: dict = {"result_format": "COMPLETE" if locators else "SUMMARY"}
        if locators:
            detailed["unexpected_index_column_names"] = locators
        result = _run(suite, frame, detailed)
    failures = [_describe_failure(er, locators) for er in result.results if not er.success]
    return SuiteOutcome(
        suite=spec.name,
        success=bool(result.success),
        evaluated=len(result.results),
        failed=len(failures),
        rows=len(frame),
        failures=failures,
        result=result.to_json_dict(),
        scanned=scanned,
    )


def write_result(
    outcome: SuiteOutcome, directory: Path, spec: SuiteSpec | None = None, report: ReportWriter | None = None
) -> Path:
    """Write the GX result JSON and record the outcome in the run's HTML validation report
    (orchestration.lib.quality.validation_report): through a gate step's ``report`` writer, which rewrites the
    page when it is due, or else rewriting it now."""
    from orchestration.lib.quality.validation_report import write_outcome

    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{outcome.suite}.json"
    files.write_text(path, json.dumps(outcome.result, indent=1, default=str))
    record = {
        "suite": outcome.suite,
        "asset": "/".join(spec.asset) if spec else "",
        "description": spec.description if spec else "",
        "success": outcome.success,
        "evaluated": outcome.evaluated,
        "rows": outcome.rows,
        "failures": outcome.failures,
    }
    if report is None:
        write_outcome(directory, record)
    else:
        report.record(record)
    return path
