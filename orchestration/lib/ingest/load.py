"""Load landed files into schema ``raw``: one table per file family, every vintage stacked.

Each row keeps its published text values plus lineage columns: ``_release``,
``_source_file``, ``_sha256``, ``_loaded_at`` and ``_row_number`` (the row in the file).
``meta.source_files`` records every landed file with its provenance; a file whose sha256 and
catalogue parse spec (``Family.parse_spec``) are unchanged since it was last loaded is not
parsed or loaded again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import duckdb
import polars as pl

from orchestration.lib.core import versions
from orchestration.lib.core.conventions import conventions
from orchestration.lib.ingest.catalogue import Family, Release
from orchestration.lib.ingest.meta_tables import DDL
from orchestration.lib.ingest.parse import ROW_NUMBER, read_source_file
from orchestration.lib.ingest.provenance import LandedFile


def lineage_columns() -> dict[str, str]:
    """name -> type of the columns the loader adds to every raw table, from the project's
    conventions (dbt_project.yml vars: dbt reads the same list); the parser numbers rows under
    the last one's name."""
    columns = conventions().lineage_columns
    if list(columns)[-1] != ROW_NUMBER:
        raise ValueError(f"the last lineage column is {ROW_NUMBER}, not {list(columns)[-1]}")
    return columns


@cache
def loader_digest() -> str:
    """The code that turns a landed file into raw rows: this loader and everything it imports
    (the parser, the catalogue's parse settings)."""
    return versions.code_version(__name__)


@dataclass(frozen=True)
class LoadResult:
    family: str
    loaded: list[str]
    unchanged: list[str]
    removed: list[str]
    row_count: int


def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def ensure_raw_table(con: duckdb.DuckDBPyConnection, family: Family) -> None:
    con.execute("create schema if not exists raw")
    con.execute(DDL)
    table = f"raw.{quote(family.raw_table)}"
    cols = [f"{quote(c)} VARCHAR" for c in family.column_names]
    cols += [f"{quote(c)} {t}" for c, t in lineage_columns().items()]
    con.execute(f"create table if not exists {table} ({', '.join(cols)})")
    existing = {
        r[0]
        for r in con.execute(
            "select column_name from information_schema.columns where table_schema = 'raw' and table_name = ?",
            [family.raw_table],
        ).fetchall()
    }
    for column in family.column_names:
        if column not in existing:
            con.execute(f"alter table {table} add column {quote(column)} VARCHAR")


def loaded_versions(con: duckdb.DuckDBPyConnection, family: str) -> dict[tuple[str, str], tuple[str, str | None]]:
    """(release, file) -> (sha256, parse spec) of what raw.<family> holds now."""
    rows = con.execute(
        "select release, file, sha256, parse_spec from meta.source_files where family = ?", [family]
    ).fetchall()
    return {(r[0], r[1]): (r[2], r[3]) for r in rows}


def load_family(
    con: duckdb.DuckDBPyConnection, family: Family, landed: list[LandedFile], releases: list[Release] | None = None
) -> LoadResult:
    """Bring ``raw.<family>`` in line with the landed files, in one transaction. ``releases``
    are the catalogue entries the files were landed for (discovery adds releases the catalogue
    does not list yet); by default the family's catalogued releases."""
    con.execute(DDL)
    before = loaded_versions(con, family.name)
    by_release = {r.release: r for r in (releases if releases is not None else family.releases)}

    def version(f: LandedFile) -> tuple[str, str]:
        # the catalogue's parse settings and the parser's and loader's own code: a change to either re-parses
        return f.sha256, f"{family.parse_spec(by_release[f.release])}-{loader_digest()[:8]}"

    changed = [f for f in landed if before.get((f.release, f.file)) != version(f)]
    unchanged = [f for f in landed if before.get((f.release, f.file)) == version(f)]
    current = {(f.release, f.file) for f in landed}
    stale = [key for key in before if key not in current]
    table = f"raw.{quote(family.raw_table)}"
    if not changed and not stale and before:  # the table holds these very files, parsed this very way
        total = con.execute(f"select count(*) from {table}").fetchone()[0]
        return LoadResult(
            family=family.name,
            loaded=[],
            unchanged=[f"{f.release}/{f.file}" for f in unchanged],
            removed=[],
            row_count=total,
        )
    ensure_raw_table(con, family)

    # Parse every changed file before touching the table: one bad file changes nothing.
    frames: list[tuple[LandedFile, pl.DataFrame]] = []
    for f in changed:
        frames.append((f, read_source_file(Path(f.path), family, by_release[f.release])))

    now = datetime.now(UTC)
    columns = family.column_names + list(lineage_columns())
    con.execute("begin transaction")
    try:
        for release, file in stale:
            con.execute(f"delete from {table} where _release = ? and _source_file = ?", [release, file])
            con.execute(
                "delete from meta.source_files where family = ? and release = ? and file = ?",
                [family.name, release, file],
            )
        for f, frame in frames:
            frame = frame.with_columns(
                pl.lit(f.release).alias("_release"),
                pl.lit(f.file).alias("_source_file"),
                pl.lit(f.sha256).alias("_sha256"),
                pl.lit(now).alias("_loaded_at"),
            ).select(columns)
            con.register("_incoming", frame.to_arrow())
            con.execute(f"delete from {table} where _release = ? and _source_file = ?", [f.release, f.file])
            con.execute(f"insert into {table} ({', '.join(map(quote, columns))}) select * from _incoming")
            con.unregister("_incoming")
            con.execute(
                "insert or replace into meta.source_files values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    family.name,
                    f.source,
                    f.release,
                    f.file,
                    f.sha256,
                    f.bytes,
                    f.origin,
                    f.fetched_at,
                    now,
                    frame.height,
                    version(f)[1],
                ],
            )
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    total = con.execute(f"select count(*) from {table}").fetchone()[0]
    return LoadResult(
        family=family.name,
        loaded=[f"{f.release}/{f.file}" for f in changed],
        unchanged=[f"{f.release}/{f.file}" for f in unchanged],
        removed=[f"{r}/{fl}" for r, fl in stale],
        row_count=total,
    )
