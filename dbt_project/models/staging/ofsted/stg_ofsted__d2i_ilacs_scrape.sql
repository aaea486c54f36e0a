-- Data to Insight's ILACS scrape: the latest published report per LA at the scrape date, by
-- DfE LA number (resolved to today's ONS code). Grades are recased to Ofsted's wording. A
-- cross-check only (gate fct_ofsted_inspection__matches_d2i_scrape).

with source as (
    select * from {{ source('raw_ofsted', 'd2i_ilacs_scrape') }}
),

retired as (
    select distinct predecessor_la_code as la_code from {{ ref('la_boundary_changes') }}
),

current_las as (
    select la_code, la_code_dfe from {{ ref('int_local_authorities_observed') }}
    where la_code not in (select la_code from retired) and la_code_dfe is not null
)

select
    strptime(regexp_extract(source._release, '[0-9]{4}-[0-9]{2}-[0-9]{2}'), '%Y-%m-%d')::date as scraped_on,
    current_las.la_code,
    source.la_code_dfe,
    source.la_name                                                   as la_name_as_published,
    case lower(trim(source.overall_effectiveness))
        when 'outstanding' then 'Outstanding' when 'good' then 'Good'
        when 'requires improvement' then 'Requires improvement to be good' when 'inadequate' then 'Inadequate'
    end                                                              as overall_effectiveness,
    source.inspection_framework,
    try_strptime(source.inspection_start_date, '%d/%m/%Y')::date     as inspection_start_date,
    try_strptime(source.publication_date, '%d/%m/%y')::date          as publication_date,
    source._release                                                  as release,
    source._source_file                                              as source_file,
    source._row_number                                               as source_row
from source
left join current_las on current_las.la_code_dfe = source.la_code_dfe
