with source as (
    select * from {{ source('raw_lookups', 'dfe_la_codes') }}
),

renamed as (
    select
        -- workbook cells may come through as 301 or 301.0
        cast(cast(try_cast(la_number as double) as integer) as varchar)   as la_code_dfe,
        trim(regexp_replace(la_name, '\s*\(Pre LG\)\s*$', ''))            as la_name,
        la_name like '%(Pre LG)%'                                         as is_pre_reorganisation,
        nullif(region, 'NA')                                              as dfe_region_name,
        nullif(la_type, 'NA')                                             as dfe_la_type,
        -- 970 and above are England, regions and discontinued aggregates, not LAs
        try_cast(la_number as double) < 970                               as is_local_authority,
        _release                                                          as release
    from source
)

select * from renamed
