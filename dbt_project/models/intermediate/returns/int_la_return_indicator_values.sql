-- An LA's own return's figures as indicator values, beside the published ones: each measure's
-- total, and its rate per 10,000 children aged under 18 where the catalogue has one
-- (cla_rate_per_10k from cla_count ...), worked out as DfE works out its published rates: with
-- the ONS mid-year estimate of the year before the collection year (mid-2024 for 2024-25),
-- rounded to a whole number as DfE prints it. Before that estimate is out, the latest one
-- there is serves, and population_year says which. Percentages with a base in
-- indicator_proportion_bases (rereferrals_pct, cpp_subsequent_pct) are their count over the base,
-- to one decimal place as DfE prints them; withheld where either count is suppressed, since a
-- percentage beside its base gives its count away.

with totals as (
    select * from {{ ref('stg_returns__la_return_figures') }}
    where breakdown = 'Total'
),

rates as (
    select indicator_id, rate_numerator, rate_multiplier
    from {{ ref('indicators') }}
    where rate_numerator is not null and rate_denominator is null
),

population as (
    select area_code as la_code, time_period as mid_year, value
    from {{ ref('int_indicator_values') }}
    where indicator_id = 'population_0_17' and geographic_level = 'Local authority'
      and is_latest and value is not null
),

with_population as (
    select
        totals.*,
        (select max(mid_year) from population p
         where p.la_code = totals.la_code and p.mid_year <= totals.time_period - 1) as population_year
    from totals
),

counts as (
    select la_code, time_period, indicator_id, value, status, release, validation_issues,
           cast(null as integer) as population_year, note
    from with_population
),

proportions as (
    select
        n.la_code,
        n.time_period,
        bases.indicator_id,
        case when n.status = 'provisional' and d.status = 'provisional' and d.value > 0
             then round(100.0 * n.value / d.value, 1) end                       as value,
        case when n.status <> 'provisional' or d.status <> 'provisional' then 'provisional_suppressed'
             when d.value = 0 then 'not_available'  -- no referrals (or plans started): no percentage
             else 'provisional' end                                             as status,
        n.release,
        n.validation_issues,
        cast(null as integer)                                                   as population_year,
        n.note
    from totals as n
    inner join {{ ref('indicator_proportion_bases') }} as bases
        on n.indicator_id = replace(bases.indicator_id, '_pct', '_count')
    inner join totals as d
        on d.la_code = n.la_code and d.time_period = n.time_period and d.indicator_id = bases.base_indicator_id
),

rated as (
    select
        c.la_code,
        c.time_period,
        rates.indicator_id,
        case when c.status = 'provisional' and p.value > 0
             then round(c.value / p.value * rates.rate_multiplier) end          as value,
        case when c.status = 'provisional' and p.value is null then 'not_available' else c.status end as status,
        c.release,
        c.validation_issues,
        c.population_year,
        cast(null as varchar) as note
    from with_population as c
    inner join rates on rates.rate_numerator = c.indicator_id
    left join population as p on p.la_code = c.la_code and p.mid_year = c.population_year
)

select * from counts
union all
select * from rated
union all
select * from proportions
