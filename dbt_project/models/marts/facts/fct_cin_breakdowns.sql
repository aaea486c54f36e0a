-- The other children in need census tables of the 2022 release (disability, primary need,
-- episode durations, reasons for closure, CIN plans, referral sources and months, child
-- protection plans by category of abuse, reviews and durations), in one long table: one row
-- per LA, reporting year, table and published column, latest vintage. `cin_table` is the
-- publisher's table letter and number (b2, c5, d4...), `breakdown` the published column in
-- snake case. LA codes conformed for recodes.

with cells as (
    {{ unpivot_staged_values([
        'stg_cin__b2_children_in_need_recorded_disability',
        'stg_cin__b3_cin_primary_need',
        'stg_cin__b4_children_in_need_duration_of_open_episode',
        'stg_cin__b5_children_in_need_duration_of_ended_episode',
        'stg_cin__b6_children_in_need_reason_for_closure',
        'stg_cin__b7_child_in_need_plans',
        'stg_cin__c5_children_in_need_referrals_by_source',
        'stg_cin__c6_children_in_need_referrals_by_month',
        'stg_cin__d2_cpps_starting_by_category_of_abuse',
        'stg_cin__d4_cpps_at31march_by_category_of_abuse',
        'stg_cin__d6_cpps_reviewed_within_timescales',
        'stg_cin__d7_cpps_ending_by_duration',
        'stg_cin__d8_cpps_ending_in_first_6months_by_duration'
    ]) }}
),

conformed as (
    select
        {{ conformed_la_code('la_code') }}                               as la_code,
        time_period,
        split_part(source_family, '_', 2)                                as cin_table,
        source_family,
        measure,
        source_column                                                    as breakdown,
        value,
        status,
        release,
        release_year
    from cells
    where geographic_level = 'Local authority'
)

select la_code, time_period, 'reporting_year_31_march' as period_type, cin_table, source_family, measure, breakdown, value, status, release
from conformed
qualify row_number() over (
    partition by la_code, time_period, source_family, breakdown order by {{ release_order('release') }} desc) = 1
