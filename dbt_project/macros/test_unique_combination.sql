{#- No hub packages here (dbt deps cannot reach the hub), so this project keeps its own
    generic test: no two rows share the given combination of columns. -#}
{% test unique_combination(model, columns) %}
select {{ columns | join(', ') }}, count(*) as n_rows
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
