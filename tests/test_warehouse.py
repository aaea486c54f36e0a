import pytest

from orchestration.lib.warehouse import RefreshLockedError, WarehouseResource, refresh_lock


def test_a_second_refresh_is_refused_while_one_holds_the_lock(warehouse):
    with refresh_lock(warehouse):
        with pytest.raises(RefreshLockedError, match=r"another refresh is running on .*\(pid \d+ since "):
            with refresh_lock(warehouse):
                pass
    with refresh_lock(warehouse):  # released on exit
        pass


def test_resource_connections_are_closed_after_use(warehouse):
    resource = WarehouseResource()
    with resource.connect() as con:
        con.execute("create table t as select 1 as x")
    # another connection (as dbt's process would make) can open the file once ours is closed
    import duckdb

    with duckdb.connect(str(warehouse.duckdb_path)) as other:
        assert other.execute("select x from t").fetchall() == [(1,)]
