"""Fixtures every test can ask for: a throwaway warehouse, the hand-written fixture mirror, the
real mirror, one full refresh of it shared by the end-to-end modules, and a module's own copy of
that refresh (``published``). Tests under tests/e2e are marked ``e2e`` and ``slow`` here; helpers
live in tests/support."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from orchestration.settings import get_settings
from tests.support.helpers import FIXTURE_MIRROR, clean_env, clone_warehouse, csc_command, real_mirror

E2E = Path(__file__).parent / "e2e"


def pytest_addoption(parser):
    parser.addoption(
        "--update-snapshots",
        action="store_true",
        help="rewrite tests/snapshots/ from the code as it is now (review the diff)",
    )


def pytest_collection_modifyitems(items):
    for item in items:
        if Path(item.fspath).is_relative_to(E2E):
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def warehouse(tmp_path, monkeypatch):
    """A throwaway warehouse directory; settings resolve into it."""
    monkeypatch.setenv("CSC_WAREHOUSE_DIR", str(tmp_path / "warehouse"))
    monkeypatch.delenv("CSC_DUCKDB_PATH", raising=False)
    monkeypatch.delenv("CSC_SOURCE_MIRROR", raising=False)
    settings = get_settings()
    settings.ensure_dirs()
    return settings


@pytest.fixture
def fixture_mirror(monkeypatch, warehouse):
    monkeypatch.setenv("CSC_SOURCE_MIRROR", str(FIXTURE_MIRROR))
    return get_settings()


@pytest.fixture(scope="session")
def mirror_dir() -> Path:
    path = real_mirror()
    if not (path / "MANIFEST.csv").exists():
        pytest.fail(f"the real release mirror is not at {path}; set CSC_SOURCE_MIRROR")
    return path


@pytest.fixture(scope="session")
def published_warehouse(tmp_path_factory, mirror_dir) -> Path:
    """One full refresh on the real mirror, shared by the end-to-end modules: each clones it
    (clone_warehouse) rather than refreshing from nothing again."""
    warehouse = tmp_path_factory.mktemp("published") / "warehouse"
    run = subprocess.run(
        csc_command("refresh", "--warehouse-dir", str(warehouse), "--mirror", str(mirror_dir)),
        capture_output=True,
        text=True,
        timeout=900,
        env=clean_env(),
    )
    assert run.returncode == 0, run.stderr[-3000:]
    return warehouse


@pytest.fixture(scope="session")
def published(published_warehouse, tmp_path_factory):
    """A copy of the session's published warehouse that the modules reading published figures
    share; none writes to it. A module that refreshes a warehouse again makes its own copy
    (tests/e2e/test_refresh.py)."""
    return clone_warehouse(published_warehouse, tmp_path_factory.mktemp("e2e") / "warehouse")


@pytest.fixture(scope="session")
def published_snapshot(published_warehouse, tmp_path_factory) -> Path:
    """A copy of the session's published csc.duckdb, for the tests that open it as BI clients
    do (read-only)."""
    dest = tmp_path_factory.mktemp("snapshot") / "csc.duckdb"
    shutil.copyfile(published_warehouse / "csc.duckdb", dest)
    return dest
