-- Question: how has one indicator moved for an LA over the years, against its region, England and
-- its statistical neighbours?
-- Parameters: la_code (default Birmingham) and indicator_id (default the rate of children looked
--   after per 10,000 children).
-- The neighbour mean is under the model in force for each period (2021's before 2025, 2025's after).
-- Reads: marts.fct_la_benchmark, marts.dim_period
-- One row per period, oldest first.
-- columns: la_code, la_name, indicator_id, time_period, period_label, value, status, region_value, england_value, neighbour_mean, neighbour_model_year, change_on_previous_year
SET VARIABLE la_code = 'E08000025';
SET VARIABLE indicator_id = 'cla_rate_per_10k';

select
    b.la_code,
    b.la_name,
    b.indicator_id,
    b.time_period,
    p.period_label,
    b.value,
    b.status,
    b.region_value,
    b.england_value,
    b.neighbour_mean,
    b.neighbour_model_year,
    b.change_on_previous_year
from marts.fct_la_benchmark as b
join marts.dim_period as p using (period_type, time_period)
where b.la_code = getvariable('la_code')
  and b.indicator_id = getvariable('indicator_id')
  and b.is_default_model
order by b.time_period;
