select
    indicators.indicator_id,
    indicators.label,
    indicators.unit,
    indicators.polarity,
    indicators.domain,
    indicators.period_type,
    indicators.source_publication as source,
    (select string_agg(distinct sources.source_family, ',' order by sources.source_family)
     from {{ ref('indicator_sources') }} as sources
     where sources.indicator_id = indicators.indicator_id) as source_family,
    indicators.description
from {{ ref('indicators') }} as indicators
