"""The open-data export: descriptor, keys, licence and refresh id, Frictionless validation, the
atomic link swap, and a failed export leaving the previous publication in place.

Every test publishes a small hand-written work database (built here) with the real publish()."""

import csv
import hashlib
import json
import os
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from orchestration.lib.publish import datapackage, open_data
from orchestration.lib.publish.datapackage import ForeignKey, TableKeys
from orchestration.lib.publish.snapshot import PublishError, RefreshRecord, publish

KEYS = {
    "dim_area": TableKeys(primary_key=("area_code",)),
    "fct_value": TableKeys(
        primary_key=("area_code", "year"),
        foreign_keys=(
            ForeignKey(("area_code",), "dim_area", ("area_code",)),
            ForeignKey(("indicator_id",), "dim_indicator", ("indicator_id",)),
        ),
    ),
    "dim_indicator": TableKeys(primary_key=("indicator_id",)),
}


def make_work(settings, rate=12.5):
    settings.duckdb_path.unlink(missing_ok=True)
    with duckdb.connect(str(settings.duckdb_path)) as con:
        con.execute("create schema marts; create schema meta")
        con.execute("create table marts.dim_area (area_code varchar not null, area_name varchar)")
        con.execute("comment on table marts.dim_area is 'One row per area.'")
        con.execute("comment on column marts.dim_area.area_code is 'The area''s code.'")
        con.execute(
            "insert into marts.dim_area values ('E06000001', 'Hartlepool'), ('E06000002', 'Middlesbrough, \"the Boro\"')"
        )
        con.execute("create table marts.dim_indicator (indicator_id varchar not null, unit varchar)")
        con.execute(
            "insert into marts.dim_indicator values ('cla_count', 'count'), ('cla_rate_per_10k', 'rate per 10,000 children aged under 18')"
        )
        con.execute("""
            create table marts.fct_value (
                area_code varchar not null, year integer not null, indicator_id varchar, cla_count bigint,
                cla_rate_per_10k double, spend_gbp decimal(18,2), share_pct double, small smallint,
                as_at date, is_latest boolean, loaded timestamp, loaded_tz timestamptz, note varchar)""")
        con.execute("comment on table marts.fct_value is 'Area by year.'")
        con.execute("comment on column marts.fct_value.spend_gbp is 'Net spend.'")
        con.execute(
            """insert into marts.fct_value values
            ('E06000001', 2024, 'cla_count', 185, ?, 39182999.59, 48.84, 3, '2024-03-31', true,
             '2024-05-01 10:30:00', '2024-05-01 10:30:00+00', 'a note, with a comma'),
            ('E06000002', 2024, 'cla_rate_per_10k', null, null, null, null, null, null, null, null, null, null)""",
            [rate],
        )
        con.execute(
            "create table meta.source_files (family varchar, source varchar, release varchar, file varchar, "
            "sha256 varchar, bytes bigint, origin varchar, fetched_at varchar, loaded_at timestamptz, row_count bigint)"
        )
        con.execute(
            "insert into meta.source_files values ('cla_number_and_rate_per_10k', 'cla', 'r1', 'a.csv', 'abc', 10, "
            "'mirror:x', 't', now(), 5)"
        )


def refresh(rid):
    return RefreshRecord(refresh_id=rid, started_at=datetime.now(UTC), checks=[])


def descriptor(settings):
    return json.loads((settings.open_data_path / "datapackage.json").read_text(encoding="utf-8"))


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fields(resource):
    return {f["name"]: f for f in resource["schema"]["fields"]}


@pytest.mark.parametrize(
    "duckdb_type, expected",
    [
        ("INTEGER", {"type": "integer"}),
        ("BIGINT", {"type": "integer"}),
        ("HUGEINT", {"type": "integer"}),
        ("SMALLINT", {"type": "integer"}),
        ("DOUBLE", {"type": "number"}),
        ("FLOAT", {"type": "number"}),
        ("DECIMAL(18,2)", {"type": "number", "bareNumber": True}),
        ("VARCHAR", {"type": "string"}),
        ("BOOLEAN", {"type": "boolean"}),
        ("DATE", {"type": "date"}),
        ("TIMESTAMP", {"type": "datetime"}),
        ("TIMESTAMP WITH TIME ZONE", {"type": "datetime"}),
        ("TIME", {"type": "time"}),
        ("UUID", {"type": "string", "format": "uuid"}),
    ],
)
def test_duckdb_types_map_to_table_schema_types(duckdb_type, expected):
    assert datapackage.field_type(duckdb_type) == expected


