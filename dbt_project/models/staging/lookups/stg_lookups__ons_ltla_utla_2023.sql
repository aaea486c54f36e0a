with source as (
    select * from {{ source('raw_lookups', 'ons_ltla_utla_2023') }}
),

renamed as (
    select
        ltla_code,
        ltla_name,
        utla_code,
        utla_name,
        _release as release
    from source
)

select * from renamed
