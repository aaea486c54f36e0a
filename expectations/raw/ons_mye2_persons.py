"""Contracts on the landed ONS mid-year estimate workbooks, MYE2 persons by single year of age
(raw.ons_mye2_persons)."""

from __future__ import annotations

from orchestration.lib.core.conventions import conventions
from orchestration.lib.quality import rules
from orchestration.lib.quality.suites import SuiteSpec, gx

UPPER_TIER = (
    "geography in ('County', 'Unitary Authority', 'Metropolitan District', 'London Borough') and la_code like 'E%'"
)


def suites() -> list[SuiteSpec]:
    return [
        SuiteSpec(
            name="raw_ons_mye2_persons",
            asset=("raw", "ons_mye2_persons"),
            description="English upper-tier rows: a well-formed ONS code and a whole number for every age 0 to 17.",
            query=f"select * from raw.ons_mye2_persons where {UPPER_TIER}",
            prefilter=True,  # DuckDB selects the rows breaking a rule; GX names them
            expectations=lambda: [
                gx.expectations.ExpectColumnValuesToMatchRegex(column="la_code", regex=conventions().la_code_regex),
                *rules.cells([f"age_{a}" for a in range(18)], "match_regex", regex=r"^[0-9]+$"),
            ],
        ),
        SuiteSpec(
            name="raw_ons_mye2_persons__counts",
            asset=("raw", "ons_mye2_persons"),
            description="Each workbook lists 150 to 160 English upper-tier LAs and England.",
            query=f"select _release, count(*) filter (where {UPPER_TIER}) as las, count(*) filter (where la_code = 'E92000001') as england from raw.ons_mye2_persons group by 1",
            expectations=lambda: [
                gx.expectations.ExpectColumnValuesToBeBetween(column="las", min_value=150, max_value=160),
                gx.expectations.ExpectColumnValuesToBeBetween(column="england", min_value=1, max_value=1),
            ],
        ),
    ]
