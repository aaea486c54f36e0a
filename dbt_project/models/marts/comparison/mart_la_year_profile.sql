-- One row per LA and reporting year (year ending 31 March): the headline figures side by side,
-- the table a BI user drags onto a chart ("spend against judgement" is one query).
--
-- Each indicator's period is placed in the reporting year it falls in (reporting_year_of):
-- a financial year is its reporting year (2023-24 is 2024), the workforce census at 30
-- September Y and the mid-year population estimate of Y fall in reporting year Y+1 (the
-- population is the denominator DfE uses for that year's rates). Values are each indicator's
-- latest vintage (fct_la_indicator.is_latest); the Ofsted judgement is the one in effect at
-- 31 March; deprivation is the IoD2019 edition, the same in every year; the delivery model is
-- the arrangement in force at 31 March (fct_la_delivery_model).

{% set headline = [
    ('cla_count', 'cla_count', 'bigint'),
    ('cla_rate_per_10k', 'cla_rate_per_10k', 'double'),
    ('cla_started_rate_per_10k', 'cla_started_rate_per_10k', 'double'),
    ('cla_placements_3plus_pct', 'cla_placements_3plus_pct', 'double'),
    ('cin_count', 'cin_count', 'bigint'),
    ('cin_rate_per_10k', 'cin_rate_per_10k', 'double'),
    ('referrals_rate_per_10k', 'referrals_rate_per_10k', 'double'),
    ('rereferrals_pct', 'rereferrals_pct', 'double'),
    ('s47_enquiries_rate_per_10k', 's47_enquiries_rate_per_10k', 'double'),
    ('cpp_count', 'cpp_count', 'bigint'),
    ('cpp_rate_per_10k', 'cpp_rate_per_10k', 'double'),
    ('csc_spend_total_gbp', 'csc_spend_total_gbp', 'decimal(18, 2)'),
    ('cla_spend_gbp', 'cla_spend_gbp', 'decimal(18, 2)'),
    ('csc_spend_per_child_gbp', 'csc_spend_per_child_gbp', 'decimal(18, 2)'),
    ('csc_spend_per_child_in_need_gbp', 'csc_spend_per_child_in_need_gbp', 'decimal(18, 2)'),
    ('cla_spend_per_child_looked_after_gbp', 'cla_spend_per_child_looked_after_gbp', 'decimal(18, 2)'),
    ('sw_fte', 'sw_fte', 'double'),
    ('sw_caseload_avg', 'sw_caseload_avg', 'double'),
    ('sw_agency_rate_pct', 'sw_agency_rate_pct', 'double'),
    ('sw_vacancy_rate_pct', 'sw_vacancy_rate_pct', 'double'),
    ('sw_turnover_rate_pct', 'sw_turnover_rate_pct', 'double'),
    ('population_0_17', 'population_0_17', 'bigint'),
] %}

with latest as (
    select
        values_long.la_code,
        {{ reporting_year_of('values_long.time_period', 'indicators.period_type') }} as reporting_year,
        values_long.indicator_id,
        values_long.value,
        values_long.status,
        values_long.is_joint_return
    from {{ ref('fct_la_indicator') }} as values_long
    inner join {{ ref('dim_indicator') }} as indicators using (indicator_id)
    where values_long.is_latest and values_long.indicator_id in ({{ indicator_ids(headline) }})
),

figures as (
    select
        la_code,
        reporting_year,
        {{ pivot_indicators(headline) }},
        coalesce(bool_or(is_joint_return) filter (where indicator_id like 'sw\_%' escape '\'), false)
                                                                        as workforce_is_joint_return
    from latest
    group by la_code, reporting_year
),

judgements as (
    select * from {{ ref('fct_ofsted_judgement_in_effect') }}
),

deprivation as (
    select * from {{ ref('fct_deprivation') }}
),

authorities as (
    select * from {{ ref('dim_local_authority') }}
),

arrangements as (
    select * from {{ ref('fct_la_delivery_model') }}
    where reporting_year_from is not null  -- an arrangement with no end found is placed in no year
),

la_years as (
    select la_code, reporting_year from figures
    union
    select la_code, time_period from judgements
)

select
    la_years.la_code,
    authorities.la_name,
    authorities.region_code,
    authorities.region_name,
    la_years.reporting_year,
    {%- for _, column_name, _ in headline %}
    figures.{{ column_name }},
    figures.{{ column_name }}_status,
    {%- endfor %}
    coalesce(figures.workforce_is_joint_return, false)                  as workforce_is_joint_return,
    judgements.overall_effectiveness                                    as ofsted_overall_effectiveness,
    judgements.overall_effectiveness_grade                              as ofsted_grade,
    judgements.framework                                                as ofsted_framework,
    judgements.inspection_date                                          as ofsted_inspection_date,
    judgements.months_since_inspection                                  as ofsted_months_since_inspection,
    deprivation.idaci_avg_score,
    deprivation.idaci_avg_score_rank,
    deprivation.imd_avg_score,
    deprivation.imd_avg_score_rank,
    deprivation.value_basis                                             as deprivation_value_basis,
    arrangements.delivery_model_id,
    coalesce(arrangements.model_kind, 'none_recorded')                  as delivery_model_kind
from la_years
inner join authorities using (la_code)
left join figures using (la_code, reporting_year)
left join judgements on judgements.la_code = la_years.la_code and judgements.time_period = la_years.reporting_year
left join deprivation on deprivation.la_code = la_years.la_code
left join arrangements
    on arrangements.la_code = la_years.la_code
    and la_years.reporting_year between arrangements.reporting_year_from and coalesce(arrangements.reporting_year_to, 9999)
