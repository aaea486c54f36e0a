"""What tests and benchmarks share: where the fixtures and the real mirror are, `csc` as a user
runs it, and copies of a built warehouse."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from orchestration.settings import REPO_ROOT

FIXTURES = REPO_ROOT / "tests" / "fixtures"
FIXTURE_MIRROR = FIXTURES / "mirror"
SNAPSHOTS = REPO_ROOT / "tests" / "snapshots"
# serve_forever's keyword arguments for the tests' loopback servers: it looks for shutdown() this
# often (Python's default, 0.5 s, was what each test using one waited for at its end)
SERVER_POLL = {"poll_interval": 0.05}


def real_mirror() -> Path:
    """The real release files: $CSC_SOURCE_MIRROR, else ../shared/releases beside the repo."""
    configured = os.environ.get("CSC_SOURCE_MIRROR")
    return Path(configured) if configured else (REPO_ROOT.parent / "shared" / "releases")


def csc_command(*args: str) -> list[str]:
    """`csc ...` as a user runs it, in a process of its own."""
    return [sys.executable, "-m", "orchestration.cli", *args]


def csc_status(warehouse: Path) -> subprocess.CompletedProcess:
    """`csc status` on ``warehouse``, as a user runs it."""
    return subprocess.run(
        csc_command("status", "--warehouse-dir", str(warehouse)),
        capture_output=True,
        text=True,
        timeout=300,
        env=clean_env(),
    )


def clean_env(**extra: str) -> dict[str, str]:
    """This environment without the warehouse's own settings (each run names its own)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("CSC_SOURCE_MIRROR", "CSC_WAREHOUSE_DIR", "CSC_DUCKDB_PATH", "DAGSTER_HOME", "CSC_CATALOGUE")
    }
    env.update(extra)
    return env


def clone_warehouse(source: Path, dest: Path) -> Path:
    """A warehouse directory as it is: landed files, work database, publication, Dagster's
    run history, the open-data exports (an independent copy; the `open-data` link stays a link
    to the copy's own export, not a second copy of it)."""
    shutil.copytree(source, dest, symlinks=True, ignore=shutil.ignore_patterns(".refresh.lock"))
    return dest
