with source as (
    select * from {{ source('raw', 'cla_number_and_rate_per_10k') }}
),

renamed as (
    select
        cast(time_period as integer)                                   as time_period,
        geographic_level,
        country_code,
        region_code,
        region_name,
        old_la_code                                                    as la_code_dfe,
        new_la_code                                                    as la_code,
        la_name,
        measure,
        {{ parse_published_value('children_count') }}                  as children_count_parsed,
        {{ parse_published_value('rate_per_10000') }}                  as rate_per_10000_parsed,
        {{ parse_published_value('population_estimate') }}             as population_estimate_parsed,
        _release                                                       as release,
        cast(regexp_extract(_release, '(\d{4})', 1) as integer)        as release_year,
        _source_file                                                   as source_file,
        _row_number                                                    as source_row
    from source
)

select
    time_period,
    geographic_level,
    country_code,
    region_code,
    region_name,
    la_code_dfe,
    la_code,
    la_name,
    measure,
    children_count_parsed.value        as children_count,
    children_count_parsed.status       as children_count_status,
    rate_per_10000_parsed.value        as rate_per_10000,
    rate_per_10000_parsed.status       as rate_per_10000_status,
    population_estimate_parsed.value   as population_estimate,
    population_estimate_parsed.status  as population_estimate_status,
    release,
    release_year,
    source_file,
    source_row
from renamed
