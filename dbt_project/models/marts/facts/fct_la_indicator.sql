-- Every LA indicator value from every release vintage; is_latest marks the value BI users
-- should normally read. Periods outside an LA's lifetime (the publisher's 'z' rows for LAs
-- that did not yet, or no longer, exist) are left out; a test proves no published value is.

with values_long as (
    select * from {{ ref('int_indicator_values') }}
    where geographic_level = 'Local authority'
),

authorities as (
    select la_code, first_year, last_year from {{ ref('dim_local_authority') }}
)

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
