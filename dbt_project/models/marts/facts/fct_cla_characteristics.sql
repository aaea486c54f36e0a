-- Children who started or ceased to be looked after during the year, by characteristic
-- (age, gender, category of need, legal status, reason the episode ceased), one row per LA,
-- reporting year, flow, group and characteristic, latest vintage: number and percentage as
-- published. LA codes conformed for recodes.

with cells as (
    {{ unpivot_staged_values(['stg_cla__cla_started_characteristics', 'stg_cla__cla_ceased_characteristics']) }}
),

conformed as (
    select
        {{ conformed_la_code('la_code') }}                               as la_code,
        time_period,
        case source_family when 'cla_started_characteristics' then 'started' else 'ceased' end as flow,
        split_part(measure, ' | ', 1)                                    as characteristic_group,
        split_part(measure, ' | ', 2)                                    as characteristic,
        source_column,
        value,
        status,
        release,
        release_year
    from cells
    where geographic_level = 'Local authority'
),

latest as (
    select * from conformed
    qualify row_number() over (
        partition by la_code, time_period, flow, characteristic_group, characteristic, source_column
        order by {{ release_order('release') }} desc) = 1
)

select
    la_code,
    time_period,
    'reporting_year_31_march'                                          as period_type,
    flow,
    characteristic_group,
    characteristic,
    cast(max(value) filter (where source_column = 'number') as bigint)   as number,
    max(status) filter (where source_column = 'number')                  as number_status,
    max(value) filter (where source_column = 'percentage')               as percentage,
    max(status) filter (where source_column = 'percentage')              as percentage_status,
    max(release) filter (where source_column = 'number')                 as release
from latest
group by all
