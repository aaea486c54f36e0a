-- Children looked after, counted from one LA's SSDA903 return for one collection year the way
-- DfE counts them in "Children looked after in England including adoptions" (methodology:
-- https://explore-education-statistics.service.gov.uk/methodology/children-looked-after-in-england-including-adoptions).
-- Every landed return at once (one LA's children are never another's: their pseudonyms differ,
-- and every window and group is per LA and collection year). One row per LA, collection year,
-- measure, breakdown and category: the number before suppression (counting.py suppresses what
-- leaves the private area).
--
-- The rules, each as the methodology states it:
-- * Children, not episodes: a child counts once in each figure, however many episodes or
--   periods of care the year holds.
-- * "Children looked after at 31 March": a child with an episode open on 31 March (it started on
--   or before 31 March and has no end date, or ends after it), not under V3/V4; DfE's rules say
--   it in those words: "children are CLA_AT_31_MARCH when DEC of the current episode is null and
--   LS not = 'V3', 'V4'" (csc-validator-be-903). A child whose care ends on 31 March ceased.
-- * "Children who started to be looked after": a period of care starts with an episode whose
--   reason for new episode (RNE) is S, on 1 April or later; "only the first occasion on which a
--   child started to be looked after in the year has been counted", and the breakdowns describe
--   that first one.
-- * "Children who ceased to be looked after": a period of care ends with an episode whose reason
--   episode ceased (REC) is anything but X1 (X1: the episode ends and another starts), with its
--   end date in the year; "only the last occasion" counts.
-- * Children looked after exclusively under a series of short-term placements (legal status V3
--   or V4) are left out of all three: an episode under V3/V4 counts for none of them; such
--   children are counted apart (cla_short_term_placements_count: every episode of theirs in the
--   year is V3/V4). What this does where a period moves between short breaks and another legal
--   status, for which no published rule was found: a period that starts under V3/V4 (RNE S) and
--   moves to a care order (RNE L) is looked after at 31 March but is not a start; one that moves
--   from V2 to V3/V4 and then ends is not a cease.

with returns as (
    select la_code, collection_year,
        make_date(collection_year - 1, 4, 1) as year_start, make_date(collection_year, 3, 31) as year_end
    from ssda903_returns
),

header as (
    -- a child listed twice in the header (DfE's rules say so) is still one child
    select * from ssda903_header
    qualify row_number() over (partition by la_code, collection_year, child order by row_index) = 1
),

uasc as (
    select la_code, collection_year, child, max(coalesce(duc, date '9999-12-31')) as duc
    from ssda903_uasc
    group by all
),

in_year as (
    -- every episode open at some point in its return's year
    select episodes.*, returns.year_start, returns.year_end
    from ssda903_episodes as episodes
    inner join returns using (la_code, collection_year)
    where decom is not null and decom <= year_end and (dec is null or dec >= year_start)
),

counted as (
    select * from in_year where ls not in ('V3', 'V4')
),

at_31_march as (
    select counted.*,
        row_number() over (partition by la_code, collection_year, child order by decom desc, row_index desc) as nth
    from counted
    where decom <= year_end and (dec is null or dec > year_end)
),

started as (
    select counted.*,
        row_number() over (partition by la_code, collection_year, child order by decom, row_index) as nth
    from counted
    where rne = 'S' and decom between year_start and year_end
),

ceased as (
    select counted.*,
        row_number() over (partition by la_code, collection_year, child order by dec desc, row_index desc) as nth
    from counted
    where rec is not null and rec <> 'X1' and dec between year_start and year_end
),

short_breaks_only as (
    select la_code, collection_year, child
    from in_year group by all having bool_and(ls in ('V3', 'V4'))
),

people as (
    -- one row per child per measure: the episode that describes them, with the child's header
    select a.la_code, a.collection_year, a.year_end, 'cla_count' as measure, a.child, a.ls, a.place, a.cin,
        a.rec, h.age_at_31_march as age, h.sex
    from at_31_march a left join header h using (la_code, collection_year, child) where a.nth = 1
    union all
    select s.la_code, s.collection_year, s.year_end, 'cla_started_count', s.child, s.ls, s.place, s.cin, null,
        s.age_at_decom, h.sex
    from started s left join header h using (la_code, collection_year, child) where s.nth = 1
    union all
    select c.la_code, c.collection_year, c.year_end, 'cla_ceased_count', c.child, c.ls, c.place, c.cin, c.rec,
        c.age_at_dec, h.sex
    from ceased c left join header h using (la_code, collection_year, child) where c.nth = 1
),

described as (
    select
        people.*,
        case
            when age is null then 'Unknown'
            when age < 1 then 'Under 1 year'
            when age <= 4 then '1 to 4 years'
            when age <= 9 then '5 to 9 years'
            when age <= 15 then '10 to 15 years'
            else '16 years and over'
        end as age_group,
        case sex when '1' then 'Male' when 'M' then 'Male' when '2' then 'Female' when 'F' then 'Female'
            else 'Unknown' end as gender,
        case
            when ls in ('C1', 'C2') then 'Care orders'
            when ls in ('E1', 'D1') then 'Placement order granted'  -- D1, freeing orders: replaced by placement orders
            when ls = 'V2' then 'Voluntary agreements under S20 CA 1989'
            when ls in ('L1', 'L2', 'L3') then 'Detained for child protection'
            when ls in ('J1', 'J2', 'J3') then 'Youth justice legal statuses'
            else 'Unknown'
        end as legal_status,
        -- DfE's eight placement groups (SFR50 2017 metadata; the EES national file's labels; the
        -- SFR34 2015 footnotes put living independently and residential employment in the
        -- community, and residential care homes, NHS care, family centres and young offender
        -- institutions among other residential settings). K3 (supported accommodation, from
        -- 2024-25) follows H5 (semi-independent living), which it replaced; where DfE puts the
        -- temporary moves (T0-T4) and Z11-Z14 is not stated: they are counted as other placements.
        case
            when place in ('U1', 'U2', 'U3', 'U4', 'U5', 'U6') then 'Foster placements'
            when place in ('A3', 'A4', 'A5', 'A6') then 'Placed for adoption'
            when place = 'P1' then 'Placed with parents or other person with parental responsibility'
            when place in ('P2', 'P3') then 'Other placements in the community'
            when place in ('K1', 'K2', 'H5', 'K3')
                then 'Secure units, children''s homes and semi-independent living accommodation'
            when place in ('R1', 'R2', 'R3', 'R5') then 'Other residential settings'
            when place = 'S1' then 'Residential schools'
            when place in ('Z1', 'Z11', 'Z12', 'Z13', 'Z14', 'T0', 'T1', 'T2', 'T3', 'T4') then 'Other placements'
            else 'Unknown'
        end as placement,
        case when uasc.child is not null and uasc.duc > people.year_end
            then 'Unaccompanied asylum-seeking children' else 'Non-unaccompanied asylum-seeking children' end as uasc
    from people left join uasc using (la_code, collection_year, child)
)

select la_code, collection_year, measure, 'Total' as breakdown, 'Total' as category, count(*) as number
from described group by all
union all
select la_code, collection_year, measure, 'Age group', age_group, count(*) from described group by all
union all
select la_code, collection_year, measure, 'Gender', gender, count(*) from described group by all
union all
select la_code, collection_year, measure, 'Legal status', legal_status, count(*)
from described where measure <> 'cla_ceased_count' group by all
union all
select la_code, collection_year, measure, 'Placement', placement, count(*)
from described where measure = 'cla_count' group by all
union all
select la_code, collection_year, measure, 'UASC', uasc, count(*) from described where measure = 'cla_count' group by all
union all
-- every return has each measure's total, its short-breaks-only children included: none is a figure, not a gap
select r.la_code, r.collection_year, m.measure, 'Total', 'Total', 0
from returns r
cross join (values ('cla_count'), ('cla_started_count'), ('cla_ceased_count')) as m(measure)
where not exists (
    select 1 from described d
    where d.la_code = r.la_code and d.collection_year = r.collection_year and d.measure = m.measure
)
union all
select r.la_code, r.collection_year, 'cla_short_term_placements_count', 'Total', 'Total', count(s.child)
from returns r
left join short_breaks_only s using (la_code, collection_year)
group by all
