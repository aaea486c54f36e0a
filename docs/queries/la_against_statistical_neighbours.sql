-- Question: how does a local authority compare with its statistical neighbours (DfE's ten most
-- similar LAs), its region and England, on every indicator in its latest period?
-- Parameters: la_code (ONS code; default Birmingham). The neighbour model is the one in force for
--   each period (is_default_model); set it to a model year instead to compare under 2021 or 2025.
-- Reads: marts.fct_la_benchmark, marts.dim_statistical_neighbour, marts.dim_local_authority, marts.dim_indicator
-- One row per indicator.
-- columns: la_code, la_name, indicator_id, label, unit, time_period, value, status, neighbour_model_year, neighbour_mean, neighbour_median, neighbours_with_value, region_value, england_value, neighbours
SET VARIABLE la_code = 'E08000025';

with latest as (
    select *
    from marts.fct_la_benchmark
    where la_code = getvariable('la_code')
      and is_default_model
    qualify time_period = max(time_period) over (partition by indicator_id)
),

neighbours as (
    -- the ten neighbours of each model, in DfE's rank order
    select sn.model_year, string_agg(la.la_name, '; ' order by sn.neighbour_rank) as neighbours
    from marts.dim_statistical_neighbour as sn
    join marts.dim_local_authority as la on la.la_code = sn.neighbour_la_code
    where sn.la_code = getvariable('la_code')
    group by sn.model_year
)

select
    latest.la_code,
    latest.la_name,
    latest.indicator_id,
    ind.label,
    ind.unit,
    latest.time_period,
    latest.value,
    latest.status,
    latest.neighbour_model_year,
    latest.neighbour_mean,
    latest.neighbour_median,
    latest.neighbours_with_value,
    latest.region_value,
    latest.england_value,
    neighbours.neighbours
from latest
join marts.dim_indicator as ind using (indicator_id)
left join neighbours on neighbours.model_year = latest.neighbour_model_year
order by ind.domain, latest.indicator_id;
