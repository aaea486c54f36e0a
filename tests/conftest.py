from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from orchestration.settings import REPO_ROOT, get_settings


def pytest_addoption(parser):
    parser.addoption(
        "--update-snapshots",
        action="store_true",
        help="rewrite tests/snapshots/ from the code as it is now (review the diff)",
    )


FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE_MIRROR = FIXTURES / "mirror"


def real_mirror() -> Path:
    """The real release files: $CSC_SOURCE_MIRROR, else ../shared/releases beside the repo."""
    configured = os.environ.get("CSC_SOURCE_MIRROR")
    return Path(configured) if configured else (REPO_ROOT.parent / "shared" / "releases")


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


def csc_command(*args: str) -> list[str]:
    """`csc ...` as a user runs it, in a process of its own."""
    return [sys.executable, "-m", "orchestration.cli", *args]


def clean_env(**extra: str) -> dict[str, str]:
    """This environment without the warehouse's own settings (each run names its own)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("CSC_SOURCE_MIRROR", "CSC_WAREHOUSE_DIR", "CSC_DUCKDB_PATH", "DAGSTER_HOME", "CSC_CATALOGUE")
    }
    env.update(extra)
    return env


@pytest.fixture(scope="session")
def published_warehouse(tmp_path_factory, mirror_dir) -> Path:
    """One full refresh on the real mirror, shared by the end-to-end modules: each clones it
    (clone_warehouse) rather than refreshing from nothing again."""
    import subprocess

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
def published_snapshot(published_warehouse, tmp_path_factory) -> Path:
    """A copy of the session's published csc.duckdb, for the tests that open it as BI clients
    do (read-only)."""
    import shutil

    dest = tmp_path_factory.mktemp("snapshot") / "csc.duckdb"
    shutil.copyfile(published_warehouse / "csc.duckdb", dest)
    return dest


def clone_warehouse(source: Path, dest: Path) -> Path:
    """A warehouse directory as it is: landed files, work database, publication, Dagster's
    run history, the open-data exports (an independent copy; the `open-data` link stays a link
    to the copy's own export, not a second copy of it)."""
    import shutil

    shutil.copytree(source, dest, symlinks=True, ignore=shutil.ignore_patterns(".refresh.lock"))
    return dest
