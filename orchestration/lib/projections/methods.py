"""The forecasting methods, each run on every series an origin could see.

statsforecast (Nixtla) fits what it does well: the last value (naive), drift, damped
exponential smoothing (ETS A,Ad,N) and Theta, with their own 80% and 95% intervals. The methods
the published demand studies use are a few lines each and are written here: the latest rate
times the child population, a constant three-year prevalence times the population, a five-year
linear trend, and an annual stock-flow model. Then an equal-weight combination and a growth rate
pooled across the LAs of an origin.

A series too short for a method gets the naive forecast, and ``method_run`` says so: damped ETS
needs ten points (statsforecast refuses fewer as too small a sample for its five parameters),
Theta four. Methods with no error model of their own (the rate, prevalence and stock-flow
methods) carry the naive model's interval widths around their point.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator
from functools import cache

import numpy as np
import polars as pl
from scipy import stats

from orchestration.lib.projections.statsforecast_internals import cached_quantiles

LEVELS = (80, 95)
HORIZONS = 3
MIN_POINTS = 3  # fewer, and drift's and naive's intervals rest on one difference: none are given
ETS_MIN_POINTS = 10
THETA_MIN_POINTS = 4
TREND_POINTS = 5
PREVALENCE_YEARS = 3
POOLED_YEARS = 3

METHODS = (
    "naive",
    "drift",
    "rate_population",
    "prevalence_3yr",
    "linear_trend_5yr",
    "stock_flow",
    "ets_damped",
    "theta",
    "combination",
    "pooled_growth",
)
COMBINED = ("ets_damped", "theta", "drift")
BOUNDS = ("lo_80", "hi_80", "lo_95", "hi_95")
OUT = ("uid", "method", "method_run", "horizon", "point", *BOUNDS)


def statistical(history: pl.DataFrame) -> pl.DataFrame:
    """naive, drift, ets_damped and theta from statsforecast, for every series in ``history``
    (``uid``, ``ds``, ``y``); a series too short for ETS or Theta takes naive's forecast."""
    from statsforecast import StatsForecast
    from statsforecast.models import AutoETS, Naive, RandomWalkWithDrift, Theta

    sizes = history.group_by("uid").len()
    models = {
        "naive": (Naive(alias="naive"), MIN_POINTS),
        "drift": (RandomWalkWithDrift(alias="drift"), MIN_POINTS),
        "ets_damped": (AutoETS(model="AAN", damped=True, alias="ets_damped"), ETS_MIN_POINTS),
        "theta": (Theta(alias="theta"), THETA_MIN_POINTS),
    }
    frames = []
    for method, (model, needs) in models.items():
        ids = sizes.filter(pl.col("len") >= needs)["uid"]
        subset = history.filter(pl.col("uid").is_in(ids.implode()))
        if not subset.height:
            continue
        with warnings.catch_warnings(), cached_quantiles():
            warnings.simplefilter("ignore", RuntimeWarning)
            # Theta on a short series estimates its sigma from every residual, and says so each time
            warnings.filterwarnings("ignore", message="Too few residuals", category=UserWarning)
            fc = StatsForecast(models=[model], freq=1).forecast(
                df=subset.select(unique_id="uid", ds="ds", y="y").to_pandas(), h=HORIZONS, level=list(LEVELS)
            )
        frames.append(_from_statsforecast(pl.from_pandas(fc), method))
    fitted = pl.concat(frames)
    naive = fitted.filter(pl.col("method") == "naive")
    short = []
    for method, (_, needs) in models.items():
        ids = sizes.filter(pl.col("len") < needs)["uid"]
        short.append(naive.filter(pl.col("uid").is_in(ids.implode())).with_columns(method=pl.lit(method)))
    return pl.concat([fitted, *short]).select(OUT)


def _from_statsforecast(fc: pl.DataFrame, alias: str) -> pl.DataFrame:
    first = fc.group_by("unique_id").agg(pl.col("ds").min().alias("first"))
    return fc.join(first, on="unique_id").select(
        uid="unique_id",
        method=pl.lit(alias),
        method_run=pl.lit(alias),
        horizon=(pl.col("ds") - pl.col("first") + 1).cast(pl.Int32),
        point=pl.col(alias),
        lo_80=pl.col(f"{alias}-lo-80"),
        hi_80=pl.col(f"{alias}-hi-80"),
        lo_95=pl.col(f"{alias}-lo-95"),
        hi_95=pl.col(f"{alias}-hi-95"),
    )


def linear_trend(y: np.ndarray) -> list[tuple[float, ...]]:
    """OLS on the last five points, with its prediction intervals (Student t, n-2 df)."""
    y = y[-TREND_POINTS:].astype(float)
    n = y.size
    x = np.arange(n, dtype=float)
    slope, intercept = np.polyfit(x, y, 1)
    resid = y - (slope * x + intercept)
    s = math.sqrt(float(resid @ resid) / (n - 2)) if n > 2 else math.nan
    sxx = float(((x - x.mean()) ** 2).sum())
    out = []
    for h in range(1, HORIZONS + 1):
        x0 = n - 1 + h
        point = slope * x0 + intercept
        se = s * math.sqrt(1 + 1 / n + (x0 - x.mean()) ** 2 / sxx)
        half = [_student_t(level, n - 2) * se for level in LEVELS]
        out.append((point, point - half[0], point + half[0], point - half[1], point + half[1]))
    return out


