"""The one module that reaches into Dagster's private API (``dagster._core``, ``dagster._serdes``,
the instance's event log storage). Everything else uses Dagster's public API. Each piece says
why no public API serves, and tests/unit/test_internals.py fails, naming the piece, when
an upgrade changes the Dagster code it depends on.

1. :class:`PooledSqliteEventLogStorage`: the event log a warehouse's instance uses (its
   dagster.yaml names it: orchestration/lib/core/dagster_home.py). Dagster's
   ``SqliteEventLogStorage._connect`` (dagster/_core/storage/event_log/sqlite/sqlite_event_log.py)
   creates an engine with ``NullPool`` for every connection and disposes of it afterwards, so
   every event pays for a new engine (SQLAlchemy's compiled-statement cache lives on the
   engine: every insert is compiled again), a new SQLite connection and, when that connection
   closes as the file's last one, a WAL checkpoint; asset and check events do it again on the
   index shard, and ``has_table`` opens one more engine for each asset event. Dagster's
   configuration lets an instance name its event log class, but offers no pooled SQLite one:
   this subclass keeps one engine per shard (docs/performance.md has what it saves).

   What it keeps from Dagster's class, read in that file:

   - Every connection is still made under the instance's ``_db_lock``, in a transaction,
     exactly as ``_connect`` does, so one pooled connection per shard serves every thread of
     the process in turn (SQLAlchemy's SQLite dialect sets ``check_same_thread=False`` for file
     databases).
   - ``_initdb`` (schema creation, ``journal_mode=WAL``, alembic stamp, with its retries when
     another process creates the same file) still runs once per shard per process, through
     ``_connect`` and ``_initialized_dbs``; the index shard is still created, and reindexed, by
     the parent's ``__init__``.
   - Other processes (the webserver, the daemon, ``csc status``) read the same files: the
     shards are in WAL mode, a pooled connection holds no lock between transactions (the pool
     rolls back on check-in), and readers see every committed event in the WAL.
   - The webserver's live run log is ``SqliteEventLogStorage.watch``: a watchdog on
     ``<run>.db``. Dagster's writes modify that file only because closing the last connection
     checkpoints the WAL into it; a pooled connection writes to ``<run>.db-wal`` only, so the
     watcher would see nothing until an automatic checkpoint. After each event the run's
     ``.db`` has its times touched (an inotify IN_ATTRIB, which watchdog reports as a
     modification), so the watcher reads the new events as before.
   - A few run shards stay open (the index shard always): a webserver or daemon that lives for
     weeks does not hold every run's file open. ``wipe`` (which deletes shard files) and
     ``dispose`` close the engines first; a forked child never uses its parent's connections.

2. :func:`create_new_databases`: a new Dagster home's run and schedule databases, empty, in WAL
   mode from their first statement (Dagster's storages create their schema one committed
   statement at a time in SQLite's rollback journal, then turn WAL on; there is no setting for
   it).

3. :func:`latest_check_executions`: the latest execution record of many asset checks in one
   read, and the last completed one where the latest was only planned. Dagster's public API
   reads one check at a time (``DagsterInstance.get_latest_asset_check_evaluation_record``) and
   has no way to ask for a check's last *completed* execution.
"""

from __future__ import annotations

import os
import sqlite3
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
from dagster._core.storage.asset_check_execution_record import COMPLETED_ASSET_CHECK_EXECUTION_RECORD_STATUSES
from dagster._core.storage.event_log.sqlite.sqlite_event_log import INDEX_SHARD_NAME, SqliteEventLogStorage
from dagster._core.storage.sql import create_engine
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from dagster._serdes import ConfigurableClassData
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool

