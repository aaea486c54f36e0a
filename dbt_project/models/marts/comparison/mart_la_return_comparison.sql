-- Where an LA stands now: each provisional figure from its own return beside the latest
-- published values it will be read against before DfE publishes the year: the LA's own latest
-- published value, its statistical neighbours' (the newest DfE neighbour model; each neighbour's
-- latest published value), England's, and where the provisional value would sit among every
-- LA's latest published values (the share of LAs with a lower value).

with provisional as (
    select * from {{ ref('int_la_return_indicator_values') }}
),

published as (
    -- each period's figure as BI users read it: the newest vintage that printed it (is_latest;
    -- never a provisional one)
    select la_code, indicator_id, time_period, value
    from {{ ref('fct_la_indicator') }}
    where is_latest and value is not null
),

latest_published as (
    select * from published
    qualify row_number() over (partition by la_code, indicator_id order by time_period desc) = 1
),

neighbours as (
    select la_code, neighbour_la_code
    from {{ ref('dim_statistical_neighbour') }}
    where model_year = (select max(model_year) from {{ ref('dim_statistical_neighbour') }})
),

neighbour_values as (
    select
        p.la_code,
        p.time_period,
        p.indicator_id,
        avg(n.value order by n.la_code)  as neighbour_mean,
        count(n.value)                   as neighbours_with_value,
        max(n.time_period)               as neighbour_period
    from provisional as p
    inner join neighbours using (la_code)
    inner join latest_published as n on n.la_code = neighbours.neighbour_la_code and n.indicator_id = p.indicator_id
    group by all
),

england as (
    select indicator_id, time_period, value
    from {{ ref('fct_england_region_indicator') }}
    where geographic_level = 'England' and is_latest and value is not null
    qualify row_number() over (partition by indicator_id order by time_period desc) = 1
),

placed as (
    select
        p.la_code,
        p.time_period,
        p.indicator_id,
        count(*)                                            as las_compared,
        count(*) filter (where l.value < p.value)           as las_below
    from provisional as p
    inner join latest_published as l
        on l.indicator_id = p.indicator_id
        and l.time_period = (select max(time_period) from published x where x.indicator_id = p.indicator_id)
    where p.value is not null
    group by all
)

select
    p.la_code,
    la.la_name,
    p.time_period,
    p.indicator_id,
    p.value                                             as provisional_value,
    p.status                                            as provisional_status,
    p.release,
    p.validation_issues,
    p.note,
    own.time_period                                     as la_latest_published_period,
    own.value                                           as la_latest_published_value,
    nv.neighbour_mean,
    nv.neighbours_with_value,
    nv.neighbour_period,
    eng.value                                           as england_value,
    eng.time_period                                     as england_period,
    placed.las_compared,
    case when placed.las_compared > 0 then placed.las_below / placed.las_compared end as share_of_las_below
from provisional as p
left join {{ ref('dim_local_authority') }} as la using (la_code)
left join latest_published as own on own.la_code = p.la_code and own.indicator_id = p.indicator_id
left join neighbour_values as nv
    on nv.la_code = p.la_code and nv.time_period = p.time_period and nv.indicator_id = p.indicator_id
left join england as eng on eng.indicator_id = p.indicator_id
left join placed on placed.la_code = p.la_code and placed.time_period = p.time_period and placed.indicator_id = p.indicator_id
