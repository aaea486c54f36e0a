-- Question: how many children's social workers (FTE) do LAs employ in England, counting a joint
-- return once? Some LAs make one workforce return together (North and West Northamptonshire,
-- Richmond upon Thames and Kingston upon Thames): every member LA carries the unit's figure in
-- marts.fct_la_indicator (is_joint_return), so summing over LAs counts the unit twice.
-- Parameters: none; one row per 30 September collection.
-- Sum over distinct reporting units (marts.fct_social_work_workforce, one row per unit), and compare
-- with the naive sum over LAs and with the England figure DfE publishes.
-- Reads: marts.fct_social_work_workforce, marts.fct_la_indicator, marts.fct_england_region_indicator
-- columns: time_period, reporting_units, joint_returns, sw_fte_counted_once, sw_fte_summed_over_las, sw_fte_england_published
with units as (
    select
        time_period,
        count(*) as reporting_units,
        count(*) filter (where is_joint_return) as joint_returns,
        sum(sw_fte order by reporting_unit_code) as sw_fte_counted_once
    from marts.fct_social_work_workforce
    group by time_period
),

over_las as (
    select time_period, sum(value order by la_code) as sw_fte_summed_over_las
    from marts.fct_la_indicator
    where indicator_id = 'sw_fte' and is_latest
    group by time_period
),

england as (
    select time_period, value as sw_fte_england_published
    from marts.fct_england_region_indicator
    where indicator_id = 'sw_fte' and geographic_level = 'England' and is_latest
)

select
    units.time_period,
    units.reporting_units,
    units.joint_returns,
    round(units.sw_fte_counted_once, 1) as sw_fte_counted_once,
    round(over_las.sw_fte_summed_over_las, 1) as sw_fte_summed_over_las,
    england.sw_fte_england_published
from units
left join over_las using (time_period)
left join england using (time_period)
order by units.time_period;
