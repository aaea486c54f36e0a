{{ config(
    meta={'dagster': {'ref': {'name': 'mart_variation'}}},
    fail_calc=fail_naming_rows(['indicator_id', 'time_period', 'deprivation_measure', 'la_code', 'problem']),
) }}
-- Every LA with a positive latest value in fct_la_indicator, a child population and a
-- deprivation score is in its mart_variation model (once: the model's key test holds that),
-- nothing else is, and a model exists exactly when at least 100 LAs qualify. The coverage is rebuilt by another path than the
-- mart's: dim_period for the reporting year, fct_population for the child population of the
-- mid-year before. Modelled indicators are the rates per 10,000 and percentages of dim_indicator.
-- At least 400 models are compared: IDACI and IMD for the 217 indicator-periods with 100 LAs on
-- the mirror (2026-11).
with modelled as (
    select d.indicator_id
    from {{ ref('dim_indicator') }} as d
    where d.unit like 'rate per 10,000%' or d.unit = 'percent'
),

scores as (
    select la_code, 'idaci' as deprivation_measure from {{ ref('fct_deprivation') }} where idaci_avg_score is not null
    union all
    select la_code, 'imd' from {{ ref('fct_deprivation') }} where imd_avg_score is not null
),

eligible as (
    select f.indicator_id, f.time_period, s.deprivation_measure, f.la_code
    from {{ ref('fct_la_indicator') }} as f
    inner join modelled using (indicator_id)
    inner join {{ ref('dim_period') }} as p on p.period_type = f.period_type and p.time_period = f.time_period
    inner join {{ ref('fct_population') }} as pop
        on pop.la_code = f.la_code and pop.mid_year = p.reporting_year - 1 and pop.population_0_17 > 0
    inner join scores as s on s.la_code = f.la_code
    where f.is_latest and f.value > 0
),

expected as (
    select *, count(*) over (partition by indicator_id, time_period, deprivation_measure) as las_eligible
    from eligible
),

compared as (
    select coalesce(e.indicator_id, m.indicator_id) as indicator_id,
           coalesce(e.time_period, m.time_period) as time_period,
           coalesce(e.deprivation_measure, m.deprivation_measure) as deprivation_measure,
           coalesce(e.la_code, m.la_code) as la_code,
           e.las_eligible, m.la_code is not null as in_mart, e.la_code is not null as is_eligible
    from (select * from expected where las_eligible >= 100) as e
    full join {{ ref('mart_variation') }} as m using (indicator_id, time_period, deprivation_measure, la_code)
)

select indicator_id, time_period, deprivation_measure, la_code,
       case when not in_mart then 'qualifies (a positive value, a population and a score) but is not in the model'
            else 'in the model but does not qualify, or its model has fewer than 100 LAs that do' end as problem
from compared
where (in_mart and is_eligible) is not true

union all

select null, null, null, null, 'compared only ' || count(*) || ' models, expected at least 400'
from (select distinct indicator_id, time_period, deprivation_measure from compared)
having count(*) < 400
