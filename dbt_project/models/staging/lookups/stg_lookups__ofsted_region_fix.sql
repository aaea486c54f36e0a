-- DfE's Ofsted region corrections, by LA name (matched to a code through int_la_name_lookup).

select
    names.la_code,
    fix.la_name,
    fix.region_name,
    fix._release                                                     as release,
    fix._row_number                                                  as source_row
from {{ source('raw_lookups', 'ofsted_region_fix') }} as fix
left join {{ ref('int_la_name_lookup') }} as names
    on names.normalised_name = {{ normalise_la_name('fix.la_name') }}
