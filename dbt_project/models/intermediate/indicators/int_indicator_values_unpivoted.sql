-- Every published indicator value, every geography, every release vintage, in long form.
-- Which (file family, measure label, column) feeds which indicator is the indicator
-- catalogue's business (seeds/indicators.csv), not this model's.
-- LA codes are conformed: a recoded LA (same area, new code) carries its current code.

with published as (
    {{ unpivot_staged_values([
        'stg_cla__number_and_rate_per_10k',
        'stg_cin__b1_children_in_need',
        'stg_cin__c1_referrals',
        'stg_cin__c4_section47_icpc',
        'stg_cin__d1_child_protection_plans',
        'stg_cin__d5_cpp_at31_by_duration',
        'stg_population__0_17',
    ]) }}
),

indicators as (
    select * from {{ ref('indicators') }}
),

recodes as (
    select predecessor_la_code, successor_la_code
    from {{ ref('la_boundary_changes') }}
    where change_kind = 'recode'
)

select
    published.geographic_level,
    case published.geographic_level
        when 'National' then published.country_code
        when 'Regional' then published.region_code
        else coalesce(recodes.successor_la_code, published.la_code)
    end                                          as area_code,
    case published.geographic_level
        when 'National' then 'England'
        when 'Regional' then published.region_name
        else published.la_name
    end                                          as area_name,
    published.la_code                            as published_la_code,
    published.la_code_dfe,
    published.region_code,
    published.region_name,
    published.time_period,
    indicators.indicator_id,
    indicators.period_type,
    published.value,
    published.status,
    published.release,
    published.release_year,
    published.source_file,
    published.source_row
from published
inner join indicators
    on indicators.source_family = published.source_family
    and indicators.source_measure = published.measure
    and indicators.source_column = published.source_column
left join recodes
    on recodes.predecessor_la_code = published.la_code
    and published.geographic_level = 'Local authority'
