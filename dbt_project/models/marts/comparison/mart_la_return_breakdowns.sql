-- An LA's own return's figures by characteristic, as DfE breaks its published tables down:
-- children looked after at 31 March by age group, gender, legal status, placement and UASC;
-- starting and ceasing during the year by age group and gender (starting also by legal status).
-- Each count as shown (suppressed as DfE suppresses), with its share of the measure's total.

with figures as (
    select * from {{ ref('stg_returns__la_return_figures') }}
),

totals as (
    select la_code, time_period, indicator_id, value as total
    from figures where breakdown = 'Total'
)

select
    figures.la_code,
    figures.time_period,
    figures.indicator_id,
    figures.breakdown,
    figures.category,
    figures.value,
    figures.status,
    case when totals.total > 0 and figures.value is not null
         then round(100.0 * figures.value / totals.total, 1) end as percentage,
    figures.release,
    figures.validation_issues
from figures
inner join totals using (la_code, time_period, indicator_id)
where figures.breakdown <> 'Total'
