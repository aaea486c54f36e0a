-- MHCLG revenue outturn RSX: children's social care net current expenditure per authority,
-- in pounds (published in GBP thousand); the same upper-tier filter as RO3. Used to
-- cross-check the RO3 total.

with source as (
    select * from {{ source('raw_expenditure', 'mhclg_rsx_service_summary') }}
    where (authority_class in ('UA', 'MD', 'LB', 'SC') and regexp_full_match(la_code, '{{ var("la_code_pattern") }}'))
       or (authority_class = 'Eng' and la_code = 'E92000001')
),

renamed as (
    select
        financial_year,
        cast(left(financial_year, 4) as integer) + 1                     as time_period,
        case when authority_class = 'Eng' then 'National' else 'Local authority' end as geographic_level,
        la_code,
        la_name,
        {{ parse_published_value('total_childrens_social_care', value_type=var('money_type')) }} as net__parsed,
        {{ staged_lineage() }}
    from source
)

select
    financial_year, time_period, geographic_level, la_code, la_name,
    net__parsed.value * 1000 as csc_net_expenditure_gbp,  -- exact: DECIMAL (var money_type)
    net__parsed.status       as csc_net_expenditure_status,
    release, release_year, source_file, source_row
from renamed
