"""Projections on the real mirror: a `csc refresh` publishes the four projection marts, every
forecast rests only on what was published by its origin (or says it does not), the naive forecast
is the last value published before the origin, LA projections add up to England, and the method
published for each indicator is the one its record on origins up to 2021 picks. Reads this
module's copy of the session's published warehouse and changes nothing in it."""

import duckdb
import polars as pl
import pytest

from orchestration.lib.projections import backtest, history
from tests.support.published import query

pytestmark = pytest.mark.e2e

BIRMINGHAM = "E08000025"


def test_the_naive_forecast_is_the_last_value_published_before_the_origin(published):
    # what 1 February 2025 saw of Birmingham's children looked after at 31 March 2024: the ees_2024 file
    # (published in November 2024) prints 2,300
    (seen,) = query(
        published,
        "select value, release, is_fallback from marts.fct_projection_input where indicator_id = 'cla_count' "
        "and area_code = ? and origin_year = 2025 and time_period = 2024",
        (BIRMINGHAM,),
    )
    assert seen == (2300.0, "ees_2024", False)
    rows = query(
        published,
        "select horizon, point, is_as_published, actual_first, actual_first_release from "
        "marts.fct_projection_backtest where indicator_id = 'cla_count' and area_code = ? and method = 'naive' "
        "and origin_year = 2025 order by horizon",
        (BIRMINGHAM,),
    )
    # and the year after, as ees_2025 first printed it: 2,317
    assert rows[0] == (1, 2300.0, True, 2317.0, "ees_2025")
    # every naive forecast of every LA is its last value seen at the origin
    ((forecasts, matching),) = query(
        published,
        "with last as (select indicator_id, area_code, origin_year, arg_max(value, time_period) as value "
        "from marts.fct_projection_input where area_level = 'la' group by all) "
        "select count(*), count(*) filter (where b.point = l.value) from marts.fct_projection_backtest as b "
        "left join last as l using (indicator_id, area_code, origin_year) "
        "where b.method = 'naive' and b.area_level = 'la'",
    )
    assert forecasts > 10_000 and matching == forecasts


def test_an_origin_the_bundle_cannot_serve_as_published_falls_back_and_is_scored_apart(published):
    # no CLA release of 2018-2021 is in the mirror: on 1 February 2020, 2019 comes from ees_2022 (1,944)
    assert query(
        published,
        "select distinct point, is_as_published from marts.fct_projection_backtest where indicator_id = 'cla_count' "
        "and area_code = ? and method = 'naive' and origin_year = 2020",
        (BIRMINGHAM,),
    ) == [(1944.0, False)]
    fallback = dict(
        query(
            published,
            "select indicator_id || ' ' || origin_year, bool_or(is_fallback) from marts.fct_projection_input "
            "where area_level = 'la' group by all",
        )
    )
    assert all(fallback[f"cla_count {y}"] for y in (2019, 2020, 2021, 2022))
    assert not any(fallback[f"cla_count {y}"] for y in (2023, 2025))
    assert not any(fallback[f"{i} {y}"] for i in ("cin_count", "cpp_count") for y in (2023, 2024, 2025))
    # the first CIN release in the mirror is 2022's: every earlier origin borrows it
    assert all(fallback[f"cin_count {y}"] for y in range(2014, 2023))
    # and nothing was seen before it was published unless marked so (the gate's rule, read again)
    assert query(
        published,
        "select count(*) from marts.fct_projection_input where published_on > origin_date and not is_fallback",
    ) == [(0,)]


def test_projections_from_the_newest_origin_add_up_and_carry_intervals(published):
    (origin,) = query(published, "select distinct origin_year from marts.fct_projection")
    # the newest release of a projected series is 2025's (published in the winter of 2025)
    assert origin == (2026,)
    rows = query(
        published,
        "select horizon, point, lo_95, lo_80, hi_80, hi_95, last_value from marts.fct_projection "
        "where indicator_id = 'cla_count' and area_code = ? and is_chosen order by horizon",
        (BIRMINGHAM,),
    )
    assert [r[0] for r in rows] == [1, 2, 3] and rows[0][6] == 2317.0  # cla/ees_2025: 2,317 at 31 March 2025
    assert all(lo95 <= lo80 <= point <= hi80 <= hi95 for _, point, lo95, lo80, hi80, hi95, _ in rows)
    ((las, england, unallocated),) = query(
        published,
        "select sum(point) filter (where area_level = 'la'), sum(point) filter (where area_level = 'england'), "
        "sum(unallocated) filter (where area_level = 'england') "
        "from marts.fct_projection where indicator_id = 'cla_count' and is_chosen and horizon = 1",
    )
    assert england == pytest.approx(las + unallocated) and abs(unallocated) < 0.01 * england
    # England's naive projection is its own last figure: ees_2025 prints 81,770 at 31 March 2025
    assert query(
        published,
        "select distinct point from marts.fct_projection where indicator_id = 'cla_count' "
        "and area_level = 'england' and method = 'naive'",
    ) == [(81770.0,)]
    rates = query(
        published,
        "select count(*) from marts.fct_projection where indicator_id = 'cla_rate_per_10k' and is_chosen",
    )
    assert rates[0][0] >= 150 * 3


def test_the_published_method_is_the_one_its_record_up_to_2021_picks(published):
    with duckdb.connect(str(published / "csc.duckdb"), read_only=True) as con:
        accuracy = pl.from_arrow(con.sql("select * from marts.mart_projection_accuracy").to_arrow_table())
    chosen = {k: v for k, v in backtest.CHOSEN.items() if k != "csc_spend_total_gbp"}
    assert backtest.choose(accuracy) == chosen
    # the selection sample is every scored forecast from an origin before 2022 of a year before 2022
    (selection,) = query(
        published,
        "select n_forecasts from marts.mart_projection_accuracy where sample = 'selection' and inputs = 'all' "
        "and area_level = 'la' and against = 'first' and horizon = 0 and method = 'naive' and indicator_id = 'cla_count'",
    )
    assert [selection] == query(
        published,
        "select count(*) from marts.fct_projection_backtest where indicator_id = 'cla_count' and method = 'naive' "
        "and area_level = 'la' and origin_year < 2022 and time_period < 2022 and actual_first is not null",
    )
    # the held-out record is there for every method of every count, and says which is chosen
    held_out = query(
        published,
        "select indicator_id, count(distinct method), bool_or(is_chosen) from marts.mart_projection_accuracy "
        "where sample = 'held_out' and area_level = 'la' and horizon = 1 and inputs = 'all' group by 1",
    )
    # the child population comes from one vintage published after every origin: a method resting on it
    # is never scored as published
    assert query(
        published,
        "select count(*) from marts.mart_projection_accuracy where inputs = 'as_published' and method in "
        f"{history.USES_POPULATION}",
    ) == [(0,)]
    assert {(i, n, chosen) for i, n, chosen in held_out if i != "csc_spend_total_gbp"} == {
        ("cla_count", 10, True),
        ("cin_count", 9, True),
        ("cpp_count", 9, True),
    }
