"""Projections on hand-built vintages: what an origin may see, the scores, the sums, and the gate
that refuses a forecast which saw the future."""

from __future__ import annotations

import math
from datetime import date

import duckdb
import numpy as np
import polars as pl
import pytest

from expectations.marts import fct_projection_input
from orchestration.lib.projections import backtest, history, methods, population, reconcile, scoring, tables, vintages
from orchestration.lib.quality.runner import run_suite


def vintage_rows(rows: list[tuple]) -> pl.DataFrame:
    """(indicator, area, period, value, release, published) -> the frame read_vintages returns."""
    return pl.DataFrame(
        [
            {
                "indicator_id": ind,
                "period_type": "mid_year_30_june" if ind == vintages.POPULATION else "reporting_year_31_march",
                "area_level": "la",
                "area_code": area,
                "time_period": period,
                "value": float(value),
                "release": release,
                "published_on": published,
            }
            for ind, area, period, value, release, published in rows
        ]
    )


def test_an_origin_sees_the_latest_vintage_published_by_then_and_not_a_revision_after_it():
    rows = vintage_rows(
        [
            ("cla_count", "E1", 2021, 100, "r2021", date(2021, 11, 18)),
            ("cla_count", "E1", 2021, 130, "r2022", date(2022, 11, 17)),  # revised after the 2022 origin
            ("cla_count", "E1", 2022, 120, "r2022", date(2022, 11, 17)),
            ("cla_count", "E1", 2022, 125, "r2023", date(2023, 12, 14)),
            ("cla_count", "E1", 2023, 140, "r2023", date(2023, 12, 14)),
        ]
    )
    seen = vintages.as_of(rows, 2022).sort("time_period")
    assert seen.select("time_period", "value", "release", "is_fallback").rows() == [(2021, 100.0, "r2021", False)]
    seen = vintages.as_of(rows, 2023).sort("time_period")
    # 2021 as revised by the release published before 1 February 2023; 2022 as first published
    assert seen.select("time_period", "value", "release").rows() == [(2021, 130.0, "r2022"), (2022, 120.0, "r2022")]
    assert seen["origin_date"].unique().to_list() == [date(2023, 2, 1)]


def test_a_year_no_vintage_before_the_origin_holds_falls_back_to_the_first_later_one_and_says_so():
    rows = vintage_rows(
        [
            ("cin_count", "E1", 2019, 50, "r2022", date(2022, 10, 27)),
            ("cin_count", "E1", 2019, 55, "r2023", date(2023, 10, 26)),
            ("cin_count", "E1", 2020, 60, "r2022", date(2022, 10, 27)),
            ("cin_count", "E1", 2021, 70, "r2022", date(2022, 10, 27)),
        ]
    )
    seen = vintages.as_of(rows, 2021).sort("time_period")
    # due by 1 February 2021: 2019 and 2020, each from the first vintage that holds it, marked
    assert seen.select("time_period", "value", "release", "is_fallback").rows() == [
        (2019, 50.0, "r2022", True),
        (2020, 60.0, "r2022", True),
    ]


def test_a_mid_year_population_is_due_two_years_before_the_origin():
    rows = vintage_rows([(vintages.POPULATION, "E1", y, 1000 + y, "mye", date(2020, 6, 1)) for y in (2017, 2018, 2019)])
    assert vintages.as_of(rows, 2020)["time_period"].sort().to_list() == [2017, 2018]


def test_the_outcome_is_the_first_published_figure_and_the_latest():
    rows = vintage_rows(
        [
            ("cla_count", "E1", 2022, 120, "r2022", date(2022, 11, 17)),
            ("cla_count", "E1", 2022, 125, "r2023", date(2023, 12, 14)),
            ("cla_count", "E1", 2022, 124, "r2024", date(2024, 11, 14)),
        ]
    )
    (row,) = vintages.actuals(rows).to_dicts()
    assert (row["actual_first"], row["actual_first_release"], row["actual_latest"], row["actual_latest_release"]) == (
        120.0,
        "r2022",
        124.0,
        "r2024",
    )


