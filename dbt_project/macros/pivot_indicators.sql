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
