{{ config(
    meta={'dagster': {'ref': {'name': 'mart_variation'}}},
    fail_calc=fail_naming_rows(['indicator_id', 'time_period', 'deprivation_measure', 'problem', 'las',
                                'las_in_model', 'rows_with_a_null', 'r_squared', 'r_squared_recomputed',
                                'r_squared_spread', 'mean_residual', 'residual_score_covariance']),
) }}
-- Each weighted least squares fit in mart_variation has the properties such a fit must have,
-- checked from the mart's own rows so a wrong sum or join in the SQL shows without a second
-- implementation: the weighted residuals sum to zero and are uncorrelated with the score (the
-- normal equations), R² is 1 - residual / total weighted sum of squares, is the same on every
-- row of the model and lies in [0, 1], and las_in_model counts the model's rows. Sums are scaled
-- so one tolerance fits every model: the residual sum by the total weight (a weighted mean
-- residual, log scale), the cross product also by the score's weighted standard deviation; each
-- must be 0 to 1e-9, and R² its recomputation to 1e-9. A model whose figures cannot be computed
-- (a row with a NULL, a score with no spread, nothing to explain) is a failure. At least 400
-- models are checked: IDACI and IMD for the 217 indicator-periods with 100 LAs on the mirror
-- (2026-11).
with rows as (
    select indicator_id, time_period, deprivation_measure, la_code,
           population_0_17::double as w, deprivation_score as x, ln(value) as y, residual,
           r_squared, las_in_model
    from {{ ref('mart_variation') }}
),

models as (
    select indicator_id, time_period, deprivation_measure,
           count(*) as las, any_value(las_in_model) as las_in_model,
           count(*) filter (where w is null or x is null or y is null or residual is null or r_squared is null
                                  or las_in_model is null) as rows_with_a_null,
           min(r_squared) as r_squared, max(r_squared) - min(r_squared) as r_squared_spread,
           sum(w) as w_total, sum(w * x) / sum(w) as x_mean, sum(w * y) / sum(w) as y_mean,
           sum(w * residual) / sum(w) as mean_residual,
           sum(w * residual ^ 2) as residual_ss
    from rows group by all
),

sums as (
    select m.indicator_id, m.time_period, m.deprivation_measure, m.las, m.las_in_model, m.rows_with_a_null,
           m.r_squared, m.r_squared_spread, m.mean_residual,
           sum(r.w * (r.x - m.x_mean) * r.residual) / any_value(m.w_total)
               / nullif(sqrt(sum(r.w * (r.x - m.x_mean) ^ 2) / any_value(m.w_total)), 0) as residual_score_covariance,
           1 - any_value(m.residual_ss) / sum(r.w * (r.y - m.y_mean) ^ 2) as r_squared_recomputed
    from models as m
    inner join rows as r using (indicator_id, time_period, deprivation_measure)
    group by all
),

compared as (
    select *,
           -- DuckDB's greatest(), min() and sum() skip NULLs: a row with a NULL, or a figure that cannot
           -- be computed (a score with no spread, no variation to explain), leaves the excess NULL, a
           -- failure, rather than passing
           case when rows_with_a_null > 0 or mean_residual is null or residual_score_covariance is null
                     or r_squared_recomputed is null or r_squared is null or r_squared_spread is null
                     or las_in_model is null then null
                when las <> las_in_model or r_squared < 0 or r_squared > 1 then 1
                else greatest(abs(mean_residual), abs(residual_score_covariance),
                              abs(r_squared - r_squared_recomputed), r_squared_spread) - 1e-9
           end as excess
    from sums
)

select indicator_id, time_period, deprivation_measure,
       case when excess is null then 'not computed: a row with a NULL, or no mean residual, covariance or R²'
            when las <> las_in_model then 'las_in_model is not the number of rows'
            when r_squared < 0 or r_squared > 1 then 'R² outside [0, 1]'
            else 'normal equations or R² off by more than 1e-9' end as problem,
       las, las_in_model, rows_with_a_null, r_squared, r_squared_recomputed, r_squared_spread, mean_residual,
       residual_score_covariance
from compared
where excess is null or excess > 0

union all

select null, null, null, 'compared only ' || count(*) || ' models, expected at least 400',
       null, null, null, null, null, null, null, null
from compared
having count(*) < 400
