-- Every current LA in the dimension is an upper-tier LA in ONS's April 2023 lookup.
select dim.la_code, dim.la_name
from {{ ref('dim_local_authority') }} as dim
left join (select distinct utla_code from {{ ref('stg_lookups__ons_ltla_utla_2023') }}) as ons
    on ons.utla_code = dim.la_code
where dim.is_current and ons.utla_code is null
