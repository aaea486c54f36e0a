"""Landing one LA's SSDA903 return for one year: its files kept by sha256 in the private area,
every table read as the layout says (ssda903.py), pseudonymised, and written to the private
database as ``ssda903_<table>`` rows of that LA and year, replacing what an earlier copy of the
return landed; and what landing either kind of return shares (census_landing.py lands the CIN
census). A return is landed whole or not at all: the rows of every table change in one
transaction, after every file has been read.

Ages are worked out before dates of birth go to the month, so counting by age needs no date of
birth: the child's age at 31 March of the collection year (header), and at the start and end of
each episode (episodes).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl

from orchestration.lib.returns import private
from orchestration.lib.returns.inbox import KINDS, SSDA903, Return
from orchestration.lib.returns.ssda903 import COUNTED, TABLES, ReturnFileError, empty, read_file
from orchestration.settings import Settings

# what does not leave the file: the UPN; what is coarsened: dates of birth, postcodes, and the
# date a child stopped being an unaccompanied asylum seeker (DUC: usually their 18th birthday;
# whether it falls after 31 March survives the month)
DROPPED = ("UPN",)
BIRTH_DATES = ("DOB", "MC_DOB", "DUC")
POSTCODES = ("HOME_POST", "PL_POST")
PSEUDONYMISED = ("CHILD", "SW_ID")


@dataclass
class Landed:
    """What landing a return did: its tables and their rows, the tables the year collects that it
    does not have, and the files it read."""

    la_code: str
    year: int
    digest: str
    rows: dict[str, int] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)  # file name -> sha256


def age_at(dob: pl.Expr, on: pl.Expr) -> pl.Expr:
    """Whole years from ``dob`` to ``on``."""
    before_birthday = (on.dt.month() < dob.dt.month()) | (
        (on.dt.month() == dob.dt.month()) & (on.dt.day() < dob.dt.day())
    )
    return on.dt.year() - dob.dt.year() - before_birthday.cast(pl.Int32)


def read_return(ret: Return) -> dict[str, tuple[str, pl.DataFrame]]:
    """table -> (file name, rows), every file read; two files with one table are an error."""
    tables: dict[str, tuple[str, pl.DataFrame]] = {}
    for file in ret.files:
        for name, frame in read_file(file, ret.year).items():
            if name in tables:
                raise ReturnFileError(
                    f"{file.name}: holds the {name} table, as {tables[name][0]} does; keep one file per table"
                )
            tables[name] = (file.name, frame)
    absent = [t for t in COUNTED if t not in tables]
    if absent:
        raise ReturnFileError(
            f"{ret.folder}: no {' or '.join(absent)} table among {', '.join(f.name for f in ret.files)}; "
            f"counting needs {' and '.join(COUNTED)}"
        )
    return tables


def pseudonymise(
    tables: dict[str, tuple[str, pl.DataFrame]], ret: Return, pseudonymiser: private.Pseudonymiser
) -> dict[str, pl.DataFrame]:
    march_31 = pl.lit(date(ret.year, 3, 31))
    header = tables["header"][1]
    births = header.select("CHILD", pl.col("DOB").alias("_dob")).unique("CHILD", keep="first")
    out = {}
    for name, (file_name, frame) in tables.items():
        if name == "header":
            frame = frame.with_columns(age_at(pl.col("DOB"), march_31).alias("age_at_31_march"))
        if name == "episodes":
            frame = (
                frame.join(births, on="CHILD", how="left")
                .with_columns(
                    age_at(pl.col("_dob"), pl.col("DECOM")).alias("age_at_decom"),
                    age_at(pl.col("_dob"), pl.col("DEC")).alias("age_at_dec"),
                )
                .drop("_dob")
            )
        frame = frame.drop([c for c in DROPPED if c in frame.columns]).with_columns(
            [private.month_of(c) for c in BIRTH_DATES if c in frame.columns]
            + [private.postcode_district(c) for c in POSTCODES if c in frame.columns]
            + [pseudonymiser.children(frame[c]).alias(c) for c in PSEUDONYMISED if c in frame.columns]
        )
        out[name] = frame.select(
            pl.lit(ret.la_code).alias("la_code"),
            pl.lit(ret.year).alias("collection_year"),
            pl.lit(file_name).alias("source_file"),
            pl.all(),
        ).rename({c: c.lower() for c in frame.columns if c != "row_index"})
    return out


def plain_copies(tables: dict[str, tuple[str, pl.DataFrame]], dest: Path) -> list[Path]:
    """Each table as DfE's validator reads one: its own columns only, in UTF-8, dates as
    dd/mm/YYYY, rows in the file's order (so the validator's row numbers are the file's). Written
    owner-only into ``dest``, a folder of the private area; the caller removes them."""
    written = []
    for name, (_, frame) in tables.items():
        table = TABLES[name]
        path = dest / f"{name}.csv"
        plain = frame.select(
            [pl.col(c).dt.strftime("%d/%m/%Y") if c in table.dates else pl.col(c) for c in table.columns]
        )
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, private.OWNER_ONLY_FILE)
        with os.fdopen(fd, "wb") as fh:
            plain.write_csv(fh)
        written.append(path)
    return written


def land_return(settings: Settings, ret: Return, tables: dict[str, tuple[str, pl.DataFrame]] | None = None) -> Landed:
    """Land ``ret`` (its tables as :func:`read_return` reads them, read here when not given)."""
    tables = dict(tables) if tables is not None else read_return(ret)
    landed = keep_files(settings, ret)
    landed.missing = [t.name for t in TABLES.values() if t.collected_in(ret.year) and t.name not in tables]
    landed.rows = {name: frame.height for name, (_, frame) in tables.items()}
    # a table the return lacks is there, empty, so counting reads every table whatever an LA sent
    tables |= {name: ("", empty(table)) for name, table in TABLES.items() if name not in tables}
    rows = pseudonymise(tables, ret, private.Pseudonymiser(private.pseudonym_key(settings), ret.la_code))
    with private.connect(settings) as con:
        con.execute("begin")
        replace_rows(con, SSDA903, rows, ret)
        record_return(
            con,
            SSDA903,
            landed,
            "tables varchar[], missing_tables varchar[]",
            {"tables": sorted(landed.rows), "missing_tables": landed.missing},
        )
        con.execute("commit")
    return landed


def keep_files(settings: Settings, ret: Return) -> Landed:
    """The return's files made owner-only where they sit (a file copied into the inbox by hand is
    tightened too) and kept by sha256 in the private area."""
    landed = Landed(ret.la_code, ret.year, ret.digest())
    for folder in (settings.inbox_dir, ret.folder.parent, ret.folder):
        private.owner_only_dir(folder)
    for file in ret.files:
        file.chmod(private.OWNER_ONLY_FILE)
        landed.files[file.name] = private.keep_file(settings, file)[0]
    return landed


def record_return(con, kind: str, landed: Landed, columns: str, values: dict) -> None:
    """The return's row of ``<kind>_returns`` (one per LA and year; its own ``columns`` beside
    the common ones), in the caller's transaction. ``rules_run`` is set once DfE's rules ran."""
    con.execute(
        f"create table if not exists {kind}_returns (la_code varchar, collection_year integer, digest varchar, "
        f"landed_at timestamp, files varchar[], {columns}, rules_run boolean, primary key (la_code, collection_year))"
    )
    names = ["la_code", "collection_year", "digest", "landed_at", "files", *values]
    con.execute(
        f"insert or replace into {kind}_returns ({', '.join(names)}) values ({', '.join('?' * len(names))})",
        [
            landed.la_code,
            landed.year,
            landed.digest,
            datetime.now(UTC).replace(tzinfo=None),
            sorted(landed.files),
            *values.values(),
        ],
    )


def replace_rows(con, kind: str, rows: dict[str, pl.DataFrame], ret: Return) -> None:
    """Each table's rows of ``ret``'s LA and year replaced by ``rows`` (in the caller's transaction)."""
    for name, frame in rows.items():  # noqa: B007 (frame is read by DuckDB's replacement scan)
        table = f"{kind}_{name.lower()}"
        con.execute(f"create table if not exists {table} as select * from frame limit 0")
        con.execute(f"delete from {table} where la_code = ? and collection_year = ?", [ret.la_code, ret.year])
        con.execute(f"insert into {table} by name select * from frame")


def withdraw(settings: Settings, keep: set[tuple[str, int, str]]) -> list[tuple[str, int, str]]:
    """Remove every landed return but those in ``keep`` (LA, year, kind) from the private
    database: a return taken out of the inbox is no longer counted or published. Returns what it
    removed."""
    gone: list[tuple[str, int, str]] = []
    with private.connect(settings) as con:
        tables = [r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()]
        for kind in KINDS:
            if f"{kind}_returns" not in tables:
                continue
            landed = con.execute(f"select la_code, collection_year from {kind}_returns").fetchall()
            these = sorted((la, year, kind) for la, year in landed if (la, year, kind) not in keep)
            if these:
                con.execute("begin")
                # every table of the kind but its figures, which counting replaces whole
                for table in (t for t in tables if t.startswith(f"{kind}_") and t != f"{kind}_figures"):
                    for la, year, _ in these:
                        con.execute(f"delete from {table} where la_code = ? and collection_year = ?", [la, year])
                con.execute("commit")
            gone += these
    return gone
