{#- No hub packages here (dbt deps cannot reach the hub), so this project keeps its own
    generic test: no two rows share the given combination of columns. -#}
{% test unique_combination(model, columns) %}
select {{ columns | join(', ') }}, count(*) as n_rows
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}

{#- Every row's combination of columns is a key of `to` (a composite relationships test):
    each fact's (period_type, time_period) is a row of dim_period. NULLs are not checked. -#}
{% test relationships_combination(model, columns, to, fields=none) %}
{%- set fields = fields or columns -%}
select {% for column in columns %}child.{{ column }}{{ ', ' if not loop.last }}{% endfor %}, count(*) as n_rows
from {{ model }} as child
where {% for column in columns %}child.{{ column }} is not null{{ ' and ' if not loop.last }}{% endfor %}
  and not exists (
    select 1 from {{ to }} as parent
    where {% for column in columns %}parent.{{ fields[loop.index0] }} = child.{{ column }}{{ ' and ' if not loop.last }}{% endfor %})
group by all
{% endtest %}
