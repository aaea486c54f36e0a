"""Counting LAs' returns the way DfE counts (sql/ssda903_figures.sql and
sql/cin_census_figures.sql, which cite each rule), and suppressing what leaves the private area
the way DfE does.

The figures are written to the private database's ``<kind>_figures`` (``ssda903_figures``,
``cin_census_figures``), one row per LA, year, measure, breakdown and category, with the number
as counted, the number as shown (NULL where suppressed) and how many of DfE's rules' issues the
return had outstanding when it was counted (NULL when they did not run on it). Only shown
numbers leave (figures.py).

A figure that is not a count (a median duration) is not suppressed for its size: it is shown
only when the count of what it is the median of (``based_on``) is one DfE would show, as a
median of one to five assessments would describe those few (and one that does not say what it
rests on is not shown).

Some published counts add up to another (``IDENTITIES``: the year's referrals are those with no
further action, those assessed not in need and the episodes of need started; the episodes of need
at any point are those ended and those open at 31 March). A suppressed part would be given away
by subtraction, so where exactly one count of such a sum is suppressed the next smallest non-zero
one goes too, as within a breakdown.

Suppression follows DfE's statistics on children looked after: a count from 1 to
``SMALLEST_SHOWN - 1`` is shown as ``c``; where a breakdown would then give a suppressed cell
away by subtraction from the total (exactly one cell of a breakdown suppressed), the next
smallest non-zero cell is suppressed too. Zero is shown: it discloses no child. The rule, as the
release metadata states it (SFR50/2017, and every SFR from 2010): "numbers from one to five
inclusive have been suppressed ... It has been necessary to suppress other figures whenever it
would be possible to calculate the value of a suppressed number by means of simple arithmetic.
The rule applied in these circumstances has been to suppress the next smallest data item." The
EES releases since say "'c' to protect confidentiality. Secondary suppression may have been
applied", and none of their LA counts is from 1 to 5.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from orchestration.lib.returns import private
from orchestration.lib.returns.inbox import KINDS, SSDA903
from orchestration.settings import Settings

SQL_DIR = Path(__file__).parent / "sql"
SQLS = {kind: SQL_DIR / f"{kind}_figures.sql" for kind in KINDS}
SQL = SQLS[SSDA903]
SMALLEST_SHOWN = 6
# a total and the counts that add up to it, each published (the CIN census's; DfE's tables b1 and c1)
IDENTITIES = (
    ("referrals_count", ("referrals_nfa_count", "assessed_not_in_need_count", "cin_episodes_started_count")),
    ("cin_episodes_count", ("cin_episodes_ended_count", "cin_count")),  # cin_count: episodes open at 31 March
)

KEY = ["la_code", "collection_year"]


def shown(n: int) -> str:
    """A count as DfE shows it outside a table: ``c`` from 1 to ``SMALLEST_SHOWN - 1``."""
    return "c" if 0 < n < SMALLEST_SHOWN else str(n)


ISSUES = """
    select la_code, collection_year,
        case when rules_run then (select count(*) from {kind}_issues i
            where i.la_code = r.la_code and i.collection_year = r.collection_year) end as validation_issues
    from {kind}_returns r
