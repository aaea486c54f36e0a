"""A publication that never breaks: SIGKILL at every stage of a real refresh, BI readers
querying the published warehouse while a refresh publishes, and two refreshes at once.

One warehouse for the module: a good refresh, then five refreshes killed at fetch, load,
dbt build, the gates and publish (each leaving the publication whole and readable), then a
refresh that recovers without manual cleanup while 8 reader processes query in a loop and a
second refresh is refused. The figures each test measures are written to
``$CSC_RESILIENCE_REPORT`` (default ``<warehouse>/resilience.json``) for
``benchmarks/resilience.py``.
"""

import hashlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from tests.support.helpers import clean_env, clone_warehouse, csc_command

pytestmark = pytest.mark.e2e

# A line in `csc refresh` output that shows the refresh has reached a stage.
STAGES = {
    "fetch": "▶ ingest__",  # a source's step has started: discovery and fetching come first
    "load": "loaded ",  # a raw table has been loaded
    "dbt": "Running dbt command",  # dbt build has started
    "gates": "expectations passed on",  # a gate step has run its suites (its one summary line)
    "publish": "▶ published__csc_duckdb",  # the publish step has started
}

READER = textwrap.dedent(
    """
    import json, sys, time, duckdb
    path, stop, out = sys.argv[1], sys.argv[2], sys.argv[3]
    import os
    queries, errors, ids, mixed = 0, [], set(), 0
    while not os.path.exists(stop):
        try:
            # as the README tells BI tools to connect: read-only, a fresh connection each time
            with duckdb.connect(path, read_only=True) as con:
                rid, n_ids, rows = con.execute(
                    "select (select min(refresh_id) from meta.refresh), (select count(distinct refresh_id) from meta.refresh),"
                    " (select count(*) from marts.fct_la_indicator where is_latest)").fetchone()
                checks = con.execute("select count(distinct refresh_id) from meta.refresh_checks").fetchone()[0]
            queries += 1
            ids.add(rid)
            if n_ids != 1 or checks not in (0, 1) or rows <= 0:
                mixed += 1
        except Exception as exc:  # any error at all counts, lock errors included
            errors.append(f"{type(exc).__name__}: {exc}")
        time.sleep(0.2)  # a BI tool's pace; 8 readers must not starve the refresh of this machine's 2 cores
    json.dump({"queries": queries, "errors": errors, "ids": sorted(ids), "mixed": mixed}, open(out, "w"))
    """
)


def csc(*args, warehouse, mirror=None, background=False):
    cmd = csc_command(*args, "--warehouse-dir", str(warehouse))
    if mirror is not None:
        cmd += ["--mirror", str(mirror)]
    if background:  # its own process group, so a kill reaches dbt's subprocess too
        return subprocess.Popen(
            cmd, stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True, start_new_session=True, env=clean_env()
        )
    return subprocess.run(cmd, capture_output=True, text=True, timeout=900, env=clean_env())


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def published_refresh_id(warehouse: Path) -> str:
    with duckdb.connect(str(warehouse / "csc.duckdb"), read_only=True) as con:
        (rid,) = con.execute("select refresh_id from meta.refresh").fetchone()
        assert con.execute("select count(*) from marts.fct_la_indicator").fetchone()[0] > 100_000
    return rid


def record(warehouse: Path, key: str, value) -> None:
    """Keep a measured figure for benchmarks/resilience.py (CSC_RESILIENCE_REPORT names the file)."""
    path = Path(os.environ.get("CSC_RESILIENCE_REPORT") or warehouse / "resilience.json")
    figures = json.loads(path.read_text()) if path.exists() else {}
    figures[key] = value
    path.write_text(json.dumps(figures, indent=1))


@pytest.fixture(scope="module")
def warehouse(published_warehouse, tmp_path_factory):
    """This module's own copy of the session's published warehouse."""
    return clone_warehouse(published_warehouse, tmp_path_factory.mktemp("resilience") / "warehouse")


