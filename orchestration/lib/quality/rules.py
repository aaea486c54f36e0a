"""Reusable rules: Great Expectations expectation classes with this project's defaults, and the
shapes suites share (reconciliations, cross-checks, row-count floors)."""

from __future__ import annotations

import re
from functools import cache

from orchestration.lib.core.conventions import conventions
from orchestration.lib.quality.gx_internals import cell_rule_classes
from orchestration.lib.quality.suites import SuiteSpec, gx


def known_symbols() -> tuple[str, ...]:
    """Suppression and status symbols seen across DfE, ONS and MHCLG files (FILE_PROFILES.csv),
    matched whole-cell: the project's conventions (dbt_project.yml vars), which dbt's
    parse_published_value reads too."""
    return conventions().known_symbols


@cache
def published_cell_regex(signed: bool = True) -> str:
    """A published cell: a number (negative when ``signed``), a known symbol, or the footnote
    mark MHCLG prints instead of a value."""
    symbols = "|".join(re.escape(s) for s in known_symbols())
    sign = "-?" if signed else ""
    return rf"^(?:{sign}[0-9][0-9,]*(?:\.[0-9]+)?%?|{symbols}|{conventions().footnote_pattern})$"


@cache
def _classes() -> dict[str, type]:
    """The rule classes, built on first use (they subclass Great Expectations classes, and
    importing GX is left until a suite is validated)."""
    import great_expectations as gx

    cells_classes = cell_rule_classes()
    ExpectCellsToMatchRegex = cells_classes["ExpectCellsToMatchRegex"]
    ExpectCellsToNotBeNull = cells_classes["ExpectCellsToNotBeNull"]
    listed = ", ".join(known_symbols())
    published = f"A number, or a known suppression symbol ({listed}) or footnote mark [note N]"
    unsigned = f"A number that is not negative, or a known suppression symbol ({listed}) or footnote mark [note N]"

    class ExpectPublishedCell(gx.expectations.ExpectColumnValuesToMatchRegex):
        """A published cell is a number or one of the known suppression symbols; nothing else."""

        regex: str = published_cell_regex()
        description: str = published

    class ExpectPublishedCells(ExpectCellsToMatchRegex):
        """ExpectPublishedCell on every column of ``column_list``."""

        regex: str = published_cell_regex()
        description: str = published

    class ExpectUnsignedPublishedCell(gx.expectations.ExpectColumnValuesToMatchRegex):
        """A count, rate or share: a number that is not negative, or a known suppression symbol."""

        regex: str = published_cell_regex(signed=False)
        description: str = unsigned

    class ExpectUnsignedPublishedCells(ExpectCellsToMatchRegex):
        """ExpectUnsignedPublishedCell on every column of ``column_list``."""

        regex: str = published_cell_regex(signed=False)
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
