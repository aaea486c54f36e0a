-- Single inspection framework (SIF) inspections, one row per inspection (first SIF and any
-- re-inspection), from the first table of the 2023 sheet: the LAs that exist today, named
-- without codes (int_ofsted_sif_history_coded matches them). The sheet gives publication
-- dates only. Its second table (abolished LAs) starts after the first blank row and is not taken.

with source as (
    select * from {{ source('raw_ofsted', 'ofsted_sif_history') }}
),

first_table as (
    select * from source
    where _row_number < coalesce((select min(_row_number) from source where la_name is null), 1e9)
),

-- each row holds an LA's first SIF inspection and any re-inspection side by side
inspections as (
    select la_name, 'SIF' as inspection_type, sif_publication_date as publication_date,
           sif_overall_effectiveness as overall_effectiveness, sif_leadership as impact_of_leaders,
           sif_help_and_protection as help_and_protection, sif_children_in_care as children_in_care,
           sif_care_leavers as care_leavers, _release, _source_file, _row_number
    from first_table where sif_publication_date is not null
    union all
    select la_name, 'SIF re-inspection', resif_publication_date,
           resif_overall_effectiveness, resif_leadership, resif_help_and_protection, resif_children_in_care,
           resif_care_leavers, _release, _source_file, _row_number
    from first_table where resif_publication_date is not null
),

renamed as (
    select
        la_name                                                      as la_name_as_published,
        inspection_type,
        cast(cast(publication_date as timestamp) as date)            as publication_date,
        overall_effectiveness,
        impact_of_leaders,
        help_and_protection,
        children_in_care,
        care_leavers,
        {{ source_lineage() }}
    from inspections
)

select * from renamed
