"""The one module that builds on Great Expectations' internal API: the multicolumn cell rules.

A rule that many columns share (every value cell a number or a known symbol, every required
column filled) is one expectation over all of them, not one per column: GX builds the metrics of
each expectation whatever the rows, and a raw table has up to 48 value columns. GX 1.x ships no
expectation that applies a regular expression or a not-null rule to each cell of many columns,
and documents no way to define the metric one needs; its metric providers
(``great_expectations.expectations.metrics.map_metric_provider``) and the multicolumn map
expectation base class (``great_expectations.expectations.expectation``) are what its own
multicolumn expectations are built on. The classes here are built on them: a row breaks the rule
when any of its cells does, and :meth:`cell_breaks` says which cells, so a failure names the
column and the value.

tests/unit/test_internals.py fails, naming the piece, when an upgrade moves or changes the GX
code these depend on.
"""

from __future__ import annotations

import re
from functools import cache

# What the classes here were written against (orchestration.lib.core.versions.upstream_digest):
# tests/unit/test_internals.py fails, naming the piece, when an upgrade changes one.
UPSTREAM = {
    "great_expectations.expectations.expectation:MulticolumnMapExpectation": "ffa3904eaa4d6251",
    "great_expectations.expectations.metrics.map_metric_provider:MulticolumnMapMetricProvider": "8586b101d5879660",
    "great_expectations.expectations.metrics.map_metric_provider:multicolumn_condition_partial": "ca0e9e23c7c2d446",
}


def is_missing(value) -> bool:
    """NULL as a pandas frame holds it (None, NaN, pandas' NA)."""
    import pandas as pd

    return pd.api.types.is_scalar(value) and bool(pd.isna(value))


@cache
def cell_rule_classes() -> dict[str, type]:
    """``ExpectCellsToMatchRegex`` and ``ExpectCellsToNotBeNull``, built on first use (importing
    GX waits until a suite is validated)."""
    from great_expectations.execution_engine import PandasExecutionEngine
    from great_expectations.expectations.expectation import MulticolumnMapExpectation
    from great_expectations.expectations.metrics.map_metric_provider import (
        MulticolumnMapMetricProvider,
        multicolumn_condition_partial,
    )

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

    class CellsExpectation(MulticolumnMapExpectation):
        ignore_row_if: str = "never"  # a row whose cells are all NULL is a row like any other

        def cell_breaks(self, value) -> bool:
            raise NotImplementedError

    class ExpectCellsToMatchRegex(CellsExpectation):
        """Every cell of ``column_list`` that is not NULL matches ``regex`` (ExpectColumnValuesToMatchRegex on each)."""

        regex: str
        map_metric = "csc.cells.match_regex"
        success_keys = ("regex", "mostly")

        def cell_breaks(self, value) -> bool:
            return not is_missing(value) and re.search(self.regex, str(value)) is None

    class ExpectCellsToNotBeNull(CellsExpectation):
        """No cell of ``column_list`` is NULL (ExpectColumnValuesToNotBeNull on each)."""

        description: str = "Filled in every row"
        map_metric = "csc.cells.not_null"

        def cell_breaks(self, value) -> bool:
            return is_missing(value)

    return {"ExpectCellsToMatchRegex": ExpectCellsToMatchRegex, "ExpectCellsToNotBeNull": ExpectCellsToNotBeNull}
