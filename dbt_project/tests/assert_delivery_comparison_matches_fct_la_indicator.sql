{{ config(
    meta={'dagster': {'ref': {'name': 'mart_delivery_model_comparison'}}},
    fail_calc=fail_naming_rows(['la_code', 'reporting_year', 'indicator_id', 'neighbour_model_year', 'problem',
                                'value', 'own_fact_value', 'neighbour_mean', 'expected_mean',
                                'neighbours_with_value', 'expected_count']),
) }}
-- Each LA's value in mart_delivery_model_comparison, and its neighbour mean (and how many
-- neighbours had a value), are the latest values in fct_la_indicator, placed in the reporting
-- year dim_period gives their period: a path independent of the profile mart the comparison
-- reads. Value and neighbour mean agree with the fact to 0.005; a count that differs, or a figure
-- one side has and the other lacks, is a failure. Every row with a neighbour model is compared,
-- at least 150 (one per LA, year, rate and neighbour model: at least every LA once).
with facts as (
    select f.la_code, p.reporting_year, f.indicator_id, f.value::double as value
    from {{ ref('fct_la_indicator') }} as f
    inner join {{ ref('dim_indicator') }} as i using (indicator_id)
    inner join {{ ref('dim_period') }} as p on p.period_type = i.period_type and p.time_period = f.time_period
    where f.is_latest
      and f.indicator_id in (select distinct indicator_id from {{ ref('mart_delivery_model_comparison') }})
),

expected as (
    select m.la_code, m.reporting_year, m.indicator_id, m.neighbour_model_year,
           avg(facts.value) as expected_mean, count(facts.value) as expected_count
    from {{ ref('mart_delivery_model_comparison') }} as m
    inner join {{ ref('dim_statistical_neighbour') }} as n
        on n.la_code = m.la_code and n.model_year = m.neighbour_model_year
    left join facts
        on facts.la_code = n.neighbour_la_code and facts.reporting_year = m.reporting_year
       and facts.indicator_id = m.indicator_id
    group by all
),

compared as (
    select m.la_code, m.reporting_year, m.indicator_id, m.neighbour_model_year,
           m.neighbour_mean, e.expected_mean, m.neighbours_with_value, e.expected_count,
           m.value, own.value as own_fact_value,
           case when e.la_code is null or m.neighbours_with_value <> e.expected_count
                     or (m.neighbour_mean is null) <> (e.expected_mean is null)
                     or (m.value is null) <> (own.value is null) then null
                else greatest(coalesce(abs(m.neighbour_mean - e.expected_mean), 0),
                              coalesce(abs(m.value - own.value), 0)) - 0.005
           end as excess,
           case when e.la_code is null then 'no neighbours in dim_statistical_neighbour for this LA and model'
                when m.neighbours_with_value <> e.expected_count then 'neighbour count differs from the fact'
                when (m.neighbour_mean is null) <> (e.expected_mean is null) then 'neighbour mean missing on one side'
                when (m.value is null) <> (own.value is null) then 'value missing on one side'
                else 'value or neighbour mean differs from the fact by more than 0.005'
           end as problem
    from {{ ref('mart_delivery_model_comparison') }} as m
    left join expected as e using (la_code, reporting_year, indicator_id, neighbour_model_year)
    left join facts as own using (la_code, reporting_year, indicator_id)
    where m.neighbour_model_year is not null
)

select la_code, reporting_year, indicator_id, neighbour_model_year, problem,
       value, own_fact_value, neighbour_mean, expected_mean, neighbours_with_value, expected_count
from compared
where excess is null or excess > 0

union all

select null, null, null, null, 'compared only ' || count(*) || ' rows, expected at least 150',
       null, null, null, null, null, null
from compared
having count(*) < 150