@cache
def _student_t(level: int, df: int) -> float:
    return float(stats.t.ppf(0.5 + level / 200, df))


def stock_flow(stock: np.ndarray, starts: np.ndarray, ceased: np.ndarray, population: list[float]) -> list[float]:
    """Next stock = stock + starts - ceased, with starts a rate of the child population and
    ceased a rate of the stock at the start of the year, each the mean of the last three years.
    ``stock``, ``starts`` and ``ceased`` are aligned by year (stock at 31 March, flows in the year
    to it); ``population`` runs over the same years and then the three ahead."""
    n = stock.size
    years = range(max(1, n - PREVALENCE_YEARS), n)
    with np.errstate(divide="ignore", invalid="ignore"):  # an empty opening stock: no rate, no forecast
        cease_rate = np.mean([ceased[t] / stock[t - 1] for t in years])
    start_rate = np.mean([starts[t] / population[t] for t in years])
    level, out = float(stock[-1]), []
    for h in range(1, HORIZONS + 1):
        level = level + start_rate * population[n - 1 + h] - cease_rate * level
        out.append(level)
    return out


def pooled_growth(history: pl.DataFrame) -> pl.DataFrame:
    """Each area's last value grown by the median yearly growth over the last three years of
    every area of its level (LAs pool with LAs, regions with regions), with intervals from the
    same pool: the quantiles of the areas' own h-year departures from that growth in the years
    the origin saw. Pooling gives a short series the trend of many."""
    rows = []
    for (_, _, _), group in history.group_by(["indicator_id", "origin_year", "area_level"]):
        series = {uid: g.sort("ds")["y"].to_numpy() for uid, g in group.group_by("uid")}
        growth = [
            math.log(y[-1] / y[-1 - POOLED_YEARS]) / POOLED_YEARS
            for y in series.values()
            if y.size > POOLED_YEARS and y[-1] > 0 and y[-1 - POOLED_YEARS] > 0
        ]
        if not growth:
            continue
        g = float(np.median(growth))
        quantiles = {}
        for h in range(1, HORIZONS + 1):
            departures = [
                math.log(y[t + h] / y[t]) - g * h
                for y in series.values()
                for t in range(max(0, y.size - h - POOLED_YEARS), y.size - h)
                if y[t] > 0 and y[t + h] > 0
            ]
            quantiles[h] = np.quantile(departures, [0.1, 0.9, 0.025, 0.975]) if len(departures) >= 10 else None
        for uid_key, y in series.items():
            (uid,) = uid_key if isinstance(uid_key, tuple) else (uid_key,)
            if y[-1] <= 0:
                continue
            for h in range(1, HORIZONS + 1):
                point = float(y[-1] * math.exp(g * h))
                q = quantiles[h]
                bounds = [point * math.exp(v) for v in q] if q is not None else [math.nan] * 4
                rows.append((uid, "pooled_growth", "pooled_growth", h, point, *bounds))
    return pl.DataFrame(rows, schema=_SCHEMA, orient="row")


_SCHEMA = {
    "uid": pl.String,
    "method": pl.String,
    "method_run": pl.String,
    "horizon": pl.Int32,
    "point": pl.Float64,
    **dict.fromkeys(BOUNDS, pl.Float64),
}


def with_naive_widths(points: pl.DataFrame, naive: pl.DataFrame) -> pl.DataFrame:
    """A point forecast with the naive forecast's interval around it, shifted to its point."""
    joined = points.join(
        naive.select("uid", "horizon", naive_point="point", **{f"n_{b}": b for b in BOUNDS}), on=["uid", "horizon"]
    )
    return joined.select(
        "uid",
        "method",
        "method_run",
        "horizon",
        "point",
        *[(pl.col("point") + pl.col(f"n_{b}") - pl.col("naive_point")).alias(b) for b in BOUNDS],
    )


def combination(forecasts: pl.DataFrame) -> pl.DataFrame:
    """The equal-weight mean of damped ETS, Theta and drift: of their points and of their bounds.
    Its ``method_run`` names the parts that ran where one stood in for another."""
    parts = forecasts.filter(pl.col("method").is_in(COMBINED))
    runs = pl.col("method_run").sort_by("method").str.join("+")
    as_named = (pl.col("method_run") == pl.col("method")).all()
    return (
        parts.group_by("uid", "horizon")
        .agg(
            pl.len().alias("n"),
            runs.alias("runs"),
            as_named.alias("as_named"),
            *[pl.col(c).mean() for c in ("point", *BOUNDS)],
        )
        .filter(pl.col("n") == len(COMBINED))
        .select(
            "uid",
            method=pl.lit("combination"),
            method_run=pl.when("as_named")
            .then(pl.lit("combination"))
            .otherwise(pl.lit("combination of ") + pl.col("runs")),
            horizon="horizon",
            point="point",
            **{b: b for b in BOUNDS},
        )
    )


def rows_of(uid: str, method: str, points: list[float], run: str | None = None) -> Iterator[tuple]:
    for h, point in enumerate(points, start=1):
        yield (uid, method, run or method, h, float(point), *([math.nan] * len(BOUNDS)))


def frame(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=_SCHEMA, orient="row")
