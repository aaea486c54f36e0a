"""Gates on marts.mart_delivery_model_comparison: every neighbour mean is the mean of the
neighbours' latest values in fct_la_indicator, placed in reporting years through dim_period (a
path independent of the profile mart the comparison reads), and every LA-year carries the
delivery model whose dates cover its 31 March in fct_la_delivery_model, with its trust's start
year counted from the trust's first day.
"""

from __future__ import annotations

from orchestration.lib.quality import rules
from orchestration.lib.quality.suites import SuiteSpec

ASSET = ("marts", "mart_delivery_model_comparison")

NEIGHBOUR_MEAN_MATCHES_FACT = """
    with facts as (
        select f.la_code, p.reporting_year, f.indicator_id, f.value::double as value
        from marts.fct_la_indicator as f
        inner join marts.dim_indicator as i using (indicator_id)
        inner join marts.dim_period as p on p.period_type = i.period_type and p.time_period = f.time_period
        where f.is_latest
          and f.indicator_id in (select distinct indicator_id from marts.mart_delivery_model_comparison)
    ),
    expected as (
        select m.la_code, m.reporting_year, m.indicator_id, m.neighbour_model_year,
               avg(facts.value) as expected_mean, count(facts.value) as expected_count
        from marts.mart_delivery_model_comparison as m
        inner join marts.dim_statistical_neighbour as n
            on n.la_code = m.la_code and n.model_year = m.neighbour_model_year
        left join facts
            on facts.la_code = n.neighbour_la_code and facts.reporting_year = m.reporting_year
           and facts.indicator_id = m.indicator_id
        group by all
    )
    select m.la_code, m.reporting_year as time_period, m.indicator_id, m.neighbour_model_year,
           m.neighbour_mean, e.expected_mean, m.neighbours_with_value, e.expected_count,
           m.value, own.value as own_fact_value,
           case when e.la_code is null or m.neighbours_with_value <> e.expected_count
                     or (m.neighbour_mean is null) <> (e.expected_mean is null)
                     or (m.value is null) <> (own.value is null) then null
                else greatest(coalesce(abs(m.neighbour_mean - e.expected_mean), 0),
                              coalesce(abs(m.value - own.value), 0)) - 0.005
           end as excess
    from marts.mart_delivery_model_comparison as m
    left join expected as e using (la_code, reporting_year, indicator_id, neighbour_model_year)
    left join facts as own using (la_code, reporting_year, indicator_id)
    where m.neighbour_model_year is not null
"""

# The arrangement whose dates cover 31 March of the year, straight from the dates (not the
# fact's reporting_year_from/_to), and the trust's first 31 March from its first day.
MODEL_IN_FORCE_AGREES = """
    with la_years as (
        select distinct la_code, reporting_year, delivery_model_id, trust_delivery_model_id, trust_start_reporting_year
        from marts.mart_delivery_model_comparison
    ),
    covering as (
        select y.la_code, y.reporting_year, string_agg(d.delivery_model_id, ',') as expected_model
        from la_years as y
        inner join marts.fct_la_delivery_model as d
            on d.la_code = y.la_code and d.end_basis <> 'not_found'
           and make_date(y.reporting_year, 3, 31) between d.effective_from and coalesce(d.effective_to, date '9999-12-31')
        group by all
    ),
    trust_start as (
        select delivery_model_id, min(effective_from) as first_day
        from marts.fct_la_delivery_model where model_kind = 'trust_or_company'
        group by all
    )
    select y.la_code, y.reporting_year as time_period, y.delivery_model_id, c.expected_model,
           y.trust_delivery_model_id, y.trust_start_reporting_year, t.first_day,
           coalesce(y.delivery_model_id = c.expected_model, y.delivery_model_id is null and c.expected_model is null)
           and (y.trust_delivery_model_id is null
                or (make_date(y.trust_start_reporting_year, 3, 31) >= t.first_day
                    and make_date(y.trust_start_reporting_year - 1, 3, 31) < t.first_day)) as agrees
    from la_years as y
    left join covering as c using (la_code, reporting_year)
    left join trust_start as t on t.delivery_model_id = y.trust_delivery_model_id
"""


def suites() -> list[SuiteSpec]:
    return [
        SuiteSpec(
            name="mart_delivery_model_comparison__neighbour_mean_matches_fact",
            asset=ASSET,
            description="Each LA's value and its neighbour mean (and how many neighbours had a value) are the latest "
            "values in fct_la_indicator, in the reporting year dim_period gives their period.",
            query=NEIGHBOUR_MEAN_MATCHES_FACT,
            expectations=lambda: rules.within_tolerance(
                rules.FEWEST_LAS,
                "one per LA, year, rate and neighbour model: at least every LA once",
                "Value and neighbour mean agree with the fact to 0.005",
            ),
        ),
        SuiteSpec(
            name="mart_delivery_model_comparison__model_in_force",
            asset=ASSET,
            description="Every LA-year carries the arrangement whose dates cover its 31 March (none when none does), "
            "and a trust LA's start year is the first whose 31 March is on or after the trust's first day.",
            query=MODEL_IN_FORCE_AGREES,
            expectations=lambda: rules.all_agree(
                rules.FEWEST_LAS,
                "one per LA and reporting year: at least every LA once",
                "The delivery model and trust start year follow from the arrangement's dates",
            ),
        ),
    ]
