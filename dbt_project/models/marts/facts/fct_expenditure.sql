-- Children's social care net current expenditure, one row per LA and financial year, latest
-- vintage of each value (the second 2024-25 release replaces the first), by conformed
-- category (seeds/spend_categories.csv), with unit costs: spend per child from the conformed
-- population, per child in need and per child looked after from the activity facts.
-- Section 251 outturn 2008-09 to 2013-14; MHCLG revenue outturn RO3 from 2022-23.

{% set indicators = [
    ('csc_spend_total_gbp', 'csc_spend_total_gbp', var('money_mart_type')),
    ('csc_spend_per_child_gbp', 'csc_spend_per_child_gbp', var('money_mart_type')),
    ('csc_spend_per_child_in_need_gbp', 'csc_spend_per_child_in_need_gbp', var('money_mart_type')),
    ('cla_spend_per_child_looked_after_gbp', 'cla_spend_per_child_looked_after_gbp', var('money_mart_type')),
    ('cla_spend_gbp', 'cla_spend_gbp', var('money_mart_type')),
    ('safeguarding_spend_gbp', 'safeguarding_spend_gbp', var('money_mart_type')),
    ('family_support_spend_gbp', 'family_support_spend_gbp', var('money_mart_type')),
    ('youth_justice_spend_gbp', 'youth_justice_spend_gbp', var('money_mart_type')),
    ('other_csc_spend_gbp', 'other_csc_spend_gbp', var('money_mart_type')),
] %}

with fact as (
    {{ latest_la_fact(indicators, release_of='csc_spend_total_gbp') }}
)

select
    fact.la_code,
    fact.time_period,
    fact.period_type,
    period.period_label                                                 as financial_year,
    fact.* exclude (la_code, time_period, period_type, release),
    fact.release
from fact
inner join {{ ref('dim_period') }} as period
    on period.period_type = fact.period_type and period.time_period = fact.time_period
