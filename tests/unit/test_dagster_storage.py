"""The project's Dagster storage (orchestration/lib/core/dagster_internals.py): an event log with one
connection per shard kept open, new databases in WAL mode from their first statement, and
nothing that reads the same files (Dagster's own storage classes, the webserver's live run log)
sees a difference."""

from __future__ import annotations

import sqlite3
import threading
import time

import dagster as dg
import pytest
from dagster._core.events.log import EventLogEntry
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from dagster._core.storage.runs.sqlite.sqlite_run_storage import SqliteRunStorage

from orchestration.lib.core.dagster_home import DAGSTER_YAML_HEADER, dagster_yaml, ensure_dagster_home
from orchestration.lib.core.dagster_internals import OPEN_RUN_SHARDS, PooledSqliteEventLogStorage
from orchestration.settings import get_settings
from tests.support.sqlite_connections import Connections


@pytest.fixture
def home(warehouse, monkeypatch):
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    return ensure_dagster_home(warehouse)


def log_entry(run_id: str, message: str) -> EventLogEntry:
    return EventLogEntry(
        error_info=None, level=20, user_message=message, run_id=run_id, timestamp=time.time(), dagster_event=None
    )


def test_a_warehouse_instance_records_events_on_kept_connections_that_dagster_reads_as_its_own(home):
    @dg.asset
    def chatty(context):
        for i in range(20):
            context.log.info(f"line {i}")

    job = dg.Definitions(assets=[chatty]).resolve_implicit_global_asset_job_def()
    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert isinstance(instance.event_log_storage, PooledSqliteEventLogStorage)
        job.execute_in_process(instance=instance)  # the run's shard exists: what follows only writes
        with Connections() as connections:
            result = job.execute_in_process(instance=instance, run_config={"loggers": {}})
        events = len(instance.get_records_for_run(result.run_id).records)
        assert events > 30
        # Dagster's own class opens 1 to 4 connections per event (a run shard, the index shard, has_table)
        assert connections.count < 30, connections.count

    # the files are Dagster's: its own storage classes read the runs, their events, the asset's latest materialization
    assert len(SqliteRunStorage.from_local(str(home / "history")).get_runs()) == 2
    plain = SqliteEventLogStorage(str(home / "history" / "runs"))
    assert len(plain.get_records_for_run(result.run_id).records) == events
    assert (
        plain.get_latest_materialization_events([dg.AssetKey("chatty")])[dg.AssetKey("chatty")].run_id == result.run_id
    )
    databases = [
        home / "history" / "runs.db",
        home / "schedules" / "schedules.db",
        *(home / "history" / "runs" / f"{shard}.db" for shard in ("index", result.run_id)),
    ]
    for path in databases:  # each created whole, stamped, in WAL mode as Dagster leaves its databases
        db = sqlite3.connect(path)
        assert db.execute("pragma journal_mode").fetchone()[0] == "wal", path
        assert db.execute("select count(*) from alembic_version").fetchone()[0] == 1, path
        db.close()


def test_the_webservers_live_run_log_sees_each_event_as_it_is_written(tmp_path):
    """The UI follows a running run through SqliteEventLogStorage.watch: a watchdog on <run>.db,
    which a kept connection (writing to <run>.db-wal only) would leave silent."""
    writer = PooledSqliteEventLogStorage(str(tmp_path))
    watcher = SqliteEventLogStorage(str(tmp_path))
    writer.store_event(log_entry("r", "before"))  # a run's shard exists before anyone watches it
    seen: list[str] = []
    arrived = threading.Event()

    def on_event(entry, _cursor):
        seen.append(entry.user_message)
        arrived.set()

    watcher.watch("r", None, on_event)
    try:
        for i in range(5):
            arrived.clear()
            writer.store_event(log_entry("r", f"event {i}"))
            assert arrived.wait(10), f"the watcher did not see event {i}"
        assert seen[-5:] == [f"event {i}" for i in range(5)]
    finally:
        watcher.end_watch("r", on_event)
        watcher.dispose()
        writer.dispose()


