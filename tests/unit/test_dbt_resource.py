"""The dbt CLI resource (orchestration/lib/dbt/project.py): dagster-dbt's, without the `dbt --version`
subprocess and the in-process adapter it builds before every dbt command, and naming the
project digest in the environment dbt records in its artifacts."""

from __future__ import annotations

import inspect
import os
from functools import cached_property
from importlib.metadata import version

import pytest
from dagster_dbt import DbtCliResource
from dagster_dbt.core import resource as dagster_dbt_resource

from orchestration.lib.dbt.dagster_dbt_internals import CscDbtCliResource, dbt_resource
from orchestration.lib.dbt.project import PROJECT_DIGEST, dbt_executable, project_digest
from orchestration.settings import get_settings


def test_dagster_dbt_still_calls_what_the_resource_replaces():
    # an upgrade of dagster-dbt that renames these would silently bring the costs back
    source = inspect.getsource(DbtCliResource.cli)
    assert "self._cli_version" in source and "self._initialize_dbt_core_adapter(" in source
    assert "**os.environ.copy()" in source  # the subprocess gets this process's environment
    assert isinstance(inspect.getattr_static(DbtCliResource, "_cli_version"), cached_property)
    assert isinstance(inspect.getattr_static(CscDbtCliResource, "_cli_version"), cached_property)


def test_the_version_comes_from_the_installed_dbt_without_a_subprocess(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError(f"spawned {args}")

    monkeypatch.setattr(dagster_dbt_resource, "check_output", refuse)
    resource = dbt_resource()
    assert resource.dbt_executable == str(dbt_executable())
    assert str(resource._cli_version) == version("dbt-core")
    assert resource._initialize_dbt_core_adapter(["build"]) is None


def test_every_command_names_the_project_digest_in_dbts_environment(monkeypatch, tmp_path):
    seen = {}

    def run(**kwargs):
        seen.update(kwargs)
        return "invocation"

    monkeypatch.setattr(dagster_dbt_resource.DbtCliInvocation, "run", staticmethod(run))
    monkeypatch.delenv("DBT_ENV_CUSTOM_ENV_" + PROJECT_DIGEST, raising=False)
    assert dbt_resource().cli(["build"], target_path=tmp_path) == "invocation"
    expected = project_digest(get_settings().dbt_project_dir)
    assert seen["env"]["DBT_ENV_CUSTOM_ENV_" + PROJECT_DIGEST] == expected
    assert seen["args"][0] == str(dbt_executable())
    # and this process's environment is left as it was
    assert "DBT_ENV_CUSTOM_ENV_" + PROJECT_DIGEST not in os.environ


@pytest.mark.parametrize("change", ["models/a.sql", "models/_a.yml", "macros/m.sql", "dbt_project.yml"])
def test_the_project_digest_follows_every_file_dbt_parses(tmp_path, change):
    for name in ("models/a.sql", "models/_a.yml", "macros/m.sql", "dbt_project.yml"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(name)
    (tmp_path / "target").mkdir()
    before = project_digest(tmp_path)
    (tmp_path / "target" / "manifest.json").write_text("{}")  # dbt's own output is not part of it
    assert project_digest(tmp_path) == before
    (tmp_path / change).write_text("changed")
    assert project_digest(tmp_path) != before
