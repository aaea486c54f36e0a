-- a Dagster check on the model it guards (a test that refs two models has no asset of its own)
{{ config(meta={'dagster': {'ref': {'name': 'fct_la_indicator'}}}) }}
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