# What each piece here was written against, as orchestration.lib.core.versions.upstream_digest
# reads it: tests/unit/test_internals.py fails, naming the function, when an upgrade changes one.
# Read the new code, carry the change over (or drop the piece if a public API now serves), then
# record the new digest.
UPSTREAM = {
    "dagster._core.storage.event_log.sqlite.sqlite_event_log:SqliteEventLogStorage.__init__": "bd1f3087a8d0780b",
    "dagster._core.storage.event_log.sqlite.sqlite_event_log:SqliteEventLogStorage._connect": "3db16e5627b5f203",
    "dagster._core.storage.event_log.sqlite.sqlite_event_log:SqliteEventLogStorage._initdb": "6c9017dcba964290",
    "dagster._core.storage.event_log.sqlite.sqlite_event_log:SqliteEventLogStorage.has_table": "790f5efdd3dc793c",
    "dagster._core.storage.event_log.sqlite.sqlite_event_log:SqliteEventLogStorage.store_event": "f515c4445b7fd173",
    "dagster._core.storage.event_log.sqlite.sqlite_event_log:SqliteEventLogStorage.wipe": "cc384b2c5cf3a1b6",
    "dagster._core.storage.event_log.sqlite.sqlite_event_log:SqliteEventLogStorage.watch": "35c3eb3e7a0e94d7",
    "dagster._core.storage.runs.sqlite.sqlite_run_storage:SqliteRunStorage.from_local": "e95275f176a4e920",
    "dagster._core.storage.schedules.sqlite.sqlite_schedule_storage:SqliteScheduleStorage.from_local": "c9879e8091a1d8fe",
    "dagster._core.storage.event_log.sql_event_log:SqlEventLogStorage.get_latest_asset_check_execution_by_key": (
        "8aaf966abc80251e"
    ),
    "dagster._core.storage.event_log.sql_event_log:SqlEventLogStorage.get_asset_check_execution_history": (
        "161c5eab9df3eaee"
    ),
}

OPEN_RUN_SHARDS = 4  # a refresh writes to one run at a time; the UI reads a few


class PooledSqliteEventLogStorage(SqliteEventLogStorage):
    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._pid = os.getpid()
        self._tables: set[str] = set()
        super().__init__(base_dir, inst_data=inst_data)  # creates the index shard if missing (through _initdb)

    @classmethod
    def from_config_value(cls, inst_data: ConfigurableClassData | None, config_value) -> PooledSqliteEventLogStorage:
        return cls(inst_data=inst_data, **config_value)  # the parent's returns a SqliteEventLogStorage

    def register_instance(self, instance) -> None:
        """Refuse a dagster.yaml that names another home's event log: the path in it is absolute
        (Dagster's config has no path relative to the home), so a warehouse copied or moved
        elsewhere would record its runs here and their events there until a ``csc`` command
        rewrites the file (orchestration/lib/core/dagster_home.py)."""
        super().register_instance(instance)
        own = os.path.join(instance.root_directory, "history", "runs")
        if os.path.realpath(own) != os.path.realpath(self._base_dir):
            raise dg.DagsterInvariantViolationError(
                f"{instance.root_directory}/dagster.yaml names the event log of another Dagster home "
                f"({self._base_dir}); a copied or moved warehouse gets it rewritten by any csc command"
            )

    def _engine(self, shard: str) -> Engine:
        """The shard's engine (called under ``_db_lock``)."""
        if self._pid != os.getpid():  # a forked child: the parent's connections are not ours to use or close
            self._engines = OrderedDict()
            self._pid = os.getpid()
        engine = self._engines.get(shard)
        if engine is not None:
            self._engines.move_to_end(shard)
            return engine
        engine = create_engine(
            self.conn_string_for_shard(shard), pool_size=1, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS}
        )
        self._engines[shard] = engine
        runs = [name for name in self._engines if name != INDEX_SHARD_NAME]
        for name in runs[:-OPEN_RUN_SHARDS]:
            self._engines.pop(name).dispose()
        return engine

    def _initdb(self, engine: Engine, for_index_shard: bool = False) -> None:
        """Dagster's schema creation (once per shard and process), on connections of its own in WAL
        mode without a sync at each commit. Dagster creates a shard's tables and indexes with one
        statement each, each committed on its own (pysqlite runs DDL outside a transaction) in
        SQLite's default rollback journal, and only then turns WAL on: a sync for every statement
        of every new run, where this way syncs a few times. WAL with ``synchronous=NORMAL`` cannot
        corrupt the file; a power cut may undo the last commits, and a half-made schema has no
        alembic stamp yet, so the next ``_initdb`` completes it (``create_all`` skips what exists).
        Events are then written on the kept connection, with Dagster's durability (``FULL``: each
        commit syncs the WAL, the schema's frames with it)."""
        creating = create_engine(engine.url, poolclass=NullPool, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS})
        sa_event.listen(creating, "connect", _wal_without_sync_per_commit)
        try:
            super()._initdb(creating, for_index_shard=for_index_shard)
        finally:
            creating.dispose()

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        # SqliteEventLogStorage._connect, with the engine kept instead of created and disposed
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn:
                with conn.begin():
                    yield conn

    def has_table(self, table_name: str) -> bool:
        # The parent opens an engine and a connection for each question, and asks once per asset
        # event (sql_event_log.py, _store_asset_event_tags: "asset_event_tags"), from inside an index
        # connection, so under _db_lock: a pooled answer cannot be had there. A table, once there,
        # stays (migrations add tables, wipe deletes rows), so a yes is remembered; a no is asked
        # again, for `dagster instance migrate` run meanwhile by another process.
        if table_name in self._tables:
            return True
        found = super().has_table(table_name)
        if found:
            self._tables.add(table_name)
        return found

    def store_event(self, event: dg.EventLogEntry) -> None:
        super().store_event(event)
        try:  # tell a watcher of the run (the webserver's live log) that the run has a new event
            os.utime(self.path_for_shard(event.run_id))
        except OSError:
            pass

    def _close_engines(self) -> None:
        with self._db_lock:
            for engine in self._engines.values():
                engine.dispose()
            self._engines.clear()

    def wipe(self) -> None:
        self._close_engines()  # the run shards' files are deleted: no connection may write to them after
        super().wipe()

    def dispose(self) -> None:
        self._close_engines()
        super().dispose()


