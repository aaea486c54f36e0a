"""How well each method did: scaled and absolute errors, bias, interval coverage, the share of
areas where it beat the last value, and whether its gain over the last value is more than chance.

Each forecast's errors come from utilsforecast's losses (mae, bias, coverage, mase), each forecast
scaled by the mean absolute yearly change of the series its own origin saw (Hyndman and Koehler
2006, IJF 22(4):679-688). Pooled figures are means over the forecasts of a group; a method is
compared with naive on exactly the forecasts both made.

Diebold-Mariano with the small-sample correction (Diebold and Mariano 1995, JBES 13(3):253-263;
Harvey, Leybourne and Newbold 1997, IJF 13(2):281-291; as R's forecast::dm.test): the loss
differential of an origin is the mean over areas of the method's scaled error less naive's, so an
origin is one observation and areas hit by the same year are not counted as independent.
"""

from __future__ import annotations

import math
from functools import reduce

import numpy as np
import polars as pl
from scipy import stats
from utilsforecast import losses

HELD_OUT_FROM = 2022  # origins before it choose the method; from it on, the honest out-of-sample record
KEYS = ["indicator_id", "area_level", "area_code", "origin_year", "horizon"]


def per_forecast(backtest: pl.DataFrame, train: pl.DataFrame, against: str) -> pl.DataFrame:
    """One row per forecast (KEYS + method) with its absolute error, error, scaled error and
    whether each interval held the outcome ``actual_<against>``; ``train`` holds each forecast
    series' history as its origin saw it (uid, ds, y)."""
    df = backtest.filter(pl.col(f"actual_{against}").is_not_null()).select(
        unique_id=pl.concat_str([pl.col("uid"), pl.col("method"), pl.col("horizon").cast(pl.String)], separator="#"),
        uid="uid",
        ds="time_period",
        cutoff=pl.col("origin_year") - 1,
        y=f"actual_{against}",
        m="point",
        **{"m-lo-80": "lo_80", "m-hi-80": "hi_80", "m-lo-95": "lo_95", "m-hi-95": "hi_95"},
    )
    if not df.height:
        return pl.DataFrame()
    ids = df.select("unique_id", "uid")
    history = ids.join(train, on="uid").select("unique_id", "ds", "y").sort("unique_id", "ds")
    frames = [
        losses.mae(df, ["m"]).rename({"m": "abs_error"}),
        losses.bias(df, ["m"]).rename({"m": "error"}),
        losses.mase(df, ["m"], seasonality=1, train_df=history).rename({"m": "scaled_error"}),
        losses.coverage(df, ["m"], level=80).rename({"m": "covered_80"}),
        losses.coverage(df, ["m"], level=95).rename({"m": "covered_95"}),
    ]
    scored = reduce(lambda a, b: a.join(b, on=["unique_id", "cutoff"]), frames)
    parts = scored["unique_id"].str.split("#")
    scored = scored.with_columns(
        uid=parts.list.get(0), method=parts.list.get(1), horizon=parts.list.get(2).cast(pl.Int32)
    ).drop("unique_id", "cutoff")
    joined = backtest.join(scored, on=["uid", "method", "horizon"], how="inner")
    # a forecast without an interval holds nothing: no coverage, rather than a miss
    return joined.with_columns(
        # a series of fewer than three years has no scale (history.scales): no scaled error
        scaled_error=pl.when(pl.col("scale").is_not_null() & pl.col("scaled_error").is_finite()).then("scaled_error"),
        **{
            f"covered_{level}": pl.when(pl.col(f"lo_{level}").is_not_nan() & pl.col(f"lo_{level}").is_not_null()).then(
                pl.col(f"covered_{level}")
            )
            for level in (80, 95)
        },
    )


