-- Factors identified at the end of assessment (CIN table C3), one row per LA, reporting year
-- and factor, latest vintage: episodes in which the factor was identified, and its share of
-- episodes with any factor recorded. Factors are the publisher's columns (domestic_abuse_parent,
-- neglect, ...); LA codes conformed for recodes.

with cells as (
    {{ unpivot_staged_values(['stg_cin__c3_assessment_factors']) }}
),

latest as (
    select
        {{ conformed_la_code('cells.la_code') }}                      as la_code,
        cells.time_period,
        cells.source_column                                           as factor,
        cells.value                                                   as episodes,
        cells.status                                                  as episodes_status,
        cells.release
    from cells
    where cells.geographic_level = 'Local authority'
    qualify row_number() over (
        partition by {{ conformed_la_code('cells.la_code') }}, cells.time_period, cells.source_column
        order by {{ release_order('cells.release') }} desc) = 1
)

select
    latest.la_code,
    latest.time_period,
    'reporting_year_31_march'                                         as period_type,
    latest.factor,
    cast(latest.episodes as bigint)                                   as episodes,
    latest.episodes_status,
    case when latest.factor <> 'episodes_with_assessment_factor' and total.episodes > 0
         then latest.episodes / total.episodes * 100 end              as pct_of_episodes_with_factors,
    latest.release
from latest
left join latest as total
    on total.la_code = latest.la_code and total.time_period = latest.time_period
    and total.factor = 'episodes_with_assessment_factor'
