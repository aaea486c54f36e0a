"""Contracts on the landed CLA SFR files (2010-2017), the catalogue families cla_sfr_*."""

from __future__ import annotations

from orchestration.lib.ingest.catalogue import Family, load_catalogue
from orchestration.lib.quality import rules
from orchestration.lib.quality.suites import SuiteSpec, gx

GEOGRAPHY = {"geographic_level", "old_la_code", "la_name", "new_la_code", "time_period"}
# 152 LAs in 2010; 151 from 2011 (the Isles of Scilly is left out until its 2017 row).
LA_COUNT_RANGE = (150, 152)


def suites_for(family: Family) -> list[SuiteSpec]:
    table = f"raw.{family.raw_table}"
    asset = ("raw", family.raw_table)
    values = [c for c in family.column_names if c not in GEOGRAPHY]
    e = gx.expectations
    return [
        SuiteSpec(
            name=f"raw_{family.raw_table}",
            asset=asset,
            description="Known levels (after the catalogue's recodes), DfE numbers, England coded 921 or 999; cells are numbers or known symbols.",
            query=f"select * from {table}",
            prefilter=True,  # DuckDB selects the rows breaking a rule; GX names them
            expectations=lambda: [
                e.ExpectColumnValuesToBeInSet(
                    column="geographic_level", value_set=["National", "Regional", "Local authority"]
                ),
                e.ExpectColumnValuesToNotBeNull(column="old_la_code"),
                e.ExpectColumnValuesToMatchRegex(column="time_period", regex=r"^20(?:0|1)[0-9]$"),
                e.ExpectColumnValuesToMatchRegex(column="new_la_code", regex=r"^E(?:06|08|09|10|12|92)[0-9]{6}$"),
                *rules.cells(values, "published"),
            ],
        ),
        SuiteSpec(
            name=f"raw_{family.raw_table}__counts",
            asset=asset,
            description=f"Per release: {LA_COUNT_RANGE[0]}-{LA_COUNT_RANGE[1]} LAs with a DfE number, one England row, one year.",
            query=f"""
                select _release,
                       count(distinct old_la_code) filter (where regexp_full_match(old_la_code, '[0-9]{{3}}')
                           and coalesce(geographic_level, 'Local authority') = 'Local authority') as la_count,
                       count(*) filter (where geographic_level = 'National' and old_la_code in ('921', '999')) as england_rows,
                       count(distinct time_period) as years
                from {table} group by _release""",
            expectations=lambda: [
                e.ExpectColumnValuesToBeBetween(
                    column="la_count", min_value=LA_COUNT_RANGE[0], max_value=LA_COUNT_RANGE[1]
                ),
                e.ExpectColumnValuesToBeBetween(column="england_rows", min_value=1, max_value=1),
                e.ExpectColumnValuesToBeBetween(column="years", min_value=1, max_value=1),
            ],
        ),
    ]


def suites() -> list[SuiteSpec]:
    return [s for family in load_catalogue().families if family.name.startswith("cla_sfr_") for s in suites_for(family)]
