-- a Dagster check on one of the models it reads (dagster-dbt needs the named model to be a parent);
-- a rebuild of the other runs it again too (orchestration/lib/refresh/build_plan.py reads the check's additional deps)
{{ config(meta={'dagster': {'ref': {'name': 'dim_local_authority'}}}) }}
-- fct_la_indicator leaves out periods outside an LA's lifetime (first_year..last_year). Those
-- must only be the publisher's 'not applicable' rows: a published value there means the
-- dimension's lifetime is wrong and the value would be lost.
select v.area_code, v.time_period, v.indicator_id, v.release, v.value
from {{ ref('int_indicator_values') }} as v
inner join {{ ref('dim_local_authority') }} as dim on dim.la_code = v.area_code
where v.geographic_level = 'Local authority'
  and v.status in ('published', 'recomputed')
  and {{ reporting_year_of('v.time_period', 'v.period_type') }}
      not between coalesce(dim.first_year, 0) and coalesce(dim.last_year, 9999)
