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
    ('cla_placements_3plus_pct', 'cla_placements_3plus_pct', 'double'),
    ('cla_long_term_stability_pct', 'cla_long_term_stability_pct', 'double'),
    ('cla_missing_count', 'cla_missing_count', 'bigint'),
    ('cla_missing_pct', 'cla_missing_pct', 'double'),
    ('cla_adopted_count', 'cla_adopted_count', 'bigint'),
    ('cla_sgo_count', 'cla_sgo_count', 'bigint'),
    ('cla_short_term_placements_count', 'cla_short_term_placements_count', 'bigint'),
    ('cla_placed_outside_la_count', 'cla_placed_outside_la_count', 'bigint'),
    ('cla_placement_net_gain', 'cla_placement_net_gain', 'bigint'),
] %}

{{ latest_la_fact(indicators, release_of='cla_count') }}
