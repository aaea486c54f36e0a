-- Every expenditure line of every source and vintage with its conformed spending category
-- (seeds/spend_lines.csv). A line the seed does not map fails the relationships test on
-- `category`, so a new line in a new vintage cannot be silently dropped or miscounted.

with lines as (
    select * from {{ ref('stg_expenditure__s251_outturn') }}
    union all by name
    select * from {{ ref('stg_expenditure__ro3_social_care') }}
),

mapping as (
    select * from {{ ref('spend_lines') }}
)

select
    lines.source_family,
    lines.financial_year,
    lines.time_period,
    lines.geographic_level,
    lines.la_code_dfe,
    lines.la_code,
    lines.la_name,
    lines.line,
    coalesce(lines.line_label, mapping.line_label)                   as line_label,
    mapping.category,
    mapping.is_subtotal,
    lines.net_expenditure_gbp,
    lines.net_expenditure_status,
    lines.release,
    lines.release_year,
    lines.source_file,
    lines.source_row
from lines
left join mapping
    on mapping.source_family = lines.source_family
    and mapping.line = lines.line
    and (mapping.financial_year = lines.financial_year or mapping.financial_year is null)
