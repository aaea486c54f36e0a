-- IoD2019 deprivation (IMD and IDACI, File 11 upper-tier summaries) for every LA of the
-- dimension that has a value or exists today. The indices use 2019 geography, so:
--   own                  the LA's own 2019 value (also a recoded LA: same area, new code,
--                        conformed upstream; value_basis says 'recoded' for those)
--   carried_from_predecessor
--                        an LA created since 2019 by splitting one (North and West
--                        Northamptonshire 2021, Cumberland and Westmorland and Furness 2023)
--                        takes that predecessor's value. This is the predecessor's average,
--                        not the successor's own: source_la_code names where it came from,
--                        and BI users should treat it as context, not a measurement.
--   not_available        no value and no single predecessor that has one.

{% set indicators = [
    ('imd_avg_score', 'imd_avg_score', 'double'),
    ('imd_avg_score_rank', 'imd_avg_score_rank', 'integer'),
    ('imd_pct_lsoas_most_deprived_10', 'imd_pct_lsoas_most_deprived_10', 'double'),
    ('idaci_avg_score', 'idaci_avg_score', 'double'),
    ('idaci_avg_score_rank', 'idaci_avg_score_rank', 'integer'),
    ('idaci_pct_lsoas_most_deprived_10', 'idaci_pct_lsoas_most_deprived_10', 'double'),
] %}

with own as (
    {{ latest_la_fact(indicators, release_of='imd_avg_score') }}
),

dim as (
    select la_code, la_name, is_current from {{ ref('dim_local_authority') }}
),

-- published under a predecessor's code of the same area (Buckinghamshire, North Yorkshire,
-- Somerset, Barnsley and Sheffield in 2019), conformed to today's code upstream
recoded as (
    select distinct area_code as la_code
    from {{ ref('int_indicator_values') }}
    where indicator_id = 'imd_avg_score' and geographic_level = 'Local authority' and published_la_code <> area_code
),

-- current LAs without a value whose one predecessor has one
carried as (
    select changes.successor_la_code as la_code, min(changes.predecessor_la_code) as source_la_code
    from {{ ref('la_boundary_changes') }} as changes
    inner join own on own.la_code = changes.predecessor_la_code
    where changes.change_kind in ('split', 'merge')
      and changes.successor_la_code not in (select la_code from own)
    group by changes.successor_la_code
    having count(distinct changes.predecessor_la_code) = 1
),

rows as (
    select dim.la_code, dim.la_name, dim.is_current,
           case when own.la_code is not null then own.la_code else carried.source_la_code end as source_la_code,
           case when own.la_code is not null and recoded.la_code is not null then 'recoded'
                when own.la_code is not null then 'own'
                when carried.la_code is not null then 'carried_from_predecessor'
                else 'not_available' end as value_basis
    from dim
    left join own on own.la_code = dim.la_code
    left join carried on carried.la_code = dim.la_code
    left join recoded on recoded.la_code = dim.la_code
    where own.la_code is not null or dim.is_current
)

select
    rows.la_code,
    rows.la_name,
    rows.is_current,
    2019                                                         as index_edition,
    2019                                                         as time_period,
    'index_edition'                                              as period_type,
    rows.value_basis,
    rows.value_basis = 'carried_from_predecessor'                as is_carried_from_predecessor,
    rows.source_la_code,
    {%- for indicator_id, column_name, sql_type in indicators %}
    source.{{ column_name }},
    source.{{ column_name }}_status,
    {%- endfor %}
    source.release
from rows
left join own as source on source.la_code = rows.source_la_code
