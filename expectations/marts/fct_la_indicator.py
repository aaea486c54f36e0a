"""Reconciliations on marts.fct_la_indicator: recomputed against published rates, and the
denominator convention (reporting year Y is divided by the mid-year estimate of Y-1)."""

from __future__ import annotations

from orchestration.lib.dbt.macros import release_order
from orchestration.lib.quality import rules
from orchestration.lib.quality.suites import SuiteSpec

ASSET = ("marts", "fct_la_indicator")

# Per indicator, year and release, the median over LAs of the relative difference between the
# published and recomputed rate beyond the publisher's rounding (rates are published to whole
# numbers or one decimal place: 0.5 covers both), in the newest release that publishes the rate.
# Releases from 2024 divide by the estimates the warehouse holds, revised since only slightly;
# a wrong multiplier or mid-year shows as 0.5% or more, the tolerance. Releases before 2024
# divided by pre-Census-2021 estimates, which differ more: 3%. The exact denominator convention
# is gated below. Single LAs can differ
# far more where ONS revised their estimate (City of London): the median is what is gated.
# Every published rate indicator of the indicator catalogue is compared: one without a rate to
# compare (its measure renamed in the only release that publishes it, say) is a row with no
# excess, which fails as not computed. The newest release is the newest by the project's one
# release order (dbt_project/macros/releases.sql).
RECOMPUTED_RATES = """
    with rates as (  -- rates read from a source file (spend per child is only ever computed)
        select indicator_id from reference.indicators
        where rate_numerator is not null and indicator_id in (select indicator_id from reference.indicator_sources)
    ),
    compared as (
        select f.*, years.release_year
        from marts.fct_la_indicator as f
        inner join (select distinct release, release_year from intermediate.int_indicator_values) as years using (release)
        where f.status = 'published' and f.recomputed_value is not null
    ),
    newest as (
        select indicator_id, arg_max(release, {ORDER}) as release from compared group by indicator_id
    ),
    by_year as (
        select indicator_id, release, time_period, count(*) as las,
               median(greatest(abs(value - recomputed_value) - 0.5, 0) / value) as median_relative_difference,
               case when release_year >= 2024 then 0.005 else 0.03 end as tolerance
        from compared
        inner join newest using (indicator_id, release)
        where value > 0
        group by all
    )
    select rates.indicator_id, by_year.release as _release, by_year.time_period, by_year.las,
           by_year.median_relative_difference, by_year.tolerance,
           by_year.median_relative_difference - by_year.tolerance as excess
    from rates
    left join by_year using (indicator_id)
    order by rates.indicator_id, by_year.time_period
"""

# The newest CLA release is the newest by the project's release order: labels do not sort by date
# ('sfr_2017' > 'ees_2025' as text, and the 2011-2017 SFRs publish no child population).
# Every LA-year it publishes a child population for is compared with the conformed population
# of the mid-year before; one without a population (an LA the population file lacks, an empty
# cell) has no excess and fails as not computed. A reporting year whose mid-year estimate ONS has
# not published for any LA yet (a CLA release out before ONS's next mid-year estimates: a
# publication lag, not a hole) is left until it is, so a new release is not held back by it.
DENOMINATOR = """
    with newest as (
        select arg_max(release, {ORDER}) as release
        from intermediate.int_indicator_values
        where indicator_id = 'cla_child_population'
    ),
    cla as (
        select la_code, time_period, release, value
        from marts.fct_la_indicator
        where indicator_id = 'cla_child_population' and status = 'published'
          and release = (select release from newest)
    )
    select cla.release as _release, cla.la_code, cla.time_period, cla.value as cla_child_population,
           population.value as population_0_17_mid_year_before,
           abs(cla.value - population.value) as excess
    from cla
    left join marts.fct_la_indicator as population
        on population.la_code = cla.la_code
        and population.time_period = cla.time_period - 1
        and population.indicator_id = 'population_0_17' and population.is_latest
    where cla.time_period - 1 in (select time_period from marts.fct_la_indicator
                                  where indicator_id = 'population_0_17' and value is not null)
    order by cla.la_code, cla.time_period desc
"""


def suites() -> list[SuiteSpec]:
    return [
        SuiteSpec(
            name="fct_la_indicator__recomputed_rates",
            asset=ASSET,
            description="Rates recomputed from counts and the conformed population agree with the published rates.",
            query=RECOMPUTED_RATES.replace("{ORDER}", release_order("release")),
            expectations=lambda: rules.within_tolerance(
                1,
                "one per published rate indicator of the indicator catalogue and "
                "year of the newest release that publishes it",
            ),
        ),
        SuiteSpec(
            name="fct_la_indicator__denominator_convention",
            asset=ASSET,
            description="The newest CLA release's child population equals the ONS mid-year estimate of the year before.",
            query=DENOMINATOR.replace("{ORDER}", release_order("release")),
            expectations=lambda: rules.within_tolerance(
                rules.FEWEST_LAS, "one per LA and year of the newest CLA release: at least every LA for one year"
            ),
        ),
    ]
