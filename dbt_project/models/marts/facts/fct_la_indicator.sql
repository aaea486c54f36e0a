-- Every LA indicator value from every release vintage, and an LA's own return's provisional
-- values (status provisional or provisional_suppressed, release la_return_<year>). is_latest
-- marks the published value BI users should normally read: a provisional value is never it,
-- so nothing built from the latest values (the pivoted facts, the benchmarks, the open data)
-- takes up an LA's own figures; mart_la_return_comparison sets them beside the published ones. Periods outside an LA's lifetime (the publisher's 'z' rows for LAs
-- that did not yet, or no longer, exist) are left out; a test proves no published value is.

with values_long as (
    select * from {{ ref('int_indicator_values') }}
    where geographic_level = 'Local authority'
),

authorities as (
    select la_code, first_year, last_year from {{ ref('dim_local_authority') }}
),

published as (
select
    values_long.area_code                       as la_code,
    values_long.time_period,
    values_long.period_type,
    values_long.indicator_id,
    values_long.reporting_unit_code,
    values_long.is_joint_return,
    values_long.value,
    values_long.status,
    values_long.recomputed_value,
    values_long.release,
    values_long.is_published,
    values_long.is_latest
from values_long
inner join authorities on authorities.la_code = values_long.area_code
where {{ reporting_year_of('values_long.time_period', 'values_long.period_type') }}
      between coalesce(authorities.first_year, 0) and coalesce(authorities.last_year, 9999)
),

provisional as (
    select
        returns.la_code,
        returns.time_period,
        'reporting_year_31_march'               as period_type,
        returns.indicator_id,
        returns.la_code                         as reporting_unit_code,
        false                                   as is_joint_return,
        returns.value,
        returns.status,
        cast(null as double)                    as recomputed_value,
        returns.release,
        false                                   as is_published,
        false                                   as is_latest
    from {{ ref('int_la_return_indicator_values') }} as returns
)

select * from published
union all
select * from provisional
