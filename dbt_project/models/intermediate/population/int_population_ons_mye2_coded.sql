-- ONS's MYE2 children aged 0 to 17 with codes conformed to today's (recodes), so they join
-- the DfE-format series in fct_population (gate fct_population__matches_ons_workbooks).

with estimates as (
    select * from {{ ref('stg_population__ons_mye2') }}
)

select
    mid_year,
    geographic_level,
    {{ conformed_la_code('published_la_code') }}                     as la_code,
    la_name,
    geography,
    population_0_17,
    release,
    source_file,
    source_row,
    published_la_code
from estimates
