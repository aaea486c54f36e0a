"""What leaves the private area: every landed return counted (counting.py), and its figures as
shown (suppressed counts are NULL with status ``provisional_suppressed``) copied into the work
database as ``raw.la_return_figures`` for dbt, which sets them beside the published figures
(models/staging/returns/). Nothing else is read from the private database outside it.
"""

from __future__ import annotations

import polars as pl

from orchestration.lib.core.files import json_digest
from orchestration.lib.returns import counting, inbox, landing, private
from orchestration.settings import Settings

TABLE = "raw.la_return_figures"
COLUMNS = (
    "la_code varchar, collection_year integer, measure varchar, breakdown varchar, category varchar, "
    "value double, is_count boolean, status varchar, release varchar, validation_issues bigint, note varchar, counted_at timestamp"
)


def as_they_leave(counted: pl.DataFrame) -> pl.DataFrame:
    """The figures as they leave: the shown number only, the status saying whether it was suppressed."""
    return counted.select(
        "la_code",
        "collection_year",
        "measure",
        "breakdown",
        "category",
        pl.col("shown").alias("value"),
        "is_count",
        pl.when(pl.col("suppressed"))
        .then(pl.lit("provisional_suppressed"))
        .otherwise(pl.lit("provisional"))
        .alias("status"),
        (pl.lit("la_return_") + pl.col("collection_year").cast(pl.Utf8)).alias("release"),
        "validation_issues",
        "note",
        "counted_at",
    )


def withdraw_removed(settings: Settings) -> list[tuple[str, int, str]]:
    """Returns taken out of the inbox are withdrawn: no longer counted or published. While a folder
    of the inbox cannot be read, nothing is withdrawn (it may be one of them, misplaced)."""
    returns, problems = inbox.survey(settings)
    if problems:
        return []
    return landing.withdraw(settings, {(r.la_code, r.year, r.kind) for r in returns})


def collect(con, settings: Settings) -> tuple[str, int]:
    """Count every landed return and replace ``raw.la_return_figures`` with their shown figures;
    returns its data version (a digest of its rows but when they were counted) and its row count."""
    figures = pl.DataFrame()
    if (settings.private_dir / private.DB_NAME).exists():  # else no return was ever landed
        withdraw_removed(settings)
        counted = counting.count_returns(settings)
        figures = as_they_leave(counted) if counted.height else figures
    con.execute("create schema if not exists raw")
    con.execute("begin")
    con.execute(f"create or replace table {TABLE} ({COLUMNS})")
    if figures.height:
        con.execute(f"insert into {TABLE} by name select * from figures")
    con.execute("commit")
    rows = con.execute(f"select * exclude (counted_at) from {TABLE} order by all").fetchall()
    return json_digest([[str(v) for v in row] for row in rows]), len(rows)
