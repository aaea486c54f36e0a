-- One row per inspection of an LA's children's services, with every judgement: the ILACS
-- history (2018-2025), the single inspection framework (SIF, 2013-2017: first inspection and
-- re-inspection) and any inspection the 31 March snapshots list that neither has. Retired LAs
-- keep their inspections. effective_date is the inspection date where known (ILACS), else
-- the publication date (SIF): the day from which the judgement counts as in effect.

with history as (
    select *, 'ILACS' as framework, 1 as preference from {{ ref('int_ofsted_ilacs_history_coded') }}
),

snapshots as (
    select
        la_code, la_code as published_la_code, la_name_as_published, cast(null as varchar) as la_status, ofsted_region,
        inspection_date, publication_date, cast(null as varchar) as inspection_type,
        overall_effectiveness, impact_of_leaders, help_and_protection, children_in_care, care_leavers,
        release, source_file, source_row,
        case when inspection_date >= date '2018-01-01' then 'ILACS' else 'SIF' end as framework,
        2 as preference
    from {{ ref('int_ofsted_judgements_at_31_march_coded') }}
    where is_inspected
),

-- Single inspection framework (2013-2017) inspections: only their publication dates are
-- known, which is when they count as in effect.
sif as (
    select
        la_code, la_code as published_la_code, la_name_as_published, cast(null as varchar) as la_status,
        cast(null as varchar) as ofsted_region, cast(null as date) as inspection_date, publication_date,
        inspection_type, overall_effectiveness, impact_of_leaders, help_and_protection, children_in_care,
        care_leavers, release, source_file, source_row, 'SIF' as framework, 3 as preference
    from {{ ref('int_ofsted_sif_history_coded') }}
),

-- A snapshot row is the history's inspection if the history has one for the LA within a
-- week: Ofsted corrected some dates between workbooks (Isles of Scilly: 10 July 2023 in the
-- March 2024 table, 11 July 2023 in the 2025 history); the later history wins.
candidates as (
    select * from history
    union all by name
    select snapshots.* from snapshots
    where not exists (
        select 1 from history
        where history.la_code = snapshots.la_code
          and abs(datediff('day', history.inspection_date, snapshots.inspection_date)) <= 7
    )
    union all by name
    select * from sif
),

inspections as (
    select * from candidates
    qualify row_number() over (partition by la_code, coalesce(inspection_date, publication_date) order by preference, {{ release_order('release') }} desc) = 1
)

select
    la_code,
    inspection_date,
    publication_date,
    coalesce(inspection_date, publication_date)                     as effective_date,
    cast({{ reporting_year_from('coalesce(inspection_date, publication_date)') }} as integer) as time_period,
    'reporting_year_31_march'                                       as period_type,
    framework,
    inspection_type,
    overall_effectiveness,
    {{ ofsted_grade('overall_effectiveness') }}                    as overall_effectiveness_grade,
    impact_of_leaders,
    help_and_protection,
    children_in_care,
    care_leavers,
    la_name_as_published,
    ofsted_region,
    release,
    source_file,
    source_row
from inspections
