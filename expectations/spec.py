"""What a suite is: a named query over the warehouse plus the expectations its rows must meet."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

# Columns that, when a suite's query returns them, locate a failing row in its source file.
LOCATOR_COLUMNS = ("_release", "_source_file", "_row_number")
# Columns that, when returned too, say which LA and period a failing row is about.
IDENTIFYING_COLUMNS = ("la_code", "new_la_code", "la_name", "time_period", "mid_year", "indicator_id", "measure")


@dataclass(frozen=True)
class SuiteSpec:
    """A suite validates the rows ``query`` returns from the work database.

    ``asset`` is the asset key (schema, table) the suite guards; it runs as a blocking check
    on that asset. ``expectations`` builds fresh expectation objects (GX binds them to a suite).
    """

    name: str
    asset: tuple[str, ...]
    description: str
    query: str
    expectations: Callable[[], Sequence[object]]
