"""The dbt project as Dagster sees it: project handle, manifest preparation, the dbt CLI
resource, naming rule.

Naming rule (one, from dbt to Dagster): a model's or seed's asset key is ``[schema, name]``
and its group is its top folder (staging, intermediate, marts; seeds are ``reference``). A
source table's key is ``[schema, table]`` too (``[raw, <family>]``): the key of the ingest
asset that lands that raw table, so the whole graph is one lineage.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import cached_property, lru_cache
from importlib.metadata import version as installed_version
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, DbtProject
from packaging import version

from orchestration.lib.conventions import project_vars
from orchestration.settings import DEFAULT_CATALOGUE, get_settings

# the config that changes what a build writes (not tags, docs or meta)
_BUILD_CONFIG = ("materialized", "contract", "column_types", "schema", "full_refresh", "persist_docs")
WATCHED = ("dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "tests")
# dbt copies every environment variable named DBT_ENV_CUSTOM_ENV_<name> into its artifacts'
# metadata.env as <name> (https://docs.getdbt.com/reference/artifacts/dbt-artifacts, "Common
# metadata"): each dbt command run through CscDbtCliResource records there the digest of the
# project files it ran on, so run_results.json says which project its manifest.json was built from
PROJECT_DIGEST = "CSC_DBT_PROJECT_DIGEST"


@lru_cache(maxsize=1)
def dbt_project() -> DbtProject:
    settings = get_settings()
    return DbtProject(project_dir=settings.dbt_project_dir, profiles_dir=settings.dbt_profiles_dir)


def project_files(project_dir: Path) -> list[Path]:
    """Every file of the dbt project a parse reads (``WATCHED``), in a stable order."""
    files: list[Path] = []
    for name in WATCHED:
        path = project_dir / name
        files += (
            [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file()) if path.exists() else []
        )
    return files


def project_digest(project_dir: Path) -> str:
    """A digest of every file of the dbt project a parse reads (their paths and bytes)."""
    digest = hashlib.sha256()
    for file in project_files(project_dir):
        digest.update(str(file.relative_to(project_dir)).encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()[:16]


def _newest_source_mtime(project_dir: Path) -> float:
    return max((p.stat().st_mtime for p in project_files(project_dir)), default=0.0)


def manifest_is_stale(project: DbtProject) -> bool:
    manifest = project.manifest_path
    return not manifest.exists() or manifest.stat().st_mtime < _newest_source_mtime(project.project_dir)


def ensure_manifest() -> Path:
    """Parse the dbt project when its manifest is missing or older than its files.

    ``DbtProject.prepare_if_dev`` only acts under ``dagster dev``; the CLI, tests and CI need
    the manifest too, and a fresh clone has none (``target/`` is not committed).
    """
    settings = get_settings()
    if settings.catalogue_path == DEFAULT_CATALOGUE:  # another catalogue (tests) describes other tables
        from orchestration.lib import dbt_sources

        if stale := dbt_sources.stale():
            raise RuntimeError(
                f"the dbt sources differ from the source catalogue ({', '.join(p.name for p in stale)}): "
                "run `uv run python -m orchestration.lib.dbt_sources`"
            )
    project = dbt_project()
    project.prepare_if_dev()
    if manifest_is_stale(project):
        try:
            project.preparer.prepare(project)
        except subprocess.CalledProcessError as exc:  # pragma: no cover - message path
            raise RuntimeError(f"dbt parse failed for {project.project_dir}: {exc}") from exc
    return project.manifest_path


def load_manifest() -> dict:
    """The parsed manifest, read once per process while its file stays the same (the dbt assets,
    the publication's dependencies and its export each ask for it when definitions load)."""
    path = ensure_manifest()
    stat = path.stat()
    return _parsed_manifest(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=2)
def _parsed_manifest(path: str, mtime_ns: int, size: int) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def dbt_executable() -> Path:
    """The dbt of this Python environment (installed from uv.lock), else the first on PATH."""
    beside = Path(sys.executable).parent / "dbt"
    return beside if beside.exists() else Path(shutil.which("dbt") or "dbt")


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
    """dagster-dbt's dbt CLI resource, without two costs it pays before every dbt command, each
    for something this project does not use (dagster-dbt 0.29, ``DbtCliResource.cli`` in
    dagster_dbt/core/resource.py), and recording the project it runs on in dbt's artifacts.

    - ``_cli_version`` runs ``dbt --version`` in a subprocess to learn which dbt it drives (dbt
      Core or Fusion): 1.8 s of CPU and ~2.4 s before each dbt command on 2 cores, and dbt asks
      PyPI for its latest release while at it (dbt-core issue #6085). The executable is this
      environment's dbt (``dbt_executable``), so its version is the installed dbt-core's.
    - ``_initialize_dbt_core_adapter`` loads dbt's profile, project and macros into the Dagster
      process (1.5 s the first time) for an adapter used only by ``fetch_row_counts`` and
      ``fetch_column_metadata``, which no asset here calls; a failure to build it is only logged
      there, and without it ``stream()`` behaves the same.
    - ``cli`` passes ``DBT_ENV_CUSTOM_ENV_`` + :data:`PROJECT_DIGEST` to the command (dagster-dbt
      hands dbt a copy of this process's environment), so its run_results.json names the project
      files it ran on (orchestration/lib/docs_site.py reuses a build's manifest by it).

    tests/test_dbt_resource.py fails if dagster-dbt stops calling these, or spawns ``dbt --version``.
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


def mart_asset_keys() -> list[dg.AssetKey]:
    """Asset keys of every model in models/marts: what the publication depends on."""
    manifest = load_manifest()
    translator = CscDbtTranslator(manifest)
    keys = []
    for node in manifest["nodes"].values():
        if node["resource_type"] == "model" and node["fqn"][1:2] == ["marts"]:
            keys.append(translator.get_asset_key(node))
    return sorted(keys, key=lambda k: k.to_user_string())


class CscDbtTranslator(DagsterDbtTranslator):
    def __init__(self, manifest: Mapping[str, Any] | None = None) -> None:
        super().__init__(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))
        manifest = manifest or {}
        self._macros = manifest.get("macros", {})
        self._sources = manifest.get("sources", {})
        # the project's vars (its shared conventions: var() in models and macros) change every node
        self._vars = json.dumps(project_vars(), sort_keys=True, default=str)
        self._package = (manifest.get("metadata") or {}).get("project_name", "")
        nodes = manifest.get("nodes", {})
        by_name = {
            n["name"]: uid for uid, n in nodes.items() if n.get("resource_type") in ("model", "seed", "snapshot")
        }
        self._tests: dict[str, list] = {}
        for test in (n for n in nodes.values() if n.get("resource_type") == "test"):
            ref = (((test.get("config") or {}).get("meta") or {}).get("dagster") or {}).get("ref") or {}
            parents = (
                [by_name[ref["name"]]]
                if ref.get("name") in by_name
                else (
                    [test["attached_node"]]
                    if test.get("attached_node")
                    else (test.get("depends_on") or {}).get("nodes") or []
                )
            )
            for parent in parents:
                self._tests.setdefault(parent, []).append(test)

    def get_code_version(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        """The node's own checksum (its SQL or seed file) with the SQL of every project macro it
        calls (and the macros those call), its build config and columns, the columns of the raw
        tables it reads, and the tests attached to it: a changed macro rebuilds the models that use it, and a changed test runs again
        with its model (orchestration/lib/plan.py)."""
        checksum = (dbt_resource_props.get("checksum") or {}).get("checksum")
        if checksum is None:
            return None
        digest = hashlib.sha256(checksum.encode())
        digest.update(self._vars.encode())
        for name in sorted(self._project_macros(dbt_resource_props)):
            digest.update(name.encode() + b"\0" + self._macros.get(name, {}).get("macro_sql", "").encode())
        config = {k: v for k, v in (dbt_resource_props.get("config") or {}).items() if k in _BUILD_CONFIG}
        digest.update(json.dumps(config, sort_keys=True, default=str).encode())
        digest.update(json.dumps(sorted((dbt_resource_props.get("columns") or {}).items()), default=str).encode())
        for parent in (dbt_resource_props.get("depends_on") or {}).get("nodes") or []:
            if parent in self._sources:  # the columns a staging model selects come from its source's (stage_ees_tidy)
                digest.update(
                    parent.encode() + b"\0" + json.dumps(list(self._sources[parent].get("columns") or {})).encode()
                )
        for test in self._tests_of(dbt_resource_props.get("unique_id")):
            digest.update(
                json.dumps(
                    [
                        test.get("raw_code"),
                        test.get("test_metadata"),
                        test.get("config", {}).get("meta"),
                        sorted(self._project_macros(test)),
                    ],
                    sort_keys=True,
                    default=str,
                ).encode()
            )
        return digest.hexdigest()[:16]

    def _project_macros(self, node: Mapping[str, Any]) -> set[str]:
        """The project's macros a node calls, directly or through other macros."""
        prefix = f"macro.{node.get('package_name') or self._package}."
        seen: set[str] = set()
        todo = list((node.get("depends_on") or {}).get("macros") or [])
        while todo:
            name = todo.pop()
            if name in seen or not name.startswith(prefix):
                continue
            seen.add(name)
            todo.extend(((self._macros.get(name) or {}).get("depends_on") or {}).get("macros") or [])
        return seen

    def _tests_of(self, unique_id: str | None) -> list[Mapping[str, Any]]:
        """The test nodes whose result is a check on this node (dbt's own attachment, or the
        asset a singular test names in its meta)."""
        if not unique_id:
            return []
        return sorted(self._tests.get(unique_id, []), key=lambda t: t["unique_id"])

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        if dbt_resource_props["resource_type"] == "model":
            return dbt_resource_props["fqn"][1]
        return super().get_group_name(dbt_resource_props)
