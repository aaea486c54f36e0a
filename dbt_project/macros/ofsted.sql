{#- Ofsted's judgements: the four-point scale and its grades. -#}

{#- Ofsted's four-point judgement scale, best first: the project's var('ofsted_judgements'). -#}
{% macro ofsted_judgements() -%}
{{ return(var('ofsted_judgements')) }}
{%- endmacro %}

{#- 1 (Outstanding) to 4 (Inadequate), as Ofsted grades. -#}
{% macro ofsted_grade(column) -%}
(case {{ column }}{% for judgement in ofsted_judgements() %} when '{{ judgement }}' then {{ loop.index }}{% endfor %} end)
{%- endmacro %}
