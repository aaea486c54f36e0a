-- The judgements in effect for every LA at 31 March, one row per LA and year. March 2024
-- names LAs without codes: the code comes from int_la_name_lookup (exact normalised name or
-- the name table); a name that matches neither leaves la_code NULL and fails the not_null test.
-- An LA not yet inspected has no date and no judgements (is_inspected false).

with source as (
    select * from {{ source('raw_ofsted', 'ofsted_judgements_at_31_march') }}
),

names as (
    select * from {{ ref('int_la_name_lookup') }}
)

select
    cast(source.time_period as integer)                              as time_period,
    coalesce({{ conformed_la_code('source.la_code') }}, names.la_code) as la_code,
    case when source.la_code is not null then 'published code' else names.matched_by end as la_code_matched_by,
    source.la_name                                                   as la_name_as_published,
    source.ofsted_region,
    -- March 2024 lists LAs created in 2023 as "Not yet inspected"
    cast(try_cast(source.inspection_date as timestamp) as date)      as inspection_date,
    coalesce(source.inspection_date <> 'Not yet inspected', true)   as is_inspected,
    cast(cast(source.publication_date as timestamp) as date)         as publication_date,
    source.overall_effectiveness,
    source.impact_of_leaders,
    source.help_and_protection,
    source.children_in_care,
    source.care_leavers,
    source._release                                                  as release,
    source._source_file                                              as source_file,
    source._row_number                                               as source_row
from source
left join names on names.normalised_name = {{ normalise_la_name('source.la_name') }}
