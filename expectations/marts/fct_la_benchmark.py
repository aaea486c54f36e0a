"""Reconciliations on marts.fct_la_benchmark: its neighbour means are the means of the
neighbours' values in the fact, and its quartile bands are LAIT's (one band per LA with a
value, four bands of near-equal size).

The neighbour set is rebuilt here by another path than the mart's: from
dim_statistical_neighbour and dim_local_authority's successor_la_codes (the mart follows
bridge_la_lineage), so a join that dropped or doubled a neighbour shows as a difference.
"""

from __future__ import annotations

from orchestration.lib.quality import rules
from orchestration.lib.quality.suites import SuiteSpec

ASSET = ("marts", "fct_la_benchmark")

# Compared for each LA, indicator, period and neighbour model with neighbours that had a value,
# or that the mart says had one; gated per indicator, period and model. A neighbour abolished
# before the period's reporting year stands for its successors; an LA never counts itself.
# Means agree to 1e-9 (relative); the counts must be equal.
NEIGHBOUR_MEANS = """
    with facts as (
        select f.la_code, f.indicator_id, f.time_period, f.value, b.reporting_year
        from marts.fct_la_indicator as f
        inner join (select distinct indicator_id, time_period, reporting_year from marts.fct_la_benchmark) as b
            using (indicator_id, time_period)
        where f.is_latest and f.value is not null
    ),
    -- the LA-indicator-periods the mart compares: every latest row of the fact (a model also
    -- lists neighbours for LAs abolished since, which have no rows after they ended)
    subjects as (
        select distinct la_code, indicator_id, time_period from marts.fct_la_indicator where is_latest
    ),
    years as (select distinct reporting_year from facts),
    successors as (
        select la_code, last_year, trim(unnest(string_split(successor_la_codes, ','))) as successor_la_code
        from marts.dim_local_authority
        where successor_la_codes is not null
    ),
    standing_in as (
        select distinct sn.model_year, sn.la_code, years.reporting_year,
               coalesce(successors.successor_la_code, sn.neighbour_la_code) as neighbour_la_code
        from marts.dim_statistical_neighbour as sn
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
    )
    , compared as (
    select coalesce(b.la_code, e.la_code) as la_code, coalesce(b.indicator_id, e.indicator_id) as indicator_id,
           coalesce(b.time_period, e.time_period) as time_period,
           coalesce(b.neighbour_model_year, e.model_year) as neighbour_model_year,
           b.neighbours_with_value, e.neighbours_with_value as expected_neighbours_with_value,
           b.neighbour_mean, e.neighbour_mean as expected_neighbour_mean,
           case when coalesce(b.neighbours_with_value, 0) <> coalesce(e.neighbours_with_value, 0) then 1
                else abs(b.neighbour_mean - e.neighbour_mean) - 1e-9 * greatest(1, abs(e.neighbour_mean))
           end as excess
    from marts.fct_la_benchmark as b
    full join (select * from expected semi join subjects using (la_code, indicator_id, time_period)) as e
        on e.model_year = b.neighbour_model_year and e.la_code = b.la_code
        and e.indicator_id = b.indicator_id and e.time_period = b.time_period
    where b.neighbours_with_value > 0 or e.neighbours_with_value > 0
    )
    -- one row per indicator, period and model (GX reads a few thousand rows, not every LA's),
    -- naming the LA furthest out
    select indicator_id, time_period, neighbour_model_year, count(*) as las_compared,
           arg_max(la_code, coalesce(excess, 1e9)) as la_code,
           case when count(excess) < count(*) then null else max(excess) end as excess
    from compared
    group by all
    order by indicator_id, time_period, neighbour_model_year
"""

# Per indicator and period (the default model's rows: the bands are the same in both), every LA
# with a value has a band and none without one has. Four bands of near-equal size: each band
# holds a quarter of the LAs with a value, give or take one for the interpolated thresholds, and
# give or take the LAs tied on a value at the band's thresholds (LAIT puts a value equal to a
# threshold in the band below, so a tie there moves LAs between two bands).
BANDS = """
    with rows as (
        select indicator_id, time_period, la_code, value, quartile_band,
               band_lower_quartile as q1, band_median as q2, band_upper_quartile as q3
        from marts.fct_la_benchmark
        where is_default_model
    ),
    per_year as (
        select indicator_id, time_period,
               count(value) as las_with_value,
               count(quartile_band) filter (where value is not null) as las_banded,
               count(quartile_band) filter (where value is null) as banded_without_value,
               any_value(q1) as q1, any_value(q2) as q2, any_value(q3) as q3
        from rows group by all
    ),
    sizes as (
        select p.indicator_id, p.time_period, band.quartile_band,
               count(r.la_code) as las_in_band
        from per_year as p
        cross join (select unnest(['A', 'B', 'C', 'D']) as quartile_band) as band
        left join rows as r
            on r.indicator_id = p.indicator_id and r.time_period = p.time_period and r.quartile_band = band.quartile_band
        where p.las_with_value > 0
        group by all
    ),
    ties as (
        select p.indicator_id, p.time_period,
               count(*) filter (where r.value in (p.q1, p.q2, p.q3)) as tied_at_thresholds
        from per_year as p
        inner join rows as r using (indicator_id, time_period)
        group by all
    )
    select s.indicator_id, s.time_period, p.las_with_value, p.las_banded, p.banded_without_value,
           s.quartile_band, s.las_in_band, t.tied_at_thresholds,
           p.las_with_value / 4.0 as quarter,
           case when p.las_banded <> p.las_with_value or p.banded_without_value > 0 then 1e6
                else abs(s.las_in_band - p.las_with_value / 4.0) - 1 - coalesce(t.tied_at_thresholds, 0)
           end as excess
    from sizes as s
    inner join per_year as p using (indicator_id, time_period)
    left join ties as t using (indicator_id, time_period)
    order by s.indicator_id, s.time_period, s.quartile_band
"""


def suites() -> list[SuiteSpec]:
    return [
        SuiteSpec(
            name="fct_la_benchmark__neighbour_means",
            asset=ASSET,
            description="Each neighbour mean and count equals the mean and count of the neighbours' values in fct_la_indicator.",
            query=NEIGHBOUR_MEANS,
            expectations=lambda: rules.within_tolerance(
                1000,
                "one per indicator, period and neighbour model with a neighbour value: two models x the "
                "551 indicator-years with LA values on the mirror (2026-11)",
            ),
        ),
        SuiteSpec(
            name="fct_la_benchmark__quartile_bands",
            asset=ASSET,
            description="Each indicator and period has one band per LA with a value, and four bands of near-equal size.",
            query=BANDS,
            expectations=lambda: rules.within_tolerance(
                4 * 500,
                "four bands for each indicator and period with LA values: 551 indicator-years on the mirror (2026-11)",
            ),
        ),
    ]
