-- Every value a later release vintage changed: for each LA, period and indicator, each
-- consecutive pair of vintages whose printed values differ (including a value newly
-- suppressed or newly published). Only what a release printed counts: a value the warehouse
-- recomputed, or a status carried from the count of a release that printed no such figure
-- (the 2025 CIN files print no rates), is not a publisher's revision.

with vintages as (
    select
        la_code, time_period, period_type, indicator_id, release, value, status,
        lag(release) over w as earlier_release,
        lag(value) over w   as earlier_value,
        lag(status) over w  as earlier_status
    from {{ ref('fct_la_indicator') }}
    where is_published
    window w as (partition by la_code, time_period, indicator_id
                 -- oldest first (macros/releases.sql)
                 order by {{ release_order('release') }})
)

select
    la_code,
    time_period,
    period_type,
    indicator_id,
    earlier_release,
    earlier_value,
    earlier_status,
    release        as later_release,
    value          as later_value,
    status         as later_status,
    value - earlier_value as difference
from vintages
where earlier_release is not null
  and (value is distinct from earlier_value or status is distinct from earlier_status)
