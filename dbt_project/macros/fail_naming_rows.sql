{#-
  A test's fail_calc that names its failing rows. dbt reports only how many rows a test
  returned ("Got 1 result"), so a refresh stopped by a singular test would not say which LA
  and period. With no rows this counts 0, as dbt's default does; with rows it raises an error
  quoting how many and the first five (dbt then reports the test as an error rather than a
  failure; either stops `dbt build` and the refresh, and Dagster shows the message):
    {{ config(fail_calc=fail_naming_rows(['la_code', 'time_period'])) }}
-#}
{% macro fail_naming_rows(columns) -%}
{%- set row -%}
'[' || concat_ws(' ', {% for c in columns %}'{{ c }}=' || coalesce(cast({{ c }} as varchar), 'NULL'){{ ', ' if not loop.last }}{% endfor %}) || ']'
{%- endset -%}
case when count(*) = 0 then 0
     else error(count(*) || ' failing row(s), e.g. ' || array_to_string(list_slice(list({{ row }} order by {{ row }}), 1, 5), ', '))
end
{%- endmacro %}
