"""The Dagster resource every step uses to reach the warehouse, and the one-refresh-at-a-time lock."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import dagster as dg
import duckdb

from orchestration.settings import Settings, get_settings

DUCKDB_CONFIG = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}


class RefreshLockedError(RuntimeError):
    pass


@contextmanager
def refresh_lock(settings: Settings) -> Iterator[None]:
    """Hold the warehouse's refresh lock, or refuse at once naming who holds it."""
    settings.ensure_dirs()
    fh = open(settings.lock_path, "a+", encoding="utf-8")
    try:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "another process"
            raise RefreshLockedError(
                f"another refresh is running on {settings.warehouse_dir} ({holder}); try again when it has finished"
            ) from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()} since {datetime.now(UTC).isoformat(timespec='seconds')}")
        fh.flush()
        yield
    finally:
        fh.close()  # closing the descriptor releases the lock, also when the process dies


class RefreshLockResource(dg.ConfigurableResource):
    """The one-refresh-at-a-time lock: a step that writes the work database, or reads it while
    others may write, names this resource, and its run holds the lock while it runs (the
    in-process executor initialises a run's resources once, so a run holds it throughout). A
    second refresh refuses at once, naming the holder."""

    @contextmanager
    def yield_for_execution(self, context: dg.InitResourceContext) -> Iterator[RefreshLockResource]:
        with refresh_lock(get_settings()):
            yield self


class WarehouseResource(dg.ConfigurableResource):
    """The work database. Paths come from orchestration.settings (environment variables), read
    when a step asks."""

    def settings(self) -> Settings:
        return get_settings()

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        # Opened per use and closed straight after: dbt runs in another process and DuckDB
        # lets only one process hold the file.
        settings = self.settings()
        settings.ensure_dirs()
        con = duckdb.connect(str(settings.duckdb_path), read_only=read_only, config=DUCKDB_CONFIG)
        try:
            yield con
        finally:
            con.close()
