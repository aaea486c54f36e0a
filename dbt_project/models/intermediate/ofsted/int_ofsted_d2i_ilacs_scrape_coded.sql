-- Data to Insight's ILACS scrape with today's ONS code for each DfE LA number: the code of the
-- LA existing today that carries the number (a retired code, such as a recoded LA's old one,
-- never matches).

with scrape as (
    select * from {{ ref('stg_ofsted__d2i_ilacs_scrape') }}
),

retired as (
    select distinct predecessor_la_code as la_code from {{ ref('la_boundary_changes') }}
),

current_las as (
    select la_code, la_code_dfe from {{ ref('int_local_authorities_observed') }}
    where la_code not in (select la_code from retired) and la_code_dfe is not null
)

select
    scrape.scraped_on,
    current_las.la_code,
    scrape.la_code_dfe,
    scrape.la_name_as_published,
    scrape.overall_effectiveness,
    scrape.inspection_framework,
    scrape.inspection_start_date,
    scrape.publication_date,
    scrape.release,
    scrape.source_file,
    scrape.source_row
from scrape
left join current_las on current_las.la_code_dfe = scrape.la_code_dfe
