{{ config(
    meta={'dagster': {'ref': {'name': 'fct_la_benchmark'}}},
    fail_calc=fail_naming_rows(['indicator_id', 'time_period', 'quartile_band', 'problem', 'las_in_band',
                                'las_with_value', 'las_banded', 'banded_without_value', 'tied_at_thresholds']),
) }}
-- fct_la_benchmark's quartile bands are LAIT's: per indicator and period (the default model's
-- rows: the bands are the same in both), every LA with a value has a band and none without one
-- has, and the four bands are of near-equal size. Each band holds a quarter of the LAs with a
-- value, give or take one for the interpolated thresholds, and give or take the LAs tied on a
-- value at the band's thresholds (LAIT puts a value equal to a threshold in the band below, so a
-- tie there moves LAs between two bands). At least 2,000 bands are compared: four for each
-- indicator and period with LA values, 551 indicator-years on the mirror (2026-11).
with rows as (
    select indicator_id, time_period, la_code, value, quartile_band,
           band_lower_quartile as q1, band_median as q2, band_upper_quartile as q3
    from {{ ref('fct_la_benchmark') }}
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
),

compared as (
    select s.indicator_id, s.time_period, s.quartile_band, s.las_in_band, p.las_with_value, p.las_banded,
           p.banded_without_value, t.tied_at_thresholds,
           case when p.las_banded <> p.las_with_value or p.banded_without_value > 0 then 1e6
                else abs(s.las_in_band - p.las_with_value / 4.0) - 1 - coalesce(t.tied_at_thresholds, 0)
           end as excess
    from sizes as s
    inner join per_year as p using (indicator_id, time_period)
    left join ties as t using (indicator_id, time_period)
)

select indicator_id, time_period, quartile_band,
       case when excess is null then 'not computed'
            when las_banded <> las_with_value or banded_without_value > 0
                then 'an LA with a value has no band, or one without a value has a band'
            else 'band size is not a quarter of the LAs with a value (give or take one and the ties)' end as problem,
       las_in_band, las_with_value, las_banded, banded_without_value, tied_at_thresholds
from compared
where excess is null or excess > 0

union all

select null, null, null, 'compared only ' || count(*) || ' bands, expected at least 2000', null, null, null, null, null
from compared
having count(*) < 2000
