-- a Dagster check on one of the models it reads (dagster-dbt needs the named model to be a parent);
-- a rebuild of the other runs it again too (orchestration/lib/refresh/build_plan.py reads the check's additional deps)
{{ config(meta={'dagster': {'ref': {'name': 'dim_local_authority'}}}) }}
-- Every LA in DfE's code list (current and retired) has a row in dim_local_authority.
select dfe.la_code_dfe, dfe.la_name
from {{ ref('stg_lookups__dfe_la_codes') }} as dfe
left join {{ ref('dim_local_authority') }} as dim on dim.la_code_dfe = dfe.la_code_dfe
where dfe.is_local_authority and dim.la_code is null
