"""The BI clients the tests run against the publication, each in an environment of its own
(tests/e2e/test_clients.py, tests/e2e/test_superset.py); docs/bi-clients.md names each."""

# SQLAlchemy with duckdb-engine, Superset's path: (duckdb, duckdb-engine, SQLAlchemy) that list
# the schemas and tables, reflect every mart's columns with their comments and run a query on the
# publication, each run in an environment of its own by tests/e2e/test_clients.py;
# docs/bi-clients.md names each. The oldest duckdb-engine for each SQLAlchemy line, on the oldest DuckDB that opens
# the file, and the oldest DuckDB for SQLAlchemy 2.0.45 and later (their column reflection
# reads pg_catalog.pg_collation, which DuckDB has from 1.5.3).
SQLALCHEMY_CLIENTS = (
    ("1.1.0", "0.6.2", "1.4.54"),
    ("1.1.0", "0.11.3", "2.0.44"),
    ("1.5.3", "0.17.0", "2.0.58"),
)
# ... and combinations that fail, with what they fail on, so the warnings in docs/bi-clients.md stay true.
SQLALCHEMY_CLIENTS_THAT_FAIL = (
    (("1.5.2", "0.17.0", "2.0.58"), "pg_collation"),
    (("2.0.0", "0.17.0", "2.1.9"), "pg_collation"),
)