def one_forecast(point: float, lo80: float, hi80: float, lo95: float, hi95: float, actual: float) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "uid": ["s"],
            "method": ["m"],
            "indicator_id": ["cla_count"],
            "area_level": ["la"],
            "area_code": ["E1"],
            "origin_year": [2021],
            "horizon": [1],
            "time_period": [2021],
            "point": [point],
            "lo_80": [lo80],
            "hi_80": [hi80],
            "lo_95": [lo95],
            "hi_95": [hi95],
            "actual_first": [actual],
            "scale": [2.0],  # as history.scales gives for a series of three years or more
        }
    )


def test_mase_is_the_error_over_the_mean_yearly_change_its_origin_saw_and_coverage_counts_the_interval():
    train = pl.DataFrame({"uid": ["s"] * 5, "ds": [2016, 2017, 2018, 2019, 2020], "y": [10.0, 12, 11, 15, 14]})
    scored = scoring.per_forecast(one_forecast(14, 13, 15.5, 12, 17, actual=16), train, "first")
    (row,) = scored.to_dicts()
    # |14 - 16| over the mean of |2|, |-1|, |4|, |-1| = 2
    assert row["scaled_error"] == pytest.approx(1.0)
    assert (row["abs_error"], row["error"]) == (2.0, -2.0)
    assert (row["covered_80"], row["covered_95"]) == (0.0, 1.0)


def test_a_forecast_without_an_interval_has_no_coverage_rather_than_a_miss():
    train = pl.DataFrame({"uid": ["s"] * 3, "ds": [2018, 2019, 2020], "y": [10.0, 12, 14]})
    nan = math.nan
    (row,) = scoring.per_forecast(one_forecast(14, nan, nan, nan, nan, actual=14), train, "first").to_dicts()
    assert row["covered_80"] is None and row["covered_95"] is None and row["scaled_error"] == 0.0


def test_diebold_mariano_with_the_small_sample_correction_matches_the_textbook_at_one_year():
    from statsmodels.tsa.stattools import diebold_mariano_test

    rng = np.random.default_rng(3)
    y = rng.normal(size=12)
    a, b = y + rng.normal(size=12), y + 1.4 * rng.normal(size=12)
    ours = scoring.dm_test(np.abs(y - a) - np.abs(y - b), horizon=1)
    theirs = diebold_mariano_test(y, a, b, criterion="mae", harvey_adj=True, horizon=1, lags=0)
    assert ours[0] == pytest.approx(float(theirs.statistic), rel=1e-9)
    assert ours[1] == pytest.approx(float(theirs.pvalue), rel=1e-6)
    assert all(math.isnan(v) for v in scoring.dm_test(np.array([0.1, 0.2, 0.3]), horizon=1))  # too few origins
    # three-year forecasts need eight origins: with three the correction factor is zero
    assert all(math.isnan(v) for v in scoring.dm_test(np.array([0.1, 0.5, 0.2, 0.4, 0.3, 0.2, 0.6]), horizon=3))


def test_diebold_mariano_at_two_years_counts_one_autocovariance():
    d = np.array([0.5, -0.2, 0.3, 0.9, 0.1, 0.4, -0.1, 0.6])
    t, mean = d.size, d.mean()
    c = d - mean
    gamma0, gamma1 = c @ c / t, c[1:] @ c[:-1] / t
    dm = mean / math.sqrt((gamma0 + 2 * gamma1) / t)
    hln = dm * math.sqrt((t + 1 - 4 + 2 / t) / t)  # h = 2
    statistic, p = scoring.dm_test(d, horizon=2)
    assert statistic == pytest.approx(hln) and p == pytest.approx(2 * (1 - __import__("scipy").stats.t.cdf(hln, t - 1)))


