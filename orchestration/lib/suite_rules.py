"""Reusable rules: Great Expectations classes with this project's defaults."""

from __future__ import annotations

import re
from functools import cache

from orchestration.lib.conventions import conventions
from orchestration.lib.suites import SuiteSpec, gx

# Suppression and status symbols seen across DfE, ONS and MHCLG files (FILE_PROFILES.csv),
# matched whole-cell, and the footnote mark MHCLG prints instead of a value: the project's
# conventions (dbt_project.yml vars), which dbt's parse_published_value reads too.
KNOWN_SYMBOLS = conventions().known_symbols
_SYMBOLS = "|".join(re.escape(s) for s in KNOWN_SYMBOLS)
PUBLISHED_CELL_REGEX = rf"^(?:-?[0-9][0-9,]*(?:\.[0-9]+)?%?|{_SYMBOLS}|{conventions().footnote_pattern})$"
UNSIGNED_CELL_REGEX = PUBLISHED_CELL_REGEX.replace("^(?:-?", "^(?:", 1)


@cache
def _classes() -> dict[str, type]:
    """The rule classes, built on first use (they subclass Great Expectations classes, and
    importing GX is left until a suite is validated)."""
    import great_expectations as gx
    from great_expectations.execution_engine import PandasExecutionEngine
    from great_expectations.expectations.expectation import MulticolumnMapExpectation
    from great_expectations.expectations.metrics.map_metric_provider import (
        MulticolumnMapMetricProvider,
        multicolumn_condition_partial,
    )

    # One rule that many columns share is one expectation on all of them, not one per column
    # (GX spends ~5 ms building the metrics of an expectation whatever the rows, and a raw
    # table has up to 48 value columns): a multicolumn map expectation, whose row breaks the
    # rule when any of its cells does; cell_breaks() says which, so a failure names the column
    # and the value. GX needs two columns or more for one: cells() picks the column-map class
    # for a single column.

    class CellsMatchRegex(MulticolumnMapMetricProvider):
        """Row-wise: every cell of ``column_list`` that is not NULL matches ``regex``, searched
        for as GX's ``column_values.match_regex`` does on pandas."""

        condition_metric_name = "csc.cells.match_regex"
        condition_value_keys = ("regex",)

        @multicolumn_condition_partial(engine=PandasExecutionEngine)
        def _pandas(cls, column_list, regex, **kwargs):
            return column_list.apply(lambda cells: cells.isna() | cells.astype(str).str.contains(regex)).all(axis=1)

    class CellsNotNull(MulticolumnMapMetricProvider):
        """Row-wise: no cell of ``column_list`` is NULL."""

        condition_metric_name = "csc.cells.not_null"

        @multicolumn_condition_partial(engine=PandasExecutionEngine)
        def _pandas(cls, column_list, **kwargs):
            return column_list.notna().all(axis=1)

    class _CellsExpectation(MulticolumnMapExpectation):
        ignore_row_if: str = "never"  # a row whose cells are all NULL is a row like any other

        def cell_breaks(self, value) -> bool:
            raise NotImplementedError

    class ExpectCellsToMatchRegex(_CellsExpectation):
        """Every cell of ``column_list`` that is not NULL matches ``regex`` (ExpectColumnValuesToMatchRegex on each)."""

        regex: str
        map_metric = "csc.cells.match_regex"
        success_keys = ("regex", "mostly")

        def cell_breaks(self, value) -> bool:
            return not _is_missing(value) and re.search(self.regex, str(value)) is None

    class ExpectCellsToNotBeNull(_CellsExpectation):
        """No cell of ``column_list`` is NULL (ExpectColumnValuesToNotBeNull on each)."""

        description: str = "Filled in every row"
        map_metric = "csc.cells.not_null"

        def cell_breaks(self, value) -> bool:
            return _is_missing(value)

    published = "A number, or a known suppression symbol (" + ", ".join(KNOWN_SYMBOLS) + ") or footnote mark [note N]"
    unsigned = (
        "A number that is not negative, or a known suppression symbol ("
        + ", ".join(KNOWN_SYMBOLS)
        + ") or footnote mark [note N]"
    )

    class ExpectPublishedCell(gx.expectations.ExpectColumnValuesToMatchRegex):
        """A published cell is a number or one of the known suppression symbols; nothing else."""

        regex: str = PUBLISHED_CELL_REGEX
        description: str = published

    class ExpectPublishedCells(ExpectCellsToMatchRegex):
        """ExpectPublishedCell on every column of ``column_list``."""

        regex: str = PUBLISHED_CELL_REGEX
        description: str = published

    class ExpectUnsignedPublishedCell(gx.expectations.ExpectColumnValuesToMatchRegex):
        """A count, rate or share: a number that is not negative, or a known suppression symbol."""

        regex: str = UNSIGNED_CELL_REGEX
        description: str = unsigned

    class ExpectUnsignedPublishedCells(ExpectCellsToMatchRegex):
        """ExpectUnsignedPublishedCell on every column of ``column_list``."""

        regex: str = UNSIGNED_CELL_REGEX
        description: str = unsigned

    class ExpectWithinTolerance(gx.expectations.ExpectColumnValuesToBeBetween):
        """Reconciliation rows carry ``excess`` = |difference| - tolerance, which must not be positive.
        Like every column-map expectation it passes a NULL: use :func:`within_tolerance`."""

        column: str = "excess"
        max_value: float = 0.0

    class ExpectAllAgree(gx.expectations.ExpectColumnValuesToBeInSet):
        """Cross-check rows carry ``agrees`` (this source says what the other says), which must be true.
        Like every column-map expectation it passes a NULL: use :func:`all_agree`."""

        column: str = "agrees"
        value_set: list = [True]  # noqa: RUF012 (a pydantic field, copied per instance)

    return {
        cls.__name__: cls
        for cls in (
            ExpectCellsToMatchRegex,
            ExpectCellsToNotBeNull,
            ExpectPublishedCell,
            ExpectPublishedCells,
            ExpectUnsignedPublishedCell,
            ExpectUnsignedPublishedCells,
            ExpectWithinTolerance,
            ExpectAllAgree,
        )
    }


