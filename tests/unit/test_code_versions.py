"""One way to version code: a change to any module an asset or check runs, however indirectly it
is reached, or to a file it reads, changes its code version; a change to code it does not run
leaves it alone.

Each case edits one file of a copy of the project and loads the copy's Dagster definitions in a
process of its own, as Dagster would after a deploy, before and after."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from orchestration.lib.dbt.project import ensure_manifest
from orchestration.settings import REPO_ROOT
from tests.support.helpers import clean_env

pytestmark = pytest.mark.slow

DUMP = """
import json
from orchestration.definitions import defs

graph = defs.resolve_asset_graph()
value = lambda v: getattr(v, "value", v)
print(json.dumps({
    "assets": {k.to_user_string(): graph.get(k).code_version for k in graph.get_all_asset_keys()
               if graph.get(k).is_materializable},
    "checks": {f"{k.asset_key.to_user_string()}:{k.name}": value((graph.get_check_spec(k).metadata or {}).get("code_version"))
               for k in graph.asset_check_keys},
}))
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A copy of the project's code, suites, templates and dbt project (its parsed manifest with it)."""
    ensure_manifest()
    copy = tmp_path_factory.mktemp("project")
    shutil.copy2(REPO_ROOT / "pyproject.toml", copy / "pyproject.toml")  # Dagster finds the project by it
    (copy / "validators").mkdir()  # the validator environment's project files (not its .venv)
    for name in ("pyproject.toml", "uv.lock"):
        shutil.copy2(REPO_ROOT / "validators" / name, copy / "validators" / name)
    for name in ("orchestration", "expectations", "dbt_project"):
        shutil.copytree(
            REPO_ROOT / name,
            copy / name,
            ignore=shutil.ignore_patterns("__pycache__", "logs"),
            copy_function=shutil.copy2,
        )
    return copy


def versions(project: Path, tmp_path: Path) -> dict:
    run = subprocess.run(
        [sys.executable, "-c", DUMP],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        env=clean_env(PYTHONPATH=str(project), CSC_WAREHOUSE_DIR=str(tmp_path / "warehouse")),
    )
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads(run.stdout.splitlines()[-1])


def changed(before: dict, after: dict) -> set[str]:
    return {k for kind in ("assets", "checks") for k in before[kind] if before[kind][k] != after[kind].get(k)}


def edit(path: Path) -> None:
    """A change to what the file does (a template's text; a module's code: a new name bound)."""
    change = "\n_CHANGED = True\n" if path.suffix == ".py" else "\n{# a change #}\n"
    path.write_text(path.read_text(encoding="utf-8") + change, encoding="utf-8")


def raw_table(name: str) -> bool:
    """A publisher's raw table's ingest asset (a check's name has its asset's and a colon; an LA's
    returns' figures are counted in the private area, not parsed)."""
    return name.startswith("raw/") and ":" not in name and name != "raw/la_return_figures"


CASES = {
    # reached by the publication only through lib/publish/snapshot.py (which publishes the release
    # index), and by the ingest step that writes it
    "orchestration/lib/ingest/release_index.py": lambda name: name == "published/csc_duckdb" or raw_table(name),
    # shared by the LA pages and the metric catalogue, and nothing else
    "orchestration/lib/publish/pages.py": lambda name: name in ("published/la_profiles", "published/metric_catalogue"),
    # a template every page extends: a file the code reads, not a module
    "orchestration/templates/_base.html.j2": lambda name: (
        name in ("published/la_profiles", "published/metric_catalogue")
    ),
    # a layout two raw tables' suites share
    "expectations/raw/iod2019_file_11.py": lambda name: name.startswith(("raw/iod2019_imd:", "raw/iod2019_idaci:")),
    # the parser: every raw table's ingest runs it
    "orchestration/lib/ingest/parse.py": raw_table,
    # the counting rules of an LA's return: a file the code reads, run when its figures are collected
    "orchestration/lib/returns/sql/ssda903_figures.sql": lambda name: name == "raw/la_return_figures",
    "orchestration/lib/returns/sql/cin_census_figures.sql": lambda name: name == "raw/la_return_figures",
    # DfE's rules' report: part of landing a return of either kind
    "orchestration/templates/returns_validation.html.j2": lambda name: (
        name in ("returns/ssda903", "returns/cin_census")
    ),
    # the census's reader: landing a census runs it, and nothing else (the SSDA903's landing is apart)
    "orchestration/lib/returns/cin_census.py": lambda name: name == "returns/cin_census",
    # a year's CIN census schema: part of landing a census, and nothing else
    "orchestration/lib/returns/specs/cin_census/CIN_schema_2025.xsd": lambda name: name == "returns/cin_census",
}


@pytest.mark.parametrize("path", list(CASES))
def test_a_change_to_what_an_asset_runs_changes_its_code_version_and_nothing_elses(project, tmp_path, path):
    before = versions(project, tmp_path)
    edit(project / path)
    try:
        after = versions(project, tmp_path)
    finally:
        shutil.copy2(REPO_ROOT / path, project / path)
    expected = {name for kind in ("assets", "checks") for name in before[kind] if CASES[path](name)}
    expected = {name for name in expected if before["assets"].get(name, before["checks"].get(name)) is not None}
    assert expected, f"{path}: the case names no asset or check"
    assert changed(before, after) == expected


def test_a_comment_a_docstring_or_a_reformat_changes_no_code_version(tmp_path):
    """What a module does decides its version, not how it is written down: reformatting or
    documenting code rebuilds nothing."""
    from orchestration.lib.core.versions import code_version

    package = tmp_path / "orchestration"
    package.mkdir()
    (package / "__init__.py").write_text("")
    module = package / "m.py"
    module.write_text('"""A module."""\n\ndef f(x):\n    return x + 1\n')
    before = code_version("orchestration.m", root=tmp_path)
    module.write_text(
        '"""A module, documented."""\n\n\ndef f(x):  # adds one\n    """One more."""\n    return (x + 1)\n'
    )
    assert code_version("orchestration.m", root=tmp_path) == before
    module.write_text('"""A module."""\n\ndef f(x):\n    return x + 2\n')
    assert code_version("orchestration.m", root=tmp_path) != before
