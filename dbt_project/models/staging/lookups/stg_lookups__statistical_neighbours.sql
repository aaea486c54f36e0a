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
        {{ release_year('_release') }}                    as model_year,
        la_number                                                 as la_code_dfe,
        trim(regexp_replace(la_name, '\s*\(Pre LG\)\s*$', ''))   as la_name,
        region_name                                               as dfe_region_name,
        {%- for i in range(1, 11) %}
        nullif(trim(sn{{ i }}), '-')                              as neighbour_{{ i }}_la_code_dfe,
        nullif(lower(trim(sn{{ i }}_closeness)), '-')             as neighbour_{{ i }}_closeness,
        {%- endfor %}
        is_retired_la_section,
        _release                                                  as release
    from source
    where la_number is not null  -- blank and heading rows around the "Old SNs:" section
)

select * from renamed
