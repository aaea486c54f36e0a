"""Contracts on the landed section 251 outturn files, 2008-09 to 2013-14 (raw.s251_outturn)."""

from __future__ import annotations

from orchestration.lib.quality import rules
from orchestration.lib.quality.suites import SuiteSpec, gx

# 150 LAs before the 2009 reorganisation, 152 to 2019, 153 from 2023 (151-153 between).
LA_COUNT_RANGE = (rules.FEWEST_LAS, rules.MOST_LAS)


def _s251() -> list[SuiteSpec]:
    e = gx.expectations
    table = "raw.s251_outturn"
    return [
        SuiteSpec(
            name="raw_s251_outturn",
            asset=("raw", "s251_outturn"),
            description="Every line: a DfE LA number, a line description, a net expenditure that is a number or a known symbol.",
            query=f"select * from {table}",
            prefilter=True,  # DuckDB selects the rows breaking a rule; GX names them
            expectations=lambda: [
                e.ExpectColumnValuesToMatchRegex(column="la_code_dfe", regex=r"^[0-9]{3}$"),
                e.ExpectColumnValuesToNotBeNull(column="line_description"),
                e.ExpectColumnValuesToMatchRegex(column="line_number", regex=r"^[0-9]{1,2}$"),
                e.ExpectColumnValuesToMatchRegex(column="financial_year", regex=rules.FINANCIAL_YEAR),
                rules.ExpectPublishedCell(column="net_current_expenditure"),
            ],
        ),
        SuiteSpec(
            name="raw_s251_outturn__counts",
            asset=("raw", "s251_outturn"),
            description=f"Per release: {LA_COUNT_RANGE[0]}-{LA_COUNT_RANGE[1]} LAs, each with every line once.",
            query=f"""
                select _release, count(distinct la_code_dfe) as la_count,
                       count(*) - count(distinct (la_code_dfe, coalesce(line_number, line_description))) as duplicate_lines,
                       count(distinct coalesce(line_number, line_description)) as line_count
                from {table} group by _release""",
            expectations=lambda: [
                e.ExpectColumnValuesToBeBetween(
                    column="la_count", min_value=LA_COUNT_RANGE[0], max_value=LA_COUNT_RANGE[1]
                ),
                e.ExpectColumnValuesToBeBetween(column="duplicate_lines", min_value=0, max_value=0),
                e.ExpectColumnValuesToBeBetween(column="line_count", min_value=30, max_value=60),
            ],
        ),
    ]


def suites() -> list[SuiteSpec]:
    return _s251()
