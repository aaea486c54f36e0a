-- One row per ILACS inspection. Codes are conformed to today's for recoded LAs (same area).

with source as (
    select * from {{ source('raw_ofsted', 'ofsted_ilacs_history') }}
)

select
    {{ conformed_la_code('source.la_code') }}                        as la_code,
    source.la_code                                                   as published_la_code,
    source.la_name                                                   as la_name_as_published,
    source.la_status,
    source.ofsted_region,
    cast(cast(source.inspection_date as timestamp) as date)          as inspection_date,
    cast(cast(source.publication_date as timestamp) as date)         as publication_date,
    source.inspection_type,
    source.overall_effectiveness,
    source.impact_of_leaders,
    source.help_and_protection,
    source.children_in_care,
    source.care_leavers,
    source._release                                                  as release,
    source._source_file                                              as source_file,
    source._row_number                                               as source_row
from source
