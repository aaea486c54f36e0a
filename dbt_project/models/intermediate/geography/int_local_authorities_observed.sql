-- Every LA code the data shows, with its newest published name, DfE number and region, and
-- the years in which it has any published value. DfE files place London boroughs in the
-- Inner (E13000001) or Outer (E13000002) London sub-region; their ONS region is London.

with observations as (
    select
        * replace (
            case when region_code like 'E13%' then 'E12000007' else region_code end as region_code,
            case when region_code like 'E13%' then 'London' else region_name end as region_name
        )
    from {{ ref('stg_cla__number_and_rate_per_10k') }}
    where geographic_level = 'Local authority'
)

select
    la_code,
    arg_max(la_code_dfe, release_year * 10000 + time_period)   as la_code_dfe,
    arg_max(la_name, release_year * 10000 + time_period)       as la_name,
    arg_max(region_code, release_year * 10000 + time_period)   as region_code,
    arg_max(region_name, release_year * 10000 + time_period)   as region_name,
    min(time_period) filter (where children_count_status = 'published') as first_published_year,
    max(time_period) filter (where children_count_status = 'published') as last_published_year
from observations
group by la_code
