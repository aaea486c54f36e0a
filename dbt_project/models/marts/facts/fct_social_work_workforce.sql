-- Children and family social workers at 30 September, one row per reporting unit and year:
-- an LA, or a joint return (one row, is_joint_return, member_la_codes), so counts sum without
-- double counting. Each member LA also carries the joint values in fct_la_indicator.

{% set indicators = [
    ('sw_fte', 'sw_fte', 'double'),
    ('sw_vacancy_rate_pct', 'sw_vacancy_rate_pct', 'double'),
    ('sw_turnover_rate_pct', 'sw_turnover_rate_pct', 'double'),
    ('sw_agency_rate_pct', 'sw_agency_rate_pct', 'double'),
    ('sw_absence_rate_pct', 'sw_absence_rate_pct', 'double'),
    ('sw_caseload_avg', 'sw_caseload_avg', 'double'),
] %}

with latest as (
    select * from {{ ref('fct_la_indicator') }}
    where is_latest and indicator_id in ({{ indicator_ids(indicators) }})
),

units as (
    -- one row per reporting unit, year and indicator: the members carry the same value
    select
        reporting_unit_code, time_period, period_type, indicator_id,
        any_value(value) as value, any_value(status) as status, any_value(release) as release,
        bool_or(is_joint_return) as is_joint_return,
        string_agg(distinct la_code, ',' order by la_code) as member_la_codes
    from latest
    group by reporting_unit_code, time_period, period_type, indicator_id
)

select
    reporting_unit_code,
    bool_or(is_joint_return)            as is_joint_return,
    any_value(member_la_codes)          as member_la_codes,
    time_period,
    period_type,
    {{ pivot_indicators(indicators) }},
    max(release) filter (where indicator_id = 'sw_fte') as release
from units
group by reporting_unit_code, time_period, period_type
