"""Gate on marts.mart_la_year_profile: every headline figure is the latest value of its indicator
in fct_la_indicator, in the reporting year dim_period gives its period (a path independent of
the macro the mart uses), and nothing in the profile comes from nowhere.

Measured on the mirror (2026-11): 2,735 LA-years of 160 LAs, 2009-2026; 20 headline indicators,
every one of the 54,700 (LA-year, indicator) cells agrees.
"""

from __future__ import annotations

from orchestration.lib.quality import rules
from orchestration.lib.quality.suites import SuiteSpec

# The profile's columns that are not a headline indicator (statuses, names, Ofsted, deprivation).
NOT_HEADLINE = r".*_status|la_code|la_name|region_.*|reporting_year|workforce_is_joint_return|ofsted_.*|idaci_.*|imd_.*|deprivation_.*|delivery_.*"

MATCHES_FACT = rf"""
    with wide as (
        -- UNPIVOT leaves out NULLs: an empty cell is carried as NaN, and back to NULL below
        unpivot (
            select la_code, reporting_year,
                   coalesce(columns(lambda c: not regexp_full_match(c, '{NOT_HEADLINE}'))::double, 'nan'::double)
            from marts.mart_la_year_profile
        )
        on columns(* exclude (la_code, reporting_year)) into name indicator_id value profile_value
    ),
    profile as (
        select * replace (case when isnan(profile_value) then null else profile_value end as profile_value) from wide
    ),
    expected as (
        select f.la_code, p.reporting_year, f.indicator_id, f.value, f.release
        from marts.fct_la_indicator as f
        inner join marts.dim_indicator as i using (indicator_id)
        inner join marts.dim_period as p on p.period_type = i.period_type and p.time_period = f.time_period
        where f.is_latest and f.indicator_id in (select distinct indicator_id from profile)
    )
    select coalesce(e.la_code, p.la_code) as la_code, coalesce(e.reporting_year, p.reporting_year) as time_period,
           coalesce(e.indicator_id, p.indicator_id) as indicator_id, e.release as _release,
           e.value as fact_value, p.profile_value,
           case when e.indicator_id is null then p.profile_value is null  -- no fact: nothing in the profile
                when p.indicator_id is null then false                     -- a fact the profile left out
                -- money is rounded to the penny in the mart: half a penny either way
                else coalesce(abs(e.value - p.profile_value) <= 0.005000001, e.value is null and p.profile_value is null)
           end as agrees
    from expected as e
    full join profile as p using (la_code, reporting_year, indicator_id)
"""


def suites() -> list[SuiteSpec]:
    return [
        SuiteSpec(
            name="mart_la_year_profile__matches_fct_la_indicator",
            asset=("marts", "mart_la_year_profile"),
            description="Every headline figure of every LA-year is the latest value of its indicator, in the reporting "
            "year its period falls in; no figure without a fact behind it.",
            query=MATCHES_FACT,
            expectations=lambda: rules.all_agree(
                rules.FEWEST_LAS,
                "one per LA, reporting year and headline indicator: at least every LA once",
                "The profile's figure is the fact's latest value (to rounding), in the right reporting year",
            ),
        ),
    ]
