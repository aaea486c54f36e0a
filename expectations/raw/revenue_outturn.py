"""The contract of a landed MHCLG revenue outturn workbook, which both the catalogue takes share:
RO3 (children's social care lines) and RSX (service summary), 2022-23 to 2024-25, two 2024-25
vintages."""

from __future__ import annotations

from orchestration.lib.core.conventions import conventions
from orchestration.lib.ingest.catalogue import load_catalogue
from orchestration.lib.quality import rules
from orchestration.lib.quality.suites import SuiteSpec, gx

# 150 LAs before the 2009 reorganisation, 152 to 2019, 153 from 2023 (151-153 between).
LA_COUNT_RANGE = (rules.FEWEST_LAS, rules.MOST_LAS)
RO_ID_COLUMNS = {"la_code_mhclg", "la_code", "la_name", "authority_class", "financial_year"}
TABLES = ("mhclg_ro3_social_care", "mhclg_rsx_service_summary")


def upper_tier() -> str:
    """Upper-tier authorities (children's services authorities) in the RO workbooks."""
    return (
        f"authority_class in ('UA', 'MD', 'LB', 'SC') and regexp_full_match(la_code, '{conventions().la_code_pattern}')"
    )


def revenue_outturn(family_name: str) -> list[SuiteSpec]:
    e = gx.expectations
    family = load_catalogue().family(family_name)
    table = f"raw.{family.raw_table}"
    values = [c for c in family.column_names if c not in RO_ID_COLUMNS]
    upper = upper_tier()
    return [
        SuiteSpec(
            name=f"raw_{family.raw_table}",
            asset=("raw", family.raw_table),
            description="Upper-tier authority rows: ONS code, name, and every children's social care cell a number or a known symbol.",
            query=f"select * from {table} where {upper} or authority_class = 'Eng'",
            prefilter=True,  # DuckDB selects the rows breaking a rule; GX names them
            expectations=lambda: [
                *rules.cells(["la_name", *values], "not_null"),
                e.ExpectColumnValuesToMatchRegex(column="financial_year", regex=rules.FINANCIAL_YEAR),
                *rules.cells(values, "published"),
            ],
        ),
        SuiteSpec(
            name=f"raw_{family.raw_table}__counts",
            asset=("raw", family.raw_table),
            description=f"Per release: {LA_COUNT_RANGE[0]}-{LA_COUNT_RANGE[1]} upper-tier LAs, each once, and one England row.",
            query=f"""
                select _release,
                       count(distinct la_code) filter (where {upper}) as la_count,
                       count(*) filter (where {upper}) - count(distinct la_code) filter (where {upper}) as duplicate_las,
                       count(*) filter (where authority_class = 'Eng' and la_code = 'E92000001') as england_rows
                from {table} group by _release""",
            expectations=lambda: [
                e.ExpectColumnValuesToBeBetween(
                    column="la_count", min_value=LA_COUNT_RANGE[0], max_value=LA_COUNT_RANGE[1]
                ),
                e.ExpectColumnValuesToBeBetween(column="duplicate_las", min_value=0, max_value=0),
                e.ExpectColumnValuesToBeBetween(column="england_rows", min_value=1, max_value=1),
            ],
        ),
    ]


def suites() -> list[SuiteSpec]:
    return [suite for table in TABLES for suite in revenue_outturn(table)]
