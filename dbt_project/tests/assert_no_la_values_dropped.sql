-- Every LA code in any source is in dim_local_authority: no LA's values can be silently lost
-- by the marts' joins to the dimension.
select distinct values_long.area_code, values_long.area_name
from {{ ref('int_indicator_values') }} as values_long
left join {{ ref('dim_local_authority') }} as dim on dim.la_code = values_long.area_code
where values_long.geographic_level = 'Local authority' and dim.la_code is null
