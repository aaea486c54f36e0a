-- One row per LA and reporting year (year ending 31 March), from the latest release
-- vintage of each value. Suppressed and unavailable values are NULL with their status.

{% set indicators = [
    ('cla_count', 'cla_count', 'bigint'),
    ('cla_rate_per_10k', 'cla_rate_per_10k', 'double'),
    ('cla_started_count', 'cla_started_count', 'bigint'),
    ('cla_started_rate_per_10k', 'cla_started_rate_per_10k', 'double'),
    ('cla_ceased_count', 'cla_ceased_count', 'bigint'),
    ('cla_ceased_rate_per_10k', 'cla_ceased_rate_per_10k', 'double'),
    ('cla_child_population', 'child_population', 'bigint'),
] %}

select
    la_code,
    time_period,
    {{ pivot_indicators(indicators) }},
    max(release) filter (where indicator_id = 'cla_count') as release
from {{ ref('fct_la_indicator') }}
where is_latest and indicator_id in ({{ indicator_ids(indicators) }})
group by la_code, time_period
