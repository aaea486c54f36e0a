-- How each LA compares, as DfE's LAIT and the public health profiles show it: one row per LA,
-- period and indicator (the latest vintage of fct_la_indicator) for each statistical neighbour
-- model, with England, the LA's region, its neighbours, its rank and quartile band among all
-- LAs, its standard score, a 95% confidence interval and significance against England where the
-- indicator is a rate or proportion with a count, and its change over one and three years.
--
-- Rank and quartile band follow LAIT (dfe-analytical-services/local-authority-interactive-tool,
-- R/fn_analysis.R: calculate_rank and calculate_quartile_band; the thresholds are R's
-- quantile(na.rm = TRUE) of every LA's latest value, R/lait_modules/mod_la_lvl_table.R):
--   - rank: rank(ties.method = "min") of the values, descending for polarity High and ascending
--     for Low, among LAs with a value (SQL rank()); LAIT does not rank an indicator without a
--     polarity, this mart ranks it from the highest value.
--   - band: with Q1, Q2, Q3 the 25th, 50th and 75th centiles of the LA values (R's default type
--     7 quantile: linear interpolation, DuckDB's quantile_cont), for polarity Low a value <= Q1
--     is A, <= Q2 is B, <= Q3 is C, above is D; for polarity High a value <= Q1 is D, <= Q2 is C,
--     <= Q3 is B, above is A. LAIT shows no band without a polarity; this mart bands such an
--     indicator by value as LAIT bands Low (A the lowest quarter), with band_meaning 'A lowest'.
-- The confidence intervals are those of macros/confidence_intervals.sql (PHEindicatormethods).

with indicators as (
    select
        dim.indicator_id,
        dim.unit,
        dim.polarity,
        dim.period_type,
        dim.rate_numerator,
        dim.rate_multiplier,
        dim.base_indicator_id
    from {{ ref('dim_indicator') }} as dim
),

latest as (
    select
        facts.la_code,
        facts.time_period,
        facts.indicator_id,
        {{ reporting_year_of('facts.time_period', 'indicators.period_type') }} as reporting_year,
        facts.value,
        facts.status
    from {{ ref('fct_la_indicator') }} as facts
    inner join indicators using (indicator_id)
    where facts.is_latest
),

-- the distribution of LA values for each indicator and period
-- floating-point sums run in a fixed order (ORDER BY inside the aggregate): a parallel
-- aggregate adds in arrival order, and two refreshes of the same files must publish the same bits
distribution as (
    select
        indicator_id,
        time_period,
        count(*)                                        as las_ranked,
        avg(value order by la_code)                     as la_mean,
        stddev_samp(value order by la_code)             as la_standard_deviation,
        quantile_cont(value, 0.25)                      as q1,
        quantile_cont(value, 0.50)                      as q2,
        quantile_cont(value, 0.75)                      as q3
    from latest
    where value is not null
    group by indicator_id, time_period
),

ranked as (
    select
        latest.la_code,
        latest.indicator_id,
        latest.time_period,
        rank() over (
            partition by latest.indicator_id, latest.time_period
            order by case when indicators.polarity = 'lower_is_better' then latest.value else -latest.value end
        )                                               as rank
    from latest
    inner join indicators using (indicator_id)
    where latest.value is not null
),

-- DfE's neighbour models; for a period, the default is the newest model published in or before
-- its reporting year (the 2025 model from 2024-25, the 2021 model before), and the oldest model
-- for periods before any was published
models as (
    select distinct model_year from {{ ref('dim_statistical_neighbour') }}
),

authorities as (
    select la_code, la_name, region_code, last_year from {{ ref('dim_local_authority') }}
),

-- each LA's listed neighbours, for each reporting year: a neighbour abolished before that year
-- (a split or merge in bridge_la_lineage) stands for its successors, each counted once
neighbour_years as (
    select distinct sn.model_year, sn.la_code, years.reporting_year, sn.neighbour_la_code
    from {{ ref('dim_statistical_neighbour') }} as sn
    cross join (select distinct reporting_year from latest) as years
),

resolved_neighbours as (
    select
        neighbour_years.model_year,
        neighbour_years.la_code,
        neighbour_years.reporting_year,
        coalesce(lineage.successor_la_code, neighbour_years.neighbour_la_code) as neighbour_la_code,
        bool_or(lineage.successor_la_code is not null)  as is_successor
    from neighbour_years
    inner join authorities as listed on listed.la_code = neighbour_years.neighbour_la_code
    left join {{ ref('bridge_la_lineage') }} as lineage
        on lineage.predecessor_la_code = neighbour_years.neighbour_la_code
        and neighbour_years.reporting_year > listed.last_year
    group by all
    having coalesce(lineage.successor_la_code, neighbour_years.neighbour_la_code) <> neighbour_years.la_code
),

neighbour_summary as (
    select
        resolved_neighbours.model_year,
        resolved_neighbours.la_code,
        latest.indicator_id,
        latest.time_period,
        count(latest.value)                                                                   as neighbours_with_value,
        avg(latest.value order by latest.la_code)                                             as neighbour_mean,
        median(latest.value)                                                                  as neighbour_median
    from resolved_neighbours
    inner join latest
        on latest.la_code = resolved_neighbours.neighbour_la_code
        and latest.reporting_year = resolved_neighbours.reporting_year
    group by all
),

neighbours_listed as (
    select model_year, la_code, count(*) as neighbours_in_model
    from {{ ref('dim_statistical_neighbour') }}
    group by all
),

neighbour_counts as (
    select
        model_year,
        la_code,
        reporting_year,
        count(*)                                        as neighbours_compared,
        count(*) filter (where is_successor)            as neighbours_by_succession
    from resolved_neighbours
    group by all
),

default_models as (
    select
        years.reporting_year,
        coalesce(max(models.model_year) filter (where models.model_year <= years.reporting_year),
                 min(models.model_year))                as model_year
    from (select distinct reporting_year from latest) as years
    cross join models
    group by years.reporting_year
),

benchmarks as (
    select area_code, indicator_id, time_period, value
    from {{ ref('fct_england_region_indicator') }}
    where is_latest and geographic_level in ('England', 'Region')
),

-- counts behind a rate (per 10,000 children: Byar) or a proportion (Wilson); a rate's
-- denominator is the ONS child population of the mid-year before (the DfE convention the
-- warehouse's recomputed rates follow), a proportion's the base count the seed
-- indicator_proportion_bases names, with its numerator the published percentage of that base
-- rounded to a whole number of children
intervals as (
    select
        latest.la_code,
        latest.indicator_id,
        latest.time_period,
        case when indicators.base_indicator_id is not null then 'Wilson'
             when numerator.value >= 10 then 'Byar'
             else 'exact Poisson' end                                   as ci_method,
        case when indicators.base_indicator_id is not null then round(latest.value / 100 * base.value)
             else numerator.value end                                   as ci_numerator,
        case when indicators.base_indicator_id is not null then base.value
             else population.value end                                  as ci_denominator,
        case when indicators.base_indicator_id is not null then 100 else indicators.rate_multiplier end as ci_multiplier
    from latest
    inner join indicators using (indicator_id)
    left join latest as numerator
        on numerator.la_code = latest.la_code and numerator.time_period = latest.time_period
        and numerator.indicator_id = indicators.rate_numerator
    left join latest as population
        on population.la_code = latest.la_code and population.time_period = latest.time_period - 1
        and population.indicator_id = 'population_0_17'
    left join latest as base
        on base.la_code = latest.la_code and base.time_period = latest.time_period
        and base.indicator_id = indicators.base_indicator_id
    where (indicators.unit like 'rate per %' and indicators.rate_numerator is not null)
       or indicators.base_indicator_id is not null
),

interval_limits as (
    select
        la_code,
        indicator_id,
        time_period,
        ci_method,
        ci_numerator,
        ci_denominator,
        case when ci_method = 'Wilson' then {{ wilson_lower_95('ci_numerator', 'ci_denominator') }} * ci_multiplier
             else {{ poisson_lower_95('ci_numerator') }} / ci_denominator * ci_multiplier end as ci_lower_95,
        case when ci_method = 'Wilson' then {{ wilson_upper_95('ci_numerator', 'ci_denominator') }} * ci_multiplier
             else {{ poisson_upper_95('ci_numerator') }} / ci_denominator * ci_multiplier end as ci_upper_95
    from intervals
    where ci_numerator >= 0 and ci_denominator > 0 and (ci_method <> 'Wilson' or ci_numerator <= ci_denominator)
)

select
    latest.la_code,
    authorities.la_name,
    authorities.region_code,
    latest.indicator_id,
    indicators.period_type,
    latest.time_period,
    latest.reporting_year,
    models.model_year                                                    as neighbour_model_year,
    models.model_year = default_models.model_year                        as is_default_model,
    latest.value,
    latest.status,
    england.value                                                        as england_value,
    region.value                                                         as region_value,
    coalesce(neighbours_listed.neighbours_in_model, 0)::integer                   as neighbours_in_model,
    coalesce(neighbour_counts.neighbours_compared, 0)::integer                    as neighbours_compared,
    coalesce(neighbour_counts.neighbours_by_succession, 0)::integer               as neighbours_by_succession,
    coalesce(neighbour_summary.neighbours_with_value, 0)::integer                 as neighbours_with_value,
    neighbour_summary.neighbour_mean,
    neighbour_summary.neighbour_median,
    indicators.polarity,
    ranked.rank,
    coalesce(distribution.las_ranked, 0)                                 as las_ranked,
    case when indicators.polarity = 'neutral' then '1 = highest' else '1 = best' end as rank_meaning,
    case
        when latest.value is null then null
        when indicators.polarity = 'higher_is_better' then
            case when latest.value <= distribution.q1 then 'D' when latest.value <= distribution.q2 then 'C'
                 when latest.value <= distribution.q3 then 'B' else 'A' end
        else
            case when latest.value <= distribution.q1 then 'A' when latest.value <= distribution.q2 then 'B'
                 when latest.value <= distribution.q3 then 'C' else 'D' end
    end                                                                  as quartile_band,
    case when indicators.polarity = 'neutral' then 'A lowest' else 'A best' end as band_meaning,
    distribution.q1                                                      as band_lower_quartile,
    distribution.q2                                                      as band_median,
    distribution.q3                                                      as band_upper_quartile,
    distribution.la_mean,
    distribution.la_standard_deviation,
    (latest.value - distribution.la_mean) / nullif(distribution.la_standard_deviation, 0) as z_score,
    interval_limits.ci_method,
    interval_limits.ci_numerator,
    interval_limits.ci_denominator,
    interval_limits.ci_lower_95,
    interval_limits.ci_upper_95,
    case
        when interval_limits.ci_lower_95 is null or england.value is null then null
        when interval_limits.ci_lower_95 > england.value then 'higher'
        when interval_limits.ci_upper_95 < england.value then 'lower'
        else 'similar'
    end                                                                  as significance_vs_england,
    latest.value - previous_year.value                                   as change_on_previous_year,
    latest.value - three_years_before.value                              as change_over_three_years
from latest
inner join indicators using (indicator_id)
inner join authorities on authorities.la_code = latest.la_code
cross join models
inner join default_models on default_models.reporting_year = latest.reporting_year
left join neighbours_listed
    on neighbours_listed.model_year = models.model_year and neighbours_listed.la_code = latest.la_code
left join neighbour_counts
    on neighbour_counts.model_year = models.model_year and neighbour_counts.la_code = latest.la_code
    and neighbour_counts.reporting_year = latest.reporting_year
left join neighbour_summary
    on neighbour_summary.model_year = models.model_year and neighbour_summary.la_code = latest.la_code
    and neighbour_summary.indicator_id = latest.indicator_id and neighbour_summary.time_period = latest.time_period
left join distribution
    on distribution.indicator_id = latest.indicator_id and distribution.time_period = latest.time_period
left join ranked
    on ranked.la_code = latest.la_code and ranked.indicator_id = latest.indicator_id
    and ranked.time_period = latest.time_period
left join benchmarks as england
    on england.area_code = 'E92000001' and england.indicator_id = latest.indicator_id
    and england.time_period = latest.time_period
left join benchmarks as region
    on region.area_code = authorities.region_code and region.indicator_id = latest.indicator_id
    and region.time_period = latest.time_period
left join interval_limits
    on interval_limits.la_code = latest.la_code and interval_limits.indicator_id = latest.indicator_id
    and interval_limits.time_period = latest.time_period
left join latest as previous_year
    on previous_year.la_code = latest.la_code and previous_year.indicator_id = latest.indicator_id
    and previous_year.time_period = latest.time_period - 1
left join latest as three_years_before
    on three_years_before.la_code = latest.la_code and three_years_before.indicator_id = latest.indicator_id
    and three_years_before.time_period = latest.time_period - 3
