"""Open-data exports: every mart of the publication as Parquet and CSV, described by a
Frictionless Data Package (``datapackage.json``), published by the same atomic swap as the
DuckDB snapshot.

Layout (``orchestration/settings.py`` names the paths)::

    warehouse/open-data -> .open-data/<refresh id>      a symlink, swapped with one os.replace
    warehouse/.open-data/<refresh id>/
        datapackage.json                                   the descriptor (resources = marts)
        csv/<table>.csv                                    header, UTF-8, ISO dates, NULL as empty
        parquet/<table>.parquet                            zstd, DuckDB's own types

Each export is written whole into its own directory, fsynced, and only then does the link
move to it, so a reader never sees half an export or files of two refreshes through one
resolved path; the previous export stays until the next publication (a download that resolved
the link before the swap finishes from it). A table whose contents did not change since the
previous export is hard-linked from it, not written again.

The descriptor (keys, types, units, licence) is orchestration/lib/publish/datapackage.py's.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.lib.core import files
from orchestration.lib.publish.datapackage import (
    DESCRIPTOR_NAME,
    EXPORT_SCHEMA,
    NAIVE_TIMESTAMPS,
    ExportError,
    TableKeys,
    describe,
    mart_tables,
    open_rows,
)

STATE_NAME = ".export-state.json"  # per table: contents fingerprint, file sizes and hashes (reuse)
# Part of every table's fingerprint: a change to how files are written rewrites them all.
FILE_FORMAT_VERSION = "1"


@dataclass(frozen=True)
class ExportResult:
    path: Path
    tables: list[str]
    bytes: int
    reused: list[str]
    seconds: float


# --- writing ----------------------------------------------------------------------------------


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _csv_select(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """The table as the CSV writes it: timestamps in ISO 8601 (``T``, UTC as ``Z``)."""
    parts = []
    for column, dtype in con.execute(
        "select column_name, data_type from duckdb_columns() where schema_name = ? "
        "and table_name = ? order by column_index",
        [EXPORT_SCHEMA, table],
    ).fetchall():
        c = _ident(column)
        if dtype in NAIVE_TIMESTAMPS:
            parts.append(f"strftime({c}::timestamp, '%Y-%m-%dT%H:%M:%S.%f') as {c}")
        elif dtype == "TIMESTAMP WITH TIME ZONE":
            parts.append(f"strftime(timezone('UTC', {c}), '%Y-%m-%dT%H:%M:%S.%fZ') as {c}")
        else:
            parts.append(c)
    return open_rows(con, table, ", ".join(parts))


def _fingerprint(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """What a table's files are made of: its columns and types, and an order-free digest of its rows
    (the sum of DuckDB's row hashes, quick for every mart): equal fingerprints, equal files."""
    columns = con.execute(
        "select column_name, data_type from duckdb_columns() where schema_name = ? and "
        "table_name = ? order by column_index",
        [EXPORT_SCHEMA, table],
    ).fetchall()
    rows, digest = con.execute(f"select count(*), sum(hash(o)::hugeint) from ({open_rows(con, table)}) o").fetchone()
    return files.json_digest([FILE_FORMAT_VERSION, duckdb.__version__, columns, rows, str(digest)])


def _read_state(export_dir: Path | None) -> dict:
    if export_dir is None:
        return {}
    try:
        return json.loads((export_dir / STATE_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def write_table(con: duckdb.DuckDBPyConnection, table: str, dest: Path) -> dict:
    """Write one table's Parquet and CSV files; their sizes and sha256."""
    parquet, csv = dest / "parquet" / f"{table}.parquet", dest / "csv" / f"{table}.csv"
    con.execute(f"copy ({open_rows(con, table)}) to {_literal(str(parquet))} (format parquet, compression zstd)")
    con.execute(
        f"copy ({_csv_select(con, table)}) to {_literal(str(csv))} "
        "(format csv, header true, delimiter ',', quote '\"', nullstr '', dateformat '%Y-%m-%d')"
    )
    return {
        kind: {"bytes": p.stat().st_size, "sha256": files.sha256_file(p)}
        for kind, p in (("csv", csv), ("parquet", parquet))
    }


def write_export(
    snapshot: Path, dest: Path, keys: Mapping[str, TableKeys], previous: Path | None = None, catalogue=None
) -> ExportResult:
    """Write the export of the publication ``snapshot`` into the new directory ``dest``, every
    file fsynced; a table unchanged since the export in ``previous`` is hard-linked from it."""
    started = time.perf_counter()
    if dest.exists():
        raise ExportError(f"{dest} exists already")
    for sub in ("csv", "parquet"):
        (dest / sub).mkdir(parents=True)
    before = _read_state(previous)
    state: dict[str, dict] = {}
    reused = []
    con = duckdb.connect(
        str(snapshot),
        read_only=True,
        config={"autoinstall_known_extensions": False, "autoload_known_extensions": False},
    )
    try:
        tables = list(mart_tables(con))
        if not tables:
            raise ExportError(f"{snapshot} has no table in schema {EXPORT_SCHEMA}")
        for table in tables:
            fingerprint = _fingerprint(con, table)
            old = before.get(table)
            if old and old.get("fingerprint") == fingerprint and _link_files(previous, dest, table, old):
                state[table] = old
                reused.append(table)
                continue
            state[table] = {"fingerprint": fingerprint, **write_table(con, table, dest)}
        descriptor = describe(con, keys, catalogue=catalogue, files=state)
    finally:
        con.close()
    (dest / DESCRIPTOR_NAME).write_text(json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (dest / STATE_NAME).write_text(json.dumps(state, indent=1) + "\n", encoding="utf-8")
    for path in sorted(dest.rglob("*")):
        if path.is_file():  # published files are never changed in place (unchanged ones are hard-linked)
            path.chmod(0o444)
        files.sync(path)
    files.sync(dest)
    total = sum(p.stat().st_size for p in dest.rglob("*") if p.is_file())
    return ExportResult(path=dest, tables=tables, bytes=total, reused=reused, seconds=time.perf_counter() - started)


def _link_files(previous: Path | None, dest: Path, table: str, old: Mapping) -> bool:
    """Hard-link a table's files from the previous export when they are still as recorded."""
    pairs = [
        (previous / sub / f"{table}.{ext}", dest / sub / f"{table}.{ext}", kind)
        for sub, ext, kind in (("csv", "csv", "csv"), ("parquet", "parquet", "parquet"))
    ]
    if any(not src.is_file() or src.stat().st_size != old.get(kind, {}).get("bytes") for src, _, kind in pairs):
        return False
    try:
        for src, dst, _ in pairs:
            os.link(src, dst)
    except OSError:  # another filesystem, or links not allowed: write them again
        for _, dst, _ in pairs:
            dst.unlink(missing_ok=True)
        return False
    return True


# --- publishing: the link swap ----------------------------------------------------------------


def current_export(link: Path) -> Path | None:
    """The export directory the open-data link points to now (None when nothing is published)."""
    if not link.is_symlink():
        return None
    target = link.parent / os.readlink(link)
    return target if target.is_dir() else None


def new_export_dir(versions_dir: Path, refresh_id: str) -> Path:
    """A fresh directory name for this refresh's export (a retried publication gets a suffix)."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", refresh_id) or "refresh"
    candidate = versions_dir / safe
    n = 1
    while candidate.exists():
        n += 1
        candidate = versions_dir / f"{safe}.{n}"
    return candidate


def swap_link(link: Path, target: Path) -> Path | None:
    """Point ``link`` at ``target`` in one ``os.replace`` of a new symlink; the previous target.

    The symlink is relative (the warehouse directory can move). A real directory where the link
    belongs (a warehouse copied without its links) is moved aside into ``target``'s parent first.
    """
    previous = current_export(link)
    if link.exists() and not link.is_symlink():
        if not link.is_dir():
            raise ExportError(f"{link} is a file, not the open-data link")
        aside = target.parent / f"copied-{uuid.uuid4().hex[:8]}"
        os.replace(link, aside)
        previous = aside
    files.point_link(link, target)
    return previous


def restore_link(link: Path, previous: Path | None) -> None:
    """Undo a swap: the link back to ``previous`` (or no link when there was none)."""
    if previous is None:
        if link.is_symlink():
            link.unlink()
        return
    swap_link(link, previous)


def prune(versions_dir: Path, keep: Iterable[Path]) -> list[Path]:
    """Remove every export directory but those to keep (the current one and the previous one)."""
    kept = {p.resolve() for p in keep if p is not None}
    removed = []
    if not versions_dir.exists():
        return removed
    for entry in versions_dir.iterdir():
        if entry.resolve() in kept:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
        removed.append(entry)
    return removed
