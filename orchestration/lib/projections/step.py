"""The projections step, as Dagster's projections asset runs it: read every vintage from the work
database, run the backtest and the projections (backtest.py), write the four marts (tables.py)."""

from __future__ import annotations

from dataclasses import dataclass
from time import perf_counter

import dagster as dg
import duckdb
import polars as pl

from orchestration.lib.projections import backtest, population, tables, vintages

KEYS = {t.name: dg.AssetKey([tables.SCHEMA, t.name]) for t in tables.TABLES}
# what the projections are computed from: every vintage, the LAs' regions, the indicators' rates
UPSTREAM = [
    dg.AssetKey(["marts", name])
    for name in ("fct_la_indicator", "fct_england_region_indicator", "dim_local_authority", "dim_indicator")
]
NO_LOOK_AHEAD = "fct_projection_input__no_look_ahead"


@dataclass(frozen=True)
class Summary:
    written: dict[str, tuple[int, str]]
    projection_origin: int
    chosen: dict[str, str]
    seconds: dict[str, float]
    held_out: list[dict]


def areas(con: duckdb.DuckDBPyConnection) -> tuple[dict[str, str], dict[str, str]]:
    """Each LA's region, and every area's name."""
    rows = con.sql("select la_code, la_name, region_code, region_name from marts.dim_local_authority").fetchall()
    region_of = {la: region for la, _, region, _ in rows if region}
    names = {la: name for la, name, _, _ in rows} | {r: n for _, _, r, n in rows if r} | {"E92000001": "England"}
    return region_of, names


def rates(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, float]]:
    """count indicator -> (its rate per 10,000 children, the multiplier), from dim_indicator."""
    rows = con.sql(
        "select rate_numerator, indicator_id, rate_multiplier from marts.dim_indicator "
        f"where rate_denominator = '{vintages.POPULATION}' and rate_numerator is not null"
    ).fetchall()
    projected = {p.indicator_id for p in vintages.PROJECTED}
    return {count: (rate, multiplier) for count, rate, multiplier in rows if count in projected}


def project(con: duckdb.DuckDBPyConnection) -> Summary:
    """Run the backtest and the projections on the work database and write the marts."""
    clock = perf_counter()
    all_vintages = vintages.read_vintages(con)
    region_of, names = areas(con)
    result = backtest.run(all_vintages, region_of, names)
    projection = population.with_rates(result.projection, result.inputs, rates(con))
    projection = projection.with_columns(area_name=pl.col("area_code").replace_strict(names, default=None))
    clock_write = perf_counter()
    written = tables.write(
        con,
        {
            tables.PROJECTION.name: projection,
            tables.BACKTEST.name: result.backtest,
            tables.ACCURACY.name: result.accuracy,
            tables.INPUT.name: result.inputs,
        },
    )
    seconds = {**result.seconds, "write": perf_counter() - clock_write, "total": perf_counter() - clock}
    headline = result.accuracy.filter(
        (pl.col("area_level") == "la")
        & (pl.col("sample") == "held_out")
        & (pl.col("inputs") == "as_published")
        & (pl.col("against") == "first")
        & (pl.col("horizon") == 0)
        & pl.col("is_chosen")
    ).select("indicator_id", "method", "n_forecasts", "mase_ratio", "coverage_80", "coverage_95", "share_beating_naive")
    return Summary(
        written, result.projection_origin, dict(backtest.CHOSEN), seconds, headline.sort("indicator_id").to_dicts()
    )
