-- MHCLG revenue outturn RO3: one row per authority, financial year, vintage and children's
-- social care line (the catalogue's canonical column names), in pounds (published in GBP
-- thousand). Kept: England and the upper-tier authorities that run children's services
-- (unitary, metropolitan, London borough and shire county classes with an LA's ONS code);
-- districts, police, fire, national parks and the class summary table below the data are not.
{%- set line_columns = raw_value_columns('mhclg_ro3_social_care', ['la_code_mhclg', 'la_code', 'authority_class', 'financial_year']) %}

with source as (
    select * from {{ source('raw_expenditure', 'mhclg_ro3_social_care') }}
    where (authority_class in ('UA', 'MD', 'LB', 'SC') and regexp_full_match(la_code, '{{ var("la_code_pattern") }}'))
       or (authority_class = 'Eng' and la_code = 'E92000001')
),

lines as (
    unpivot source
    on {{ line_columns | join(', ') }}
    into name line value published_value
),

renamed as (
    select
        'mhclg_ro3_social_care'                                          as source_family,
        financial_year,
        cast(left(financial_year, 4) as integer) + 1                     as time_period,
        case when authority_class = 'Eng' then 'National' else 'Local authority' end as geographic_level,
        cast(null as varchar)                                            as la_code_dfe,
        la_code,
        la_name,
        line,
        {{ parse_published_value('published_value', value_type=var('money_type')) }} as net__parsed,
        {{ staged_lineage() }}
    from lines
)

select
    source_family, financial_year, time_period, geographic_level, la_code_dfe, la_code, la_name,
    line, cast(null as varchar) as line_label,
    net__parsed.value * 1000 as net_expenditure_gbp,  -- exact: DECIMAL (var money_type)
    net__parsed.status       as net_expenditure_status,
    release, release_year, source_file, source_row
from renamed
