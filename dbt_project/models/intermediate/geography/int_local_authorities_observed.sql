-- Every LA code any source shows, with its newest published name, DfE number and region, and
-- the reporting years in which it has any published value. DfE files place London boroughs
-- in the Inner (E13000001) or Outer (E13000002) London sub-region; their ONS region is London.

with observations as (
    select
        * replace (
            case when region_code like 'E13%' then 'E12000007' else region_code end as region_code,
            case when region_code like 'E13%' then 'London' else region_name end as region_name
        )
    from {{ ref('int_indicator_values_unpivoted') }}
    where geographic_level = 'Local authority'
)

select
    published_la_code                                              as la_code,
    arg_max(la_code_dfe, release_year * 10000 + time_period)       as la_code_dfe,
    arg_max(area_name, release_year * 10000 + time_period)         as la_name,
    arg_max(region_code, release_year * 10000 + time_period)       as region_code,
    arg_max(region_name, release_year * 10000 + time_period)       as region_name,
    min(time_period) filter (where status = 'published' and period_type = 'reporting_year_31_march') as first_published_year,
    max(time_period) filter (where status = 'published' and period_type = 'reporting_year_31_march') as last_published_year
from observations
group by published_la_code