# A rule cells() knows: (the column-map class for one column, the multicolumn class for more).
CELL_RULES = {
    "not_null": ("ExpectColumnValuesToNotBeNull", "ExpectCellsToNotBeNull"),
    "match_regex": ("ExpectColumnValuesToMatchRegex", "ExpectCellsToMatchRegex"),
    "published": ("ExpectPublishedCell", "ExpectPublishedCells"),
    "unsigned_published": ("ExpectUnsignedPublishedCell", "ExpectUnsignedPublishedCells"),
}


def cells(columns, rule: str, **kwargs) -> list:
    """The expectation that every cell of ``columns`` meets ``rule`` (a key of CELL_RULES;
    ``match_regex`` takes ``regex=``): none for no columns, GX's column-map rule for one, one
    multicolumn rule for more."""
    columns = list(columns)
    if not columns:
        return []
    one, many = CELL_RULES[rule]
    if len(columns) == 1:
        return [(_classes().get(one) or getattr(gx.expectations, one))(column=columns[0], **kwargs)]
    return [_classes()[many](column_list=columns, **kwargs)]


def _is_missing(value) -> bool:
    """NULL as a pandas frame holds it (None, NaN, pandas' NA)."""
    import pandas as pd

    return pd.api.types.is_scalar(value) and bool(pd.isna(value))


def __getattr__(name: str):
    classes = _classes() if name.startswith("Expect") else {}
    if name in classes:
        return classes[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# England has had 150 to 153 upper-tier LAs (children's services authorities) in every year the
# sources cover: 150 before the 2009 reorganisation, 152 to 2019, 153 since 2023. A check that
# covers every LA for one period has at least this many rows.
FEWEST_LAS = 150
MOST_LAS = 153
# DfE's regions, London in its two halves as DfE's LA list and the Ofsted corrections give it.
DFE_REGIONS = (
    "North East",
    "North West",
    "Yorkshire and The Humber",
    "East Midlands",
    "West Midlands",
    "East of England",
    "Inner London",
    "Outer London",
    "South East",
    "South West",
)
# A financial year as MHCLG and DfE print it: 2023-24.
FINANCIAL_YEAR = r"^20[0-9]{2}-[0-9]{2}$"

# Great Expectations leaves NULLs out of column-map expectations, so `excess <= 0` and
# `agrees in {True}` pass on a row whose other side is missing (an unmatched total line, an LA
# the other source does not have, a missing population). A reconciliation that cannot be
# computed fails instead: every rule below also expects its column never to be NULL, and a row
# count floor, so a query that matches nothing (a renamed indicator) fails rather than passing
# on an empty table.
NOT_COMPUTED = (
    "Computed for every row: a NULL means one side of the reconciliation is missing "
    "(an unmatched line or LA, a missing value or denominator)"
)
NOT_COMPARED = (
    "Compared for every row: a NULL means the row could not be matched to the other source "
    "(an unmatched LA, a missing value)"
)


def row_floor(min_rows: int, rows: str):
    """At least ``min_rows`` rows; ``rows`` says what one row is and why that many."""
    if min_rows < 1:
        raise ValueError(f"a row-count floor is at least 1, not {min_rows}")
    return gx.expectations.ExpectTableRowCountToBeBetween(
        min_value=min_rows, description=f"At least {min_rows} rows: {rows}"
    )


def within_tolerance(min_rows: int, rows: str, description: str | None = None) -> list:
    """A reconciliation: one row per thing reconciled with ``excess`` (|difference| - tolerance),
    every one computed and not positive, and at least ``min_rows`` rows."""
    return [
        _classes()["ExpectWithinTolerance"](description=description),
        gx.expectations.ExpectColumnValuesToNotBeNull(column="excess", description=NOT_COMPUTED),
        row_floor(min_rows, rows),
    ]


def all_agree(min_rows: int | None, rows: str, description: str | None = None) -> list:
    """A cross-check: one row per thing checked with ``agrees``, every one compared and true,
    and at least ``min_rows`` rows (``None`` only where having nothing to compare is normal, and
    ``rows`` says why: a family with one catalogued release has no later vintage to compare)."""
    return [
        _classes()["ExpectAllAgree"](description=description),
        gx.expectations.ExpectColumnValuesToNotBeNull(column="agrees", description=NOT_COMPARED),
        *([] if min_rows is None else [row_floor(min_rows, rows)]),
    ]


def agreement_suite(
    name: str, asset: tuple[str, ...], description: str, query: str, expected: str, min_rows: int, rows: str
) -> SuiteSpec:
    """A suite whose query returns one row per thing checked, with ``agrees``: every row must agree."""
    return SuiteSpec(
        name=name,
        asset=asset,
        description=description,
        query=query,
        expectations=lambda: all_agree(min_rows, rows, expected),
    )