def kill_at(warehouse: Path, mirror_dir: Path, marker: str, timeout: float = 600) -> list[str]:
    """Start a refresh and SIGKILL its whole process group (dbt included) once ``marker`` is
    printed; at publish, once the next snapshot is being written in warehouse/.publishing."""
    # --full: rebuild everything (a refresh with nothing changed stops after ingest)
    proc = csc("refresh", "--full", warehouse=warehouse, mirror=mirror_dir, background=True)
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    try:
        for line in proc.stderr:
            seen.append(line)
            if marker in line:
                if marker == STAGES["publish"]:
                    staging = warehouse / ".publishing"
                    while not (staging.is_dir() and any(staging.iterdir())) and proc.poll() is None:
                        time.sleep(0.005)
                os.killpg(proc.pid, signal.SIGKILL)
                break
            assert time.monotonic() < deadline, f"no {marker!r} within {timeout}s"
        else:
            pytest.fail(f"refresh ended before {marker!r}: {''.join(seen[-20:])}")
    finally:
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    return seen


@pytest.mark.parametrize("stage", list(STAGES))
def test_sigkill_leaves_the_publication_whole(warehouse, mirror_dir, stage):
    before, rid = digest(warehouse / "csc.duckdb"), published_refresh_id(warehouse)
    kill_at(warehouse, mirror_dir, STAGES[stage])
    time.sleep(0.5)  # let the kernel reap the group (dbt's subprocess included)
    assert digest(warehouse / "csc.duckdb") == before
    assert published_refresh_id(warehouse) == rid  # opens, read-only, and is the same refresh
    # nothing half-written where a reader looks: the warehouse directory holds only the snapshot
    assert sorted(p.name for p in warehouse.glob("csc*")) == ["csc.duckdb"]
    assert not [p for p in warehouse.iterdir() if p.suffix in (".tmp", ".wal") and p.name.startswith(".csc")]
    record(warehouse, f"killed_at_{stage}", True)


def test_recovery_with_readers_and_a_second_refresh(warehouse, mirror_dir, tmp_path):
    """After the kills, the next refresh succeeds with no cleanup, while 8 readers query the
    published warehouse in a loop (0 errors, one refresh id per query) and a second refresh
    started meanwhile is refused with a clear message."""
    old = published_refresh_id(warehouse)
    script = tmp_path / "reader.py"
    script.write_text(READER)
    stop = tmp_path / "stop"
    readers = [
        subprocess.Popen(
            [sys.executable, str(script), str(warehouse / "csc.duckdb"), str(stop), str(tmp_path / f"r{i}.json")]
        )
        for i in range(8)
    ]
    try:
        time.sleep(2)
        first = csc("refresh", "--full", warehouse=warehouse, mirror=mirror_dir, background=True)
        lines = []
        for line in first.stderr:  # start the second once the first is under way
            lines.append(line)
            if line.startswith("▶"):
                break
        second = csc("refresh", warehouse=warehouse, mirror=mirror_dir)
        _, rest = first.communicate(timeout=900)
        assert first.returncode == 0, "".join(lines) + rest[-3000:]
        time.sleep(2)  # readers see the new snapshot too
    finally:
        stop.write_text("")
        for r in readers:
            r.wait(timeout=60)
    assert second.returncode == 2
    assert "refresh refused" in second.stderr and "another refresh is running" in second.stderr
    new = published_refresh_id(warehouse)
    assert new != old
    results = [json.loads((tmp_path / f"r{i}.json").read_text()) for i in range(8)]
    errors = [e for r in results for e in r["errors"]]
    assert errors == []
    assert sum(r["mixed"] for r in results) == 0
    seen = set().union(*(r["ids"] for r in results))
    assert {old, new} <= seen  # readers ran across the publish
    assert list((warehouse / ".publishing").iterdir()) == []
    record(warehouse, "readers", 8)
    record(warehouse, "reader_queries", sum(r["queries"] for r in results))
    record(warehouse, "reader_errors", len(errors))
    record(warehouse, "second_refresh_refused", True)