"""
NOT_CHECKED = "select la_code, collection_year, null::bigint as validation_issues from {kind}_returns"


def suppress(figures: pl.DataFrame) -> pl.DataFrame:
    """``figures`` (la_code, collection_year, measure, breakdown, category, number, and
    ``is_count``, true where absent) with ``shown`` and ``suppressed``."""
    if "is_count" not in figures.columns:
        figures = figures.with_columns(pl.lit(True).alias("is_count"))
    if "based_on" not in figures.columns:
        figures = figures.with_columns(pl.lit(None, dtype=pl.Int64).alias("based_on"))
    others = figures.filter(~pl.col("is_count"))
    figures = figures.filter(pl.col("is_count"))
    small = (pl.col("number") > 0) & (pl.col("number") < SMALLEST_SHOWN)
    figures = figures.with_columns(small.alias("suppressed"))
    group = [*KEY, "measure", "breakdown"]
    # secondary: a breakdown with exactly one cell suppressed loses its next smallest (a total is
    # a group of one cell: nothing to give away)
    candidate = pl.when(~pl.col("suppressed") & (pl.col("number") > 0)).then(pl.col("number"))
    rank = candidate.rank("ordinal").over(group)  # nulls (not candidates) stay unranked
    lonely = pl.col("suppressed").sum().over(group) == 1
    figures = figures.with_columns((pl.col("suppressed") | (lonely & (rank == 1).fill_null(False))).alias("suppressed"))
    figures = suppress_identities(figures)
    # a figure that is not a count: shown only on a count DfE would show
    others = others.with_columns((pl.col("based_on").fill_null(0) < SMALLEST_SHOWN).alias("suppressed"))
    figures = pl.concat([figures, others.select(figures.columns)])
    return figures.with_columns(
        pl.when(pl.col("suppressed")).then(None).otherwise(pl.col("number")).alias("shown")
    ).sort([*group, "category"])


def suppress_identities(figures: pl.DataFrame) -> pl.DataFrame:
    """Where exactly one count of a sum (``IDENTITIES``: the total and its parts, each the measure's
    Total) is suppressed, the next smallest non-zero one is suppressed too; again until no sum
    has one alone (a part may be in two sums)."""
    measures = {m for total, parts in IDENTITIES for m in (total, *parts)}
    totals = figures.filter((pl.col("breakdown") == "Total") & pl.col("measure").is_in(measures))
    if totals.is_empty():
        return figures
    cells = {(r["la_code"], r["collection_year"], r["measure"]): r for r in totals.iter_rows(named=True)}
    gone = {key for key, row in cells.items() if row["suppressed"]}
    changed = True
    while changed:
        changed = False
        for la, year in {(la, year) for la, year, _ in cells}:
            for total, parts in IDENTITIES:
                group = [(la, year, m) for m in (total, *parts) if (la, year, m) in cells]
                if sum(key in gone for key in group) != 1:
                    continue
                shown_ = [key for key in group if key not in gone and cells[key]["number"] > 0]
                if shown_:
                    gone.add(min(shown_, key=lambda key: (cells[key]["number"], key[2])))
                    changed = True
    extra = pl.DataFrame(
        [{"la_code": la, "collection_year": year, "measure": m, "_also": True} for la, year, m in gone],
        schema={"la_code": pl.Utf8, "collection_year": figures.schema["collection_year"], "measure": pl.Utf8,
                "_also": pl.Boolean},
    )  # fmt: skip
    return (
        figures.join(extra, on=[*KEY, "measure"], how="left")
        .with_columns(
            (pl.col("suppressed") | (pl.col("_also").fill_null(False) & (pl.col("breakdown") == "Total"))).alias(
                "suppressed"
            )
        )
        .drop("_also")
    )


def count_returns(settings: Settings) -> pl.DataFrame:
    """Count every landed return of each kind in one query, suppress, and keep the figures
    privately (the whole of ``<kind>_figures``, replaced); returns them, with their ``kind``.
    One query for every LA costs about what one LA's does: counting is not split by partition
    (landing and DfE's rules are)."""
    counted = []
    with private.connect(settings) as con:
        tables = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
        for kind in KINDS:
            if f"{kind}_returns" in tables:
                counted.append(count_kind(con, kind, tables))
    return pl.concat(counted, how="diagonal_relaxed") if counted else pl.DataFrame()


def count_kind(con, kind: str, tables: set[str]) -> pl.DataFrame:
    figures = con.sql(SQLS[kind].read_text(encoding="utf-8")).pl()
    issues = con.sql((ISSUES if f"{kind}_issues" in tables else NOT_CHECKED).format(kind=kind)).pl()
    for column, default, dtype in (
        ("is_count", True, pl.Boolean),
        ("note", None, pl.Utf8),
        ("based_on", None, pl.Int64),
    ):
        if column not in figures.columns:
            figures = figures.with_columns(pl.lit(default, dtype=dtype).alias(column))
    figures = (
        suppress(figures.with_columns(pl.col("number").cast(pl.Float64), pl.col("collection_year").cast(pl.Int32)))
        .join(issues.with_columns(pl.col("collection_year").cast(pl.Int32)), on=KEY, how="left")
        .with_columns(pl.lit(kind).alias("kind"), pl.lit(datetime.now(UTC).replace(tzinfo=None)).alias("counted_at"))
    )
    con.execute("begin")
    con.execute(
        f"create or replace table {kind}_figures (la_code varchar, collection_year integer, "
        "measure varchar, breakdown varchar, category varchar, number double, shown double, "
        "suppressed boolean, is_count boolean, note varchar, based_on bigint, validation_issues bigint, kind varchar, "
        "counted_at timestamp)"
    )
    con.execute(f"insert into {kind}_figures by name select * from figures")
    con.execute("commit")
    return figures


def count_return(settings: Settings, la_code: str, year: int) -> pl.DataFrame:
    """One LA's figures for one year (every return is counted, as the pipeline counts them)."""
    figures = count_returns(settings)
    return figures.filter((pl.col("la_code") == la_code) & (pl.col("collection_year") == year))
