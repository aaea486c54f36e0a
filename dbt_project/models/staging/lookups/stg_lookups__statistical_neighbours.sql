with source as (
    select
        *,
        -- the workbook lists retired LAs' last neighbour sets below an "Old SNs:" line
        _row_number > coalesce(max(case when la_name = 'Old SNs:' then _row_number end) over (partition by _release), 1e9)
            as is_retired_la_section
    from {{ source('raw_lookups', 'statistical_neighbours') }}
),

renamed as (
    select
        cast(list_max(regexp_extract_all(_release, '[0-9]{4}')) as integer) as model_year,
        la_number                                        as la_code_dfe,
        trim(regexp_replace(la_name, '\s*\(Pre LG\)\s*$', '')) as la_name,
        region_name                                      as dfe_region_name,
        nullif(trim(sn1), '-')                             as neighbour_1_la_code_dfe,
        nullif(lower(trim(sn1_closeness)), '-')         as neighbour_1_closeness,
        nullif(trim(sn2), '-')                             as neighbour_2_la_code_dfe,
        nullif(lower(trim(sn2_closeness)), '-')         as neighbour_2_closeness,
        nullif(trim(sn3), '-')                             as neighbour_3_la_code_dfe,
        nullif(lower(trim(sn3_closeness)), '-')         as neighbour_3_closeness,
        nullif(trim(sn4), '-')                             as neighbour_4_la_code_dfe,
        nullif(lower(trim(sn4_closeness)), '-')         as neighbour_4_closeness,
        nullif(trim(sn5), '-')                             as neighbour_5_la_code_dfe,
        nullif(lower(trim(sn5_closeness)), '-')         as neighbour_5_closeness,
        nullif(trim(sn6), '-')                             as neighbour_6_la_code_dfe,
        nullif(lower(trim(sn6_closeness)), '-')         as neighbour_6_closeness,
        nullif(trim(sn7), '-')                             as neighbour_7_la_code_dfe,
        nullif(lower(trim(sn7_closeness)), '-')         as neighbour_7_closeness,
        nullif(trim(sn8), '-')                             as neighbour_8_la_code_dfe,
        nullif(lower(trim(sn8_closeness)), '-')         as neighbour_8_closeness,
        nullif(trim(sn9), '-')                             as neighbour_9_la_code_dfe,
        nullif(lower(trim(sn9_closeness)), '-')         as neighbour_9_closeness,
        nullif(trim(sn10), '-')                             as neighbour_10_la_code_dfe,
        nullif(lower(trim(sn10_closeness)), '-')         as neighbour_10_closeness,
        is_retired_la_section,
        _release                                         as release
    from source
    where la_number is not null  -- blank and heading rows around the "Old SNs:" section
)

select * from renamed
