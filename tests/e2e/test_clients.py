"""The clients docs/bi-clients.md names, on the real publication: what each one sees, proven.

SQLAlchemy with duckdb-engine is Superset's path: tests/support/clients/sqlalchemy_reflect.py lists the
schemas and tables, reflects every mart's columns with their comments and runs a query; here it
runs in the project's environment and, each in an environment of its own (`uv run --isolated`),
with every combination of versions docs/bi-clients.md names (tests/support/clients/__init__.py keeps them).
What it sees is compared with DuckDB's own catalogue of the file (duckdb_columns()).
"""

import json
import shutil
import subprocess
import sys

import duckdb
import pytest

from orchestration.settings import REPO_ROOT
from tests.support.clients import SQLALCHEMY_CLIENTS, SQLALCHEMY_CLIENTS_THAT_FAIL

pytestmark = pytest.mark.e2e

REFLECT = REPO_ROOT / "tests" / "support" / "clients" / "sqlalchemy_reflect.py"
CLIENTS_DOC = (REPO_ROOT / "docs" / "bi-clients.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def publication(published_snapshot):
    return published_snapshot


@pytest.fixture(scope="module")
def catalogue(publication):
    """What the file holds, read by today's DuckDB: tables per schema, every mart column's comment."""
    with duckdb.connect(str(publication), read_only=True) as con:
        tables = {
            schema: sorted(
                t
                for (t,) in con.execute(
                    "select table_name from duckdb_tables() where schema_name = ?", [schema]
                ).fetchall()
            )
            for schema in ("marts", "meta")
        }
        columns: dict[str, list[list]] = {}
        for table, column, comment in con.execute(
            "select table_name, column_name, comment from duckdb_columns() "
            "where schema_name = 'marts' order by table_name, column_index"
        ).fetchall():
            columns.setdefault(table, []).append([column, comment])
    return {"tables": tables, "columns": columns}


def uv_isolated(duckdb_version, engine_version, sqlalchemy_version):
    uv = shutil.which("uv")
    assert uv, "uv is on PATH wherever the README's set-up commands ran"
    return [
        uv,
        "run",
        "--isolated",
        "--no-project",
        "--with",
        f"duckdb=={duckdb_version}",
        "--with",
        f"duckdb-engine=={engine_version}",
        "--with",
        f"sqlalchemy=={sqlalchemy_version}",
        "python",
    ]


def reflect(python: list[str], publication):
    run = subprocess.run([*python, str(REFLECT), str(publication)], capture_output=True, text=True, timeout=600)
    return run


def assert_sees_the_publication(seen, catalogue):
    # duckdb-engine 0.9 and later qualify schemas with the database ("csc.marts"); earlier ones do not
    schemas = {name.split(".")[-1] for name in seen["schemas"] if name.split(".")[0] in ("csc", name)}
    assert {"marts", "meta"} <= schemas, seen["schemas"]
    assert seen["tables"] == catalogue["tables"]
    assert len(catalogue["tables"]["marts"]) >= 20
    assert sorted(catalogue["columns"]) == catalogue["tables"]["marts"]  # the loop below sees every mart
    assert sorted(seen["columns"]) == sorted(catalogue["columns"])
    for table, columns in catalogue["columns"].items():
        reflected = [[name, comment] for name, _type, comment in seen["columns"][table]]
        assert reflected == columns, table
    # every mart column carries a description, and SQLAlchemy hands it over
    assert all(comment for table in seen["columns"].values() for _name, _type, comment in table)
    # cla/ees_2025/cla_number_and_rate_per_10k_children.csv: Birmingham, 31 March 2025, 2,317 looked after
    assert seen["query"] == [["E08000025", 2317]]


def test_sqlalchemy_in_the_projects_environment_reflects_every_mart_with_its_comments(publication, catalogue):
    run = reflect([sys.executable], publication)
    assert run.returncode == 0, run.stderr[-3000:]
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    assert seen["versions"]["duckdb"] == duckdb.__version__
    assert_sees_the_publication(seen, catalogue)


@pytest.mark.parametrize("versions", SQLALCHEMY_CLIENTS, ids="duckdb{0[0]}-engine{0[1]}-sqlalchemy{0[2]}".format)
def test_the_oldest_sqlalchemy_clients_the_readme_names_reflect_every_mart(versions, publication, catalogue):
    duckdb_version, engine_version, sqlalchemy_version = versions
    assert f"duckdb {duckdb_version} + duckdb-engine {engine_version} + SQLAlchemy {sqlalchemy_version}" in CLIENTS_DOC
    run = reflect(uv_isolated(*versions), publication)
    assert run.returncode == 0, run.stderr[-3000:]
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    assert seen["versions"] == {
        "duckdb": duckdb_version,
        "duckdb-engine": engine_version,
        "sqlalchemy": sqlalchemy_version,
    }
    assert_sees_the_publication(seen, catalogue)


@pytest.mark.parametrize(
    "versions,error",
    SQLALCHEMY_CLIENTS_THAT_FAIL,
    ids=lambda v: f"duckdb{v[0]}-engine{v[1]}-sqlalchemy{v[2]}" if isinstance(v, tuple) else v,
)
def test_the_sqlalchemy_clients_the_readme_warns_of_cannot_reflect_columns(versions, error, publication):
    """The warnings in docs/bi-clients.md stay true: when a release of one of these fixes reflection,
    this fails and the doc (and SQLALCHEMY_CLIENTS_THAT_FAIL) should say so."""
    duckdb_version, engine_version, sqlalchemy_version = versions
    assert f"duckdb {duckdb_version} + duckdb-engine {engine_version} + SQLAlchemy {sqlalchemy_version}" in CLIENTS_DOC
    run = reflect(uv_isolated(*versions), publication)
    assert run.returncode != 0, run.stdout[-2000:]
    assert "get_columns" in run.stderr and error in run.stderr, run.stderr[-3000:]
