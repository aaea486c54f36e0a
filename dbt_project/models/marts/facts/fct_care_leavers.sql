-- Care leavers aged 19 to 21, one row per LA and reporting year, latest vintage of each value.

{% set indicators = [
    ('care_leavers_19_21_eet_pct', 'eet_19_21_pct', 'double'),
    ('care_leavers_19_21_suitable_accommodation_pct', 'suitable_accommodation_19_21_pct', 'double'),
    ('care_leavers_19_21_in_touch_pct', 'in_touch_19_21_pct', 'double'),
] %}

{{ latest_la_fact(indicators, release_of='care_leavers_19_21_eet_pct') }}
