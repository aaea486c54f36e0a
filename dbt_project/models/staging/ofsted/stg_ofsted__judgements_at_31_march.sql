-- The judgements in effect for every LA at 31 March, one row per LA and year, as Ofsted lists
-- them. March 2024 names LAs without codes (published_la_code NULL): the code is resolved in
-- int_ofsted_judgements_at_31_march_coded. An LA not yet inspected has no date and no
-- judgements (is_inspected false).

with source as (
    select * from {{ source('raw_ofsted', 'ofsted_judgements_at_31_march') }}
),

renamed as (
    select
        cast(time_period as integer)                                 as time_period,
        la_code                                                      as published_la_code,
        la_name                                                      as la_name_as_published,
        ofsted_region,
        -- March 2024 lists LAs created in 2023 as "Not yet inspected"
        cast(try_cast(inspection_date as timestamp) as date)         as inspection_date,
        coalesce(inspection_date <> 'Not yet inspected', true)       as is_inspected,
        cast(cast(publication_date as timestamp) as date)            as publication_date,
        overall_effectiveness,
        impact_of_leaders,
        help_and_protection,
        children_in_care,
        care_leavers,
        {{ source_lineage() }}
    from source
)

select * from renamed