def test_wipe_closes_the_connections_before_it_deletes_the_run_shards(tmp_path):
    storage = PooledSqliteEventLogStorage(str(tmp_path))
    storage.store_event(log_entry("r", "first"))
    storage.wipe()
    storage.store_event(log_entry("r", "after the wipe"))  # to the new file, not to the deleted one
    plain = SqliteEventLogStorage(str(tmp_path))
    assert [r.event_log_entry.user_message for r in plain.get_records_for_run("r").records] == ["after the wipe"]
    storage.dispose()


def test_only_a_few_run_shards_stay_open(tmp_path):
    storage = PooledSqliteEventLogStorage(str(tmp_path))
    for i in range(3 * OPEN_RUN_SHARDS):
        storage.store_event(log_entry(f"run{i}", "x"))
    assert len(storage._engines) <= OPEN_RUN_SHARDS + 1  # and the index shard
    assert all(len(storage.get_records_for_run(f"run{i}").records) == 1 for i in range(3 * OPEN_RUN_SHARDS))
    storage.dispose()
    assert not storage._engines


def test_the_dagster_home_gets_the_projects_configuration_and_a_foreign_one_is_left_alone(
    warehouse, monkeypatch, tmp_path
):
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    home = ensure_dagster_home(warehouse)
    config = home / "dagster.yaml"
    assert config.read_text() == dagster_yaml(home) and str(home / "history" / "runs") in config.read_text()

    config.write_text("telemetry:\n  enabled: false\n")  # a warehouse built before the event log was the project's
    ensure_dagster_home(warehouse)
    assert config.read_text() == dagster_yaml(home)

    config.write_text(dagster_yaml(tmp_path / "elsewhere"))  # a warehouse moved from elsewhere
    ensure_dagster_home(warehouse)
    assert config.read_text() == dagster_yaml(home)

    own = "telemetry:\n  enabled: false\nrun_monitoring:\n  enabled: true\n"  # someone's own DAGSTER_HOME
    config.write_text(own)
    ensure_dagster_home(warehouse)
    assert config.read_text() == own and not own.startswith(DAGSTER_YAML_HEADER)


def test_a_new_homes_run_and_schedule_databases_start_in_wal_mode_and_existing_ones_are_left_alone(warehouse, home):
    runs, schedules = home / "history" / "runs.db", home / "schedules" / "schedules.db"
    for path in (runs, schedules):  # empty, for Dagster to create its tables in
        db = sqlite3.connect(path)
        assert db.execute("pragma journal_mode").fetchone()[0] == "wal"
        assert db.execute("select count(*) from sqlite_master").fetchone()[0] == 0
        db.close()
    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert instance.get_runs() == []
    (home / "dagster.yaml").unlink()  # written again, as for a new home: the databases stay as they are
    ensure_dagster_home(warehouse)
    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert instance.get_runs() == []
        assert isinstance(instance.event_log_storage, PooledSqliteEventLogStorage)
    db = sqlite3.connect(runs)
    assert "runs" in {name for (name,) in db.execute("select name from sqlite_master where type = 'table'")}
    db.close()


def test_a_copied_warehouse_refuses_the_event_log_of_the_one_it_was_copied_from_until_csc_rewrites_its_config(
    home, tmp_path, monkeypatch
):
    import shutil

    copy = tmp_path / "copy" / "warehouse"
    shutil.copytree(home.parent, copy)  # dagster.yaml still names the original's event log
    with pytest.raises(dg.DagsterInvariantViolationError, match="another Dagster home"):
        dg.DagsterInstance.from_config(str(copy / ".dagster"))
    monkeypatch.setenv("CSC_WAREHOUSE_DIR", str(copy))
    rewritten = ensure_dagster_home(get_settings())
    with dg.DagsterInstance.from_config(str(rewritten)) as instance:
        assert instance.event_log_storage._base_dir == str(copy / ".dagster" / "history" / "runs")
