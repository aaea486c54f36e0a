"""Content checksums of every mart in a published snapshot, to compare two refreshes' figures:
per table, its columns with their types and an order-independent digest of its rows (the md5 of
the sorted md5s of each row as text).

    uv run python -m tests.support.mart_checksums warehouse/csc.duckdb > after.json
"""

from __future__ import annotations

import json
import sys

import duckdb


def checksums(path: str) -> dict[str, dict]:
    con = duckdb.connect(path, read_only=True)
    try:
        out = {}
        tables = con.execute("select table_name from duckdb_tables() where schema_name = 'marts' order by 1").fetchall()
        for (table,) in tables:
            columns = con.execute(
                "select column_name, data_type from duckdb_columns() where schema_name = 'marts' and table_name = ? "
                "order by column_index",
                [table],
            ).fetchall()
            rows, digest = con.execute(
                f"select count(*), md5(coalesce(string_agg(h, '' order by h), '')) "
                f"from (select md5(cast(x as varchar)) as h from marts.{table} as x)"
            ).fetchone()
            out[table] = {"rows": rows, "columns": [f"{c} {t}" for c, t in columns], "digest": digest}
        return out
    finally:
        con.close()


if __name__ == "__main__":
    print(json.dumps(checksums(sys.argv[1]), indent=1))
