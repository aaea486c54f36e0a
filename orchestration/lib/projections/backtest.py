"""The backtest and the projections: every method run on every LA, region and England at every
origin from 2013, on what had been published by then, reconciled, and set against what happened.

The method published for each indicator (``CHOSEN``) was picked by its record on the origins
before 2022 alone, lowest pooled MASE over LAs and horizons against the first published outcome,
and written here before the later origins were scored; those are the honest out-of-sample record
(scoring.HELD_OUT_FROM). Spend has no record before 2022 (the RO3 series starts in 2022-23), so
it keeps the last value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from time import perf_counter

import numpy as np
import polars as pl

from orchestration.lib.projections import methods, reconcile, scoring, vintages
from orchestration.lib.projections.vintages import POPULATION, PROJECTED

FIRST_ORIGIN = 2013
# chosen on the origins 2013-2021 (selection sample, LAs, horizons 1-3 pooled, against the first
# published outcome); docs/projections.md has the table it was read from
CHOSEN = {
    "cla_count": "pooled_growth",  # 0.968 of naive's MASE; naive 1.000
    "cin_count": "naive",  # nothing beat it: rate x population 1.004, pooled growth 1.016
    "cpp_count": "prevalence_3yr",  # 0.991 of naive's
    "csc_spend_total_gbp": "naive",  # no origin before 2022 has three years of RO3 spend
}
USES_POPULATION = ("rate_population", "prevalence_3yr", "stock_flow")


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


def histories(inputs: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Each projected series as an origin saw it: the unbroken run of years ending at the newest
    period due by then (the year before the origin; or, when the newest release is late, the newest
    year it holds), one missing year inside it interpolated; a series whose newest value is missing
    is not forecast. Returns the history rows (uid, ds, y) and one row per series."""
    first = {p.indicator_id: p.first_period or 0 for p in PROJECTED}
    keys = ["indicator_id", "area_level", "area_code", "origin_year"]
    rows = inputs.filter(pl.col("indicator_id").is_in(list(first))).filter(
        pl.col("time_period") >= pl.col("indicator_id").replace_strict(first, return_dtype=pl.Int32)
    )
    rows = _fill_single_gaps(rows.sort([*keys, "time_period"]), keys)
    # due: the year before the origin, or the newest year any area has, if the newest release is late
    newest = rows.group_by("indicator_id", "origin_year").agg(pl.col("time_period").max().alias("newest_any"))
    rows = rows.join(newest, on=["indicator_id", "origin_year"]).sort([*keys, "time_period"])
    rows = rows.with_columns(
        due=pl.min_horizontal(pl.col("origin_year") - 1, pl.col("newest_any")),
        # years back from the newest, and the break in the run of years before each row
        gap=(pl.col("time_period").diff().over(keys).fill_null(1) != 1).cum_sum().over(keys),
    )
    last = rows.group_by(keys).agg(pl.col("gap").max().alias("last_gap"), pl.col("time_period").max().alias("newest"))
    tail = rows.join(last, on=keys).filter((pl.col("gap") == pl.col("last_gap")) & (pl.col("newest") == pl.col("due")))
    tail = tail.with_columns(
        uid=pl.concat_str([*keys[:3], pl.col("origin_year").cast(pl.String)], separator="|"),
    )
    series = tail.group_by(["uid", *keys]).agg(
        pl.len().alias("points"),
        pl.col("time_period").max().alias("last_period"),
        pl.col("value").sort_by("time_period").last().alias("last_value"),
    )
    # any input of the indicator for the area at the origin from a later vintage, in the run or not
    fallback = inputs.group_by(keys).agg(pl.col("is_fallback").any().alias("history_fallback"))
    series = series.join(fallback, on=keys, how="left")
    history = tail.join(series.select("uid"), on="uid").select("uid", ds="time_period", y="value")
    return history.sort("uid", "ds"), series


