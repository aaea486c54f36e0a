"""End to end on the real release mirror: the open-data export a `csc refresh` publishes beside
csc.duckdb, read back as a user of the files would (frictionless, polars, pyarrow, a CSV reader).

Reads the session's published warehouse and changes nothing in it."""

import csv
import json
import time
from datetime import datetime
from decimal import Decimal

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from orchestration.lib.dbt.project import load_manifest
from orchestration.lib.projections import tables as projection_tables
from orchestration.lib.publish.datapackage import is_open_mart, open_rows

pytestmark = pytest.mark.e2e

# DuckDB column type -> what each reader must see in the Parquet file
ARROW = {
    "VARCHAR": pa.string(),
    "INTEGER": pa.int32(),
    "BIGINT": pa.int64(),
    "DOUBLE": pa.float64(),
    "BOOLEAN": pa.bool_(),
    "DATE": pa.date32(),
    "DECIMAL(18,2)": pa.decimal128(18, 2),
}
POLARS = {
    "VARCHAR": pl.String,
    "INTEGER": pl.Int32,
    "BIGINT": pl.Int64,
    "DOUBLE": pl.Float64,
    "BOOLEAN": pl.Boolean,
    "DATE": pl.Date,
    "DECIMAL(18,2)": pl.Decimal(18, 2),
}


@pytest.fixture(scope="module")
def export(published_warehouse):
    return published_warehouse / "open-data"


@pytest.fixture(scope="module")
def marts(published_warehouse):
    """Every mart of the publication: its row count and its columns with their DuckDB types."""
    with duckdb.connect(str(published_warehouse / "csc.duckdb"), read_only=True) as con:
        tables = [
            r[0] for r in con.execute("select table_name from duckdb_tables() where schema_name = 'marts'").fetchall()
        ]
        # the tests loop over these: every mart the dbt project builds and the projections asset
        # writes (orchestration/lib/projections/tables.py), so none is left unchecked
        built = {
            n["name"]
            for n in load_manifest()["nodes"].values()
            if n["resource_type"] == "model" and n["fqn"][1] == "marts"
        } | {t.name for t in projection_tables.TABLES}
        assert set(tables) == built and len(tables) >= 20, sorted(set(tables) ^ built)
        # ... but an LA's own returns' marts, which never leave csc.duckdb (docs/returns.md)
        assert [t for t in tables if not is_open_mart(t)] and all(
            t.startswith("mart_la_return_") for t in tables if not is_open_mart(t)
        )
        return {
            t: (
                con.execute(open_rows(con, t, "count(*)")).fetchone()[0],
                con.execute(
                    "select column_name, data_type from duckdb_columns() where schema_name = 'marts' "
                    "and table_name = ? order by column_index",
                    [t],
                ).fetchall(),
            )
            for t in tables
            if is_open_mart(t)
        }


def descriptor(export):
    return json.loads((export / "datapackage.json").read_text(encoding="utf-8"))


def test_the_export_is_the_publications_refresh_and_holds_every_mart(published_warehouse, export, marts):
    assert export.is_symlink()
    with duckdb.connect(str(published_warehouse / "csc.duckdb"), read_only=True) as con:
        refresh_id, finished_at = con.execute("select refresh_id, finished_at from meta.refresh").fetchone()
    d = descriptor(export)
    assert d["refresh_id"] == refresh_id and export.resolve().name == refresh_id
    assert datetime.fromisoformat(d["created"]) == finished_at
    assert d["licenses"][0]["name"] == "OGL-UK-3.0"
    assert {r["name"] for r in d["resources"]} == set(marts) and len(marts) >= 20
    # the publishers' pages, from the source catalogue
    assert any(
        s.get("path", "").startswith("https://explore-education-statistics.service.gov.uk/") for s in d["sources"]
    )
    resources = {r["name"]: r for r in d["resources"]}
    # keys from the dbt project's tests, through the manifest the refresh used
    cla = resources["fct_children_looked_after"]["schema"]
    assert cla["primaryKey"] == ["la_code", "time_period"]
    assert {"fields": ["la_code"], "reference": {"resource": "dim_local_authority", "fields": ["la_code"]}} in cla[
        "foreignKeys"
    ]
    assert {
        "fields": ["period_type", "time_period"],
        "reference": {"resource": "dim_period", "fields": ["period_type", "time_period"]},
    } in cla["foreignKeys"]
    fields = {f["name"]: f for f in cla["fields"]}
    assert fields["cla_rate_per_10k"]["unit"] == "rate per 10,000 children aged under 18"
    assert fields["cla_count"]["description"]  # the dbt docs, through the DuckDB column comments
    spend = {f["name"]: f for f in resources["fct_expenditure"]["schema"]["fields"]}["csc_spend_total_gbp"]
    assert spend["type"] == "number" and spend["unit"] == "GBP"


