"""The methods that rest on the child population (the latest rate, the three-year prevalence,
stock-flow), and projected rates per 10,000 children.

A 31 March count's rate is over the mid-year population of the year before, as DfE publishes it.
The population of a mid-year the origin had not seen is the linear trend of the last five
estimates it saw: no population projection is catalogued.
"""

from __future__ import annotations

import math

import numpy as np
import polars as pl

from orchestration.lib.projections import methods
from orchestration.lib.projections.vintages import FLOWS, POPULATION

AREA = ["area_level", "area_code", "origin_year"]
POPULATION_TREND_YEARS = 5


def population_ahead(mid_years: np.ndarray, values: np.ndarray, wanted: list[int]) -> list[float]:
    """The child population of each wanted mid-year: as estimated where the origin saw it, else
    the linear trend of the last five estimates it saw (carried forward from one)."""
    known = dict(zip(mid_years.tolist(), values.tolist()))
    tail = np.argsort(mid_years)[-POPULATION_TREND_YEARS:]
    x, y = mid_years[tail].astype(float), values[tail].astype(float)
    slope, intercept = np.polyfit(x, y, 1) if x.size >= 2 else (0.0, y[-1] if y.size else math.nan)
    return [known.get(m, slope * m + intercept) for m in wanted]


def _populations(inputs: pl.DataFrame) -> dict[tuple, tuple[np.ndarray, np.ndarray]]:
    return {
        k: (g["time_period"].to_numpy(), g["value"].to_numpy())
        for k, g in inputs.filter(pl.col("indicator_id") == POPULATION).group_by(AREA)
    }


def demand_methods(history: pl.DataFrame, series: pl.DataFrame, inputs: pl.DataFrame) -> pl.DataFrame:
    """Per count series with a child population: the latest rate and the three-year prevalence
    times the population ahead; stock-flow for children looked after."""
    population = _populations(inputs)
    flows = {
        k: dict(zip(g["time_period"].to_list(), g["value"].to_list()))
        for k, g in inputs.filter(pl.col("indicator_id").is_in(list(FLOWS))).group_by(["indicator_id", *AREA])
    }
    by_uid = {uid: g.sort("ds") for (uid,), g in history.group_by(["uid"])}
    rows: list[tuple] = []
    ahead = range(1, methods.HORIZONS + 1)
    for s in series.iter_rows(named=True):
        key = (s["area_level"], s["area_code"], s["origin_year"])
        if key not in population or s["indicator_id"] == "csc_spend_total_gbp":
            continue
        g = by_uid[s["uid"]]
        ds, y = g["ds"].to_numpy(), g["y"].to_numpy().astype(float)
        n = ds.size
        pop = population_ahead(*population[key], [int(p) - 1 for p in ds] + [int(ds[-1]) + h - 1 for h in ahead])
        rates = y / np.array(pop[:n])
        rows += methods.rows_of(s["uid"], "rate_population", [rates[-1] * pop[n - 1 + h] for h in ahead])
        prevalence = rates[-methods.PREVALENCE_YEARS :].mean()
        rows += methods.rows_of(s["uid"], "prevalence_3yr", [prevalence * pop[n - 1 + h] for h in ahead])
        started, ceased = (flows.get((f, *key)) for f in FLOWS)
        if s["indicator_id"] != "cla_count" or not started or not ceased:
            continue
        recent = [int(p) for p in ds[-methods.PREVALENCE_YEARS :]]
        if n > methods.PREVALENCE_YEARS and all(p in started and p in ceased for p in recent):
            points = methods.stock_flow(
                y,
                np.array([started.get(int(p), np.nan) for p in ds]),
                np.array([ceased.get(int(p), np.nan) for p in ds]),
                pop,
            )
            if np.isfinite(points).all():
                rows += methods.rows_of(s["uid"], "stock_flow", points)
    return methods.frame(rows)


def with_rates(projection: pl.DataFrame, inputs: pl.DataFrame, rate_of: dict[str, tuple[str, float]]) -> pl.DataFrame:
    """The projection and, for each count with a rate per 10,000 children, the rate: the count,
    its bounds, its unallocated part and its last value over the child population of the year
    before their period."""
    population = _populations(inputs)
    counts = projection.filter(pl.col("indicator_id").is_in(list(rate_of)))
    wanted = (
        counts.select(*AREA, "time_period")
        .unique()
        .vstack(
            counts.select(*AREA, time_period="last_period").unique().cast({"time_period": counts.schema["time_period"]})
        )
    )
    denominators = [
        (*key, population_ahead(*population[key[:3]], [key[3] - 1])[0])
        for key in wanted.unique().iter_rows()
        if key[:3] in population
    ]
    schema = {
        **{c: counts.schema[c] for c in AREA},
        "time_period": counts.schema["time_period"],
        "population": pl.Float64,
    }
    pops = pl.DataFrame(denominators, schema=schema, orient="row")
    rates = counts.join(pops, on=[*AREA, "time_period"], how="inner").join(
        pops.rename({"time_period": "last_period", "population": "last_population"}).cast(
            {"last_period": counts.schema["last_period"]}
        ),
        on=[*AREA, "last_period"],
        how="left",
    )
    multiplier = pl.col("indicator_id").replace_strict({k: v[1] for k, v in rate_of.items()}, return_dtype=pl.Float64)
    rates = rates.with_columns(
        *[(pl.col(c) / pl.col("population") * multiplier).alias(c) for c in ("point", *methods.BOUNDS, "unallocated")],
        last_value=pl.col("last_value") / pl.col("last_population") * multiplier,
        indicator_id=pl.col("indicator_id").replace_strict({k: v[0] for k, v in rate_of.items()}),
    )
    return pl.concat([projection, rates.select(projection.columns)])
