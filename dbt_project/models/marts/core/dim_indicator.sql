select
    indicators.indicator_id,
    indicators.label,
    indicators.unit,
    indicators.polarity,
    indicators.domain,
    indicators.period_type,
    indicators.source_publication as source,
    -- the families an indicator is read from; one the warehouse computes (spend per child) is
    -- computed from its numerator's families and its denominator's (the population's by default)
    coalesce(
        (select string_agg(distinct sources.source_family, ',' order by sources.source_family)
         from {{ ref('indicator_sources') }} as sources
         where sources.indicator_id = indicators.indicator_id),
        (select string_agg(distinct sources.source_family, ',' order by sources.source_family)
         from {{ ref('indicator_sources') }} as sources
         where sources.indicator_id in (indicators.rate_numerator, coalesce(indicators.rate_denominator, 'population_0_17')))) as source_family,
    indicators.description,
    -- how a rate or unit cost is computed, and a percentage's base: what the comparisons need
    indicators.rate_numerator,
    indicators.rate_multiplier,
    case when indicators.rate_numerator is not null then coalesce(indicators.rate_denominator, 'population_0_17') end
                                                                   as rate_denominator,
    bases.base_indicator_id
from {{ ref('indicators') }} as indicators
left join {{ ref('indicator_proportion_bases') }} as bases using (indicator_id)
