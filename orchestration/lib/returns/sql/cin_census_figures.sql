-- Children in need, counted from every landed CIN census return the way DfE counts them in
-- "Children in need" (formerly "Characteristics of children in need"; EES:
-- https://explore-education-statistics.service.gov.uk/find-statistics/characteristics-of-children-in-need,
-- methodology: https://explore-education-statistics.service.gov.uk/methodology/characteristics-of-children-in-need-methodology).
-- Every landed return at once: one LA's children are never another's (their pseudonyms differ),
-- and every window and group is per LA and collection year. One row per LA, collection year,
-- measure, breakdown and category: the number before suppression (counting.py suppresses what
-- leaves the private area); `is_count` is false for the median, which is not a count of children,
-- and `based_on` the number of assessments it is the median of (suppressed as that count would be).
--
-- The rules, each with where it comes from:
-- * Referrals (referrals_count; EES c1 referral_count): every episode (<CINdetails>) whose
--   CINreferralDate is in the year, 1 April to 31 March, NFA referrals included: "A referral is
--   defined as a request for services to be provided by children's social care" and "a child
--   begins an episode of need when they are referred" (EES release 2020, "Method for counting the
--   number of children in need episodes"). DfE counts referrals, not children, here (c1 has
--   referral_count and referral_child_count apart; the warehouse's indicator is referral_count).
-- * No further action (referrals_nfa_count; c1 no_further_action_count): the year's referrals
--   with ReferralNFA true.
-- * Assessed not in need (assessed_not_in_need_count; c1 not_in_need_count): the year's other
--   referrals whose episode is closed with ReasonForClosure RC8 "Case closed after assessment, no
--   further action" or RC9 "Case closed after assessment, referred to early help" (the census
--   XSDs' labels; RC9 exists from 2022-23). RC9 counts as not in need: the ended-episode table
--   (b6) has no column for either code, only RC1-RC7, so neither closes an episode of need; and
--   when RC9 arrived in 2022-23 (a split of what was RC8) England's c1 not_in_need_percent rose
--   and b1 Started_episodes fell, where counting RC9 as in need would have moved those closures
--   from the one to the other. No DfE wording on RC9 was found.
-- * Episodes of need: every episode but NFA referrals and those assessed not in need. So, on the
--   published tables' own identities, which hold on every LA with unsuppressed figures from
--   2022-23 to 2024-25 (b1 and c1 of the 2025 release): episodes started in the year (b1
--   Started_episodes) = referrals - NFA - not in need; episodes at any point (Anypoint_episodes) =
--   ended in the year (Ended_episodes) + open at 31 March (At31_episodes). Both hold here by
--   construction: the year's referrals split three ways, and an episode of need at some point in
--   the year either closes in it or is open at its end.
-- * Children in need at 31 March (cin_count; b1 At31_episodes, DfE's "children in need at 31
--   March"): episodes of need referred on or before 31 March and not closed by then, as DfE
--   counts them (b1 counts episodes at 31 March; it has no children's column there, since DfE's
--   rules allow a child one open episode, and a return with two is flagged by them). An NFA
--   referral left open in the return is never in need. Breakdowns as in b3 (the open episode's
--   primary need) and a7 (the child's age at 31 March, gender).
-- * Re-referrals (rereferrals_count; c1 rereferral_count, base referral_count): "A re-referral
--   occurs when a child is referred within 12 months of a previous referral" (EES "Children in
--   need: a focus on re-referrals", methodology). A referral in the year is a re-referral when the
--   same child (same pseudonym: the same LA's child id keys the same pseudonym every year) has a
--   referral dated before it and on or after the same calendar date 12 months earlier (DuckDB's
--   `date - interval 12 month`: 15 June 2024 looks back to 15 June 2023 inclusive; 29 February
--   looks back to 28 February). "Previous" referrals are looked for in the same return's
--   episodes (which carry episodes open at 1 April, referred before it) and in the same LA's
--   earlier years' returns, never later ones (so a year's figure does not move when the next
--   return lands); a referral held in two years' returns is one referral, matched by its date.
--   DfE looks back before 1 April too: England's 2024-25 re-referrals (c1 rereferral_count) far
--   exceed its referrals less children referred (referral_count - referral_child_count). `note`
--   says how far back this look-back could see, to the month (no one child's referral date).
-- * Assessments completed (assessments_count; c2 Assessments_completed): assessments whose
--   AssessmentAuthorisationDate is in the year. Their median duration
--   (assessment_duration_median_days; c2 Median_days) is in working days from
--   AssessmentActualStartDate to AssessmentAuthorisationDate, the start day not counted: c2's
--   bands begin with "Started and finished the same day" (0) before "1 to 10 days", and bunch at
--   41-45 days, under the 45 working days Working Together sets for an assessment. A working day
--   is Monday to Friday and not a bank holiday in England (the list below: GOV.UK's
--   https://www.gov.uk/bank-holidays.json for England and Wales, 2012-2025, as cached in
--   govuk-bank-holidays 0.13 (govuk_bank_holidays/bank-holidays.json), and 2026-2027 from
--   csc-validator-be-cin 0.1.13, cin_validator/england_holidates.py, which agrees with it on
--   2022-2025; later dates count weekends only). csc-validator-be-cin's own working-day checks
--   (cin_validator/utils.py, england_working_days: numpy business days over that list, n - 1 so
--   that "the end date" is included) count both ends; DfE's same-day band counts one. A duration
--   below zero (authorised before it started) is left out of the median; DuckDB's median of an
--   even count is the mean of the middle two.
-- * Section 47 enquiries (s47_enquiries_count; c4 Section47): <Section47> blocks whose
--   S47ActualStartDate is in the year: enquiries, not children (c4 has Section47_child apart).
--   Initial child protection conferences (icpc_count; c4 ICPC): the Section47 block's
--   DateOfInitialCPC in the year, so an enquiry started before 1 April with its conference in the
--   year counts as a conference, not as an enquiry.
-- * Their median duration (icpc_duration_median_days; c4 Duration_median, with c4's bands
--   "0-10 days" to "21+ days"): working days from S47ActualStartDate to DateOfInitialCPC for the
--   conferences held in the year, counted as assessments' are (the start day not counted);
--   Working Together sets 15 working days from the strategy discussion, and c4's bands bunch at
--   11-15 (England 2024-25: 52,430 of 72,100). A median is not a count: `based_on` is the number
--   of conferences it is the median of.
-- * Child protection plans started (cpp_started_count; d3 CPP_start, the same as d1 CPP_start,
--   which counts plans: d1 has CPP_child_start apart): plans with CPPstartDate in the year; the
--   second or subsequent (cpp_subsequent_count; d3 CPP_subsequent) are those with
--   NumberOfPreviousCPP of 1 or more. Breakdown by initial category of abuse as in d2.
-- * Children subject to a plan at 31 March (cpp_count; d5 CPP_At31): children with a plan started
--   on or before 31 March and not ended by then (no CPPendDate, or one after 31 March); a plan
--   started before the year and still open counts, one that ended in the year does not. A child
--   counts once. Breakdown by the initial category of abuse of their latest plan, as in d4.
with returns as (
    select la_code, collection_year,
        make_date(collection_year - 1, 4, 1) as year_start, make_date(collection_year, 3, 31) as year_end
    from cin_census_returns
),

episodes as (
    -- one row per episode, with what it is in its return's year
    select e.*, r.year_start, r.year_end,
        e.cinreferraldate between r.year_start and r.year_end as referred_in_year,
        coalesce(e.referralnfa, false) as nfa,
        not coalesce(e.referralnfa, false) and e.cinclosuredate is not null
            and e.reasonforclosure in ('RC8', 'RC9') as not_in_need
    from cin_census_episodes e
    inner join returns r using (la_code, collection_year)
    where e.cinreferraldate is not null
),

of_need as (
    select *,
        cinclosuredate between year_start and year_end and cinreferraldate <= year_end as ended,
        cinreferraldate <= year_end and (cinclosuredate is null or cinclosuredate > year_end) as open_at_end
    from episodes
    where not nfa and not not_in_need
),

in_need_at_end as (
    -- each episode of need open at 31 March, with its child (the <Child> it sits in)
    select o.la_code, o.collection_year, o.lachildid, o.primaryneedcode, c.sex, c.age_at_31_march,
        c.age_at_31_march is null
            and (c.expectedpersonbirthdate is not null or c.personbirthdate > o.year_end) as unborn
    from of_need o
    left join cin_census_children c
        on c.la_code = o.la_code and c.collection_year = o.collection_year and c.child_index = o.child_index
    where o.open_at_end
),

referral_history as (
    -- every referral date each LA's returns hold for a child, with the return holding it
    select distinct la_code, collection_year as held_in, lachildid, cinreferraldate
    from cin_census_episodes
    where cinreferraldate is not null
),

rereferrals as (
    select e.la_code, e.collection_year, count(*) as number
    from episodes e
    where e.referred_in_year and exists (
        select 1 from referral_history h
        where h.la_code = e.la_code and h.lachildid = e.lachildid and h.held_in <= e.collection_year
            and h.cinreferraldate < e.cinreferraldate
            and h.cinreferraldate >= e.cinreferraldate - interval 12 month
    )
    group by all
),

look_back as (
    -- how far back the look-back could see, said by the LA's returns it read (never by a child's
    -- date): this census's own episodes carry referrals made before 1 April for the episodes
    -- open then; the LA's earlier censuses carry the rest
    select r.la_code, r.collection_year,
        'look-back: referrals before 1 April ' || year(r.year_start) || ' as held in this census'
        || case
            when min(e.collection_year) is null then ' (no earlier census of this LA in the inbox)'
            when min(e.collection_year) = max(e.collection_year)
                then ' and the LA''s census for ' || min(e.collection_year)
            else ' and the LA''s censuses for ' || min(e.collection_year) || ' to ' || max(e.collection_year)
        end
        || case when bool_or(h.lachildid is not null) then '' else '; none was found' end as note
    from returns r
    left join cin_census_returns e on e.la_code = r.la_code and e.collection_year < r.collection_year
    left join referral_history h
        on h.la_code = r.la_code and h.held_in <= r.collection_year and h.cinreferraldate < r.year_start
    group by r.la_code, r.collection_year, r.year_start
),

bank_holidays as (
    -- England's bank holidays (sources in the header)
    select unnest([
        '2012-01-02', '2012-04-06', '2012-04-09', '2012-05-07', '2012-06-04', '2012-06-05', '2012-08-27', '2012-12-25', '2012-12-26',
        '2013-01-01', '2013-03-29', '2013-04-01', '2013-05-06', '2013-05-27', '2013-08-26', '2013-12-25', '2013-12-26',
        '2014-01-01', '2014-04-18', '2014-04-21', '2014-05-05', '2014-05-26', '2014-08-25', '2014-12-25', '2014-12-26',
        '2015-01-01', '2015-04-03', '2015-04-06', '2015-05-04', '2015-05-25', '2015-08-31', '2015-12-25', '2015-12-28',
        '2016-01-01', '2016-03-25', '2016-03-28', '2016-05-02', '2016-05-30', '2016-08-29', '2016-12-26', '2016-12-27',
        '2017-01-02', '2017-04-14', '2017-04-17', '2017-05-01', '2017-05-29', '2017-08-28', '2017-12-25', '2017-12-26',
        '2018-01-01', '2018-03-30', '2018-04-02', '2018-05-07', '2018-05-28', '2018-08-27', '2018-12-25', '2018-12-26',
        '2019-01-01', '2019-04-19', '2019-04-22', '2019-05-06', '2019-05-27', '2019-08-26', '2019-12-25', '2019-12-26',
        '2020-01-01', '2020-04-10', '2020-04-13', '2020-05-08', '2020-05-25', '2020-08-31', '2020-12-25', '2020-12-28',
        '2021-01-01', '2021-04-02', '2021-04-05', '2021-05-03', '2021-05-31', '2021-08-30', '2021-12-27', '2021-12-28',
        '2022-01-03', '2022-04-15', '2022-04-18', '2022-05-02', '2022-06-02', '2022-06-03', '2022-08-29', '2022-09-19', '2022-12-26', '2022-12-27',
        '2023-01-02', '2023-04-07', '2023-04-10', '2023-05-01', '2023-05-08', '2023-05-29', '2023-08-28', '2023-12-25', '2023-12-26',
        '2024-01-01', '2024-03-29', '2024-04-01', '2024-05-06', '2024-05-27', '2024-08-26', '2024-12-25', '2024-12-26',
        '2025-01-01', '2025-04-18', '2025-04-21', '2025-05-05', '2025-05-26', '2025-08-25', '2025-12-25', '2025-12-26',
        '2026-01-01', '2026-04-03', '2026-04-06', '2026-05-04', '2026-05-25', '2026-08-31', '2026-12-25', '2026-12-28',
        '2027-01-01', '2027-03-26', '2027-03-29', '2027-05-03', '2027-05-31', '2027-08-30', '2027-12-27', '2027-12-28'
    ]::date[]) as day
),

working_days as (
    -- each date with the number of working days from the calendar's start up to and including it
    select d::date as day,
        sum(case when isodow(d) < 6 and b.day is null then 1 else 0 end) over (order by d) as n
    from range(date '2000-01-01', date '2041-01-01', interval 1 day) as t(d)
    left join bank_holidays b on b.day = d::date
),

assessments as (
    select a.la_code, a.collection_year, ends.n - starts.n as working_days
    from cin_census_assessments a
    inner join returns r using (la_code, collection_year)
    left join working_days starts on starts.day = a.assessmentactualstartdate
    left join working_days ends on ends.day = a.assessmentauthorisationdate
    where a.assessmentauthorisationdate between r.year_start and r.year_end
),

conferences as (
    select s.la_code, s.collection_year, ends.n - starts.n as working_days
    from cin_census_section47 s
    inner join returns r using (la_code, collection_year)
    inner join working_days starts on starts.day = s.s47actualstartdate
    inner join working_days ends on ends.day = s.dateofinitialcpc
    where s.dateofinitialcpc between r.year_start and r.year_end
),

plans as (
    select p.*, r.year_start, r.year_end,
        p.cppstartdate between r.year_start and r.year_end as started_in_year,
        p.cppstartdate <= r.year_end and (p.cppenddate is null or p.cppenddate > r.year_end) as open_at_end,
        case p.initialcategoryofabuse
            when 'NEG' then 'Neglect'
            when 'PHY' then 'Physical abuse'
            when 'SAB' then 'Sexual abuse'
            when 'EMO' then 'Emotional abuse'
            when 'MUL' then 'Multiple'
            else 'Unknown'
        end as initial_category
    from cin_census_cp_plans p
    inner join returns r using (la_code, collection_year)
),

subject_at_end as (
    -- each child subject to a plan at 31 March, described by their latest open plan
    select * from plans where open_at_end
    qualify row_number() over (
        partition by la_code, collection_year, coalesce(lachildid, '#' || child_index)
        order by cppstartdate desc, episode_index desc, plan_index desc
    ) = 1
),

counts as (
    select la_code, collection_year, 'referrals_count' as measure, 'Total' as breakdown, 'Total' as category,
        count(*) as number
    from episodes where referred_in_year group by all
    union all
    select la_code, collection_year, 'referrals_count', 'Source of referral',
        -- c5's groups of the census's ReferralSource codes
        case
            when referralsource in ('1A', '1B', '1C', '1D') then 'Individual'
            when referralsource = '2A' then 'Schools'
            when referralsource = '2B' then 'Education services'
            when referralsource in ('3A', '3B', '3C', '3D', '3E', '3F') then 'Health services'
            when referralsource = '4' then 'Housing'
            when referralsource in ('5A', '5B', '5C', '5D') then 'LA services'
            when referralsource = '6' then 'Police'
            when referralsource = '7' then 'Other legal agency'
            when referralsource = '8' then 'Other'
            when referralsource = '9' then 'Anonymous'
            else 'Unknown'
        end,
        count(*)
    from episodes where referred_in_year group by all
    union all
    select la_code, collection_year, 'referrals_nfa_count', 'Total', 'Total', count(*)
    from episodes where referred_in_year and nfa group by all
    union all
    select la_code, collection_year, 'assessed_not_in_need_count', 'Total', 'Total', count(*)
    from episodes where referred_in_year and not_in_need group by all
    union all
    select la_code, collection_year, 'rereferrals_count', 'Total', 'Total', number from rereferrals
    union all
    select la_code, collection_year, 'cin_episodes_started_count', 'Total', 'Total', count(*)
    from of_need where referred_in_year group by all
    union all
    select la_code, collection_year, 'cin_episodes_ended_count', 'Total', 'Total', count(*)
    from of_need where ended group by all
    union all
    select la_code, collection_year, 'cin_episodes_count', 'Total', 'Total', count(*)
    from of_need where ended or open_at_end group by all
    union all
    select la_code, collection_year, 'cin_count', 'Total', 'Total', count(*) from in_need_at_end group by all
    union all
    select la_code, collection_year, 'cin_count', 'Primary need',
        -- b3's labels
        case primaryneedcode
            when 'N1' then 'Abuse or neglect'
            when 'N2' then 'Child''s disability or illness'
            when 'N3' then 'Parent''s disability or illness'
            when 'N4' then 'Family in acute stress'
            when 'N5' then 'Family dysfunction'
            when 'N6' then 'Socially unacceptable behaviour'
            when 'N7' then 'Low income'
            when 'N8' then 'Absent parenting'
            when 'N9' then 'Cases other than children in need'
            when 'N0' then 'Not stated'
            else 'Unknown'
        end,
        count(*)
    from in_need_at_end group by all
    union all
    select la_code, collection_year, 'cin_count', 'Age group',
        -- a7's groups, by age at 31 March
        case
            when unborn then 'Unborn'
            when age_at_31_march is null then 'Unknown'
            when age_at_31_march < 1 then 'Under 1 year'
            when age_at_31_march <= 4 then '1 to 4 years'
            when age_at_31_march <= 9 then '5 to 9 years'
            when age_at_31_march <= 15 then '10 to 15 years'
            else '16 years and over'
        end,
        count(*)
    from in_need_at_end group by all
    union all
    select la_code, collection_year, 'cin_count', 'Gender',
        case sex when 'M' then 'Male' when 'F' then 'Female' else 'Unknown or Indeterminate gender' end, count(*)
    from in_need_at_end group by all
    union all
    select la_code, collection_year, 'assessments_count', 'Total', 'Total', count(*) from assessments group by all
    union all
    select s.la_code, s.collection_year, 's47_enquiries_count', 'Total', 'Total', count(*)
    from cin_census_section47 s inner join returns r using (la_code, collection_year)
    where s.s47actualstartdate between r.year_start and r.year_end
    group by all
    union all
    select s.la_code, s.collection_year, 'icpc_count', 'Total', 'Total', count(*)
    from cin_census_section47 s inner join returns r using (la_code, collection_year)
    where s.dateofinitialcpc between r.year_start and r.year_end
    group by all
    union all
    select la_code, collection_year, 'cpp_started_count', 'Total', 'Total', count(*)
    from plans where started_in_year group by all
    union all
    select la_code, collection_year, 'cpp_started_count', 'Initial category of abuse', initial_category, count(*)
    from plans where started_in_year group by all
    union all
    select la_code, collection_year, 'cpp_subsequent_count', 'Total', 'Total', count(*)
    from plans where started_in_year and numberofpreviouscpp >= 1 group by all
    union all
    select la_code, collection_year, 'cpp_count', 'Total', 'Total', count(*) from subject_at_end group by all
    union all
    select la_code, collection_year, 'cpp_count', 'Initial category of abuse', initial_category, count(*)
    from subject_at_end group by all
),

totals as (
    -- every return has every count's total: none is a figure, not a gap
    select r.la_code, r.collection_year, m.measure, 'Total' as breakdown, 'Total' as category,
        coalesce(c.number, 0) as number
    from returns r
    cross join (
        values ('referrals_count'), ('referrals_nfa_count'), ('assessed_not_in_need_count'),
            ('rereferrals_count'), ('cin_episodes_started_count'), ('cin_episodes_ended_count'),
            ('cin_episodes_count'), ('cin_count'), ('assessments_count'),
            ('s47_enquiries_count'), ('icpc_count'), ('cpp_started_count'), ('cpp_subsequent_count'),
            ('cpp_count')
    ) as m(measure)
    left join counts c
        on c.la_code = r.la_code and c.collection_year = r.collection_year and c.measure = m.measure
            and c.breakdown = 'Total'
)

select t.la_code, t.collection_year, t.measure, t.breakdown, t.category, t.number::double as number,
    true as is_count, case when t.measure = 'rereferrals_count' then l.note end as note,
    null::bigint as based_on
from totals t
left join look_back l using (la_code, collection_year)
union all
select la_code, collection_year, measure, breakdown, category, number::double, true, null, null
from counts where breakdown <> 'Total'
union all
-- a median of no assessments is no figure: no row
select la_code, collection_year, 'assessment_duration_median_days', 'Total', 'Total',
    median(working_days)::double, false, null, count(*)
from assessments where working_days >= 0 group by all
union all
select la_code, collection_year, 'icpc_duration_median_days', 'Total', 'Total',
    median(working_days)::double, false, null, count(*)
from conferences where working_days >= 0 group by all