def test_frictionless_validates_every_row_of_the_whole_package(export, marts):
    """Every row of every table: types, required fields, primary and foreign keys, sizes and
    hashes: 848k rows in 35-60 s on 2 shared cores, so no sample is needed."""
    from frictionless import validate

    started = time.perf_counter()
    report = validate(str(export / "datapackage.json"))
    seconds = time.perf_counter() - started
    print(f"frictionless validated {sum(t.stats['rows'] for t in report.tasks):,} rows in {seconds:.1f} s")
    assert report.valid, report.flatten(["taskName", "rowNumber", "fieldName", "type", "message"])[:20]
    assert sorted(t.name for t in report.tasks) == sorted(marts)  # one task per mart, none skipped
    assert all(t.stats["rows"] > 0 for t in report.tasks)


def test_parquet_reads_back_with_polars_and_pyarrow_as_the_marts(export, marts):
    # every Parquet file of the export is read back below, and there is one per mart
    assert sorted(p.stem for p in (export / "parquet").glob("*.parquet")) == sorted(marts)
    for table, (rows, columns) in marts.items():
        assert columns, table
        path = export / "parquet" / f"{table}.parquet"
        arrow = pq.read_table(path)
        frame = pl.read_parquet(path)
        assert arrow.num_rows == frame.height == rows, table
        assert arrow.schema.names == frame.columns == [c for c, _ in columns], table
        for (column, dtype), arrow_field in zip(columns, arrow.schema):
            assert arrow_field.type == ARROW[dtype], (table, column, dtype, arrow_field.type)
            assert frame.schema[column] == POLARS[dtype], (table, column, dtype, frame.schema[column])


def test_a_figure_from_the_2025_release_is_in_the_exported_csv_and_parquet(mirror_dir, export):
    """Birmingham's children looked after at 31 March 2025, as DfE's 2025 file prints it."""
    with open(mirror_dir / "cla" / "ees_2025" / "cla_number_and_rate_per_10k_children.csv", encoding="utf-8-sig") as fh:
        published = next(
            r
            for r in csv.DictReader(fh)
            if r["time_period"] == "2025"
            and r["new_la_code"] == "E08000025"
            and r["population_type"] == "Children looked after on 31 March each year"
        )
    assert (published["children_count"], published["rate_per_10000"]) == ("2317", "79")
    with open(export / "csv" / "fct_children_looked_after.csv", encoding="utf-8", newline="") as fh:
        row = next(r for r in csv.DictReader(fh) if r["la_code"] == "E08000025" and r["time_period"] == "2025")
    assert row["cla_count"] == published["children_count"] and row["cla_count_status"] == "published"
    assert Decimal(row["cla_rate_per_10k"]) == Decimal(published["rate_per_10000"])
    frame = pl.read_parquet(export / "parquet" / "fct_children_looked_after.parquet")
    assert frame.filter((pl.col("la_code") == "E08000025") & (pl.col("time_period") == 2025))[
        "cla_count"
    ].to_list() == [2317]
