{{ config(
    meta={'dagster': {'ref': {'name': 'fct_deprivation'}}},
    fail_calc=fail_naming_rows(['la_code', 'problem', 'value_basis', 'source_la_code']),
) }}
-- Every LA that exists today has IoD2019 values in fct_deprivation: its own, recoded (published
-- under a predecessor's code of the same area) or, for an LA created since 2019 by a split,
-- carried from its one predecessor, and a carried value names the predecessor it comes from
-- (value_basis says carried exactly when source_la_code is another LA's). The carry-forward is
-- this project's SQL (IoD2019 predates those LAs): the 153 current LAs have IMD and IDACI scores.
-- The LAs in question are those the lookups know (ONS's LTLA-UTLA lookup, the boundary changes
-- seed): a code no lookup knows is a publisher's error, which the gate
-- dim_local_authority__codes_known reports with the file and row it came from.
with known as (
    select utla_code as la_code from {{ ref('stg_lookups__ons_ltla_utla_2023') }}
    union select successor_la_code from {{ ref('la_boundary_changes') }}
),

current_las as (
    select la_code, value_basis, source_la_code, imd_avg_score, idaci_avg_score,
           (value_basis = 'carried_from_predecessor') = (source_la_code <> la_code) as flag_matches_source
    from {{ ref('fct_deprivation') }}
    where is_current and la_code in (select la_code from known)
)

select la_code,
       case when value_basis is null or value_basis not in ('own', 'recoded', 'carried_from_predecessor')
                then 'no value of its own, recoded or carried from one predecessor'
            when imd_avg_score is null then 'no IMD average score'
            when idaci_avg_score is null then 'no IDACI average score'
            else 'value_basis and source_la_code disagree on whether the values are carried' end as problem,
       value_basis, source_la_code
from current_las
where value_basis is null or value_basis not in ('own', 'recoded', 'carried_from_predecessor')
   or imd_avg_score is null or idaci_avg_score is null
   or flag_matches_source is not true

union all

select null, 'found ' || count(*) || ' current LAs, expected 153', null, null
from current_las
having count(*) <> 153
