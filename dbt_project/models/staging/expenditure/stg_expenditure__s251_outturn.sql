-- Section 251 outturn, one row per LA, financial year and budget line. Line numbers are
-- renumbered every year (2008-09 prints the number inside the description, 2012-13 and
-- 2013-14 print it in both); seeds/spend_lines.csv maps each (year, line) to a category.
-- Values are in pounds. The files carry DfE LA numbers only.

with source as (
    select * from {{ source('raw_expenditure', 's251_outturn') }}
),

renamed as (
    select
        's251_outturn'                                                   as source_family,
        financial_year,
        cast(left(financial_year, 4) as integer) + 1                     as time_period,
        'Local authority'                                                as geographic_level,
        la_code_dfe,
        cast(null as varchar)                                            as la_code,
        trim(la_name)                                                    as la_name,
        cast(cast(coalesce(line_number, regexp_extract(line_description, '^\s*([0-9]+)', 1)) as integer) as varchar) as line,
        trim(regexp_replace(replace(replace(line_description, chr(160), ' '), chr(9), ' '), '^\s*[0-9]+\s*', '')) as line_label,
        {{ parse_published_value('net_current_expenditure', value_type=var('money_type')) }} as net__parsed,
        {{ staged_lineage() }}
    from source
)

select
    source_family, financial_year, time_period, geographic_level, la_code_dfe, la_code, la_name,
    line, line_label,
    net__parsed.value  as net_expenditure_gbp,  -- exact: DECIMAL (var money_type)
    net__parsed.status as net_expenditure_status,
    release, release_year, source_file, source_row
from renamed
