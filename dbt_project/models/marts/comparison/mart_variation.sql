-- How much of the variation between LAs deprivation explains (the Public Accounts Committee's
-- "key factors contributing to the variation across local authorities"), and where each LA
-- stands against the value expected of an LA as deprived as it is.
--
-- For each rate (per 10,000 children) and percentage indicator, period and deprivation measure
-- (IoD2019 IDACI and IMD average scores), a weighted least squares fit of log(value) on the
-- score, weighted by the LA's population aged 0 to 17 (the mid-year before the reporting year,
-- the denominator DfE uses), over the LAs with a positive latest value, a population and a score;
-- only models with at least 100 such LAs. With one predictor the fit is closed-form:
--   slope = sum w (x - xbar)(y - ybar) / sum w (x - xbar)^2,  intercept = ybar - slope * xbar
-- (xbar, ybar weighted means), R^2 = 1 - sum w e^2 / sum w (y - ybar)^2, and the residual
-- standard deviation sigma = sqrt(sum w e^2 / (n - 2)), so the standardised residual of an LA is
-- e * sqrt(w) / sigma (its residual over the standard deviation WLS gives a residual of weight w).
--
-- Funnel-plot control limits (Spiegelhalter 2005, "Funnel plots for comparing institutional
-- performance", Statistics in Medicine 24:1185; the PHE Fingertips technical guidance and
-- PHEindicatormethods use the same 95% and 99.8% limits) are drawn around the LA's expected value:
--   - a rate: the expected count E = expected rate * population / multiplier and Poisson limits
--     for the observed count by Byar's approximation to the exact limits,
--     lower = E (1 - 1/(9E) - z/(3 sqrt E))^3, upper = (E+1) (1 - 1/(9(E+1)) + z/(3 sqrt(E+1)))^3;
--   - a percentage with a published base (seeds/indicator_proportion_bases.csv): binomial limits
--     by the normal approximation, p0 +- z sqrt(p0 (1 - p0) / n), p0 the expected proportion;
--   - any other percentage has no published denominator: no limits, funnel_position NULL.
-- z = 1.959964 (95%) and 3.090232 (99.8%). The limits are expressed in the indicator's unit.

{% set z95 = 1.959963984540054 %}
{% set z998 = 3.090232306167813 %}

with indicators as (
    select
        dim.indicator_id,
        dim.unit,
        dim.period_type,
        dim.rate_multiplier,
        dim.base_indicator_id
    from {{ ref('dim_indicator') }} as dim
    where dim.unit like 'rate per 10,000%' or dim.unit = 'percent'
),

deprivation as (
    select la_code, index_edition, 'idaci' as deprivation_measure, idaci_avg_score as score
    from {{ ref('fct_deprivation') }}
    where idaci_avg_score is not null
    union all
    select la_code, index_edition, 'imd' as deprivation_measure, imd_avg_score as score
    from {{ ref('fct_deprivation') }}
    where imd_avg_score is not null
),

observations as (
    select
        facts.indicator_id,
        facts.period_type,
        facts.time_period,
        {{ reporting_year_of('facts.time_period', 'facts.period_type') }} as reporting_year,
        facts.la_code,
        facts.is_joint_return,
        facts.value,
        indicators.unit,
        indicators.rate_multiplier,
        indicators.base_indicator_id
    from {{ ref('fct_la_indicator') }} as facts
    inner join indicators using (indicator_id)
    where facts.is_latest and facts.value > 0
),

modelled as (
    select
        observations.*,
        deprivation.deprivation_measure,
        deprivation.index_edition                       as deprivation_edition,
        deprivation.score                               as deprivation_score,
        profile.population_0_17::double                 as w,
        ln(observations.value)                          as y
    from observations
    inner join {{ ref('mart_la_year_profile') }} as profile
        on profile.la_code = observations.la_code and profile.reporting_year = observations.reporting_year
    inner join deprivation on deprivation.la_code = observations.la_code
    where profile.population_0_17 > 0
),

-- weighted means, then the sums of squares and products about them, per model
-- floating-point sums run in a fixed order (ORDER BY inside the aggregate): a parallel
-- aggregate adds in arrival order, and two refreshes of the same files must publish the same bits
means as (
    select
        indicator_id, time_period, deprivation_measure,
        count(*)                                        as las_in_model,
        sum(w * deprivation_score order by la_code) / sum(w order by la_code) as x_mean,
        sum(w * y order by la_code) / sum(w order by la_code)                 as y_mean
    from modelled
    group by all
    having count(*) >= 100
),

fits as (
    select
        means.indicator_id, means.time_period, means.deprivation_measure, means.las_in_model,
        means.x_mean, means.y_mean,
        sum(m.w * (m.deprivation_score - means.x_mean) * (m.y - means.y_mean) order by m.la_code)
            / sum(m.w * (m.deprivation_score - means.x_mean) ^ 2 order by m.la_code)  as slope,
        sum(m.w * (m.y - means.y_mean) ^ 2 order by m.la_code)                        as total_ss
    from means
    inner join modelled as m using (indicator_id, time_period, deprivation_measure)
    group by all
),