def dm_test(differential: np.ndarray, horizon: int) -> tuple[float, float]:
    """Diebold-Mariano statistic with the Harvey-Leybourne-Newbold correction and its two-sided
    p-value (Student t, T-1 df) for a time-ordered loss differential of ``horizon``-step forecasts.
    NaN when there are too few origins to estimate its variance (T < 2h + 2: with h - 1
    autocovariances from a handful of points the variance can be near zero or negative, and the
    correction factor vanishes at T = 3, h = 3) or the differential has no variance."""
    d = np.asarray(differential, dtype=float)
    d = d[~np.isnan(d)]
    t = d.size
    if t < 2 * horizon + 2:
        return math.nan, math.nan
    centred = d - d.mean()
    gamma = [centred @ centred / t] + [centred[k:] @ centred[:-k] / t for k in range(1, min(horizon, t))]
    variance = (gamma[0] + 2 * sum(gamma[1:])) / t
    if variance <= 0:
        return math.nan, math.nan
    correction = math.sqrt((t + 1 - 2 * horizon + horizon * (horizon - 1) / t) / t)
    statistic = correction * d.mean() / math.sqrt(variance)
    return statistic, 2 * float(stats.t.sf(abs(statistic), df=t - 1))


def accuracy(scored: pl.DataFrame, against: str) -> pl.DataFrame:
    """Per indicator, method, area level, sample, inputs and horizon (0: the three pooled)."""
    naive = scored.filter(pl.col("method") == "naive").select(*KEYS, naive_scaled="scaled_error")
    paired = (
        scored.join(naive, on=KEYS, how="inner")
        .with_columns(
            # the selection sample ends where the held-out one starts, outcomes included: a forecast
            # from before 2022 of a later year is in neither
            sample=pl.when(pl.col("origin_year") >= HELD_OUT_FROM)
            .then(pl.lit("held_out"))
            .when(pl.col("time_period") < HELD_OUT_FROM)
            .then(pl.lit("selection")),
            inputs=pl.when(pl.col("is_as_published")).then(pl.lit("as_published")).otherwise(pl.lit("fallback")),
        )
        .filter(pl.col("sample").is_not_null())
    )
    paired = pl.concat([paired, paired.with_columns(inputs=pl.lit("all"))])
    pooled = pl.concat([paired, paired.with_columns(horizon=pl.lit(0).cast(paired.schema["horizon"]))])
    group = ["indicator_id", "method", "area_level", "sample", "inputs", "horizon"]
    summary = pooled.group_by(group).agg(
        pl.len().alias("n_forecasts"),
        pl.col("area_code").n_unique().alias("n_areas"),
        pl.col("origin_year").n_unique().alias("n_origins"),
        pl.col("scaled_error").mean().alias("mase"),
        pl.col("naive_scaled").filter(pl.col("scaled_error").is_not_null()).mean().alias("mase_naive"),
        pl.col("abs_error").mean().alias("mae"),
        pl.col("error").mean().alias("bias"),
        pl.col("covered_80").mean().alias("coverage_80"),
        pl.col("covered_95").mean().alias("coverage_95"),
        pl.col("covered_95").count().alias("n_intervals"),
        (pl.col("method_run") == pl.col("method")).mean().alias("share_ran"),
        (pl.col("actual_latest") - pl.col("actual_first")).abs().mean().alias("mean_abs_revision"),
    )
    beating = (
        pooled.group_by([*group, "area_code"])
        .agg((pl.col("scaled_error") - pl.col("naive_scaled")).mean().alias("gain"))
        .group_by(group)
        .agg((pl.col("gain") < 0).mean().alias("share_beating_naive"))
    )
    differential = (
        pooled.group_by([*group, "origin_year"])
        .agg((pl.col("scaled_error") - pl.col("naive_scaled")).mean().alias("d"))
        .sort("origin_year")
        .group_by(group, maintain_order=True)
        .agg(pl.col("d"))
    )
    dm = differential.with_columns(
        pl.struct("d", "horizon")
        .map_elements(
            lambda r: dict(zip(("dm_statistic", "dm_p_value"), dm_test(np.array(r["d"]), r["horizon"] or 3))),
            return_dtype=pl.Struct({"dm_statistic": pl.Float64, "dm_p_value": pl.Float64}),
        )
        .alias("dm")
    ).select(*group, pl.col("dm").struct.unnest())
    out = summary.join(beating, on=group, how="left").join(dm, on=group, how="left")
    return out.with_columns(
        against=pl.lit(against),
        mase_ratio=pl.col("mase") / pl.col("mase_naive"),
    )
