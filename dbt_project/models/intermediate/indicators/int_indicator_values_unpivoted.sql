-- Every published indicator value, every geography, every release vintage, in long form.
-- Which (file family, measure label, column) feeds which indicator is the indicator
-- catalogue's business (seeds/indicators.csv), not this model's.
-- LA codes are conformed: a recoded LA (same area, new code) carries its current code.

with cla as (
    select * from {{ ref('stg_cla__number_and_rate_per_10k') }}
),

cla_long as (
    select 'cla_number_and_rate_per_10k' as source_family, 'children_count' as source_column,
           children_count as value, children_count_status as status, *
           exclude (children_count, children_count_status, rate_per_10000, rate_per_10000_status,
                    population_estimate, population_estimate_status)
    from cla
    union all by name
    select 'cla_number_and_rate_per_10k' as source_family, 'rate_per_10000' as source_column,
           rate_per_10000 as value, rate_per_10000_status as status, *
           exclude (children_count, children_count_status, rate_per_10000, rate_per_10000_status,
                    population_estimate, population_estimate_status)
    from cla
    union all by name
    select 'cla_number_and_rate_per_10k' as source_family, 'population_estimate' as source_column,
           population_estimate as value, population_estimate_status as status, *
           exclude (children_count, children_count_status, rate_per_10000, rate_per_10000_status,
                    population_estimate, population_estimate_status)
    from cla
),

indicators as (
    select * from {{ ref('indicators') }}
),

recodes as (
    select predecessor_la_code, successor_la_code
    from {{ ref('la_boundary_changes') }}
    where change_kind = 'recode'
),

joined as (
    select
        cla_long.geographic_level,
        case cla_long.geographic_level
            when 'National' then cla_long.country_code
            when 'Regional' then cla_long.region_code
            else coalesce(recodes.successor_la_code, cla_long.la_code)
        end                                          as area_code,
        case cla_long.geographic_level
            when 'National' then 'England'
            when 'Regional' then cla_long.region_name
            else cla_long.la_name
        end                                          as area_name,
        cla_long.la_code                             as published_la_code,
        cla_long.time_period,
        indicators.indicator_id,
        cla_long.value,
        cla_long.status,
        cla_long.release,
        cla_long.release_year,
        cla_long.source_file,
        cla_long.source_row
    from cla_long
    inner join indicators
        on indicators.source_family = cla_long.source_family
        and indicators.source_measure = cla_long.measure
        and indicators.source_column = cla_long.source_column
    left join recodes
        on recodes.predecessor_la_code = cla_long.la_code
)

select
    *,
    row_number() over (
        partition by geographic_level, area_code, time_period, indicator_id
        order by release_year desc, release desc
    ) = 1 as is_latest
from joined
