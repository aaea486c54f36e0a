"""Readers of the publication: the oldest DuckDB docs/bi-clients.md names, in an environment of its own,
opens csc.duckdb read-only and counts the same rows in every mart as today's DuckDB. Reads this
module's copy of the session's published warehouse and changes nothing in it.
"""

import shutil
import subprocess

import pytest

from orchestration.settings import REPO_ROOT
from tests.support.published import query

pytestmark = pytest.mark.e2e


def test_the_oldest_reader_the_readme_names_reads_every_mart(published):
    """DuckDB OLDEST_READER, in an environment of its own, opens the publication read-only and
    counts the same rows in every mart as today's DuckDB."""
    import json

    from orchestration.lib.publish.snapshot import OLDEST_READER

    assert f"duckdb {OLDEST_READER}" in (REPO_ROOT / "docs" / "bi-clients.md").read_text(encoding="utf-8")
    uv = shutil.which("uv")
    assert uv, "uv is on PATH wherever the README's set-up commands ran"
    script = (
        "import duckdb, json, sys\n"
        "con = duckdb.connect(sys.argv[1], read_only=True)\n"
        'tables = [t for (t,) in con.execute("select table_name from information_schema.tables '
        "where table_schema = 'marts' order by 1\").fetchall()]\n"
        "print(json.dumps({'version': duckdb.__version__, "
        "'rows': {t: con.execute(f'select count(*) from marts.{t}').fetchone()[0] for t in tables}}))\n"
    )
    run = subprocess.run(
        [
            uv,
            "run",
            "--isolated",
            "--no-project",
            "--with",
            f"duckdb=={OLDEST_READER}",
            "python",
            "-c",
            script,
            str(published / "csc.duckdb"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    assert seen["version"] == OLDEST_READER
    today = {
        t: n
        for t, n in query(
            published, "select table_name, estimated_size from duckdb_tables() where schema_name = 'marts'"
        )
    }
    assert set(seen["rows"]) == set(today) and len(today) >= 20
    for table in today:
        assert seen["rows"][table] == query(published, f"select count(*) from marts.{table}")[0][0], table
