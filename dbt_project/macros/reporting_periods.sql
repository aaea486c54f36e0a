{#- Reporting periods: which reporting year (year ending 31 March) a date or period falls in. -#}

{#- First reporting year (year ending 31 March) on or after a date. -#}
{% macro reporting_year_from(date_column) -%}
(extract(year from {{ date_column }}) + case when extract(month from {{ date_column }}) > 3 then 1 else 0 end)
{%- endmacro %}

{#- The reporting year (year ending 31 March) in which a period falls: 30 June or
    30 September of year Y falls in the reporting year ending 31 March Y+1; a financial year
    is stored as the year it ends (2023-24 is 2024), which is its reporting year. -#}
{% macro reporting_year_of(time_period, period_type) -%}
(case when {{ period_type }} in ('reporting_year_31_march', 'financial_year') then {{ time_period }} else {{ time_period }} + 1 end)
{%- endmacro %}
