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

{{ latest_la_fact(indicators, release_of='cla_count') }}