def _fill_single_gaps(rows: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """A year missing between two published ones (a figure withheld for low reliability) as the
    mean of its neighbours, so one withheld year does not cut a series short."""
    shifted = rows.with_columns(
        prev_period=pl.col("time_period").shift().over(keys),
        prev_value=pl.col("value").shift().over(keys),
        prev_fallback=pl.col("is_fallback").shift().over(keys),
    )
    filled = shifted.filter(pl.col("time_period") - pl.col("prev_period") == 2).with_columns(
        time_period=pl.col("time_period") - 1,
        value=(pl.col("value") + pl.col("prev_value")) / 2,
        release=pl.lit("interpolated"),
        is_fallback=pl.col("is_fallback") | pl.col("prev_fallback"),
    )
    return pl.concat([rows, filled.select(rows.columns)])


def demand_methods(history: pl.DataFrame, series: pl.DataFrame, inputs: pl.DataFrame) -> pl.DataFrame:
    """The methods of the published studies, per series: rate and prevalence times the child
    population, the five-year trend, stock-flow (children looked after)."""
    area = ["area_level", "area_code", "origin_year"]
    population = {
        k: (g["time_period"].to_numpy(), g["value"].to_numpy())
        for k, g in inputs.filter(pl.col("indicator_id") == POPULATION).group_by(area)
    }
    flows = {
        k: dict(zip(g["time_period"].to_list(), g["value"].to_list()))
        for k, g in inputs.filter(pl.col("indicator_id").is_in(["cla_started_count", "cla_ceased_count"])).group_by(
            ["indicator_id", *area]
        )
    }
    by_uid = {uid: g.sort("ds") for (uid,), g in history.group_by(["uid"])}
    rows: list[tuple] = []
    for s in series.iter_rows(named=True):
        g = by_uid[s["uid"]]
        ds, y = g["ds"].to_numpy(), g["y"].to_numpy().astype(float)
        key = (s["area_level"], s["area_code"], s["origin_year"])
        if key not in population or s["indicator_id"] == "csc_spend_total_gbp":
            continue
        mids, values = population[key]
        # a 31 March count's rate uses the mid-year before it
        pop = methods.population_ahead(
            mids, values, [int(p) - 1 for p in ds] + [int(ds[-1]) + h - 1 for h in (1, 2, 3)]
        )
        n = ds.size
        rates = y / np.array(pop[:n])
        rows += methods.rows_of(s["uid"], "rate_population", [rates[-1] * pop[n - 1 + h] for h in (1, 2, 3)])
        prevalence = rates[-vintages_years() :].mean()
        rows += methods.rows_of(s["uid"], "prevalence_3yr", [prevalence * pop[n - 1 + h] for h in (1, 2, 3)])
        started, ceased = flows.get(("cla_started_count", *key)), flows.get(("cla_ceased_count", *key))
        if s["indicator_id"] == "cla_count" and started and ceased:
            recent = [int(p) for p in ds[-methods.PREVALENCE_YEARS - 1 :]]
            if len(recent) > methods.PREVALENCE_YEARS and all(p in started and p in ceased for p in recent[1:]):
                points = methods.stock_flow(
                    y,
                    np.array([started.get(int(p), np.nan) for p in ds]),
                    np.array([ceased.get(int(p), np.nan) for p in ds]),
                    pop,
                )
                if np.isfinite(points).all():
                    rows += methods.rows_of(s["uid"], "stock_flow", points)
    return methods.frame(rows)


def vintages_years() -> int:
    return methods.PREVALENCE_YEARS


def forecast_all(history: pl.DataFrame, all_series: pl.DataFrame, inputs: pl.DataFrame) -> pl.DataFrame:
    """Every method's base forecasts, with intervals."""
    series = all_series
    points = series.filter(pl.col("points") >= methods.MIN_POINTS).select("uid")
    full = history.join(points, on="uid")
    base = methods.statistical(full)
    naive = base.filter(pl.col("method") == "naive")
    series = series.join(points, on="uid")
    own = methods.with_naive_widths(demand_methods(full, series, inputs), naive)
    trend = _linear_with_intervals(full, series)
    meta = all_series.select("uid", "indicator_id", "origin_year", "area_level")
    pooled = methods.pooled_growth(history.join(meta, on="uid"))
    forecasts = pl.concat([base, own, trend, pooled.join(points, on="uid")])
    forecasts = pl.concat([forecasts, methods.combination(forecasts)])
    # a method that could not run on a series (stock-flow without flows, population methods on spend)
    missing = (
        naive.join(pl.DataFrame({"method": list(methods.METHODS)}), how="cross", suffix="_m")
        .join(
            forecasts.select("uid", "method").unique(),
            left_on=["uid", "method_m"],
            right_on=["uid", "method"],
            how="anti",
        )
        .with_columns(method=pl.col("method_m"))
        .drop("method_m")
    )
    missing = _applicable(missing, series)
    return pl.concat([forecasts, missing.select(methods.OUT), _short(history, all_series, pooled)])


def _short(history: pl.DataFrame, series: pl.DataFrame, pooled: pl.DataFrame) -> pl.DataFrame:
    """A series of one or two years (an LA new since a boundary change): its last value for every
    method, without an interval, except the pooled growth, which needs no history of its own."""
    short = series.filter(pl.col("points") < methods.MIN_POINTS)
    rows = []
    for s in short.iter_rows(named=True):
        for method in methods.METHODS:
            if method == "pooled_growth" or (method == "stock_flow" and s["indicator_id"] != "cla_count"):
                continue
            if method in USES_POPULATION and s["indicator_id"] == "csc_spend_total_gbp":
                continue
            rows += methods.rows_of(s["uid"], method, [s["last_value"]] * methods.HORIZONS, run="naive")
    return pl.concat([methods.frame(rows), pooled.join(short.select("uid"), on="uid")]) if rows else methods.frame(rows)


def _applicable(missing: pl.DataFrame, series: pl.DataFrame) -> pl.DataFrame:
    joined = missing.join(series.select("uid", "indicator_id"), on="uid")
    not_for = (pl.col("method") == "stock_flow") & (pl.col("indicator_id") != "cla_count")
    not_for = not_for | (pl.col("method").is_in(USES_POPULATION) & (pl.col("indicator_id") == "csc_spend_total_gbp"))
    return joined.filter(~not_for)


def _linear_with_intervals(history: pl.DataFrame, series: pl.DataFrame) -> pl.DataFrame:
    rows = []
    for (uid,), g in history.group_by(["uid"]):
        for h, values in enumerate(methods.linear_trend(g.sort("ds")["y"].to_numpy()), start=1):
            rows.append((uid, "linear_trend_5yr", "linear_trend_5yr", h, *values))
    return methods.frame(rows)


def as_published(series: pl.DataFrame, inputs: pl.DataFrame) -> pl.DataFrame:
    """Per series and method: whether every input it rests on was published before its origin."""
    area = ["area_level", "area_code", "origin_year"]
    fallback = (
        inputs.group_by(["indicator_id", *area])
        .agg(pl.col("is_fallback").any().alias("fb"))
        .pivot(on="indicator_id", index=area, values="fb")
    )
    joined = series.join(fallback, on=area, how="left")
    out = []
    for method in methods.METHODS:
        flags = pl.col("history_fallback")
        if method in USES_POPULATION:
            flags = flags | pl.col(POPULATION).fill_null(True)
        if method == "stock_flow":
            flags = flags | pl.col("cla_started_count").fill_null(True) | pl.col("cla_ceased_count").fill_null(True)
        out.append(joined.select("uid", method=pl.lit(method), is_as_published=~flags))
    return pl.concat(out)


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
    located = base.join(
        series.select("uid", "indicator_id", "area_level", "area_code", "origin_year", "last_value"), on="uid"
    )
    reconciled = reconcile.reconcile_forecasts(located, region_of)
    seconds["reconciliation"] = perf_counter() - clock
    clock = perf_counter()
    keys = ["indicator_id", "area_level", "area_code", "origin_year"]
    runs = located.select(*keys, "method", "horizon", "method_run", "uid")
    forecasts = reconciled.join(runs, on=[*keys, "method", "horizon"], how="left").join(
        as_published(series, inputs), on=["uid", "method"], how="left"
    )
    # a sum is as published when all its LAs are (and its own series, whose interval it keeps);
    # a region with no series of its own (spend) takes its method's name
    group = ["indicator_id", "origin_year", "method", "horizon"]
    las = (
        forecasts.filter(pl.col("area_level") == "la")
        .group_by(group)
        .agg(las_published=pl.col("is_as_published").all())
    )
    forecasts = (
        forecasts.join(las, on=group, how="left")
        .with_columns(
            is_as_published=pl.when(pl.col("area_level") == "la")
            .then(pl.col("is_as_published"))
            .otherwise(pl.col("is_as_published").fill_null(True) & pl.col("las_published").fill_null(False))
        )
        .drop("las_published")
    )
    forecasts = forecasts.with_columns(
        method_run=pl.col("method_run").fill_null(pl.col("method")),
        uid=pl.col("uid").fill_null(pl.concat_str([*keys, pl.col("origin_year").cast(pl.String)], separator="|")),
    )
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
    ).join(_scales(history), on="uid", how="left")
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


