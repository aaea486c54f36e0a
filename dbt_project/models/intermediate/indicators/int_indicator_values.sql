-- Published values plus rates the warehouse recomputes from a published count and the
-- conformed child population (ONS mid-year estimate of the year before the reporting year,
-- as DfE does), or from another published indicator of the same period (the catalogue's
-- rate_denominator: unit costs such as spend per child looked after). A recomputed value
-- fills a rate only where the release published none (for example the 2025 CIN files, which
-- dropped their rate columns); a rate the publisher suppressed stays suppressed. recomputed_value is kept beside every published rate so the
-- gates can compare them.
--
-- is_latest: a vintage that does not publish a measure does not revise it. The latest value
-- is the most recent release that printed the cell (a number or a publisher's symbol); a
-- recomputed value (or the status of the count it would be computed from) is the latest only
-- for a period no release published. So Birmingham's 2024 CIN rate is the 2024 release's
-- 318.1, not the 2025 release's recomputation; its 2025 rate, which no release printed, is
-- recomputed.

with published as (
    select * from {{ ref('int_indicator_values_unpivoted') }}
),

rates as (
    select indicator_id, period_type, rate_numerator, rate_multiplier,
           coalesce(rate_denominator, 'population_0_17') as rate_denominator
    from {{ ref('indicators') }}
    where rate_numerator is not null
),

-- each denominator's latest published value, by the period whose rates it divides: the
-- population of mid-year Y serves reporting year Y+1; any other denominator its own period
denominators as (
    select
        indicator_id,
        area_code,
        time_period + case when indicator_id = 'population_0_17' then 1 else 0 end as rate_period,
        value
    from published
    where indicator_id in (select rate_denominator from rates) and status = 'published'
    qualify row_number() over (partition by indicator_id, area_code, time_period order by {{ release_order('release') }} desc) = 1
),

recomputed as (
    select
        numerator.geographic_level,
        numerator.area_code,
        numerator.area_name,
        numerator.published_la_code,
        numerator.la_code_dfe,
        numerator.reporting_unit_code,
        numerator.reporting_unit_name,
        numerator.is_joint_return,
        numerator.region_code,
        numerator.region_name,
        numerator.time_period,
        rates.indicator_id,
        rates.period_type,
        numerator.release,
        numerator.release_year,
        numerator.source_file,
        numerator.source_row,
        case when numerator.status = 'published' and denominator.value > 0
             then numerator.value / denominator.value * rates.rate_multiplier
        end                                                       as recomputed_value,
        case when numerator.status <> 'published' then numerator.status
             when denominator.value is null then 'not_available'
        end                                                       as unavailable_status
    from published as numerator
    inner join rates on rates.rate_numerator = numerator.indicator_id
    left join denominators as denominator
        on denominator.indicator_id = rates.rate_denominator
        and denominator.area_code = numerator.area_code
        and denominator.rate_period = numerator.time_period
),

combined as (
    select
        coalesce(p.geographic_level, r.geographic_level)     as geographic_level,
        coalesce(p.area_code, r.area_code)                   as area_code,
        coalesce(p.area_name, r.area_name)                   as area_name,
        coalesce(p.published_la_code, r.published_la_code)  as published_la_code,
        coalesce(p.la_code_dfe, r.la_code_dfe)               as la_code_dfe,
        coalesce(p.reporting_unit_code, r.reporting_unit_code) as reporting_unit_code,
        coalesce(p.reporting_unit_name, r.reporting_unit_name) as reporting_unit_name,
        coalesce(p.is_joint_return, r.is_joint_return)       as is_joint_return,
        coalesce(p.region_code, r.region_code)               as region_code,
        coalesce(p.region_name, r.region_name)               as region_name,
        coalesce(p.time_period, r.time_period)               as time_period,
        coalesce(p.indicator_id, r.indicator_id)             as indicator_id,
        coalesce(p.period_type, r.period_type)               as period_type,
        case when coalesce(p.status, 'missing') = 'missing' then r.recomputed_value else p.value end as value,
        case
            when coalesce(p.status, 'missing') <> 'missing' then p.status
            when r.recomputed_value is not null then 'recomputed'
            else coalesce(r.unavailable_status, 'missing')
        end                                                  as status,
        r.recomputed_value,
        coalesce(p.status, 'missing') <> 'missing'           as is_published,
        coalesce(p.release, r.release)                       as release,
        coalesce(p.release_year, r.release_year)             as release_year,
        coalesce(p.source_file, r.source_file)               as source_file,
        coalesce(p.source_row, r.source_row)                 as source_row
    from published as p
    full outer join recomputed as r
        on r.indicator_id = p.indicator_id
        and r.geographic_level = p.geographic_level
        and r.area_code = p.area_code
        and r.time_period = p.time_period
        and r.release = p.release
)

select
    *,
    row_number() over (
        partition by geographic_level, area_code, time_period, indicator_id
        order by is_published desc, {{ release_order('release') }} desc
    ) = 1 as is_latest
from combined