def test_a_type_with_no_mapping_refuses_rather_than_guessing():
    with pytest.raises(datapackage.ExportError, match="INTEGER\\[\\]"):
        datapackage.field_type("INTEGER[]")


def test_descriptor_has_types_descriptions_units_keys_licence_sources_and_refresh(warehouse):
    make_work(warehouse)
    result = publish(warehouse, refresh("run-1"), keys=KEYS)
    d = descriptor(warehouse)
    assert d["refresh_id"] == "run-1"
    with duckdb.connect(str(warehouse.published_path), read_only=True) as con:
        finished = con.execute("select finished_at from meta.refresh").fetchone()[0]
    assert datetime.fromisoformat(d["created"]) == finished
    assert d["licenses"] == [
        {
            "name": "OGL-UK-3.0",
            "title": "Open Government Licence v3.0",
            "path": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
        }
    ]
    # the one source with a file in the publication, with its publisher's page from the catalogue
    assert d["sources"] == [
        {
            "title": "Department for Education: Children looked after in England including adoptions",
            "path": "https://explore-education-statistics.service.gov.uk/find-statistics/children-looked-after-in-england-including-adoptions",
        }
    ]
    resources = {r["name"]: r for r in d["resources"]}
    assert sorted(resources) == ["dim_area", "dim_indicator", "fct_value"] == sorted(result.export.tables)
    fact = resources["fct_value"]
    assert fact["path"] == "csv/fct_value.csv" and fact["parquet"]["path"] == "parquet/fct_value.parquet"
    assert fact["description"] == "Area by year."
    f = fields(fact)
    assert list(f) == [
        "area_code",
        "year",
        "indicator_id",
        "cla_count",
        "cla_rate_per_10k",
        "spend_gbp",
        "share_pct",
        "small",
        "as_at",
        "is_latest",
        "loaded",
        "loaded_tz",
        "note",
    ]  # column order kept
    assert {n: x["type"] for n, x in f.items()} == {
        "area_code": "string",
        "year": "integer",
        "indicator_id": "string",
        "cla_count": "integer",
        "cla_rate_per_10k": "number",
        "spend_gbp": "number",
        "share_pct": "number",
        "small": "integer",
        "as_at": "date",
        "is_latest": "boolean",
        "loaded": "datetime",
        "loaded_tz": "datetime",
        "note": "string",
    }
    assert f["spend_gbp"]["bareNumber"] is True and f["spend_gbp"]["description"] == "Net spend."
    assert f["area_code"]["constraints"] == {"required": True} and "constraints" not in f["note"]
    # units: the indicator's own (dim_indicator), else what the column's name says; none for text
    assert f["cla_count"]["unit"] == "count"
    assert f["cla_rate_per_10k"]["unit"] == "rate per 10,000 children aged under 18"
    assert f["spend_gbp"]["unit"] == "GBP" and f["share_pct"]["unit"] == "percent"
    assert "unit" not in f["small"] and "unit" not in f["indicator_id"]
    assert fact["schema"]["primaryKey"] == ["area_code", "year"]
    assert fact["schema"]["foreignKeys"] == [
        {"fields": ["area_code"], "reference": {"resource": "dim_area", "fields": ["area_code"]}},
        {"fields": ["indicator_id"], "reference": {"resource": "dim_indicator", "fields": ["indicator_id"]}},
    ]
    assert fields(resources["dim_area"])["area_code"]["description"] == "The area's code."
    # sizes and hashes are the files'
    out = warehouse.open_data_path
    assert all(not p.stat().st_mode & 0o222 for p in out.rglob("*") if p.is_file())  # read-only
    assert fact["bytes"] == (out / "csv" / "fct_value.csv").stat().st_size
    assert fact["hash"] == "sha256:" + digest(out / "csv" / "fct_value.csv")
    assert fact["parquet"]["hash"] == "sha256:" + digest(out / "parquet" / "fct_value.parquet")