def _scales(history: pl.DataFrame) -> pl.DataFrame:
    return history.group_by("uid").agg(scale=pl.col("y").sort_by("ds").diff().abs().mean())


def with_rates(projection: pl.DataFrame, inputs: pl.DataFrame, rate_of: dict[str, tuple[str, float]]) -> pl.DataFrame:
    """The projection and, for each count with a rate per 10,000 children, the rate: the count
    and its bounds over the child population of the year before the period (the mid-year it is
    published with), that population estimated as methods.population_ahead does."""
    area = ["area_level", "area_code", "origin_year"]
    population = {
        k: (g["time_period"].to_numpy(), g["value"].to_numpy())
        for k, g in inputs.filter(pl.col("indicator_id") == POPULATION).group_by(area)
    }
    counts = projection.filter(pl.col("indicator_id").is_in(list(rate_of)))
    denominators = []
    for key in counts.select(*area, "time_period").unique().iter_rows():
        if key[:3] in population:
            mids, values = population[key[:3]]
            denominators.append((*key, methods.population_ahead(mids, values, [key[3] - 1])[0]))
    pops = pl.DataFrame(
        denominators, schema={**dict.fromkeys(area), "time_period": pl.Int32, "population": pl.Float64}, orient="row"
    ).with_columns(pl.col(c).cast(counts.schema[c]) for c in (*area, "time_period"))
    rates = counts.join(pops, on=[*area, "time_period"], how="inner")
    multiplier = pl.col("indicator_id").replace_strict({k: v[1] for k, v in rate_of.items()}, return_dtype=pl.Float64)
    rates = rates.with_columns(
        *[(pl.col(c) / pl.col("population") * multiplier).alias(c) for c in ("point", *methods.BOUNDS, "unallocated")],
        last_value=pl.lit(None, pl.Float64),
        indicator_id=pl.col("indicator_id").replace_strict({k: v[0] for k, v in rate_of.items()}),
    ).drop("population")
    return pl.concat([projection, rates.select(projection.columns)])
