{#- One value column and one `<name>_status` column per indicator, from long rows of
    (indicator_id, value, status). indicators: list of (indicator_id, column_name, sql_type). -#}
{% macro pivot_indicators(indicators) -%}
{%- for indicator_id, column_name, sql_type in indicators %}
    cast(max(value) filter (where indicator_id = '{{ indicator_id }}') as {{ sql_type }}) as {{ column_name }},
    max(status) filter (where indicator_id = '{{ indicator_id }}') as {{ column_name }}_status{{ ',' if not loop.last }}
{%- endfor %}
{%- endmacro %}

{#- The indicator ids of such a list, quoted for an `in (...)` filter. -#}
{% macro indicator_ids(indicators) -%}
{%- for indicator_id, column_name, sql_type in indicators %}'{{ indicator_id }}'{{ ', ' if not loop.last }}{% endfor -%}
{%- endmacro %}

{#- A domain fact: one row per LA and period (with its period_type), the latest vintage of each listed indicator as a
    value and a status column, and the release of `release_of` (an indicator id) if given. -#}
{% macro latest_la_fact(indicators, release_of=none) -%}
select
    la_code,
    time_period,
    period_type,
    {{ pivot_indicators(indicators) }}
    {%- if release_of %},
    max(release) filter (where indicator_id = '{{ release_of }}') as release
    {%- endif %}
from {{ ref('fct_la_indicator') }}
where is_latest and indicator_id in ({{ indicator_ids(indicators) }})
-- the indicators of one fact share a period type (dim_indicator.period_type): grouping by it
-- keeps one row per LA and period, which each fact's unique test holds
group by la_code, time_period, period_type
{%- endmacro %}
