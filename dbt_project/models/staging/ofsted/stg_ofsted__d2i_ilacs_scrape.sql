-- Data to Insight's ILACS scrape: the latest published report per LA at the scrape date (the
-- date in the release label), by DfE LA number (int_ofsted_d2i_ilacs_scrape_coded gives the
-- ONS code). Grades are recased to Ofsted's wording. A cross-check only (gate
-- fct_ofsted_inspection__matches_d2i_scrape).

with source as (
    select * from {{ source('raw_ofsted', 'd2i_ilacs_scrape') }}
),

renamed as (
    select
        strptime(regexp_extract(_release, '[0-9]{4}-[0-9]{2}-[0-9]{2}'), '%Y-%m-%d')::date as scraped_on,
        la_code_dfe,
        la_name                                                      as la_name_as_published,
        case lower(trim(overall_effectiveness))
            when 'outstanding' then 'Outstanding' when 'good' then 'Good'
            when 'requires improvement' then 'Requires improvement to be good' when 'inadequate' then 'Inadequate'
        end                                                          as overall_effectiveness,
        inspection_framework,
        try_strptime(inspection_start_date, '%d/%m/%Y')::date        as inspection_start_date,
        try_strptime(publication_date, '%d/%m/%y')::date             as publication_date,
        {{ source_lineage() }}
    from source
)

select * from renamed
