{{ config(
    meta={'dagster': {'ref': {'name': 'fct_la_benchmark'}}},
    fail_calc=fail_naming_rows(['la_code', 'indicator_id', 'time_period', 'neighbour_model_year', 'problem',
                                'neighbours_with_value', 'expected_neighbours_with_value',
                                'neighbour_mean', 'expected_neighbour_mean']),
) }}
-- Each neighbour mean and count in fct_la_benchmark is the mean and count of the neighbours'
-- latest values in fct_la_indicator. The neighbour set is rebuilt here by another path than the
-- mart's: from dim_statistical_neighbour and dim_local_authority's successor_la_codes (the mart
-- follows bridge_la_lineage), so a join that dropped or doubled a neighbour shows as a difference.
-- Compared for each LA, indicator, period and neighbour model with neighbours that had a value,
-- or that the mart says had one. A neighbour abolished before the period's reporting year stands
-- for its successors; an LA never counts itself. Means agree to 1e-9 (relative); the counts are
-- equal; a row either side lacks, or a mean that cannot be compared, is a failure. At least 1,000
-- indicator, period and model groups are compared: two models x the 551 indicator-years with LA
-- values on the mirror (2026-11); fewer means the comparison matched almost nothing.
with facts as (
    select f.la_code, f.indicator_id, f.time_period, f.value, b.reporting_year
    from {{ ref('fct_la_indicator') }} as f
    inner join (select distinct indicator_id, time_period, reporting_year from {{ ref('fct_la_benchmark') }}) as b
        using (indicator_id, time_period)
    where f.is_latest and f.value is not null
),

-- the LA-indicator-periods the mart compares: every latest row of the fact (a model also
-- lists neighbours for LAs abolished since, which have no rows after they ended)
subjects as (
    select distinct la_code, indicator_id, time_period from {{ ref('fct_la_indicator') }} where is_latest
),

years as (select distinct reporting_year from facts),

successors as (
    select la_code, last_year, trim(unnest(string_split(successor_la_codes, ','))) as successor_la_code
    from {{ ref('dim_local_authority') }}
    where successor_la_codes is not null
),

standing_in as (
    select distinct sn.model_year, sn.la_code, years.reporting_year,
           coalesce(successors.successor_la_code, sn.neighbour_la_code) as neighbour_la_code
    from {{ ref('dim_statistical_neighbour') }} as sn
    cross join years
    left join successors
        on successors.la_code = sn.neighbour_la_code and successors.last_year < years.reporting_year
),

expected as (
    select s.model_year, s.la_code, facts.indicator_id, facts.time_period,
           count(*) as neighbours_with_value, avg(facts.value) as neighbour_mean
    from standing_in as s
    inner join facts on facts.la_code = s.neighbour_la_code and facts.reporting_year = s.reporting_year
    where s.neighbour_la_code <> s.la_code
    group by all
),

compared as (
    select coalesce(b.la_code, e.la_code) as la_code, coalesce(b.indicator_id, e.indicator_id) as indicator_id,
           coalesce(b.time_period, e.time_period) as time_period,
           coalesce(b.neighbour_model_year, e.model_year) as neighbour_model_year,
           b.neighbours_with_value, e.neighbours_with_value as expected_neighbours_with_value,
           b.neighbour_mean, e.neighbour_mean as expected_neighbour_mean,
           case when coalesce(b.neighbours_with_value, 0) <> coalesce(e.neighbours_with_value, 0) then 1
                else abs(b.neighbour_mean - e.neighbour_mean) - 1e-9 * greatest(1, abs(e.neighbour_mean))
           end as excess
    from {{ ref('fct_la_benchmark') }} as b
    full join (select * from expected semi join subjects using (la_code, indicator_id, time_period)) as e
        on e.model_year = b.neighbour_model_year and e.la_code = b.la_code
        and e.indicator_id = b.indicator_id and e.time_period = b.time_period
    where b.neighbours_with_value > 0 or e.neighbours_with_value > 0
)

select la_code, indicator_id, time_period, neighbour_model_year,
       case when excess is null then 'not computed: a mean is missing on one side'
            when coalesce(neighbours_with_value, 0) <> coalesce(expected_neighbours_with_value, 0)
                then 'neighbour count differs'
            else 'neighbour mean differs by more than 1e-9 (relative)' end as problem,
       neighbours_with_value, expected_neighbours_with_value, neighbour_mean, expected_neighbour_mean
from compared
where excess is null or excess > 0

union all

select null, null, null, null,
       'compared only ' || count(*) || ' indicator, period and model groups, expected at least 1000',
       null, null, null, null
from (select distinct indicator_id, time_period, neighbour_model_year from compared)
having count(*) < 1000
