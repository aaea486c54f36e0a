-- a Dagster check on one of the models it reads (dagster-dbt needs the named model to be a parent);
-- a rebuild of the other runs it again too (orchestration/lib/refresh/build_plan.py reads the check's additional deps)
{{ config(meta={'dagster': {'ref': {'name': 'dim_local_authority'}}}) }}
-- Every DfE number a neighbour model names resolves to an LA in the dimension: an inner join
-- in dim_statistical_neighbour must not drop a neighbour silently.
with long as (
    {% for i in range(1, 11) %}
    select model_year, la_code_dfe, neighbour_{{ i }}_la_code_dfe as neighbour from {{ ref('stg_lookups__statistical_neighbours') }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
)
select long.*
from long
left join {{ ref('dim_local_authority') }} as la on la.la_code_dfe = long.la_code_dfe
left join {{ ref('dim_local_authority') }} as neighbour on neighbour.la_code_dfe = long.neighbour
where la.la_code is null or (long.neighbour is not null and neighbour.la_code is null)
