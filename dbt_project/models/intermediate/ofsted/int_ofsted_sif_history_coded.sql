-- SIF inspections with the ONS code of the LA the sheet names, matched by exact normalised
-- name or the name table (int_la_name_lookup); an unmatched name fails the not_null test.

with inspections as (
    select * from {{ ref('stg_ofsted__sif_history') }}
),

names as (
    select * from {{ ref('int_la_name_lookup') }}
)

select
    names.la_code,
    inspections.la_name_as_published,
    inspections.inspection_type,
    inspections.publication_date,
    inspections.overall_effectiveness,
    inspections.impact_of_leaders,
    inspections.help_and_protection,
    inspections.children_in_care,
    inspections.care_leavers,
    inspections.release,
    inspections.source_file,
    inspections.source_row
from inspections
left join names on names.normalised_name = {{ normalise_la_name('inspections.la_name_as_published') }}
