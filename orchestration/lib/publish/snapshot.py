"""Publish the work database's marts as the read-only snapshot BI tools open.

The snapshot is built beside its final name as a hidden temporary file, closed and fsynced,
then renamed over ``csc.duckdb`` in one ``os.replace``. A reader that opened the previous
file keeps reading it whole (the rename does not touch its inode); a reader that opens after
the rename sees the new file whole. Nothing is ever written to ``csc.duckdb`` in place.

The open-data export (every mart as Parquet and CSV with a Frictionless ``datapackage.json``,
orchestration/lib/publish/open_data.py) is written from that snapshot before either is put out: a failed
export publishes nothing and leaves the previous ``csc.duckdb`` and export as they were. Then the
``open-data`` link is swapped and the snapshot renamed, two renames in a row; should the second
fail, the link is swapped back.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from orchestration.lib.core import files
from orchestration.lib.publish import open_data
from orchestration.lib.publish.datapackage import TableKeys, keys_from_manifest
from orchestration.settings import Settings

PUBLISHED_SCHEMAS = ("marts",)
# Readers with DuckDB 1.1 or newer can open the snapshot; the work database stays on 2.0's format.
STORAGE_VERSION = "v1.1.0"
# The oldest reader docs/bi-clients.md names: tests/e2e/test_readers.py opens the publication with it
# (1.0.0 cannot: "Failed to deserialize", the storage format is newer than it knows).
OLDEST_READER = "1.1.0"
META_DDL = """
create schema meta;
create table meta.refresh (
    refresh_id      varchar not null primary key,
    started_at      timestamptz not null,
    finished_at     timestamptz not null,
    source_files    integer not null,
    checks_run      integer not null,
    checks_passed   integer not null
);
comment on table meta.refresh is 'The refresh that produced this publication (one row).';
create table meta.refresh_checks (
    refresh_id  varchar not null,
    asset_key   varchar not null,
    check_name  varchar not null,
    passed      boolean not null,
    severity    varchar,
    description varchar,
    evaluated_in_refresh varchar
);
comment on table meta.refresh_checks is 'The latest result of every check (dbt tests, expectation suites, release freshness) on what this publication is built from, and the refresh that evaluated it: a refresh re-checks only what changed.';
"""


class PublishError(RuntimeError):
    pass


@dataclass(frozen=True)
class CheckRecord:
    asset_key: str
    check_name: str
    passed: bool
    severity: str | None = None
    description: str | None = None
    refresh_id: str | None = None  # the refresh that evaluated it (this one, or the one that last built its asset)


@dataclass(frozen=True)
class RefreshRecord:
    refresh_id: str
    started_at: datetime
    checks: list[CheckRecord] = field(default_factory=list)


@dataclass(frozen=True)
class PublishResult:
    path: Path
    bytes: int
    tables: list[str]
    source_files: int
    export: open_data.ExportResult | None = None


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _copy_schema(con: duckdb.DuckDBPyConnection, schema: str) -> list[str]:
    """Recreate ``work.<schema>`` tables in ``pub`` with their DDL, rows and comments."""
    con.execute(f"create schema if not exists pub.{schema}")
    tables = con.execute(
        "select table_name, sql, comment from duckdb_tables() where database_name = 'work' and schema_name = ? order by table_name",
        [schema],
    ).fetchall()
    names = []
    for table, ddl, comment in tables:
        # DDL as the work database has it (NOT NULL and PRIMARY KEY from dbt contracts).
        ddl = ddl.replace(f"CREATE TABLE {schema}.{table}", f"CREATE TABLE pub.{schema}.{table}", 1)
        if not ddl.startswith(f"CREATE TABLE pub.{schema}."):
            ddl = f"create table pub.{schema}.{table} as select * from work.{schema}.{table} limit 0"
        con.execute(ddl)
        con.execute(f"insert into pub.{schema}.{table} select * from work.{schema}.{table}")
        if comment:
            con.execute(f"comment on table pub.{schema}.{table} is {_sql_string(comment)}")
        for column, col_comment in con.execute(
            "select column_name, comment from duckdb_columns() where database_name = 'work' and schema_name = ? "
            "and table_name = ? and comment is not null",
            [schema, table],
        ).fetchall():
            con.execute(f'comment on column pub.{schema}.{table}."{column}" is {_sql_string(col_comment)}')
        names.append(f"{schema}.{table}")
    return names


def publish(settings: Settings, refresh: RefreshRecord, keys: Mapping[str, TableKeys] | None = None) -> PublishResult:
    """Publish the work database's marts; ``keys`` are the marts' primary and foreign keys for the
    open-data descriptor (by default read from the dbt project's tests, through its manifest)."""
    failed = [c for c in refresh.checks if not c.passed and (c.severity or "ERROR").upper() != "WARN"]
    if failed:
        raise PublishError(
            "not publishing: failed checks " + ", ".join(f"{c.asset_key}:{c.check_name}" for c in failed)
        )
    target = settings.published_path
    staging = settings.publishing_dir
    staging.mkdir(parents=True, exist_ok=True)
    # A refresh killed while publishing leaves its half-written snapshot here; publish runs
    # under the refresh lock, so nothing else can be writing one now.
    for stale in staging.iterdir():
        stale.unlink(missing_ok=True)
    tmp = staging / f"{target.stem}.{uuid.uuid4().hex}.duckdb"
    finished_at = datetime.now(UTC)
    con = duckdb.connect(":memory:", config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
    try:
        con.execute(f"attach {_sql_string(str(settings.duckdb_path))} as work (read_only)")
        con.execute(f"attach {_sql_string(str(tmp))} as pub (storage_version {_sql_string(STORAGE_VERSION)})")
        tables = [t for schema in PUBLISHED_SCHEMAS for t in _copy_schema(con, schema)]
        con.execute("use pub")
        con.execute(META_DDL)
        # Same columns as the loader's meta.source_files, with the refresh id in front.
        con.execute(
            "create table meta.refresh_source_files as select ?::varchar as refresh_id, * "
            "from work.meta.source_files order by family, release, file",
            [refresh.refresh_id],
        )
        con.execute(
            "comment on table meta.refresh_source_files is "
            "'Every source file in this publication: release vintage, sha256, size and origin.'"
        )
        # What discovery found and how each publisher answered (absent before the first refresh
        # that had discovery: a work database from an older version of this code).
        from orchestration.lib.ingest import release_index

        for table, comment in release_index.COMMENTS.items():
            present = con.execute(
                "select count(*) from duckdb_tables() where database_name = 'work' "
                "and schema_name = 'meta' and table_name = ?",
                [table],
            ).fetchone()[0]
            if present:
                con.execute(f"create table meta.{table} as select * from work.meta.{table} order by all")
                con.execute(f"comment on table meta.{table} is {_sql_string(comment)}")
        n_files = con.execute("select count(*) from meta.refresh_source_files").fetchone()[0]
        if n_files == 0:
            raise PublishError("not publishing: the work database records no source files")
        if refresh.checks:
            con.executemany(
                "insert into meta.refresh_checks values (?, ?, ?, ?, ?, ?, ?)",
                [
                    [
                        refresh.refresh_id,
                        c.asset_key,
                        c.check_name,
                        c.passed,
                        c.severity,
                        c.description,
                        c.refresh_id or refresh.refresh_id,
                    ]
                    for c in refresh.checks
                ],
            )
        con.execute(
            "insert into meta.refresh values (?, ?, ?, ?, ?, ?)",
            [
                refresh.refresh_id,
                refresh.started_at,
                finished_at,
                n_files,
                len(refresh.checks),
                sum(c.passed for c in refresh.checks),
            ],
        )
        con.execute("use memory")
        con.execute("detach pub")
        con.execute("detach work")
    except Exception:
        con.close()
        tmp.unlink(missing_ok=True)
        Path(str(tmp) + ".wal").unlink(missing_ok=True)
        raise
    con.close()
    if Path(str(tmp) + ".wal").exists():
        raise PublishError(f"{tmp}: a write-ahead log remained after closing; not publishing")
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    size = tmp.stat().st_size
    link, versions = settings.open_data_path, settings.open_data_versions_dir
    versions.mkdir(parents=True, exist_ok=True)
    export_dir = open_data.new_export_dir(versions, refresh.refresh_id)
    try:
        if keys is None:
            from orchestration.lib.dbt.project import load_manifest

            keys = keys_from_manifest(load_manifest())
        from orchestration.lib.ingest.catalogue import load_catalogue

        export = open_data.write_export(
            tmp,
            export_dir,
            keys,
            previous=open_data.current_export(link),
            catalogue=load_catalogue(settings.catalogue_path),
        )
        replaced = open_data.swap_link(link, export_dir)
    except Exception as exc:
        shutil.rmtree(export_dir, ignore_errors=True)
        tmp.unlink(missing_ok=True)
        raise PublishError(f"not publishing: the open-data export failed ({type(exc).__name__}: {exc})") from exc
    try:
        files.install(tmp, target, durable=True)
    except BaseException:
        open_data.restore_link(link, replaced)
        shutil.rmtree(export_dir, ignore_errors=True)
        tmp.unlink(missing_ok=True)
        raise
    # the previous export stays: a download that resolved the link before the swap finishes from it
    open_data.prune(versions, keep=[export_dir, replaced])
    return PublishResult(path=target, bytes=size, tables=tables, source_files=n_files, export=export)
