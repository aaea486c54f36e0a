-- Children in need, referrals and assessments, one row per LA and reporting year (year ending 31 March),
-- latest release vintage of each value. Rates the 2025 release no longer publishes are
-- recomputed from the count and the conformed child population (status 'recomputed').

{% set indicators = [
    ('cin_count', 'cin_count', 'bigint'),
    ('cin_rate_per_10k', 'cin_rate_per_10k', 'double'),
    ('referrals_count', 'referrals_count', 'bigint'),
    ('referrals_rate_per_10k', 'referrals_rate_per_10k', 'double'),
    ('rereferrals_pct', 'rereferrals_pct', 'double'),
    ('assessments_count', 'assessments_count', 'bigint'),
    ('assessment_duration_median_days', 'assessment_duration_median_days', 'double'),
] %}

{{ latest_la_fact(indicators, release_of='cin_count') }}