def test_las_keep_their_forecasts_and_regions_and_england_are_their_sums_and_what_no_la_covers():
    region_of = {"A": "R1", "B": "R1", "C": "R2"}

    def row(level, code, point, half95, last=None):
        return {
            "last_value": point if last is None else last,
            "indicator_id": "cla_count",
            "origin_year": 2024,
            "method": "naive",
            "horizon": 1,
            "area_level": level,
            "area_code": code,
            "point": point,
            "lo_80": point - half95 * 0.6539,
            "hi_80": point + half95 * 0.6539,
            "lo_95": point - half95,
            "hi_95": point + half95,
        }

    base = pl.DataFrame(
        [
            row("la", "A", 100.0, 19.6),
            row("la", "B", 50.0, 19.6),
            row("la", "C", 30.0, 39.2),
            # its own forecast disagrees with the LAs'; its newest figure is 10 more than theirs
            row("england", vintages.ENGLAND, 200.0, 40.0, last=190.0),
        ]
    )
    out = {r["area_code"]: r for r in reconcile.reconcile_forecasts(base, region_of).to_dicts()}
    assert out["A"]["point"] == 100.0 and out["C"]["hi_95"] == pytest.approx(69.2)
    assert out["R1"]["point"] == 150.0 and out["R2"]["point"] == 30.0
    # England is its LAs' 180 and the 10 of its newest figure that no LA forecast covers
    assert (out[vintages.ENGLAND]["point"], out[vintages.ENGLAND]["unallocated"]) == (190.0, 10.0)
    assert out["R1"]["unallocated"] == 0.0 and out["A"]["unallocated"] is None
    # England keeps its own relative width (40 of 200) around the sum
    assert out[vintages.ENGLAND]["hi_95"] == pytest.approx(190 * 240 / 200)
    # R1 has no forecast of its own: its LAs' variances add (sigma 10 each)
    assert out["R1"]["hi_95"] - 150 == pytest.approx(reconcile.Z[95] * math.sqrt(200), rel=1e-3)


def gate_db(rows: list[tuple], read_by: date, as_published: bool = True) -> duckdb.DuckDBPyConnection:
    """A work database with ``rows`` of inputs for one LA and one forecast from origin 2023 that
    says it read nothing newer than ``read_by``."""
    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute(tables.INPUT.ddl())
    con.execute(tables.BACKTEST.ddl())
    con.executemany(
        "insert into marts.fct_projection_input values ('cla_count', 'la', 'E1', ?, ?, ?, 1.0, ?, ?, ?)", rows
    )
    con.execute(
        "insert into marts.fct_projection_backtest (indicator_id, area_level, area_code, origin_year, origin_date, "
        "method, inputs_published_by, is_as_published) values ('cla_count', 'la', 'E1', 2023, '2023-02-01', 'naive', ?, ?)",
        [read_by, as_published],
    )
    return con


def test_the_no_look_ahead_gate_fails_on_a_leaked_row_and_names_its_release():
    no_look_ahead, as_published = fct_projection_input.suites()
    good = [(2023, date(2023, 2, 1), 2022, "ees_2022", date(2022, 11, 17), False)]
    with gate_db(good, date(2022, 11, 17)) as con:
        assert run_suite(con, no_look_ahead).success and run_suite(con, as_published).success
    leaked = [*good, (2023, date(2023, 2, 1), 2021, "ees_2023", date(2023, 12, 14), False)]
    with gate_db(leaked, date(2023, 12, 14), as_published=False) as con:
        outcome = run_suite(con, no_look_ahead)
    assert not outcome.success
    assert "ees_2023" in " ".join(outcome.failures)
    # marked as a fallback, the later vintage is allowed; a forecast that read it is not as published
    fallback = [*good, (2023, date(2023, 2, 1), 2021, "ees_2023", date(2023, 12, 14), True)]
    with gate_db(fallback, date(2023, 12, 14), as_published=False) as con:
        assert run_suite(con, no_look_ahead).success and run_suite(con, as_published).success
    # ... and one that says it is, or says it read only the older vintage, fails
    with gate_db(fallback, date(2023, 12, 14), as_published=True) as con:
        assert not run_suite(con, as_published).success
    with gate_db(fallback, date(2022, 11, 17), as_published=True) as con:
        assert not run_suite(con, as_published).success


