"""Apache Superset, in an environment of its own, reads the real publication through its REST API.

tests/support/clients/superset/check_superset.py does it in one command (its docstring says what and how
long); this runs it on a copy of the session's published warehouse and checks its answer again
against DuckDB here, so a script that passed without asking Superset would still fail.
"""

import json
import subprocess
import sys

import duckdb
import pytest

from orchestration.settings import REPO_ROOT
from tests.support.helpers import clone_warehouse

SCRIPT = REPO_ROOT / "tests" / "support" / "clients" / "superset" / "check_superset.py"


def check_superset(*args):
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=900)


@pytest.mark.e2e
@pytest.mark.superset
def test_superset_reads_the_publication_through_its_rest_api(published_warehouse, tmp_path):
    warehouse = clone_warehouse(published_warehouse, tmp_path / "warehouse")
    run = check_superset("--warehouse", str(warehouse))
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    result = json.loads(run.stdout.strip().splitlines()[-1].removeprefix("RESULT "))

    with duckdb.connect(str(warehouse / "csc.duckdb"), read_only=True) as con:
        tables = [
            t
            for (t,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
            ).fetchall()
        ]
        by_year = [
            list(r)
            for r in con.execute(
                "select time_period, count(distinct la_code), sum(cla_count) from marts.fct_children_looked_after "
                "where time_period > (select max(time_period) - 3 from marts.fct_children_looked_after) "
                "group by 1 order by 1"
            ).fetchall()
        ]
    assert {"csc.marts", "csc.meta"} <= set(result["schemas"])
    assert result["tables"] == tables and len(tables) >= 20
    assert result["by_year"] == by_year and [y for y, _, _ in by_year] == [2023, 2024, 2025]
    # the SQL Superset itself generated and ran on the file
    assert "FROM csc.marts.fct_children_looked_after" in result["query"]
    assert "count(DISTINCT la_code)" in result["query"] and "sum(cla_count)" in result["query"]
    assert result["versions"]["apache-superset"] == "6.1.0"
    passed = [line for line in run.stdout.splitlines() if line.startswith("ok  ")]
    for step in (
        "superset db upgrade",
        "POST /api/v1/database/",
        "GET /api/v1/database/<id>/tables/",
        "POST /api/v1/dataset/",
        "POST /api/v1/chart/data",
        "publication unchanged",
    ):
        assert any(step in line for line in passed), step


def test_the_superset_check_says_clearly_when_there_is_no_publication(tmp_path):
    run = check_superset("--warehouse", str(tmp_path / "nowhere"), "--env-dir", str(tmp_path / "envs"))
    assert run.returncode == 1
    assert f"no publication at {tmp_path / 'nowhere' / 'csc.duckdb'}" in run.stderr
    assert not (tmp_path / "envs").exists()  # failed before building anything
