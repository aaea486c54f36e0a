-- The Ofsted judgement in effect for each LA at 31 March of each reporting year from 2014:
-- its latest inspection that took place on or before that day (every column from that one
-- inspection: arg_max_null keeps its NULLs, such as care_leavers before 2023), as Ofsted's own "as at 31
-- March" tables count it (an ILACS inspection in March counts even if its report is published
-- in April); a SIF inspection, whose inspection date the sources do not give, counts from its
-- publication. Only LAs that existed at that 31 March; a year before an LA's first known
-- inspection has no row. Checked against Ofsted's 2024 and 2025 tables.

with inspections as (
    select * from {{ ref('fct_ofsted_inspection') }}
),

-- The reporting years the inspections cover, from the data rather than a hand-kept range:
-- from the year of the first inspection (SIF, 2013-14: 2014) to the year of the latest one
-- (Ofsted's history as at 31 March 2025: 2025). A newer history brings its year with it.
years as (
    select cast(unnest(generate_series(
        {{ reporting_year_from('min(effective_date)') }},
        {{ reporting_year_from('max(effective_date)') }})) as integer) as time_period
    from inspections
),

las as (
    select la_code, first_year, last_year from {{ ref('dim_local_authority') }}
)

select
    las.la_code,
    years.time_period,
    'reporting_year_31_march'                                               as period_type,
    arg_max_null(inspections.inspection_date, inspections.effective_date)         as inspection_date,
    arg_max_null(inspections.publication_date, inspections.effective_date)       as publication_date,
    max(inspections.effective_date)                                         as effective_date,
    arg_max_null(inspections.framework, inspections.effective_date)              as framework,
    arg_max_null(inspections.inspection_type, inspections.effective_date)        as inspection_type,
    arg_max_null(inspections.overall_effectiveness, inspections.effective_date)  as overall_effectiveness,
    arg_max_null(inspections.overall_effectiveness_grade, inspections.effective_date) as overall_effectiveness_grade,
    arg_max_null(inspections.impact_of_leaders, inspections.effective_date)      as impact_of_leaders,
    arg_max_null(inspections.help_and_protection, inspections.effective_date)    as help_and_protection,
    arg_max_null(inspections.children_in_care, inspections.effective_date)       as children_in_care,
    arg_max_null(inspections.care_leavers, inspections.effective_date)           as care_leavers,
    datediff('month', max(inspections.effective_date), make_date(years.time_period, 3, 31)) as months_since_inspection
from las
cross join years
inner join inspections
    on inspections.la_code = las.la_code
    and inspections.effective_date <= make_date(years.time_period, 3, 31)
where years.time_period between coalesce(las.first_year, 0) and coalesce(las.last_year, 9999)
group by las.la_code, years.time_period