def synthetic_vintages() -> pl.DataFrame:
    """Six LAs in two regions, a release a year published each November, one period each, from
    2010; populations published once, late (every population input is a fallback)."""
    rows = []
    rng = np.random.default_rng(7)
    for i in range(6):
        level = 100.0 + 20 * i
        for year in range(2010, 2025):
            level = max(5.0, level + rng.normal(2, 6))
            rows.append(("cla_count", f"E{i}", year, round(level), f"r{year}", date(year, 11, 20)))
            rows.append(("cla_started_count", f"E{i}", year, 30 + i, f"r{year}", date(year, 11, 20)))
            rows.append(("cla_ceased_count", f"E{i}", year, 28 + i, f"r{year}", date(year, 11, 20)))
            rows.append((vintages.POPULATION, f"E{i}", year, 40000 + 1000 * i, "mye", date(2025, 7, 1)))
    return vintage_rows(rows)


def test_the_backtest_projects_every_method_and_its_naive_forecast_is_the_last_value_published_before_the_origin():
    frame = synthetic_vintages()
    region_of = {f"E{i}": ("R1" if i < 3 else "R2") for i in range(6)}
    result = backtest.run(frame, region_of, {})
    assert result.projection_origin == 2025
    naive = result.backtest.filter((pl.col("method") == "naive") & (pl.col("area_level") == "la"))
    seen = frame.filter(pl.col("indicator_id") == "cla_count").select(
        "area_code", origin_year=pl.col("time_period") + 1, last="value"
    )
    joined = naive.join(seen, on=["area_code", "origin_year"])
    assert joined.height == naive.height > 0 and (joined["point"] == joined["last"]).all()
    # every method ran itself somewhere; those resting on the late population are never scored as published
    ran = result.backtest.filter(pl.col("method_run") == pl.col("method"))
    assert set(ran["method"].unique()) == set(methods.METHODS)
    population_methods = result.backtest.filter(pl.col("method").is_in(history.USES_POPULATION))
    assert not population_methods["is_as_published"].any()
    assert result.backtest.filter(pl.col("method") == "naive")["is_as_published"].all()
    # England is the sum of the LAs at every origin, method and horizon (no England series: nothing unallocated)
    sums = (
        result.backtest.filter(pl.col("area_level") == "la")
        .group_by("origin_year", "method", "horizon")
        .agg(pl.col("point").sum().alias("las"))
        .join(result.backtest.filter(pl.col("area_level") == "england"), on=["origin_year", "method", "horizon"])
    )
    assert sums.height and np.allclose(sums["las"], sums["point"])
    # the choice rule reads only the selection sample: origins and outcomes before 2022
    assert set(result.accuracy.filter(pl.col("sample") == "selection")["n_origins"]) <= set(range(1, 10))
    assert backtest.choose(result.accuracy).keys() == {"cla_count"}


def test_a_late_la_makes_its_pool_and_its_region_not_as_published_but_not_its_neighbours_own_forecasts():
    frame = synthetic_vintages()
    # E5's 2019 figure came out only in 2021: on 1 February 2020 it is a fallback
    late = (pl.col("area_code") == "E5") & (pl.col("time_period") == 2019) & (pl.col("indicator_id") == "cla_count")
    frame = frame.with_columns(published_on=pl.when(late).then(pl.lit(date(2021, 3, 1))).otherwise("published_on"))
    region_of = {f"E{i}": ("R1" if i < 3 else "R2") for i in range(6)}
    result = backtest.run(frame, region_of, {"R1": "One", "R2": "Two"})
    at_2020 = result.backtest.filter((pl.col("origin_year") == 2020) & (pl.col("horizon") == 1))
    flag = {(r["method"], r["area_code"]): r["is_as_published"] for r in at_2020.iter_rows(named=True)}
    assert flag[("naive", "E0")] and not flag[("naive", "E5")]
    assert not flag[("pooled_growth", "E0")]  # its growth rate reads E5 too
    assert flag[("naive", "R1")] and not flag[("naive", "R2")] and not flag[("naive", vintages.ENGLAND)]
    read = at_2020.filter((pl.col("method") == "pooled_growth") & (pl.col("area_code") == "E0"))["inputs_published_by"]
    assert read.to_list() == [date(2021, 3, 1)]


