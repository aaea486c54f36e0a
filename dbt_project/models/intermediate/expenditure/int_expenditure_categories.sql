-- Net current expenditure per area, financial year, vintage and conformed category, summed
-- over the lines that are not subtotals, in the staged shape the indicator layer reads
-- (measure = category, value column net_expenditure_gbp). The conformed total is the sum of
-- the children's social care categories. A category is published only when every line in
-- it is; otherwise it takes the status of its first unpublished line (an authority that did
-- not return RO3 is not_available throughout), never a partial sum.

with lines as (
    select * from {{ ref('int_expenditure_lines') }}
    where not is_subtotal
),

categories as (
    select * from {{ ref('spend_categories') }}
),

by_category as (
    select
        lines.source_family, lines.financial_year, lines.time_period, lines.geographic_level,
        lines.la_code_dfe, lines.la_code, lines.la_name, lines.release, lines.release_year, lines.source_file,
        lines.category                                                   as measure,
        lines.category in (select category from categories where is_childrens_social_care) as is_csc,
        lines.net_expenditure_gbp,
        lines.net_expenditure_status,
        lines.source_row
    from lines
),

with_total as (
    select * exclude (is_csc) from by_category
    union all
    select * exclude (is_csc) replace ('total_childrens_social_care' as measure)
    from by_category
    where is_csc
)

select
    source_family,
    measure,
    time_period,
    financial_year,
    geographic_level,
    'E92000001'                                                         as country_code,
    cast(null as varchar)                                               as region_code,
    cast(null as varchar)                                               as region_name,
    la_code_dfe,
    la_code,
    la_name,
    -- summed exactly (the lines are DECIMAL pounds from staging, not doubles whose sum drifts),
    -- then to the penny (half away from zero): the marts' money. The lines keep every digit the
    -- publisher printed (s251 2008-10 and RO3's England rows print fractions of a penny) for the gates.
    case when bool_and(net_expenditure_status = 'published')
         then cast(round(sum(net_expenditure_gbp), 2) as {{ var('money_mart_type') }}) end as net_expenditure_gbp,
    case when bool_and(net_expenditure_status = 'published') then 'published'
         else arg_min(net_expenditure_status, source_row) filter (where net_expenditure_status <> 'published')
    end                                                                 as net_expenditure_gbp_status,
    count(*)                                                            as line_count,
    release,
    release_year,
    source_file,
    min(source_row)                                                     as source_row
from with_total
where measure <> 'outside_childrens_social_care'
group by all
