select
    indicator_id,
    label,
    unit,
    polarity,
    domain,
    period_type,
    source_publication as source,
    source_family,
    description
from {{ ref('indicators') }}
