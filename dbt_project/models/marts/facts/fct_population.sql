-- Children aged 0 to 17 per LA: the one denominator for every rate the warehouse computes.
-- DfE divides reporting year Y (year ending 31 March Y) by the mid-year estimate of Y-1.

select
    la_code,
    time_period                           as mid_year,
    time_period,
    period_type,
    time_period + 1                       as reporting_year,
    cast(value as bigint)                 as population_0_17,
    status                                as population_0_17_status,
    release
from {{ ref('fct_la_indicator') }}
where indicator_id = 'population_0_17' and is_latest