def test_a_late_release_projects_from_the_newest_year_it_holds():
    # a revision published after the last release adds no year: on 1 February 2026 the newest year is
    # still 2024, so the projection runs 2025-2027 from it rather than finding nothing due
    frame = synthetic_vintages()
    revision = frame.filter(pl.col("release") == "r2024").with_columns(
        release=pl.lit("r2024_revised"), published_on=pl.lit(date(2025, 12, 1))
    )
    result = backtest.run(pl.concat([frame, revision]), {f"E{i}": "R1" for i in range(6)}, {})
    assert result.projection_origin == 2026
    naive = result.projection.filter((pl.col("method") == "naive") & (pl.col("area_code") == "E0"))
    assert naive.sort("horizon").select("time_period", "last_period").rows() == [
        (2025, 2024),
        (2026, 2024),
        (2027, 2024),
    ]


def test_cached_quantiles_give_statsforecast_the_same_intervals():
    import pandas as pd
    from statsforecast import StatsForecast
    from statsforecast.models import AutoETS, Naive, Theta

    from orchestration.lib.projections.statsforecast_internals import cached_quantiles

    y = [100.0, 104, 103, 110, 115, 113, 120, 126, 125, 131, 135]
    df = pd.DataFrame({"unique_id": "a", "ds": range(2010, 2010 + len(y)), "y": y})
    models = [Naive(), AutoETS(model="AAN", damped=True), Theta()]
    plain = StatsForecast(models=models, freq=1).forecast(df=df, h=3, level=[80, 95])
    with cached_quantiles():
        cached = StatsForecast(models=models, freq=1).forecast(df=df, h=3, level=[80, 95])
    pd.testing.assert_frame_equal(plain, cached)
    from statsforecast import utils

    assert utils._quantiles.__module__ == "statsforecast.utils"  # put back afterwards


def test_the_linear_trend_continues_a_straight_line_with_student_t_intervals():
    (h1, h2, _) = methods.linear_trend(np.array([1.0, 2, 3, 10, 12, 14, 16, 18]))  # the last five: slope 2
    assert h1[0] == pytest.approx(20.0) and h2[0] == pytest.approx(22.0)
    assert h1[1:] == pytest.approx((20.0, 20.0, 20.0, 20.0))  # a perfect fit: no width
    point, lo80, hi80, lo95, hi95 = methods.linear_trend(np.array([10.0, 13, 14, 17, 18]))[0]
    resid = np.array([10.0, 13, 14, 17, 18]) - (2 * np.arange(5) + 10.4)
    se = math.sqrt(resid @ resid / 3) * math.sqrt(1 + 1 / 5 + (5 - 2) ** 2 / 10)
    assert point == pytest.approx(20.4) and hi95 - point == pytest.approx(3.182446 * se, rel=1e-5)
    assert lo80 < point < hi80 and lo95 < lo80


def test_stock_flow_moves_the_stock_by_starts_over_the_population_and_ceased_over_the_opening_stock():
    stock = np.array([100.0, 100, 100, 100])
    starts = np.array([0.0, 10, 10, 10])  # 10 a year into a population of 1,000: 1%
    ceased = np.array([0.0, 10, 10, 10])  # 10 of an opening 100: 10%
    population = [1000.0] * 4 + [2000.0, 2000.0, 2000.0]  # the population doubles ahead
    h1, h2, _ = methods.stock_flow(stock, starts, ceased, population)
    assert h1 == pytest.approx(100 + 0.01 * 2000 - 0.1 * 100)
    assert h2 == pytest.approx(h1 + 0.01 * 2000 - 0.1 * h1)


def test_the_population_ahead_is_the_estimate_seen_else_its_five_year_trend():
    mids, values = np.arange(2015, 2022), np.array([0.0, 0, 100, 110, 120, 130, 140])
    assert population.population_ahead(mids, values, [2020, 2022, 2023]) == pytest.approx([130.0, 150.0, 160.0])
    assert population.population_ahead(np.array([2020]), np.array([50.0]), [2022]) == [50.0]


