-- Section 47 enquiries, initial child protection conferences and child protection plans,
-- one row per LA and reporting year (year ending 31 March), latest vintage of each value.

{% set indicators = [
    ('s47_enquiries_count', 's47_enquiries_count', 'bigint'),
    ('s47_enquiries_rate_per_10k', 's47_enquiries_rate_per_10k', 'double'),
    ('icpc_count', 'icpc_count', 'bigint'),
    ('icpc_rate_per_10k', 'icpc_rate_per_10k', 'double'),
    ('cpp_count', 'cpp_count', 'bigint'),
    ('cpp_rate_per_10k', 'cpp_rate_per_10k', 'double'),
    ('cpp_started_count', 'cpp_started_count', 'bigint'),
    ('cpp_subsequent_pct', 'cpp_subsequent_pct', 'double'),
] %}

{{ latest_la_fact(indicators, release_of='s47_enquiries_count') }}
