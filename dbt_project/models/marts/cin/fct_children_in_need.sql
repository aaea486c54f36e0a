-- Children in need and referrals, one row per LA and reporting year (year ending 31 March),
-- latest release vintage of each value. Rates the 2025 release no longer publishes are
-- recomputed from the count and the conformed child population (status 'recomputed').

{% set indicators = [
    ('cin_count', 'cin_count', 'bigint'),
    ('cin_rate_per_10k', 'cin_rate_per_10k', 'double'),
    ('referrals_count', 'referrals_count', 'bigint'),
    ('referrals_rate_per_10k', 'referrals_rate_per_10k', 'double'),
    ('rereferrals_pct', 'rereferrals_pct', 'double'),
] %}

select
    la_code,
    time_period,
    {{ pivot_indicators(indicators) }},
    max(release) filter (where indicator_id = 'cin_count') as release
from {{ ref('fct_la_indicator') }}
where is_latest and indicator_id in ({{ indicator_ids(indicators) }})
group by la_code, time_period