def _wal_without_sync_per_commit(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_new_databases(home: Path) -> None:
    """Create a new Dagster home's run and schedule databases, empty, in WAL mode.

    Dagster's ``SqliteRunStorage.from_local`` and ``SqliteScheduleStorage.from_local``
    (dagster/_core/storage/runs/sqlite/sqlite_run_storage.py, .../schedules/sqlite/
    sqlite_schedule_storage.py) create their tables and indexes one statement at a time, each
    committed on its own in SQLite's rollback journal (three syncs each), and then turn WAL on:
    most of what a refresh into an empty warehouse spends before its first run. They
    decide what to create from the alembic stamp and the tables present, not from the file's
    existence, so an empty file already in WAL mode gets the same schema, in WAL from the first
    statement (one sync each). Files that exist are left as they are.
    """
    for path in (home / "history" / "runs.db", home / "schedules" / "schedules.db"):
        if path.exists():
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(path)
        try:
            db.execute("PRAGMA journal_mode=WAL")
        finally:
            db.close()


def latest_check_executions(instance: dg.DagsterInstance, keys: list[dg.AssetCheckKey], current_run: str | None = None):
    """check key -> its latest execution record (or None): one batched read of the event log for
    every check, and one more for each check whose latest record is only planned. A record that is only planned (its run stopped before the check,
    or is still running it) gives way to the check's last completed execution, unless it was
    planned in ``current_run``."""
    storage = instance.event_log_storage
    records = storage.get_latest_asset_check_execution_by_key(keys)
    out = {}
    for key in keys:
        record = records.get(key)
        planned_only = record is not None and not _evaluated(record)
        if planned_only and record.run_id != current_run:
            done = storage.get_asset_check_execution_history(
                key, limit=1, status=COMPLETED_ASSET_CHECK_EXECUTION_RECORD_STATUSES
            )
            record = done[0] if done else record
        out[key] = record
    return out


def _evaluated(record) -> bool:
    data = record.event.dagster_event.event_specific_data if record.event else None
    return isinstance(data, dg.AssetCheckEvaluation)
