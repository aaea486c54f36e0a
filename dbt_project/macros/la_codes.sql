{#- Local authorities: names reduced for matching, and codes conformed to today's. -#}

{#- An LA name reduced for exact matching: case, '&', punctuation and spacing ignored. -#}
{% macro normalise_la_name(column) -%}
trim(regexp_replace(regexp_replace(replace(lower({{ column }}), '&', ' and '), '[^a-z0-9]+', ' ', 'g'), '\s+', ' ', 'g'))
{%- endmacro %}

{#- An LA code as it is today: a code a recode retired (same authority and area, new code:
    seeds/la_boundary_changes.csv) becomes its successor; any other code is unchanged. -#}
{% macro conformed_la_code(column) -%}
coalesce((select recode.successor_la_code from {{ ref('la_boundary_changes') }} as recode
          where recode.change_kind = 'recode' and recode.predecessor_la_code = {{ column }}), {{ column }})
{%- endmacro %}
