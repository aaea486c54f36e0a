-- One row per model of mart_variation (indicator, period and deprivation measure): the fit, the
-- share of the variation between LAs that deprivation explains, and how many LAs fall where
-- against the funnel limits (NULL for an indicator without limits). The numbers are mart_variation's, read once per model.

select
    indicator_id,
    period_type,
    time_period,
    reporting_year,
    deprivation_measure,
    deprivation_edition,
    any_value(las_in_model)                                         as las_in_model,
    any_value(intercept)                                            as intercept,
    any_value(slope)                                                as slope,
    any_value(r_squared)                                            as r_squared,
    any_value(residual_sd)                                          as residual_sd,
    any_value(funnel_method)                                        as funnel_method,
    case when any_value(funnel_method) is not null
         then count(*) filter (where funnel_position = 'above_99_8') end  as las_above_99_8,
    case when any_value(funnel_method) is not null
         then count(*) filter (where funnel_position = 'above_95') end  as las_above_95,
    case when any_value(funnel_method) is not null
         then count(*) filter (where funnel_position = 'within') end  as las_within,
    case when any_value(funnel_method) is not null
         then count(*) filter (where funnel_position = 'below_95') end  as las_below_95,
    case when any_value(funnel_method) is not null
         then count(*) filter (where funnel_position = 'below_99_8') end  as las_below_99_8
from {{ ref('mart_variation') }}
group by indicator_id, period_type, time_period, reporting_year, deprivation_measure, deprivation_edition
