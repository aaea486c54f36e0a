import hashlib
from datetime import UTC, datetime

import duckdb
import pytest

from orchestration.lib.publish.snapshot import CheckRecord, PublishError, RefreshRecord, publish
from orchestration.lib.refresh.status import read_publication

NO_KEYS = {}  # the marts' keys only matter to the open-data descriptor (tests/unit/test_open_data.py)


def make_work(settings, value=1):
    with duckdb.connect(str(settings.duckdb_path)) as con:
        con.execute("create schema marts; create schema meta; create schema raw")
        con.execute("create table marts.fct_x (la_code varchar not null primary key, v double)")
        con.execute("comment on table marts.fct_x is 'A fact.'")
        con.execute("comment on column marts.fct_x.v is 'A value.'")
        con.execute("insert into marts.fct_x values ('E06000001', ?)", [value])
        con.execute("create table raw.big as select 1 as x")
        con.execute(
            "create table meta.source_files (family varchar, source varchar, release varchar, file varchar, sha256 varchar, "
            "bytes bigint, origin varchar, fetched_at varchar, loaded_at timestamptz, row_count bigint)"
        )
        con.execute(
            "insert into meta.source_files values ('f', 's', 'r1', 'a.csv', 'abc', 10, 'mirror:x', 't', now(), 5)"
        )


def refresh(rid, checks=()):
    return RefreshRecord(refresh_id=rid, started_at=datetime.now(UTC), checks=list(checks))


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_publish_copies_marts_and_meta_only(warehouse):
    make_work(warehouse)
    result = publish(warehouse, refresh("r1", [CheckRecord("marts/fct_x", "c1", True, "ERROR")]), keys=NO_KEYS)
    assert result.tables == ["marts.fct_x"]
    with duckdb.connect(str(warehouse.published_path), read_only=True) as con:
        schemas = {r[0] for r in con.execute("select distinct schema_name from duckdb_tables()").fetchall()}
        assert schemas == {"marts", "meta"}
        assert con.execute("select comment from duckdb_tables() where table_name = 'fct_x'").fetchone() == ("A fact.",)
        assert con.execute("select comment from duckdb_columns() where column_name = 'v'").fetchone() == ("A value.",)
        assert "PRIMARY KEY" in con.execute("select sql from duckdb_tables() where table_name = 'fct_x'").fetchone()[0]
    info = read_publication(warehouse)
    assert info["refresh"]["refresh_id"] == "r1" and info["refresh"]["checks_passed"] == 1
    assert info["source_files"] == [{"family": "f", "release": "r1", "file": "a.csv", "sha256": "abc", "row_count": 5}]
    assert [p.name for p in warehouse.warehouse_dir.iterdir() if p.name.startswith(".csc")] == []
    assert list(warehouse.publishing_dir.iterdir()) == []  # the snapshot was renamed out of staging


def test_a_snapshot_left_by_a_killed_publish_is_cleared_by_the_next(warehouse):
    make_work(warehouse)
    warehouse.publishing_dir.mkdir(parents=True)
    left = warehouse.publishing_dir / "csc.0123abcd.duckdb"
    left.write_bytes(b"half a database")
    publish(warehouse, refresh("r1"), keys=NO_KEYS)
    assert list(warehouse.publishing_dir.iterdir()) == []
    with duckdb.connect(str(warehouse.published_path), read_only=True) as con:
        assert con.execute("select refresh_id from meta.refresh").fetchall() == [("r1",)]


def test_failed_check_leaves_the_publication_byte_identical(warehouse):
    make_work(warehouse)
    publish(warehouse, refresh("r1"), keys=NO_KEYS)
    before = digest(warehouse.published_path)
    with pytest.raises(PublishError, match="failed checks marts/fct_x:c2"):
        publish(warehouse, refresh("r2", [CheckRecord("marts/fct_x", "c2", False, "ERROR")]), keys=NO_KEYS)
    assert digest(warehouse.published_path) == before


def test_open_reader_keeps_its_snapshot_across_a_publish(warehouse):
    make_work(warehouse, value=1)
    publish(warehouse, refresh("r1"), keys=NO_KEYS)
    reader = duckdb.connect(str(warehouse.published_path), read_only=True)
    warehouse.duckdb_path.unlink()
    make_work(warehouse, value=2)
    publish(warehouse, refresh("r2"), keys=NO_KEYS)
    assert reader.execute("select v from marts.fct_x").fetchone() == (1.0,)
    assert reader.execute("select refresh_id from meta.refresh").fetchone() == ("r1",)
    reader.close()
    with duckdb.connect(str(warehouse.published_path), read_only=True) as con:
        assert con.execute("select v from marts.fct_x").fetchone() == (2.0,)
        assert con.execute("select refresh_id from meta.refresh").fetchone() == ("r2",)
