"""What a SQLAlchemy client (Superset's path: duckdb-engine) sees of the publication.

Run as a script in any environment with duckdb, duckdb-engine and SQLAlchemy:

    python tests/support/clients/sqlalchemy_reflect.py warehouse/csc.duckdb

It connects read-only through ``create_engine("duckdb:///...")``, lists the schemas and their
tables with SQLAlchemy's inspector, reflects every column of every mart with its comment, and
runs a query; it prints one JSON object (the versions it ran with, and what it saw) as its last
line. An error anywhere is left to propagate, with its traceback, so the caller sees where the
path breaks (tests/e2e/test_clients.py runs it in the project's environment and, isolated, with
the oldest versions that work).
"""

from __future__ import annotations

import json
import sys
from importlib.metadata import version

import sqlalchemy as sa


def main(path: str) -> dict:
    engine = sa.create_engine(f"duckdb:///{path}", connect_args={"read_only": True})
    try:
        inspector = sa.inspect(engine)
        schemas = sorted(inspector.get_schema_names())
        tables = {schema: sorted(inspector.get_table_names(schema=schema)) for schema in ("marts", "meta")}
        columns = {
            table: [[c["name"], str(c["type"]), c.get("comment")] for c in inspector.get_columns(table, schema="marts")]
            for table in tables["marts"]
        }
        with engine.connect() as con:
            query = con.execute(
                sa.text(
                    "select la_code, cla_count from marts.fct_children_looked_after "
                    "where la_code = :la and time_period = :year"
                ),
                {"la": "E08000025", "year": 2025},
            ).all()
        return {
            "versions": {name: version(name) for name in ("duckdb", "duckdb-engine", "sqlalchemy")},
            "schemas": schemas,
            "tables": tables,
            "columns": columns,
            "query": [list(row) for row in query],
        }
    finally:
        engine.dispose()


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1])))
