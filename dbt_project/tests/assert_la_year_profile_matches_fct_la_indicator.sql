{{ config(
    meta={'dagster': {'ref': {'name': 'mart_la_year_profile'}}},
    fail_calc=fail_naming_rows(['la_code', 'reporting_year', 'indicator_id', 'problem', 'release',
                                'fact_value', 'profile_value']),
) }}
-- Every headline figure of every LA-year in mart_la_year_profile is the latest value of its
-- indicator in fct_la_indicator, in the reporting year dim_period gives its period (a path
-- independent of the macro the mart uses), and nothing in the profile comes from nowhere: a
-- latest fact the profile leaves out, or a profile figure with no fact behind it, is a failure.
-- Money is rounded to the penny in the mart, so figures agree to half a penny. A headline column
-- is any column but the statuses, names, regions, Ofsted, deprivation and delivery columns. At
-- least 150 (LA-year, indicator) cells are compared (every LA once); measured on the mirror
-- (2026-12): 2,735 LA-years of 160 LAs, 22 headline indicators, 60,170 cells.
{% set not_headline = '.*_status|la_code|la_name|region_.*|reporting_year|workforce_is_joint_return|ofsted_.*|idaci_.*|imd_.*|deprivation_.*|delivery_.*' %}
with wide as (
    -- UNPIVOT leaves out NULLs: an empty cell is carried as NaN, and back to NULL below
    unpivot (
        select la_code, reporting_year,
               coalesce(columns(lambda c: not regexp_full_match(c, '{{ not_headline }}'))::double, 'nan'::double)
        from {{ ref('mart_la_year_profile') }}
    )
    on columns(* exclude (la_code, reporting_year)) into name indicator_id value profile_value
),

profile as (
    select * replace (case when isnan(profile_value) then null else profile_value end as profile_value) from wide
),

expected as (
    select f.la_code, p.reporting_year, f.indicator_id, f.value, f.release
    from {{ ref('fct_la_indicator') }} as f
    inner join {{ ref('dim_indicator') }} as i using (indicator_id)
    inner join {{ ref('dim_period') }} as p on p.period_type = i.period_type and p.time_period = f.time_period
    where f.is_latest and f.indicator_id in (select distinct indicator_id from profile)
),

compared as (
    select coalesce(e.la_code, p.la_code) as la_code, coalesce(e.reporting_year, p.reporting_year) as reporting_year,
           coalesce(e.indicator_id, p.indicator_id) as indicator_id, e.release,
           e.value as fact_value, p.profile_value,
           case when e.indicator_id is null then p.profile_value is null  -- no fact: nothing in the profile
                when p.indicator_id is null then false                     -- a fact the profile left out
                -- money is rounded to the penny in the mart: half a penny either way
                else coalesce(abs(e.value - p.profile_value) <= 0.005000001, e.value is null and p.profile_value is null)
           end as agrees,
           case when e.indicator_id is null then 'a figure in the profile with no fact behind it'
                when p.indicator_id is null then 'a latest fact the profile leaves out'
                else 'the profile''s figure is not the fact''s latest value (to half a penny)'
           end as problem
    from expected as e
    full join profile as p using (la_code, reporting_year, indicator_id)
)

select la_code, reporting_year, indicator_id, problem, release, fact_value, profile_value
from compared
where agrees is not true

union all

select null, null, null, 'compared only ' || count(*) || ' cells, expected at least 150', null, null, null
from compared
having count(*) < 150
