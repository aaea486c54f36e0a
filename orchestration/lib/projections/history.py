"""Each projected series as an origin saw it, and whether a forecast from it rests only on what
was published by then."""

from __future__ import annotations

import polars as pl

from orchestration.lib.projections import methods
from orchestration.lib.projections.vintages import FLOWS, ORIGIN_DAY, ORIGIN_MONTH, POPULATION, PROJECTED

KEYS = ["indicator_id", "area_level", "area_code", "origin_year"]
# the methods that read the child population, and the one that reads the flows too
USES_POPULATION = ("rate_population", "prevalence_3yr", "stock_flow")
USES_FLOWS = ("stock_flow",)
# the methods whose forecast of one area reads every area of its level at the origin
POOLED = ("pooled_growth",)


def histories(inputs: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Each projected series as an origin saw it: the unbroken run of years ending at the newest
    period due by then (the year before the origin; or, when the newest release is late, the newest
    year it holds), one missing year inside it interpolated; a series whose newest value is missing
    is not forecast. Returns the history rows (uid, ds, y) and one row per series."""
    first = {p.indicator_id: p.first_period or 0 for p in PROJECTED}
    rows = inputs.filter(pl.col("indicator_id").is_in(list(first))).filter(
        pl.col("time_period") >= pl.col("indicator_id").replace_strict(first, return_dtype=pl.Int32)
    )
    rows = _fill_single_gaps(rows.sort([*KEYS, "time_period"]), KEYS)
    newest = rows.group_by("indicator_id", "origin_year").agg(pl.col("time_period").max().alias("newest_any"))
    rows = rows.join(newest, on=["indicator_id", "origin_year"]).sort([*KEYS, "time_period"])
    rows = rows.with_columns(
        due=pl.min_horizontal(pl.col("origin_year") - 1, pl.col("newest_any")),
        # each row's run of unbroken years, counted from the first
        gap=(pl.col("time_period").diff().over(KEYS).fill_null(1) != 1).cum_sum().over(KEYS),
    )
    last = rows.group_by(KEYS).agg(pl.col("gap").max().alias("last_gap"), pl.col("time_period").max().alias("newest"))
    tail = rows.join(last, on=KEYS).filter((pl.col("gap") == pl.col("last_gap")) & (pl.col("newest") == pl.col("due")))
    tail = tail.with_columns(uid=uid())
    series = tail.group_by(["uid", *KEYS]).agg(
        pl.len().alias("points"),
        pl.col("time_period").max().alias("last_period"),
        pl.col("value").sort_by("time_period").last().alias("last_value"),
    )
    history = tail.join(series.select("uid"), on="uid").select("uid", ds="time_period", y="value")
    return history.sort("uid", "ds"), series


def uid() -> pl.Expr:
    """A series' id: indicator, area and origin (the origin in it keeps each vintage apart)."""
    return pl.concat_str([*KEYS[:3], pl.col("origin_year").cast(pl.String)], separator="|")


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


def as_published(series: pl.DataFrame, inputs: pl.DataFrame) -> pl.DataFrame:
    """Per series and method: the day the newest thing the forecast read was published
    (``inputs_published_by``) and whether that is on or before its origin (``is_as_published``).
    It reads the series' own inputs; the child population and the flows for the methods that use
    them; every series of its level for a pooled method. A method missing what it needs has no
    such day and is not as published."""
    area = ["area_level", "area_code", "origin_year"]
    newest = {
        name: inputs.filter(pl.col("indicator_id").is_in(ids))
        .group_by(area)
        .agg(pl.col("published_on").max().alias(name))
        for name, ids in (("population_by", [POPULATION]), ("flows_by", list(FLOWS)))
    }
    own = inputs.group_by(KEYS).agg(pl.col("published_on").max().alias("own_by"))
    joined = series.join(own, on=KEYS, how="left")
    pool = joined.group_by("indicator_id", "area_level", "origin_year").agg(pl.col("own_by").max().alias("pool_by"))
    joined = (
        joined.join(newest["population_by"], on=area, how="left")
        .join(newest["flows_by"], on=area, how="left")
        .join(pool, on=["indicator_id", "area_level", "origin_year"], how="left")
    )
    out = []
    for method in methods.METHODS:
        read = ["own_by"]
        read += ["population_by"] if method in USES_POPULATION else []
        read += ["flows_by"] if method in USES_FLOWS else []
        read += ["pool_by"] if method in POOLED else []
        # what the method needs and the origin did not have: it could not run as itself (naive stood
        # in), and its record is not one of the method as published
        had = pl.all_horizontal([pl.col(c).is_not_null() for c in read])
        newest_read = pl.when(had).then(pl.max_horizontal(read))
        out.append(joined.select("uid", "origin_year", method=pl.lit(method), inputs_published_by=newest_read))
    frame = pl.concat(out)
    origin = pl.date(pl.col("origin_year"), ORIGIN_MONTH, ORIGIN_DAY)
    return frame.select(
        "uid",
        "method",
        "inputs_published_by",
        is_as_published=(pl.col("inputs_published_by") <= origin).fill_null(False),
    )


def scales(history: pl.DataFrame) -> pl.DataFrame:
    """MASE's scale per series: the mean absolute yearly change its origin saw, over at least two
    changes (one is no scale: a single change near zero would make any error look huge)."""
    changes = pl.col("y").sort_by("ds").diff().abs()
    return history.group_by("uid").agg(scale=pl.when(changes.count() >= methods.MIN_POINTS - 1).then(changes.mean()))
