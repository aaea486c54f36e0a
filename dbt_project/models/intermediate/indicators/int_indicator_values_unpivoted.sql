-- Every published indicator value, every geography, every release vintage, in long form.
-- Which (file family, measure label, column) feeds which indicator is the indicator
-- catalogue's business (seeds/indicator_sources.csv), not this model's.
-- LA codes are conformed: a recoded LA (same area, new code) carries its current code
-- (conformed_la_code, as everywhere else).
--
-- Each model listed here declares `meta: {indicator_values: ...}` in its YAML (`true` for a
-- model staging one raw table, whose value columns the catalogue gives, else its value
-- columns), and unpivot_staged_values fails the build when the list and the declarations
-- differ. The list cannot be derived from
-- those declarations: dbt records a model's refs when it parses the SQL, and at parse time
-- `graph` is empty (dbt-core 1.11: a ref made in a loop over graph.nodes is never recorded,
-- and compiling the model then fails with "unable to infer all dependencies").

with published as (
    {{ unpivot_staged_values([
        'stg_cla__number_and_rate_per_10k',
        'stg_cla__sfr_at_31_march',
        'stg_cla__sfr_started',
        'stg_cla__sfr_ceased',
        'stg_cla__cla_placement_stability',
        'stg_cla__missing_and_away_from_placement',
        'stg_cla__cla_ceased_adoption_sgo',
        'stg_cla__cla_short_term_placements',
        'stg_cla__care_leavers_activity',
        'stg_cla__care_leavers_accommodation',
        'stg_cla__care_leavers_in_touch',
        'stg_cla__cla_la_of_placement',
        'stg_cin__b1_children_in_need',
        'stg_cin__c1_referrals',
        'stg_cin__c2_assessments',
        'stg_cin__c3_assessment_factors',
        'stg_cin__c4_section47_icpc',
        'stg_cin__d1_child_protection_plans',
        'stg_cin__d3_cpp_subsequent',
        'stg_cin__d5_cpp_at31_by_duration',
        'stg_population__children_aged_0_17',
        'stg_workforce__csww_indicators',
        'int_expenditure_categories',
        'stg_deprivation__iod2019',
    ], declared_by='indicator_values') }}
),

-- The 2010 SFR files carry only DfE numbers: take each number's ONS code from the newest
-- release that prints both (a recoded LA then conforms below like any other).
dfe_to_ons as (
    select la_code_dfe, arg_max(la_code, {{ release_order('release') }}) as la_code
    from published
    where geographic_level = 'Local authority' and la_code is not null and la_code not like '% / %'
    group by la_code_dfe
    union all
    -- LAs abolished before any file printing ONS codes (Bedfordshire, Cheshire in 2009)
    select distinct predecessor_la_code_dfe, predecessor_la_code
    from {{ ref('la_boundary_changes') }}
    where predecessor_la_code_dfe is not null
),

coded as (
    select published.* replace (coalesce(published.la_code, dfe_to_ons.la_code) as la_code)
    from published
    left join dfe_to_ons
        on dfe_to_ons.la_code_dfe = published.la_code_dfe
        and published.geographic_level = 'Local authority'
),

-- A joint return (one row for two LAs, codes "940 / 941") becomes one row per member LA,
-- each carrying the joint value and the joint reporting unit's code, so no LA is dropped and
-- sums can count each reporting unit once.
members as (
    select
        * exclude (la_code, la_code_dfe, la_name),
        la_code                                             as reporting_unit_code,
        la_name                                             as reporting_unit_name,
        unnest(string_split(la_code, ' / '))                as la_code,
        unnest(string_split(coalesce(la_code_dfe, ''), ' / ')) as la_code_dfe,
        unnest(string_split(la_name, ' / '))                as la_name
    from coded
    where geographic_level = 'Local authority'
    union all by name
    select *, cast(null as varchar) as reporting_unit_code, cast(null as varchar) as reporting_unit_name
    from coded
    where geographic_level <> 'Local authority'
),

indicators as (
    select sources.*, catalogue.period_type
    from {{ ref('indicator_sources') }} as sources
    inner join {{ ref('indicators') }} as catalogue using (indicator_id)
)

select
    published.geographic_level,
    case published.geographic_level
        when 'National' then published.country_code
        when 'Regional' then published.region_code
        else {{ conformed_la_code('published.la_code') }}
    end                                          as area_code,
    case published.geographic_level
        when 'National' then 'England'
        when 'Regional' then published.region_name
        else published.la_name
    end                                          as area_name,
    published.la_code                            as published_la_code,
    published.la_code_dfe,
    case when published.geographic_level = 'Local authority' then
        case when published.reporting_unit_code like '% / %'
             then published.reporting_unit_code
             else {{ conformed_la_code('published.la_code') }} end
    end                                          as reporting_unit_code,
    published.reporting_unit_name,
    coalesce(published.reporting_unit_code like '% / %', false) as is_joint_return,
    published.region_code,
    published.region_name,
    published.time_period,
    indicators.indicator_id,
    indicators.period_type,
    published.value * coalesce(indicators.value_multiplier, 1) as value,  -- to the indicator's unit (seed)
    published.status,
    published.release,
    published.release_year,
    published.source_file,
    published.source_row
from members as published
inner join indicators
    on indicators.source_family = published.source_family
    and indicators.source_measure is not distinct from published.measure
    and indicators.source_column = published.source_column
