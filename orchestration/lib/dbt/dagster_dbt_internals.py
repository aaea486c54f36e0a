"""The one module that overrides dagster-dbt's private API: the project's dbt CLI resource.

dagster-dbt 0.29's ``DbtCliResource.cli`` (dagster_dbt/core/resource.py) pays two costs before
every dbt command, each for something this project does not use, and no setting turns either
off:

- ``_cli_version`` runs ``dbt --version`` in a subprocess to learn which dbt it drives (dbt Core
  or Fusion), and dbt asks PyPI for its latest release while at it (dbt-core issue #6085). The
  executable here is this environment's dbt (``dbt_executable``), so its version is the
  installed dbt-core's.
- ``_initialize_dbt_core_adapter`` loads dbt's profile, project and macros into the Dagster
  process for an adapter used only by ``fetch_row_counts`` and ``fetch_column_metadata``, which
  no asset here calls; a failure to build it is only logged there, and without it ``stream()``
  behaves the same.

``cli`` (public) is extended to pass ``DBT_ENV_CUSTOM_ENV_`` + ``PROJECT_DIGEST`` to the command
(dagster-dbt hands dbt a copy of this process's environment), so its run_results.json names the
project files it ran on (orchestration/lib/publish/docs_site.py reuses a build's manifest by it).

tests/unit/test_dbt_resource.py fails if dagster-dbt stops calling the two, renames them, or
spawns ``dbt --version``; docs/performance.md has what they cost.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cached_property
from importlib.metadata import version as installed_version
from pathlib import Path
from typing import Any

from dagster_dbt import DbtCliResource
from packaging import version

from orchestration.lib.dbt.project import PROJECT_DIGEST, dbt_executable, dbt_project, project_digest

# What the overrides were written against (orchestration.lib.core.versions.upstream_digest):
# tests/unit/test_internals.py fails, naming the method, when an upgrade changes one.
UPSTREAM = {
    "dagster_dbt.core.resource:DbtCliResource._cli_version": "215fd26478fbe40b",
    "dagster_dbt.core.resource:DbtCliResource._initialize_dbt_core_adapter": "f2e0761b99492484",
    "dagster_dbt.core.resource:DbtCliResource.cli": "4b7bcccec132efbc",
}


@contextmanager
def _environ(name: str, value: str) -> Iterator[None]:
    before = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = before


class CscDbtCliResource(DbtCliResource):
    """dagster-dbt's dbt CLI resource, without ``dbt --version`` or an in-process adapter before
    each command, recording the project it runs on in dbt's artifacts (the module's docstring
    says why).

    """

    @cached_property
    def _cli_version(self) -> version.Version:
        if Path(self.dbt_executable).resolve() == (Path(sys.executable).parent / "dbt").resolve():
            return version.parse(installed_version("dbt-core"))
        return DbtCliResource._cli_version.func(self)  # another dbt: ask it, as dagster-dbt does

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:  # type: ignore[override]
        return None

    def cli(self, args: Sequence[str], **kwargs: Any):  # type: ignore[override]
        with _environ("DBT_ENV_CUSTOM_ENV_" + PROJECT_DIGEST, project_digest(Path(self.project_dir))):
            return super().cli(args, **kwargs)


def dbt_resource() -> CscDbtCliResource:
    return CscDbtCliResource(project_dir=dbt_project(), dbt_executable=str(dbt_executable()))
