with observed as (
    select * from {{ ref('int_local_authorities_observed') }}
),

dfe as (
    select * from {{ ref('stg_lookups__dfe_la_codes') }}
    where is_local_authority
),

changes as (
    select *, {{ reporting_year_from('effective_date') }} as first_year_after
    from {{ ref('la_boundary_changes') }}
),

retired as (
    select
        predecessor_la_code                                    as la_code,
        min(first_year_after) - 1                              as last_year,
        min(effective_date)                                    as retired_on,
        string_agg(distinct successor_la_code, ',' order by successor_la_code) as successor_la_codes,
        string_agg(distinct change_kind, ',' order by change_kind)             as retirement_kind
    from changes
    group by predecessor_la_code
),

created as (
    select
        successor_la_code                                      as la_code,
        min(first_year_after)                                  as created_year,
        bool_and(change_kind = 'recode')                       as is_recode,
        string_agg(distinct predecessor_la_code, ',' order by predecessor_la_code) as predecessor_la_codes
    from changes
    group by successor_la_code
),

-- A recoded LA is the same authority: its series starts where its predecessor's did.
recode_history as (
    select changes.successor_la_code as la_code, min(observed.first_seen_year) as first_seen_year
    from changes
    inner join observed on observed.la_code = changes.predecessor_la_code
    where changes.change_kind = 'recode'
    group by changes.successor_la_code
),

-- An LA abolished before the DfE statistics began (Bedfordshire and Cheshire in 2009, seen
-- only in the section 251 outturn) takes its successors' region (both lie in the same one).
successor_region as (
    select changes.predecessor_la_code as la_code, min(observed.region_code) as region_code, min(observed.region_name) as region_name
    from changes
    inner join observed on observed.la_code = changes.successor_la_code
    group by changes.predecessor_la_code
    having count(distinct observed.region_code) = 1
),

all_codes as (
    select la_code from observed
    union
    select predecessor_la_code from changes
    union
    select successor_la_code from changes
)

select
    all_codes.la_code,
    observed.la_code_dfe,
    coalesce(observed.la_name, dfe.la_name)                        as la_name,
    case left(all_codes.la_code, 3)
        when 'E06' then 'Unitary authority'
        when 'E08' then 'Metropolitan district'
        when 'E09' then 'London borough'
        when 'E10' then 'County council'
    end                                                            as la_type,
    coalesce(observed.region_code, successor_region.region_code)  as region_code,
    coalesce(observed.region_name, successor_region.region_name)  as region_name,
    dfe.dfe_region_name,
    cast(case
        when created.is_recode then least(recode_history.first_seen_year, observed.first_seen_year)
        when created.la_code is not null then created.created_year
        else observed.first_seen_year
    end as integer)                                                as first_year,
    cast(retired.last_year as integer)                             as last_year,
    retired.la_code is null                                        as is_current,
    retired.retired_on,
    retired.retirement_kind,
    retired.successor_la_codes,
    created.predecessor_la_codes
from all_codes
left join observed on observed.la_code = all_codes.la_code
left join dfe on dfe.la_code_dfe = observed.la_code_dfe
left join retired on retired.la_code = all_codes.la_code
left join created on created.la_code = all_codes.la_code
left join recode_history on recode_history.la_code = all_codes.la_code
left join successor_region on successor_region.la_code = all_codes.la_code
