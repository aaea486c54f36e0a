-- Provisional against published: once DfE publishes a year an LA's own return was counted for,
-- each provisional figure beside DfE's published value for the same LA, year and indicator
-- (the newest release that printed it), and the difference.

with provisional as (
    select * from {{ ref('int_la_return_indicator_values') }}
),

published as (
    select la_code, time_period, indicator_id, value, status, release
    from {{ ref('fct_la_indicator') }}
    where is_published
    qualify row_number() over (
        partition by la_code, time_period, indicator_id order by {{ release_order('release') }} desc) = 1
)

select
    p.la_code,
    p.time_period,
    p.indicator_id,
    p.value                                     as provisional_value,
    p.status                                    as provisional_status,
    p.validation_issues,
    pub.value                                   as published_value,
    pub.status                                  as published_status,
    pub.release                                 as published_release,
    pub.value - p.value                         as difference,
    case when p.value <> 0 then (pub.value - p.value) / p.value end as relative_difference
from provisional as p
inner join published as pub using (la_code, time_period, indicator_id)