def test_pooled_growth_grows_every_area_by_the_median_growth_of_its_level():
    rows = []
    for i, rate in enumerate([0.0, 0.1, 0.2]):  # three LAs growing 0%, 10% and 20% a year
        rows += [(f"s{i}", 2010 + t, 100 * math.exp(rate * t), "cla_count", 2016, "la") for t in range(6)]
    history_rows = pl.DataFrame(
        rows, schema=["uid", "ds", "y", "indicator_id", "origin_year", "area_level"], orient="row"
    )
    out = methods.pooled_growth(history_rows)
    s0 = out.filter(pl.col("uid") == "s0").sort("horizon")
    assert s0["point"].to_list() == pytest.approx([100 * math.exp(0.1 * h) for h in (1, 2, 3)])
    s2 = out.filter(pl.col("uid") == "s2").sort("horizon")["point"].to_list()
    assert s2[0] == pytest.approx(100 * math.exp(0.2 * 5) * math.exp(0.1))
    assert (out["lo_95"] <= out["lo_80"]).all() and (out["hi_80"] <= out["hi_95"]).all()


def test_the_combination_averages_its_parts_and_says_when_naive_stood_in_for_one():
    parts = pl.DataFrame(
        [
            ("s", m, run, 1, p, p - 1, p + 1, p - 2, p + 2)
            for m, run, p in (("ets_damped", "naive", 10.0), ("theta", "theta", 13.0), ("drift", "drift", 16.0))
        ],
        schema=list(methods.OUT),
        orient="row",
    )
    (row,) = methods.combination(parts).to_dicts()
    assert (row["point"], row["lo_95"], row["hi_80"]) == (13.0, 11.0, 14.0)
    assert row["method_run"] == "combination of drift+naive+theta"


def test_projected_rates_divide_the_count_and_its_last_value_by_the_population_of_the_year_before():
    projection = pl.DataFrame(
        {
            "indicator_id": ["cla_count"],
            "area_level": ["la"],
            "area_code": ["E1"],
            "origin_year": [2026],
            "time_period": [2026],
            "last_period": [2025],
            "point": [120.0],
            **{b: [100.0] for b in methods.BOUNDS},
            "unallocated": [None],
            "last_value": [110.0],
        },
        schema_overrides={"unallocated": pl.Float64},
    )
    inputs = pl.DataFrame(
        {
            "indicator_id": [vintages.POPULATION] * 2,
            "area_level": ["la"] * 2,
            "area_code": ["E1"] * 2,
            "origin_year": [2026] * 2,
            "time_period": [2023, 2024],  # mid-2024 is last seen; mid-2025 follows its trend
            "value": [20000.0, 22000.0],
        }
    )
    out = population.with_rates(projection, inputs, {"cla_count": ("cla_rate_per_10k", 10000.0)})
    (rate,) = out.filter(pl.col("indicator_id") == "cla_rate_per_10k").to_dicts()
    assert rate["point"] == pytest.approx(120 / 24000 * 10000)  # over mid-2025, the trend's 24,000
    assert rate["last_value"] == pytest.approx(110 / 22000 * 10000)  # 2025 over mid-2024


def test_a_sum_whose_own_forecast_has_no_interval_takes_its_las_variances():
    base = pl.DataFrame(
        [
            {
                "indicator_id": "cla_count",
                "origin_year": 2024,
                "method": "pooled_growth",
                "horizon": 1,
                "area_level": level,
                "area_code": code,
                "point": point,
                "last_value": point,
                **dict(zip(methods.BOUNDS, bounds)),
            }
            for level, code, point, bounds in (
                ("la", "A", 100.0, (90.0, 110.0, 80.4, 119.6)),  # sigma 10
                ("la", "B", 50.0, (40.0, 60.0, 30.4, 69.6)),
                ("england", vintages.ENGLAND, 150.0, (math.nan,) * 4),  # a pool of one: no interval
            )
        ]
    )
    england = reconcile.reconcile_forecasts(base, {"A": "R1", "B": "R1"}).filter(pl.col("area_level") == "england")
    assert england["hi_95"].item() - 150 == pytest.approx(reconcile.Z[95] * math.sqrt(200), rel=1e-3)
