-- One row per ILACS inspection, as published (int_ofsted_ilacs_history_coded conforms the codes).

with source as (
    select * from {{ source('raw_ofsted', 'ofsted_ilacs_history') }}
),

renamed as (
    select
        la_code                                                      as published_la_code,
        la_name                                                      as la_name_as_published,
        la_status,
        ofsted_region,
        cast(cast(inspection_date as timestamp) as date)             as inspection_date,
        cast(cast(publication_date as timestamp) as date)            as publication_date,
        inspection_type,
        overall_effectiveness,
        impact_of_leaders,
        help_and_protection,
        children_in_care,
        care_leavers,
        {{ source_lineage() }}
    from source
)

select * from renamed