def test_csv_has_a_header_iso_dates_and_nulls_as_empty(warehouse):
    make_work(warehouse)
    publish(warehouse, refresh("run-1"), keys=KEYS)
    text = (warehouse.open_data_path / "csv" / "fct_value.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(text.splitlines()))
    assert rows[0][:3] == ["area_code", "year", "indicator_id"]
    first = dict(zip(rows[0], rows[1]))
    assert first["as_at"] == "2024-03-31" and first["is_latest"] == "true" and first["spend_gbp"] == "39182999.59"
    assert first["loaded"].startswith("2024-05-01T10:30:00") and first["loaded_tz"].endswith("Z")
    assert first["note"] == "a note, with a comma"
    assert set(rows[2][3:]) == {""}  # every NULL an empty cell
    assert dict(zip(rows[0], rows[2]))["area_code"] == "E06000002"


def test_frictionless_validates_the_package_and_its_keys(warehouse):
    frictionless = pytest.importorskip("frictionless")
    make_work(warehouse)
    publish(warehouse, refresh("run-1"), keys=KEYS)
    report = frictionless.validate(str(warehouse.open_data_path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "message"])
    assert sum(t.stats["rows"] for t in report.tasks) == 2 + 2 + 2
    # the keys are real constraints: a fact row whose area is not in dim_area fails validation
    path = warehouse.open_data_path / "csv" / "fct_value.csv"
    text = path.read_text(encoding="utf-8").replace("E06000002", "E06000099")
    path.unlink()  # published files are read-only
    path.write_text(text, encoding="utf-8")
    package = json.loads((warehouse.open_data_path / "datapackage.json").read_text(encoding="utf-8"))
    for r in package["resources"]:  # the file changed on purpose: leave its size and hash out
        r.pop("bytes", None), r.pop("hash", None)
    (warehouse.open_data_path / "edited.json").write_text(json.dumps(package), encoding="utf-8")
    report = frictionless.validate(str(warehouse.open_data_path / "edited.json"))
    assert not report.valid
    assert {e[1] for e in report.flatten(["rowNumber", "type"])} == {"foreign-key"}


def test_keys_come_from_the_dbt_tests_and_a_where_clause_is_no_key():
    def model(name):
        return {"resource_type": "model", "fqn": ["csc", "marts", "core", name], "name": name}

    def test(kind, on, kwargs, parents=(), where=None, column=None):
        return {
            "resource_type": "test",
            "attached_node": f"model.csc.{on}",
            "column_name": column,
            "test_metadata": {"name": kind, "kwargs": kwargs},
            "config": {"where": where},
            "depends_on": {"nodes": [f"model.csc.{p}" for p in parents] + [f"model.csc.{on}"]},
        }

    manifest = {
        "nodes": {
            "model.csc.dim_la": model("dim_la"),
            "model.csc.dim_period": model("dim_period"),
            "model.csc.fct_x": model("fct_x"),
            "model.csc.stg_y": {"resource_type": "model", "fqn": ["csc", "staging", "stg_y"], "name": "stg_y"},
            "t1": test("unique", "dim_la", {"column_name": "la_code"}, column="la_code"),
            "t2": test("unique_combination", "dim_period", {"columns": ["period_type", "time_period"]}),
            "t3": test("unique_combination", "fct_x", {"columns": ["la_code", "time_period", "release"]}),
            "t4": test("unique_combination", "fct_x", {"columns": ["la_code", "time_period"]}, where="is_latest"),
            "t5": test(
                "relationships",
                "fct_x",
                {"column_name": "la_code", "to": "ref('dim_la')", "field": "la_code"},
                parents=["dim_la"],
                column="la_code",
            ),
            "t6": test(
                "relationships_combination",
                "fct_x",
                {"columns": ["period_type", "time_period"], "to": "ref('dim_period')"},
                parents=["dim_period"],
            ),
            "t7": test(
                "relationships",
                "fct_x",
                {"column_name": "code", "to": "ref('stg_y')", "field": "code"},
                parents=["stg_y"],
                column="code",
            ),
            "t8": test("not_null", "fct_x", {"column_name": "la_code"}, column="la_code"),
        }
    }
    keys = datapackage.keys_from_manifest(manifest)
    assert keys["dim_la"] == TableKeys(primary_key=("la_code",))
    assert keys["dim_period"].primary_key == ("period_type", "time_period")
    assert keys["fct_x"].primary_key == ("la_code", "time_period", "release")  # not the filtered one
    assert keys["fct_x"].foreign_keys == (
        ForeignKey(("la_code",), "dim_la", ("la_code",)),
        ForeignKey(("period_type", "time_period"), "dim_period", ("period_type", "time_period")),
    )
    assert "stg_y" not in keys  # not a mart, and no key to it


def test_the_link_swaps_atomically_and_the_previous_export_stays_one_publication(warehouse):
    make_work(warehouse, rate=1.0)
    publish(warehouse, refresh("run-1"), keys=KEYS)
    link = warehouse.open_data_path
    assert link.is_symlink() and os.readlink(link) == os.path.join(".open-data", "run-1")  # relative
    first = link.resolve()
    # a reader that opened a file of the first export keeps reading it whole across swaps
    reader = open(first / "csv" / "fct_value.csv", encoding="utf-8")
    make_work(warehouse, rate=2.0)
    publish(warehouse, refresh("run-2"), keys=KEYS)
    assert link.resolve().name == "run-2" and descriptor(warehouse)["refresh_id"] == "run-2"
    assert first.is_dir()  # the previous export stays for downloads in progress
    make_work(warehouse, rate=3.0)
    publish(warehouse, refresh("run-3"), keys=KEYS)
    assert sorted(p.name for p in warehouse.open_data_versions_dir.iterdir()) == ["run-2", "run-3"]
    assert "1.0" in reader.read().splitlines()[1].split(",")[4]
    reader.close()
    # no temporary link or snapshot left behind
    assert [p.name for p in warehouse.warehouse_dir.iterdir() if p.name.endswith(".link")] == []
    assert list(warehouse.publishing_dir.iterdir()) == []


def test_swap_link_is_one_rename_of_a_new_symlink(tmp_path, monkeypatch):
    a, b = tmp_path / ".open-data" / "a", tmp_path / ".open-data" / "b"
    a.mkdir(parents=True), b.mkdir()
    link = tmp_path / "open-data"
    assert open_data.swap_link(link, a) is None
    renames = []
    real_replace = os.replace
    monkeypatch.setattr(os, "replace", lambda src, dst: (renames.append((str(src), str(dst))), real_replace(src, dst)))
    assert open_data.swap_link(link, b) == a
    assert len(renames) == 1 and renames[0][1] == str(link) and Path(renames[0][0]).is_relative_to(tmp_path)
    assert link.resolve() == b.resolve()
    open_data.restore_link(link, a)
    assert link.resolve() == a.resolve()


def test_a_copied_warehouse_whose_link_became_a_directory_still_publishes(warehouse):
    make_work(warehouse)
    warehouse.open_data_path.mkdir()
    (warehouse.open_data_path / "datapackage.json").write_text("{}", encoding="utf-8")
    publish(warehouse, refresh("run-1"), keys=KEYS)
    assert warehouse.open_data_path.is_symlink() and descriptor(warehouse)["refresh_id"] == "run-1"


def test_an_unchanged_table_is_linked_from_the_previous_export_a_changed_one_rewritten(warehouse):
    make_work(warehouse, rate=1.0)
    publish(warehouse, refresh("run-1"), keys=KEYS)
    before = {p.name: p.stat().st_ino for p in (warehouse.open_data_path / "csv").iterdir()}
    make_work(warehouse, rate=2.0)  # only fct_value changes
    result = publish(warehouse, refresh("run-2"), keys=KEYS)
    after = {p.name: p.stat().st_ino for p in (warehouse.open_data_path / "csv").iterdir()}
    assert sorted(result.export.reused) == ["dim_area", "dim_indicator"]
    assert after["dim_area.csv"] == before["dim_area.csv"] and after["fct_value.csv"] != before["fct_value.csv"]
    row = (warehouse.open_data_path / "csv" / "fct_value.csv").read_text(encoding="utf-8").splitlines()[1]
    assert row.split(",")[4] == "2.0"
    d = {r["name"]: r for r in descriptor(warehouse)["resources"]}
    assert d["dim_area"]["hash"] == "sha256:" + digest(warehouse.open_data_path / "csv" / "dim_area.csv")


def test_a_failure_mid_export_leaves_the_previous_publication_and_export_in_place(warehouse, monkeypatch):
    make_work(warehouse, rate=1.0)
    publish(warehouse, refresh("run-1"), keys=KEYS)
    published, export = digest(warehouse.published_path), warehouse.open_data_path.resolve()
    files = {p.relative_to(export): digest(p) for p in export.rglob("*") if p.is_file()}
    make_work(warehouse, rate=2.0)
    half_written = []

    def fail(con, table, dest):  # fct_value, the one table that changed, after the others were linked
        half_written.extend(sorted(p.name for p in (dest / "csv").iterdir()))
        raise OSError("No space left on device")

    monkeypatch.setattr(open_data, "write_table", fail)
    with pytest.raises(PublishError, match="open-data export failed.*No space left"):
        publish(warehouse, refresh("run-2"), keys=KEYS)
    assert half_written == ["dim_area.csv", "dim_indicator.csv"]  # it failed part-way
    assert digest(warehouse.published_path) == published
    assert warehouse.open_data_path.resolve() == export
    assert {p.relative_to(export): digest(p) for p in export.rglob("*") if p.is_file()} == files
    assert [p.name for p in warehouse.open_data_versions_dir.iterdir()] == ["run-1"]  # the half export is gone
    assert list(warehouse.publishing_dir.iterdir()) == []
    monkeypatch.undo()
    publish(warehouse, refresh("run-3"), keys=KEYS)  # the next publication recovers with no cleanup
    assert descriptor(warehouse)["refresh_id"] == "run-3"


def test_a_failed_snapshot_rename_swaps_the_link_back(warehouse, monkeypatch):
    make_work(warehouse, rate=1.0)
    publish(warehouse, refresh("run-1"), keys=KEYS)
    published, export = digest(warehouse.published_path), warehouse.open_data_path.resolve()
    make_work(warehouse, rate=2.0)
    real_replace = os.replace

    def replace(src, dst):
        if str(dst) == str(warehouse.published_path):
            raise PermissionError("read-only file system")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(PermissionError):
        publish(warehouse, refresh("run-2"), keys=KEYS)
    assert digest(warehouse.published_path) == published
    assert warehouse.open_data_path.resolve() == export and descriptor(warehouse)["refresh_id"] == "run-1"
    assert [p.name for p in warehouse.open_data_versions_dir.iterdir()] == ["run-1"]


def test_a_half_export_left_by_a_killed_publication_is_removed_by_the_next(warehouse):
    make_work(warehouse)
    publish(warehouse, refresh("run-1"), keys=KEYS)
    half = warehouse.open_data_versions_dir / "run-killed"
    (half / "csv").mkdir(parents=True)
    (half / "csv" / "dim_area.csv").write_text("area_code\n", encoding="utf-8")
    publish(warehouse, refresh("run-2"), keys=KEYS)
    assert sorted(p.name for p in warehouse.open_data_versions_dir.iterdir()) == ["run-1", "run-2"]
    assert warehouse.open_data_path.resolve().name == "run-2"


def test_a_retried_publication_of_the_same_refresh_gets_a_directory_of_its_own(warehouse):
    make_work(warehouse)
    publish(warehouse, refresh("run-1"), keys=KEYS)
    publish(warehouse, refresh("run-1"), keys=KEYS)
    assert warehouse.open_data_path.resolve().name == "run-1.2"
    assert descriptor(warehouse)["refresh_id"] == "run-1"
    assert sorted(p.name for p in warehouse.open_data_versions_dir.iterdir()) == ["run-1", "run-1.2"]
