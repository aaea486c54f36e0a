{{ config(
    meta={'dagster': {'ref': {'name': 'mart_delivery_model_comparison'}}},
    fail_calc=fail_naming_rows(['la_code', 'reporting_year', 'problem', 'delivery_model_id', 'expected_model',
                                'trust_delivery_model_id', 'trust_start_reporting_year', 'trust_first_day']),
) }}
-- Every LA-year of mart_delivery_model_comparison carries the arrangement in
-- fct_la_delivery_model whose dates cover its 31 March (none when none does), taken straight
-- from the dates (not the fact's reporting_year_from/_to), and a trust LA's start year is the
-- first whose 31 March is on or after the trust's first day. A row that cannot be compared (a
-- trust with no first day) is a failure. At least 150 LA-years are compared (every LA once).
with la_years as (
    select distinct la_code, reporting_year, delivery_model_id, trust_delivery_model_id, trust_start_reporting_year
    from {{ ref('mart_delivery_model_comparison') }}
),

covering as (
    select y.la_code, y.reporting_year, string_agg(d.delivery_model_id, ',') as expected_model
    from la_years as y
    inner join {{ ref('fct_la_delivery_model') }} as d
        on d.la_code = y.la_code and d.end_basis <> 'not_found'
       and make_date(y.reporting_year, 3, 31) between d.effective_from and coalesce(d.effective_to, date '9999-12-31')
    group by all
),

trust_start as (
    select delivery_model_id, min(effective_from) as first_day
    from {{ ref('fct_la_delivery_model') }} where model_kind = 'trust_or_company'
    group by all
),

compared as (
    select y.la_code, y.reporting_year, y.delivery_model_id, c.expected_model,
           y.trust_delivery_model_id, y.trust_start_reporting_year, t.first_day as trust_first_day,
           coalesce(y.delivery_model_id = c.expected_model, y.delivery_model_id is null and c.expected_model is null)
               as model_agrees,
           y.trust_delivery_model_id is null
           or (make_date(y.trust_start_reporting_year, 3, 31) >= t.first_day
               and make_date(y.trust_start_reporting_year - 1, 3, 31) < t.first_day) as trust_start_agrees
    from la_years as y
    left join covering as c using (la_code, reporting_year)
    left join trust_start as t on t.delivery_model_id = y.trust_delivery_model_id
)

select la_code, reporting_year,
       case when model_agrees is not true then 'not the arrangement whose dates cover 31 March'
            when trust_start_agrees is null then 'not compared: the trust start year or the trust''s first day is missing'
            else 'the trust start year is not the first 31 March on or after the trust''s first day' end as problem,
       delivery_model_id, expected_model, trust_delivery_model_id, trust_start_reporting_year, trust_first_day
from compared
where (model_agrees and trust_start_agrees) is not true

union all

select null, null, 'compared only ' || count(*) || ' LA-years, expected at least 150', null, null, null, null, null
from compared
having count(*) < 150
