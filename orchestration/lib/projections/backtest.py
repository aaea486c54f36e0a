"""The backtest and the projections: every method run on every LA, region and England at every
origin from 2013, on what had been published by then, reconciled, and set against what happened.

``CHOSEN`` is the method published for each indicator: the lowest pooled MASE over LAs and
horizons, against the first published outcome, on the selection sample (origins up to 2021,
outcomes up to 2021), by ``choose``; the origins from 2022 are the out-of-sample record and take
no part in it (scoring.HELD_OUT_FROM). A test on the real mirror holds that the rule still picks
these. Spend has no selection sample (the RO3 series starts in 2022-23) and keeps the last value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from time import perf_counter

import polars as pl

from orchestration.lib.projections import methods, population, reconcile, scoring, vintages
from orchestration.lib.projections.history import KEYS, USES_POPULATION, as_published, histories, scales, uid
from orchestration.lib.projections.vintages import PROJECTED

FIRST_ORIGIN = 2013
CHOSEN = {
    "cla_count": "pooled_growth",
    "cin_count": "naive",
    "cpp_count": "prevalence_3yr",
    "csc_spend_total_gbp": "naive",
}


@dataclass
class Result:
    inputs: pl.DataFrame
    backtest: pl.DataFrame
    projection: pl.DataFrame
    accuracy: pl.DataFrame
    projection_origin: int
    seconds: dict[str, float] = field(default_factory=dict)


def projection_origin(frame: pl.DataFrame) -> int:
    """The first 1 February after the newest release of a projected series."""
    projected = [p.indicator_id for p in PROJECTED]
    newest = frame.filter(pl.col("indicator_id").is_in(projected))["published_on"].max()
    return newest.year + (1 if (newest.month, newest.day) >= (vintages.ORIGIN_MONTH, vintages.ORIGIN_DAY) else 0)


def choose(accuracy: pl.DataFrame) -> dict[str, str]:
    """The selection rule: per indicator, the method with the lowest MASE relative to naive on
    the selection sample (LAs, every input, horizons pooled, against the first published outcome);
    naive where nothing beats it."""
    rows = accuracy.filter(
        (pl.col("sample") == "selection")
        & (pl.col("inputs") == "all")
        & (pl.col("area_level") == "la")
        & (pl.col("against") == "first")
        & (pl.col("horizon") == 0)
        & pl.col("mase_ratio").is_not_null()
    )
    best = rows.sort(["mase_ratio", pl.col("method") != "naive"]).group_by("indicator_id", maintain_order=True).first()
    return dict(zip(best["indicator_id"], best["method"]))


def forecast_all(history: pl.DataFrame, all_series: pl.DataFrame, inputs: pl.DataFrame) -> pl.DataFrame:
    """Every method's base forecasts, with intervals."""
    points = all_series.filter(pl.col("points") >= methods.MIN_POINTS).select("uid")
    full = history.join(points, on="uid")
    series = all_series.join(points, on="uid")
    base = methods.statistical(full)
    naive = base.filter(pl.col("method") == "naive")
    own = methods.with_naive_widths(population.demand_methods(full, series, inputs), naive)
    meta = all_series.select("uid", "indicator_id", "origin_year", "area_level")
    pooled = methods.pooled_growth(history.join(meta, on="uid"))
    forecasts = pl.concat([base, own, _linear_with_intervals(full), pooled.join(points, on="uid")])
    forecasts = pl.concat([forecasts, methods.combination(forecasts)])
    # a method that could not run on a series (stock-flow without flows) stands in as naive
    missing = (
        naive.join(pl.DataFrame({"method_m": list(methods.METHODS)}), how="cross")
        .join(
            forecasts.select("uid", "method").unique(),
            left_on=["uid", "method_m"],
            right_on=["uid", "method"],
            how="anti",
        )
        .with_columns(method=pl.col("method_m"))
    )
    missing = _applicable(missing, series)
    return pl.concat([forecasts, missing.select(methods.OUT), _short(all_series, pooled)])


def _short(series: pl.DataFrame, pooled: pl.DataFrame) -> pl.DataFrame:
    """A series of one or two years (an LA new since a boundary change): its last value for every
    method, without an interval, except the pooled growth, which needs no history of its own."""
    short = _applicable(
        series.filter(pl.col("points") < methods.MIN_POINTS).join(
            pl.DataFrame({"method": [m for m in methods.METHODS if m != "pooled_growth"]}), how="cross"
        ),
        series.head(0),
    )
    rows = [
        row
        for s in short.iter_rows(named=True)
        for row in methods.rows_of(s["uid"], s["method"], [s["last_value"]] * methods.HORIZONS, run="naive")
    ]
    return pl.concat([methods.frame(rows), pooled.join(short.select("uid").unique(), on="uid")])


def _applicable(frame: pl.DataFrame, series: pl.DataFrame) -> pl.DataFrame:
    """Leave out what a method is not for: stock-flow beyond children looked after, the
    population methods on spend."""
    if "indicator_id" not in frame.columns:
        frame = frame.join(series.select("uid", "indicator_id"), on="uid")
    not_for = (pl.col("method") == "stock_flow") & (pl.col("indicator_id") != "cla_count")
    not_for = not_for | (pl.col("method").is_in(USES_POPULATION) & (pl.col("indicator_id") == "csc_spend_total_gbp"))
    return frame.filter(~not_for)


