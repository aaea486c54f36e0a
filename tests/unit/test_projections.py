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
from orchestration.lib.projections import backtest, reconcile, scoring, tables, vintages
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
    assert all(math.isnan(v) for v in scoring.dm_test(np.array([0.1, 0.2]), horizon=1))  # too few origins


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
            row("england", reconcile.ENGLAND, 200.0, 40.0, last=190.0),
        ]
    )
    out = {r["area_code"]: r for r in reconcile.reconcile_forecasts(base, region_of).to_dicts()}
    assert out["A"]["point"] == 100.0 and out["C"]["hi_95"] == pytest.approx(69.2)
    assert out["R1"]["point"] == 150.0 and out["R2"]["point"] == 30.0
    # England is its LAs' 180 and the 10 of its newest figure that no LA forecast covers
    assert (out[reconcile.ENGLAND]["point"], out[reconcile.ENGLAND]["unallocated"]) == (190.0, 10.0)
    assert out["R1"]["unallocated"] == 0.0 and out["A"]["unallocated"] is None
    # England keeps its own relative width (40 of 200) around the sum
    assert out[reconcile.ENGLAND]["hi_95"] == pytest.approx(190 * 240 / 200)
    # R1 has no forecast of its own: its LAs' variances add (sigma 10 each)
    assert out["R1"]["hi_95"] - 150 == pytest.approx(reconcile.Z[95] * math.sqrt(200), rel=1e-3)


def gate_db(rows: list[tuple]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute(tables.INPUT.ddl())
    con.execute(tables.BACKTEST.ddl())
    con.executemany(
        "insert into marts.fct_projection_input values ('cla_count', 'la', 'E1', ?, ?, ?, 1.0, ?, ?, ?)", rows
    )
    con.execute(
        "insert into marts.fct_projection_backtest (indicator_id, area_level, area_code, origin_year, method, "
        "is_as_published) values ('cla_count', 'la', 'E1', 2023, 'naive', true)"
    )
    return con


def test_the_no_look_ahead_gate_fails_on_a_leaked_row_and_names_its_release():
    no_look_ahead, as_published = fct_projection_input.suites()
    good = [(2023, date(2023, 2, 1), 2022, "ees_2022", date(2022, 11, 17), False)]
    with gate_db(good) as con:
        assert run_suite(con, no_look_ahead).success and run_suite(con, as_published).success
    leaked = [*good, (2023, date(2023, 2, 1), 2021, "ees_2023", date(2023, 12, 14), False)]
    with gate_db(leaked) as con:
        outcome = run_suite(con, no_look_ahead)
    assert not outcome.success
    assert "ees_2023" in " ".join(outcome.failures)
    # marked as a fallback, the later vintage is allowed, but a forecast scored as published may not rest on it
    fallback = [*good, (2023, date(2023, 2, 1), 2021, "ees_2023", date(2023, 12, 14), True)]
    with gate_db(fallback) as con:
        assert run_suite(con, no_look_ahead).success
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
    # every count method ran; those resting on the late population are never scored as published
    assert set(result.backtest["method"].unique()) == set(backtest.methods.METHODS)
    population_methods = result.backtest.filter(pl.col("method").is_in(backtest.USES_POPULATION))
    assert not population_methods["is_as_published"].any()
    assert result.backtest.filter(pl.col("method") == "naive")["is_as_published"].all()
    # England is the sum of the LAs at every origin, method and horizon
    sums = (
        result.backtest.filter(pl.col("area_level") == "la")
        .group_by("origin_year", "method", "horizon")
        .agg(pl.col("point").sum().alias("las"))
        .join(result.backtest.filter(pl.col("area_level") == "england"), on=["origin_year", "method", "horizon"])
    )
    assert sums.height and np.allclose(sums["las"], sums["point"])
    accuracy = result.accuracy.filter(pl.col("method") == "naive")
    assert (accuracy["mase_ratio"].drop_nulls() == 1.0).all()


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
