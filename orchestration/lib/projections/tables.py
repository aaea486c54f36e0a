"""The projection marts: their columns, what each means, and writing them into the work database.

Dagster's projections asset writes them, not dbt (they are computed in Python from the dbt marts
and read back by nothing in dbt); each is created with typed columns and a comment on the table
and every column, which the publication copies with it, so a BI user reads the same descriptions
as on a dbt mart. A table is replaced in one transaction with the others.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

from orchestration.lib.core.files import short_digest

SCHEMA = "marts"

AREA = {
    "indicator_id": ("varchar", "The indicator projected (marts.dim_indicator); rates per 10,000 follow their count."),
    "area_level": ("varchar", "la, region or england."),
    "area_code": ("varchar", "ONS code of the LA, region or England (E92000001)."),
}
ORIGIN = {
    "origin_year": ("integer", "The year of the origin: a forecast made on 1 February of it."),
    "origin_date": (
        "date",
        "The day the forecast is made as of (1 February): only what was published by then is used.",
    ),
}
FORECAST = {
    "method": ("varchar", "The method (docs/projections.md)."),
    "method_run": ("varchar", "What ran for this series: the method, or naive where its history was too short for it."),
    "horizon": ("integer", "Years ahead of the newest period the origin saw: 1, 2 or 3."),
    "time_period": ("integer", "The period forecast: the year of 31 March, or the year a financial year ends."),
    "point": ("double", "The forecast, reconciled: LAs add up to their region and to England."),
    "lo_80": ("double", "Lower bound of the 80% interval."),
    "hi_80": ("double", "Upper bound of the 80% interval."),
    "lo_95": ("double", "Lower bound of the 95% interval."),
    "hi_95": ("double", "Upper bound of the 95% interval."),
    "unallocated": (
        "double",
        "Regions and England: the part of the point no LA forecast covers (the aggregate's newest published "
        "figure less its LAs' newest, carried forward); the LAs' points plus this make the point. NULL for an LA.",
    ),
}


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: dict[str, tuple[str, str]]

    def ddl(self) -> str:
        cols = ", ".join(f"{c} {t}" for c, (t, _) in self.columns.items())
        return f"create or replace table {SCHEMA}.{self.name} ({cols})"


PROJECTION = Table(
    "fct_projection",
    "Demand and spend projected one to three years ahead for every LA, region and England from the newest origin "
    "(1 February after the newest release), by every method, reconciled; is_chosen marks the method published.",
    {
        **AREA,
        "area_name": ("varchar", "Name of the area."),
        **ORIGIN,
        **FORECAST,
        "is_chosen": ("boolean", "The method chosen for the indicator on its record at origins up to 2021."),
        "last_period": ("integer", "The newest period the origin saw."),
        "last_value": ("double", "Its value as published by the origin."),
    },
)
BACKTEST = Table(
    "fct_projection_backtest",
    "Every forecast the methods would have made at each origin since 2013 from what had been published by then, "
    "with what happened: the first published figure for the year and the latest.",
    {
        **AREA,
        "area_name": ("varchar", "Name of the area."),
        **ORIGIN,
        **FORECAST,
        "is_chosen": ("boolean", "The method published for the indicator."),
        "inputs_published_by": (
            "date",
            "The day the newest thing the forecast read was published: its series, the population or flows it "
            "used, every series of a pooled method, every LA of a sum. NULL where the origin lacked something the "
            "method needs (naive stood in): not as published.",
        ),
        "is_as_published": (
            "boolean",
            "inputs_published_by is on or before the origin (else a later vintage stood in).",
        ),
        "is_held_out": ("boolean", "Origin 2022 or later: not used to choose the method."),
        "actual_first": ("double", "The first published figure for the period, of the vintages held."),
        "actual_first_release": ("varchar", "The release that first published it, of those held."),
        "actual_first_is_first_print": (
            "boolean",
            "That release is the period's own (its first publication); false where the warehouse holds only a "
            "later vintage (CLA 2018-2021, CIN and CPP before 2022): actual_first is then the earliest held.",
        ),
        "actual_latest": ("double", "The latest published figure for the period."),
        "actual_latest_release": ("varchar", "The release of the latest figure."),
        "revision": ("double", "actual_latest - actual_first."),
        "error_first": ("double", "point - actual_first."),
        "error_latest": ("double", "point - actual_latest."),
        "scale": ("double", "Mean absolute yearly change of the series as the origin saw it: MASE's scale."),
    },
)
ACCURACY = Table(
    "mart_projection_accuracy",
    "How well each method did, per indicator, area level and horizon: on origins up to 2021 (selection) and from "
    "2022 (held out), as published or with a later vintage standing in, against the first or the latest figure.",
    {
        "indicator_id": AREA["indicator_id"],
        "method": FORECAST["method"],
        "area_level": AREA["area_level"],
        "sample": (
            "varchar",
            "selection (origins and outcomes up to 2021: what chose the method) or held_out (origins from 2022).",
        ),
        "inputs": ("varchar", "as_published, fallback (some input from a later vintage) or all."),
        "against": ("varchar", "first: scored against the first published figure; latest: against the latest."),
        "horizon": ("integer", "1, 2 or 3 years ahead; 0 for the three pooled."),
        "n_forecasts": ("integer", "Forecasts scored."),
        "n_areas": ("integer", "Areas they cover."),
        "n_origins": ("integer", "Origins they cover."),
        "mase": ("double", "Mean absolute scaled error: each error over the mean yearly change its origin saw."),
        "mase_naive": ("double", "Naive's MASE on the same forecasts."),
        "mase_ratio": ("double", "mase / mase_naive: below 1 beats the last value."),
        "mae": ("double", "Mean absolute error, in the indicator's unit (children, or pounds)."),
        "bias": ("double", "Mean of forecast minus outcome: above 0 over-forecasts."),
        "coverage_80": ("double", "Share of outcomes inside the 80% interval."),
        "coverage_95": ("double", "Share of outcomes inside the 95% interval."),
        "n_intervals": ("integer", "Forecasts with an interval, over which coverage is counted."),
        "share_ran": (
            "double",
            "Share of the forecasts the method itself made (the rest: naive stood in, history too short).",
        ),
        "share_beating_naive": ("double", "Share of areas whose mean scaled error is below naive's."),
        "dm_statistic": (
            "double",
            "Diebold-Mariano statistic (HLN small-sample correction) against naive, per origin.",
        ),
        "dm_p_value": (
            "double",
            "Its two-sided p-value: below 0.05, the difference from naive is unlikely to be chance.",
        ),
        "mean_abs_revision": ("double", "Mean absolute revision from first to latest figure of the outcomes."),
        "is_chosen": ("boolean", "The method published for the indicator."),
    },
)
INPUT = Table(
    "fct_projection_input",
    "What each origin could see: one value per indicator, area and period, from the latest vintage published on or "
    "before the origin; a period no such vintage holds comes from the first later vintage (is_fallback).",
    {
        **AREA,
        **ORIGIN,
        "time_period": ("integer", "The period of the value."),
        "value": ("double", "The value as that vintage published it."),
        "release": ("varchar", "The release vintage it comes from."),
        "published_on": ("date", "The day that release was published (meta.release_index)."),
        "is_fallback": ("boolean", "Published after the origin: no vintage held here published it by then."),
    },
)
TABLES = (PROJECTION, BACKTEST, ACCURACY, INPUT)


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def write(con: duckdb.DuckDBPyConnection, frames: dict[str, pl.DataFrame]) -> dict[str, tuple[int, str]]:
    """Replace every table with its frame (columns in the table's order), in one transaction;
    each table's row count and content digest, its data version."""
    written = {}
    con.execute(f"create schema if not exists {SCHEMA}")
    con.execute("begin")
    try:
        for table in TABLES:
            # a bound that does not exist is NULL in the mart, not NaN
            frame = frames[table.name].select(list(table.columns)).with_columns(pl.col(pl.Float64).fill_nan(None))
            con.execute(table.ddl())
            con.register("frame_view", frame.to_arrow())
            con.execute(f"insert into {SCHEMA}.{table.name} select * from frame_view")
            con.unregister("frame_view")
            con.execute(f"comment on table {SCHEMA}.{table.name} is {_quoted(table.description)}")
            for column, (_, text) in table.columns.items():
                con.execute(f"comment on column {SCHEMA}.{table.name}.{column} is {_quoted(text)}")
            ordered = frame.sort(frame.columns)
            written[table.name] = (frame.height, short_digest(ordered.write_csv()))
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return written