def _linear_with_intervals(history: pl.DataFrame) -> pl.DataFrame:
    rows = []
    for (series_id,), g in history.group_by(["uid"]):
        for h, values in enumerate(methods.linear_trend(g.sort("ds")["y"].to_numpy()), start=1):
            rows.append((series_id, "linear_trend_5yr", "linear_trend_5yr", h, *values))
    return methods.frame(rows)


def _aggregate_flags(forecasts: pl.DataFrame, region_of: dict[str, str]) -> pl.DataFrame:
    """A region's or England's sum reads every LA in it and its own series (whose interval it
    keeps): its inputs were published by the newest of theirs. A region with no series of its own
    takes its method's name."""
    group = ["indicator_id", "origin_year", "method", "horizon"]
    las = forecasts.filter(pl.col("area_level") == "la").with_columns(
        region=pl.col("area_code").replace_strict(region_of, default=None)
    )
    # an LA that lacked what its method needs (no day) leaves its sum without one too
    newest_of_las = (
        pl.when(pl.col("inputs_published_by").is_null().any()).then(None).otherwise(pl.col("inputs_published_by").max())
    )
    by_region = las.group_by([*group, "region"]).agg(newest_of_las.alias("region_by"))
    by_england = las.group_by(group).agg(newest_of_las.alias("england_by"))
    flagged = (
        forecasts.with_columns(region=pl.when(pl.col("area_level") == "region").then(pl.col("area_code")))
        .join(by_region, on=[*group, "region"], how="left")
        .join(by_england, on=group, how="left")
    )
    las_by = pl.when(pl.col("area_level") == "region").then("region_by").otherwise("england_by")
    # a sum with a series of its own reads it too; one without (spend's regions) reads only its LAs
    own_by = pl.when(pl.col("uid").is_null()).then(las_by).otherwise(pl.col("inputs_published_by"))
    newest = pl.when(las_by.is_not_null() & own_by.is_not_null()).then(pl.max_horizontal(own_by, las_by))
    flagged = flagged.with_columns(
        inputs_published_by=pl.when(pl.col("area_level") == "la").then("inputs_published_by").otherwise(newest),
        method_run=pl.col("method_run").fill_null(pl.col("method")),
        uid=pl.col("uid").fill_null(uid()),
    )
    origin = pl.date(pl.col("origin_year"), vintages.ORIGIN_MONTH, vintages.ORIGIN_DAY)
    return flagged.with_columns(is_as_published=(pl.col("inputs_published_by") <= origin).fill_null(False)).drop(
        "region", "region_by", "england_by"
    )


def run(all_vintages: pl.DataFrame, region_of: dict[str, str], names: dict[str, str]) -> Result:
    """The whole backtest and the projections from the latest origin."""
    seconds: dict[str, float] = {}
    clock = perf_counter()
    last = projection_origin(all_vintages)
    inputs = pl.concat([vintages.as_of(all_vintages, year) for year in range(FIRST_ORIGIN, last + 1)])
    history, series = histories(inputs)
    seconds["inputs"] = perf_counter() - clock
    clock = perf_counter()
    base = forecast_all(history, series, inputs)
    seconds["forecasts"] = perf_counter() - clock
    clock = perf_counter()
    located = base.join(series.select("uid", *KEYS, "last_value"), on="uid")
    reconciled = reconcile.reconcile_forecasts(located, region_of)
    seconds["reconciliation"] = perf_counter() - clock
    clock = perf_counter()
    runs = located.select(*KEYS, "method", "horizon", "method_run", "uid")
    forecasts = reconciled.join(runs, on=[*KEYS, "method", "horizon"], how="left").join(
        as_published(series, inputs), on=["uid", "method"], how="left"
    )
    forecasts = _aggregate_flags(forecasts, region_of)
    due = series.group_by("indicator_id", "origin_year").agg(pl.col("last_period").max().alias("due"))
    forecasts = forecasts.join(due, on=["indicator_id", "origin_year"], how="left").with_columns(
        time_period=(pl.col("due") + pl.col("horizon")).cast(pl.Int32),
        origin_date=pl.date(pl.col("origin_year"), vintages.ORIGIN_MONTH, vintages.ORIGIN_DAY),
        area_name=pl.col("area_code").replace_strict(names, default=None),
        is_chosen=pl.col("method") == pl.col("indicator_id").replace_strict(CHOSEN, default=None),
    )
    past = forecasts.filter(pl.col("origin_year") < last)
    backtest = past.join(
        vintages.actuals(all_vintages), on=["indicator_id", "area_level", "area_code", "time_period"], how="left"
    )
    backtest = backtest.with_columns(
        is_held_out=pl.col("origin_year") >= scoring.HELD_OUT_FROM,
        revision=pl.col("actual_latest") - pl.col("actual_first"),
        error_first=pl.col("point") - pl.col("actual_first"),
        error_latest=pl.col("point") - pl.col("actual_latest"),
    ).join(scales(history), on="uid", how="left")
    scored = [scoring.per_forecast(backtest, history, against) for against in ("first", "latest")]
    accuracy = pl.concat([scoring.accuracy(s, a) for s, a in zip(scored, ("first", "latest")) if s.height])
    accuracy = accuracy.with_columns(
        is_chosen=pl.col("method") == pl.col("indicator_id").replace_strict(CHOSEN, default=None)
    )
    seconds["scoring"] = perf_counter() - clock
    projection = (
        forecasts.filter(pl.col("origin_year") == last)
        .join(series.select("uid", "last_period", "last_value"), on="uid", how="left")
        .with_columns(last_period=pl.col("last_period").fill_null(pl.col("due")))
    )
    return Result(inputs, backtest, projection, accuracy, last, seconds)
