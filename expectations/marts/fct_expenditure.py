"""Gates on expenditure: the lines add up, the two MHCLG tables agree, and the conformed
values are plausible.

Measured on the mirror (2026-11): RO3 lines sum to RO3's printed total within GBP 1,000 (each
cell is rounded to GBP thousand; 2024-25 to a penny); RSX's children's social care total
equals RO3's exactly; the section 251 'Total Children Looked After' line equals the
conformed children looked after category to a penny from 2012-13, when adoption and special
guardianship support moved into that block (before, the publisher counted them elsewhere).
"""

from __future__ import annotations

from orchestration.lib.dbt.macros import release_years
from orchestration.lib.ingest.catalogue import load_catalogue
from orchestration.lib.quality import rules
from orchestration.lib.quality.suites import SuiteSpec, gx

# Every LA returns its outturn most years; a year with more than 13 of 153 missing is not a
# year's outturn.
RETURNS_PER_YEAR = 140

# Every authority that returned its outturn (published any line) is reconciled. A line or the
# total it did not publish leaves the sum or the total NULL, which fails as not computed: an
# authority cannot drop out of the check by withholding its total. (An authority that returned
# nothing, every cell [x], has nothing to reconcile.)
RO3_LINES_ADD_UP = """
    with per_authority as (
        select release, geographic_level, la_code, time_period, source_file,
               case when bool_and(net_expenditure_status = 'published') filter (where not is_subtotal)
                    then sum(net_expenditure_gbp) filter (where not is_subtotal) end as lines_sum,
               max(net_expenditure_gbp) filter (where category = 'publisher_total' and net_expenditure_status = 'published')
                   as published_total,
               bool_or(net_expenditure_status = 'published') as returned
        from intermediate.int_expenditure_lines
        where source_family = 'mhclg_ro3_social_care'
        group by all
    )
    select release as _release, source_file as _source_file, la_code, time_period, lines_sum, published_total,
           abs(lines_sum - published_total) - 1000.5 as excess
    from per_authority where returned
    order by release, la_code
"""

# Every total RSX publishes is compared with RO3's: one RO3 has no published total for (an
# authority RO3 lacks, a total it withheld) fails as not computed.
RSX_EQUALS_RO3 = """
    with ro3 as (
        select release, la_code,
               max(net_expenditure_gbp) filter (where category = 'publisher_total' and net_expenditure_status = 'published')
                   as ro3_total
        from intermediate.int_expenditure_lines
        where source_family = 'mhclg_ro3_social_care'
        group by all
    )
    select rsx.release as _release, rsx.source_file as _source_file, rsx.source_row as _row_number, rsx.la_code,
           rsx.time_period, rsx.csc_net_expenditure_gbp, ro3.ro3_total,
           abs(rsx.csc_net_expenditure_gbp - ro3.ro3_total) - 1000.5 as excess
    from staging.stg_expenditure__rsx_service_summary as rsx
    left join ro3 using (release, la_code)
    where rsx.csc_net_expenditure_status = 'published'
    order by rsx.release, rsx.la_code
"""

S251_CLA_BLOCK = """
    select release as _release, source_file as _source_file, la_code_dfe, la_name, time_period,
           sum(net_expenditure_gbp) filter (where not is_subtotal and category = 'children_looked_after') as conformed,
           max(net_expenditure_gbp) filter (where is_subtotal and line_label ilike 'total children looked after%') as published_total,
           abs(conformed - published_total) - 1 as excess
    from intermediate.int_expenditure_lines
    where source_family = 's251_outturn' and time_period >= 2013
    group by all
"""

PER_YEAR = """
    select financial_year,
           count(*) filter (where csc_spend_total_gbp_status = 'published') as las_published,
           min(csc_spend_total_gbp) as min_total,
           max(csc_spend_per_child_gbp) as max_per_child,
           min(csc_spend_per_child_gbp) as min_per_child
    from marts.fct_expenditure
    group by financial_year
"""


def _per_release(family: str, since: int = 0) -> int:
    """Catalogued releases of ``family`` whose release year (the project's rule,
    dbt_project/macros/releases.sql) is ``since`` or later."""
    years = release_years([r.release for r in load_catalogue().family(family).releases])
    return sum(1 for year in years.values() if year >= since)


def _reconciles(family: str, per_release: int, since: int = 0):
    releases = _per_release(family, since)
    return lambda: rules.within_tolerance(
        releases * per_release,
        f"one per authority and release: at least {per_release} in each of the {releases} "
        f"catalogued {family} releases" + (f" from {since}" if since else ""),
    )


def suites() -> list[SuiteSpec]:
    return [
        SuiteSpec(
            name="fct_expenditure__ro3_lines_add_up",
            asset=("marts", "fct_expenditure"),
            description="Each authority's RO3 children's social care lines (subtotals excluded) add up to RO3's printed total, to rounding.",
            query=RO3_LINES_ADD_UP,
            expectations=_reconciles("mhclg_ro3_social_care", RETURNS_PER_YEAR),
        ),
        SuiteSpec(
            name="fct_expenditure__rsx_equals_ro3",
            asset=("marts", "fct_expenditure"),
            description="RSX children's social care net expenditure equals RO3's total for every authority and vintage.",
            query=RSX_EQUALS_RO3,
            expectations=_reconciles("mhclg_rsx_service_summary", RETURNS_PER_YEAR),
        ),
        SuiteSpec(
            name="fct_expenditure__s251_cla_block",
            asset=("marts", "fct_expenditure"),
            description="Section 251 2012-13 onwards: the conformed children looked after category equals the publisher's 'Total Children Looked After' line.",
            query=S251_CLA_BLOCK,
            expectations=_reconciles("s251_outturn", rules.FEWEST_LAS, since=2012),
        ),
        SuiteSpec(
            name="fct_expenditure__per_year",
            asset=("marts", "fct_expenditure"),
            description=f"Per financial year: at least {RETURNS_PER_YEAR} LAs published, totals not negative, spend per child between GBP 100 and 10,000 (a category may be negative, being net of income).",
            query=PER_YEAR,
            expectations=lambda: [
                gx.expectations.ExpectColumnValuesToBeBetween(column="las_published", min_value=RETURNS_PER_YEAR),
                gx.expectations.ExpectColumnValuesToBeBetween(column="min_total", min_value=0),
                gx.expectations.ExpectColumnValuesToBeBetween(column="max_per_child", max_value=10000),
                gx.expectations.ExpectColumnValuesToBeBetween(column="min_per_child", min_value=100),
                gx.expectations.ExpectTableRowCountToBeBetween(min_value=9),
            ],
        ),
    ]
