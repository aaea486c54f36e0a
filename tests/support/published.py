"""What the end-to-end modules share about a published warehouse: `csc` run on it as a user runs
it, its figures read back (query, latest), a file's digest (to show it unchanged), and copies of
the real mirror, one with a figure changed (copy_mirror, mutate). The fixture `published`, a
module's own copy of the session's published warehouse, is in tests/conftest.py."""

import hashlib
import shutil
import subprocess

import duckdb

from orchestration.lib.ingest.catalogue import load_catalogue
from tests.support.helpers import clean_env, csc_command


def csc(*args, warehouse):
    return subprocess.run(
        csc_command(*args, "--warehouse-dir", str(warehouse)),
        capture_output=True,
        text=True,
        timeout=600,
        env=clean_env(),
    )


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def copy_mirror(mirror_dir, dest):
    """Copy just the catalogued files (a mirror is any directory in the same layout)."""
    for release in load_catalogue().releases:
        target = dest / release.relative_path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(mirror_dir / release.relative_path, target)
    return dest


def query(warehouse, sql, params=()):
    with duckdb.connect(str(warehouse / "csc.duckdb"), read_only=True) as con:
        return con.execute(sql, params).fetchall()


def latest(warehouse, la_code, year, indicator="cla_count"):
    rows = query(
        warehouse,
        "select value, status, release from marts.fct_la_indicator where la_code = ? and time_period = ? and indicator_id = ? and is_latest",
        (la_code, year, indicator),
    )
    assert len(rows) == 1, rows
    return rows[0]


def mutate(tmp_path, mirror_dir, old, new):
    mirror = copy_mirror(mirror_dir, tmp_path / "mirror")
    path = mirror / "cla" / "ees_2025" / "cla_number_and_rate_per_10k_children.csv"
    data = path.read_bytes()
    assert data.count(old) == 1
    path.write_bytes(data.replace(old, new))
    return mirror
