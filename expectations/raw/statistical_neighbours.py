"""Contracts on the landed statistical neighbour workbooks (raw.statistical_neighbours)."""

from __future__ import annotations

from orchestration.lib.quality import rules
from orchestration.lib.quality.suites import SuiteSpec, gx

CLOSENESS = r"^(?i:extremely close|very close|close|somewhat close|not close|-)\s*$"


def _rows():
    e = gx.expectations
    return [
        *rules.cells([f"sn{i}" for i in range(1, 11)], "match_regex", regex=r"^(?:[0-9]{3}|-)$"),
        *rules.cells([f"sn{i}_closeness" for i in range(1, 11)], "match_regex", regex=CLOSENESS),
        e.ExpectColumnValuesToMatchRegex(column="la_number", regex=r"^[0-9]{3}$"),
    ]


def suites() -> list[SuiteSpec]:
    return [
        SuiteSpec(
            name="raw_statistical_neighbours",
            asset=("raw", "statistical_neighbours"),
            description="Neighbours are DfE numbers (or '-' for none) with a known closeness label.",
            query="select * from raw.statistical_neighbours where la_number is not null",
            prefilter=True,  # DuckDB selects the rows breaking a rule; GX names them
            expectations=_rows,
        ),
        SuiteSpec(
            name="raw_statistical_neighbours__counts",
            asset=("raw", "statistical_neighbours"),
            description="Each model lists 150 to 165 LAs.",
            query="select _release, count(distinct la_number) as las from raw.statistical_neighbours group by _release",
            expectations=lambda: [
                gx.expectations.ExpectColumnValuesToBeBetween(column="las", min_value=150, max_value=165)
            ],
        ),
    ]
