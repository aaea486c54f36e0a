"""The contract of a landed IoD2019 File 11 sheet (upper-tier LA summaries), which both sheets
the catalogue takes share: the Index of Multiple Deprivation and IDACI."""

from __future__ import annotations

from orchestration.lib.core.conventions import conventions
from orchestration.lib.quality import rules
from orchestration.lib.quality.suites import SuiteSpec, gx

# File 11 covers the 151 upper-tier LAs of 2019 (the Isles of Scilly is counted with Cornwall).
UPPER_TIER_2019 = 151
VALUES = ["avg_score", "avg_score_rank", "proportion_lsoas_most_deprived_10pct"]
TABLES = ("iod2019_imd", "iod2019_idaci")


def file_11_sheet(table: str) -> list[SuiteSpec]:
    e = gx.expectations
    return [
        SuiteSpec(
            name=f"raw_{table}",
            asset=("raw", table),
            description=f"{UPPER_TIER_2019} upper-tier LAs, each once, with a well-formed ONS code (catalogue errata applied), "
            "scores and ranks that are numbers, ranks 1 to 151, proportions 0 to 1.",
            query=f"select *, try_cast(avg_score_rank as double) as rank_value, "
            f"try_cast(proportion_lsoas_most_deprived_10pct as double) as proportion_value from raw.{table}",
            expectations=lambda: [
                e.ExpectColumnValuesToMatchRegex(column="la_code", regex=conventions().la_code_regex),
                e.ExpectColumnValuesToBeUnique(column="la_code"),
                e.ExpectTableRowCountToEqual(value=UPPER_TIER_2019),
                *rules.cells(VALUES, "published"),
                *rules.cells(VALUES, "not_null"),
                e.ExpectColumnValuesToBeBetween(column="rank_value", min_value=1, max_value=UPPER_TIER_2019),
                e.ExpectColumnValuesToBeBetween(column="proportion_value", min_value=0, max_value=1),
            ],
        )
    ]


def suites() -> list[SuiteSpec]:
    return [suite for table in TABLES for suite in file_11_sheet(table)]
