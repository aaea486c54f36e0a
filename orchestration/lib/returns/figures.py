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
    "value bigint, status varchar, release varchar, validation_issues bigint, counted_at timestamp"
)
SHOWN = """
    select la_code, collection_year, measure, breakdown, category, shown as value,
        case when suppressed then 'provisional_suppressed' else 'provisional' end as status,
        'la_return_' || collection_year as release, validation_issues, counted_at
    from ssda903_figures
    order by la_code, collection_year, measure, breakdown, category
"""


def shown_figures(settings: Settings) -> pl.DataFrame:
    if not (settings.private_dir / private.DB_NAME).exists():
        return pl.DataFrame()  # no return was ever landed: no private area to make
    with private.connect(settings, read_only=True) as con:
        exists = con.execute("select count(*) from information_schema.tables where table_name = 'ssda903_figures'")
        if not exists.fetchall()[0][0]:
            return pl.DataFrame()
        return con.sql(SHOWN).pl()


def withdraw_removed(settings: Settings) -> list[tuple[str, int]]:
    """Returns taken out of the inbox are withdrawn: no longer counted or published. While a folder
    of the inbox cannot be read, nothing is withdrawn (it may be one of them, misplaced)."""
    returns, problems = inbox.survey(settings)
    if problems:
        return []
    return landing.withdraw(settings, {(r.la_code, r.year) for r in returns})


def collect(con, settings: Settings) -> tuple[str, int]:
    """Count every landed return and replace ``raw.la_return_figures`` with their shown figures;
    returns its data version (a digest of its rows but when they were counted) and its row count."""
    if (settings.private_dir / private.DB_NAME).exists():
        withdraw_removed(settings)
        counting.count_returns(settings)
    figures = shown_figures(settings)
    con.execute("create schema if not exists raw")
    con.execute("begin")
    con.execute(f"create or replace table {TABLE} ({COLUMNS})")
    if figures.height:
        con.execute(f"insert into {TABLE} by name select * from figures")
    con.execute("commit")
    rows = con.execute(f"select * exclude (counted_at) from {TABLE} order by all").fetchall()
    return json_digest([[str(v) for v in row] for row in rows]), len(rows)
