"""Gates on marts.mart_variation, the deprivation models of LA variation.

The fit is checked from the mart's own rows by the properties a weighted least squares fit must
have, so a wrong sum or join in the SQL shows without a second implementation: the weighted
residuals sum to zero and are uncorrelated with the score (the normal equations), R² is
1 - residual / total weighted sum of squares and lies in [0, 1], and each model counts its rows.
The coverage is rebuilt by another path than the mart's (dim_period for the reporting year,
fct_population for the child population of the mid-year before it): every LA with a positive
latest value, a population and a score is in its model exactly once, and a model exists exactly
when it has at least 100 such LAs. tests/test_e2e_refresh.py refits one model with numpy.

Measured on the mirror (2026-11): 434 models (217 indicator-periods x IDACI and IMD), 64,388 rows.
"""

from __future__ import annotations

from orchestration.lib.quality import rules
from orchestration.lib.quality.suites import SuiteSpec

ASSET = ("marts", "mart_variation")

# One row per model. Sums are scaled so one tolerance fits every model: the residual sums by the
# total weight (a weighted mean residual, log scale), the cross product also by the score's
# weighted standard deviation; both must be ~0 to 1e-9, R² must match its recomputation to 1e-9
# and lie in [0, 1], and las_in_model must equal the rows.
NORMAL_EQUATIONS = """
    with rows as (
        select indicator_id, time_period, deprivation_measure, la_code,
               population_0_17::double as w, deprivation_score as x, ln(value) as y, residual,
               r_squared, las_in_model
        from marts.mart_variation
    ),
    models as (
        select indicator_id, time_period, deprivation_measure,
               count(*) as las, any_value(las_in_model) as las_in_model,
               min(r_squared) as r_squared, max(r_squared) - min(r_squared) as r_squared_spread,
               sum(w) as w_total, sum(w * x) / sum(w) as x_mean, sum(w * y) / sum(w) as y_mean,
               sum(w * residual) / sum(w) as mean_residual,
               sum(w * residual ^ 2) as residual_ss
        from rows group by all
    ),
    sums as (
        select m.indicator_id, m.time_period, m.deprivation_measure, m.las, m.las_in_model,
               m.r_squared, m.r_squared_spread, m.mean_residual,
               sum(r.w * (r.x - m.x_mean) * r.residual) / any_value(m.w_total)
                   / nullif(sqrt(sum(r.w * (r.x - m.x_mean) ^ 2) / any_value(m.w_total)), 0) as residual_score_covariance,
               1 - any_value(m.residual_ss) / sum(r.w * (r.y - m.y_mean) ^ 2) as r_squared_recomputed
        from models as m
        inner join rows as r using (indicator_id, time_period, deprivation_measure)
        group by all
    )
    select *,
           case when las <> las_in_model or r_squared < 0 or r_squared > 1 then 1
                else greatest(abs(mean_residual), abs(residual_score_covariance),
                              abs(r_squared - r_squared_recomputed), r_squared_spread) - 1e-9
           end as excess
    from sums
    order by indicator_id, time_period, deprivation_measure
"""

COVERAGE = """
    with modelled as (
        select d.indicator_id
        from marts.dim_indicator as d
        where d.unit like 'rate per 10,000%' or d.unit = 'percent'
    ),
    scores as (
        select la_code, 'idaci' as deprivation_measure from marts.fct_deprivation where idaci_avg_score is not null
        union all
        select la_code, 'imd' from marts.fct_deprivation where imd_avg_score is not null
    ),
    eligible as (
        select f.indicator_id, f.time_period, s.deprivation_measure, f.la_code
        from marts.fct_la_indicator as f
        inner join modelled using (indicator_id)
        inner join marts.dim_period as p on p.period_type = f.period_type and p.time_period = f.time_period
        inner join marts.fct_population as pop
            on pop.la_code = f.la_code and pop.mid_year = p.reporting_year - 1 and pop.population_0_17 > 0
        inner join scores as s on s.la_code = f.la_code
        where f.is_latest and f.value > 0
    ),
    expected as (
        select *, count(*) over (partition by indicator_id, time_period, deprivation_measure) as las_eligible
        from eligible
    ),
    compared as (
        select coalesce(e.indicator_id, m.indicator_id) as indicator_id,
               coalesce(e.time_period, m.time_period) as time_period,
               coalesce(e.deprivation_measure, m.deprivation_measure) as deprivation_measure,
               coalesce(e.la_code, m.la_code) as la_code,
               e.las_eligible, m.la_code is not null as in_mart, e.la_code is not null as is_eligible
        from (select * from expected where las_eligible >= 100) as e
        full join marts.mart_variation as m using (indicator_id, time_period, deprivation_measure, la_code)
    )
    select indicator_id, time_period, deprivation_measure, count(*) as las,
           count(*) filter (where not in_mart) as eligible_not_in_mart,
           count(*) filter (where not is_eligible) as in_mart_not_eligible,
           arg_min(la_code, in_mart and is_eligible) as la_code,
           bool_and(in_mart and is_eligible) as agrees
    from compared
    group by all
    order by indicator_id, time_period, deprivation_measure
"""


# at least this many models, and why
MODELS_FLOOR = (400, "one per model: IDACI and IMD for the 217 indicator-periods with 100 LAs on the mirror (2026-11)")


def suites() -> list[SuiteSpec]:
    return [
        SuiteSpec(
            name="mart_variation__normal_equations",
            asset=ASSET,
            description="Each model's weighted residuals sum to zero and are uncorrelated with the score, its R² is "
            "1 - residual / total weighted sum of squares and lies in [0, 1], and it counts its LAs.",
            query=NORMAL_EQUATIONS,
            expectations=lambda: rules.within_tolerance(*MODELS_FLOOR),
        ),
        SuiteSpec(
            name="mart_variation__one_row_per_la_with_a_value",
            asset=ASSET,
            description="Every LA with a positive latest value, a child population and a deprivation score is in its "
            "model once, nothing else is, and a model exists exactly when 100 LAs qualify.",
            query=COVERAGE,
            expectations=lambda: rules.all_agree(
                *MODELS_FLOOR, "The model's LAs are exactly those with a positive value, a population and a score"
            ),
        ),
    ]
