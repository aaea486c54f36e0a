-- DfE's Ofsted region corrections, by LA name (int_ofsted_region_fix_coded gives the code).

with source as (
    select * from {{ source('raw_lookups', 'ofsted_region_fix') }}
),

renamed as (
    select
        la_name,
        region_name,
        _release                                                     as release,
        _row_number                                                  as source_row
    from source
)

select * from renamed