residuals as (
    select
        m.*,
        fits.las_in_model,
        fits.y_mean - fits.slope * fits.x_mean                                           as intercept,
        fits.slope,
        fits.total_ss,
        m.y - (fits.y_mean - fits.slope * fits.x_mean + fits.slope * m.deprivation_score) as residual
    from modelled as m
    inner join fits using (indicator_id, time_period, deprivation_measure)
),

residual_sums as (
    select indicator_id, time_period, deprivation_measure,
           sum(w * residual ^ 2 order by la_code)                                       as residual_ss
    from residuals
    group by all
),

scored as (
    select
        residuals.*,
        1 - residual_sums.residual_ss / residuals.total_ss                              as r_squared,
        sqrt(residual_sums.residual_ss / (residuals.las_in_model - 2))                  as residual_sd,
        exp(residuals.intercept + residuals.slope * residuals.deprivation_score)        as expected_value
    from residuals
    inner join residual_sums using (indicator_id, time_period, deprivation_measure)
),

-- the denominator of each funnel: the child population for a rate, the published base count
-- for a percentage that has one
funnel_inputs as (
    select
        scored.*,
        case when scored.unit like 'rate per 10,000%' then 'Poisson (Byar)'
             when base.value > 0 then 'binomial (normal approximation)' end             as funnel_method,
        case when scored.unit like 'rate per 10,000%' then scored.w
             when base.value > 0 then base.value end                                    as funnel_denominator
    from scored
    left join {{ ref('fct_la_indicator') }} as base
        on base.is_latest
        and base.indicator_id = scored.base_indicator_id
        and base.la_code = scored.la_code
        and base.time_period = scored.time_period
),

limits as (
    select
        *,
        expected_value * funnel_denominator / rate_multiplier                           as expected_count,
        {% for name, z in [('95', z95), ('99_8', z998)] %}
        case when funnel_method = 'Poisson (Byar)' then
                 greatest(0, expected_count * (1 - 1 / (9 * expected_count) - {{ z }} / (3 * sqrt(expected_count))) ^ 3)
                 * rate_multiplier / funnel_denominator
             when funnel_method like 'binomial%' and expected_value < 100 then
                 greatest(0, expected_value - 100 * {{ z }} * sqrt(expected_value / 100 * (1 - expected_value / 100) / funnel_denominator))
        end                                                                             as funnel_lower_{{ name }},
        case when funnel_method = 'Poisson (Byar)' then
                 (expected_count + 1) * (1 - 1 / (9 * (expected_count + 1)) + {{ z }} / (3 * sqrt(expected_count + 1))) ^ 3
                 * rate_multiplier / funnel_denominator
             when funnel_method like 'binomial%' and expected_value < 100 then
                 least(100, expected_value + 100 * {{ z }} * sqrt(expected_value / 100 * (1 - expected_value / 100) / funnel_denominator))
        end                                                                             as funnel_upper_{{ name }}{{ ',' if not loop.last }}
        {% endfor %}
    from funnel_inputs
)

select
    limits.indicator_id,
    limits.period_type,
    limits.time_period,
    limits.reporting_year,
    limits.deprivation_measure,
    limits.deprivation_edition,
    limits.la_code,
    authorities.la_name,
    limits.is_joint_return,
    limits.deprivation_score,
    limits.w::bigint                                    as population_0_17,
    limits.value,
    limits.expected_value,
    limits.residual,
    limits.residual * sqrt(limits.w) / limits.residual_sd as standardised_residual,
    limits.value / limits.expected_value                as observed_to_expected,
    limits.funnel_method,
    limits.funnel_denominator,
    case when limits.funnel_method = 'Poisson (Byar)' then limits.value * limits.w / limits.rate_multiplier
         when limits.funnel_method is not null then limits.value / 100 * limits.funnel_denominator
    end                                                 as observed_count,
    case when limits.funnel_method = 'Poisson (Byar)' then limits.expected_count
         when limits.funnel_method is not null then limits.expected_value / 100 * limits.funnel_denominator
    end                                                 as expected_count,
    limits.funnel_lower_99_8,
    limits.funnel_lower_95,
    limits.funnel_upper_95,
    limits.funnel_upper_99_8,
    case when limits.funnel_upper_95 is null then null
         when limits.value > limits.funnel_upper_99_8 then 'above_99_8'
         when limits.value > limits.funnel_upper_95 then 'above_95'
         when limits.value < limits.funnel_lower_99_8 then 'below_99_8'
         when limits.value < limits.funnel_lower_95 then 'below_95'
         else 'within' end                              as funnel_position,
    limits.intercept,
    limits.slope,
    limits.r_squared,
    limits.residual_sd,
    limits.las_in_model
from limits
inner join {{ ref('dim_local_authority') }} as authorities using (la_code)
