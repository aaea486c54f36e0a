-- One row per LA and reporting year (year ending 31 March), from the latest release
-- vintage of each value. Suppressed and unavailable values are NULL with their status.

with latest as (
    select * from {{ ref('fct_la_indicator') }}
    where is_latest
      and indicator_id in ('cla_count', 'cla_rate_per_10k', 'cla_started_count', 'cla_started_rate_per_10k',
                           'cla_ceased_count', 'cla_ceased_rate_per_10k', 'cla_child_population')
)

select
    la_code,
    time_period,
    cast(max(value) filter (where indicator_id = 'cla_count') as bigint)            as cla_count,
    max(status) filter (where indicator_id = 'cla_count')                           as cla_count_status,
    max(value) filter (where indicator_id = 'cla_rate_per_10k')                     as cla_rate_per_10k,
    max(status) filter (where indicator_id = 'cla_rate_per_10k')                    as cla_rate_per_10k_status,
    cast(max(value) filter (where indicator_id = 'cla_started_count') as bigint)    as cla_started_count,
    max(status) filter (where indicator_id = 'cla_started_count')                   as cla_started_count_status,
    max(value) filter (where indicator_id = 'cla_started_rate_per_10k')             as cla_started_rate_per_10k,
    cast(max(value) filter (where indicator_id = 'cla_ceased_count') as bigint)     as cla_ceased_count,
    max(status) filter (where indicator_id = 'cla_ceased_count')                    as cla_ceased_count_status,
    max(value) filter (where indicator_id = 'cla_ceased_rate_per_10k')              as cla_ceased_rate_per_10k,
    cast(max(value) filter (where indicator_id = 'cla_child_population') as bigint) as child_population,
    max(status) filter (where indicator_id = 'cla_child_population')                as child_population_status,
    max(release) filter (where indicator_id = 'cla_count')                          as release
from latest
group by la_code, time_period
