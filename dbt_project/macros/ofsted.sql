{#- Ofsted's judgements: the four-point scale and its grades. -#}

{#- Ofsted's four-point judgement scale, best first. -#}
{% macro ofsted_judgements() -%}
{{ return(['Outstanding', 'Good', 'Requires improvement to be good', 'Inadequate']) }}
{%- endmacro %}

{#- 1 (Outstanding) to 4 (Inadequate), as Ofsted grades. -#}
{% macro ofsted_grade(column) -%}
(case {{ column }} when 'Outstanding' then 1 when 'Good' then 2 when 'Requires improvement to be good' then 3 when 'Inadequate' then 4 end)
{%- endmacro %}
