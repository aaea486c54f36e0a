import os

import pytest

from orchestration.lib.core.warehouse import (
    RefreshLockedError,
    WarehouseResource,
    refresh_lock,
)
from orchestration.settings import get_settings


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


@pytest.mark.parametrize(
    "env",
    [
        {},
        {"CSC_WAREHOUSE_DIR": "/srv/csc"},
        {"CSC_WAREHOUSE_DIR": "elsewhere/wh"},
        {"CSC_WAREHOUSE_DIR": "/srv/csc", "CSC_DUCKDB_PATH": "/data/work.duckdb"},
        {"CSC_DUCKDB_PATH": "scratch/work.duckdb"},
    ],
)
def test_dbt_finds_the_work_database_where_the_settings_say(monkeypatch, env):
    """dbt's profile reads the same variables, with the same defaults, as orchestration/settings.py:
    the dbt step needs nothing put into the environment for it."""
    import jinja2
    import yaml

    for key in ("CSC_WAREHOUSE_DIR", "CSC_DUCKDB_PATH"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    settings = get_settings()
    profile = yaml.safe_load((settings.dbt_profiles_dir / "profiles.yml").read_text(encoding="utf-8"))
    template = profile["csc_warehouse"]["outputs"]["work"]["path"]
    # dbt's env_var: the variable's value, else the default
    rendered = (
        jinja2.Environment()
        .from_string(template)
        .render(env_var=lambda name, default=None: os.environ.get(name, default))
    )
    # dbt runs in the project directory, so a relative path is relative to it
    assert (settings.dbt_project_dir / rendered).resolve() == settings.duckdb_path
