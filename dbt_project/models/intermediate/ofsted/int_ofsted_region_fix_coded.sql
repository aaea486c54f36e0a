-- DfE's Ofsted region corrections with the ONS code of each LA named, matched by exact
-- normalised name or the name table (int_la_name_lookup).

with fixes as (
    select * from {{ ref('stg_lookups__ofsted_region_fix') }}
),

names as (
    select * from {{ ref('int_la_name_lookup') }}
)

select
    names.la_code,
    fixes.la_name,
    fixes.region_name,
    fixes.release,
    fixes.source_row
from fixes
left join names on names.normalised_name = {{ normalise_la_name('fixes.la_name') }}
