-- Every current LA in the dimension is an upper-tier LA in ONS's April 2023 lookup, unless a
-- boundary change after April 2023 created its code.
select dim.la_code, dim.la_name
from {{ ref('dim_local_authority') }} as dim
left join (select distinct utla_code from {{ ref('stg_lookups__ons_ltla_utla_2023') }}) as ons
    on ons.utla_code = dim.la_code
where dim.is_current
  and ons.utla_code is null
  and dim.la_code not in (
      select successor_la_code from {{ ref('la_boundary_changes') }} where effective_date > date '2023-04-01'
  )
