"""The dbt project as Dagster sees it: its handle, its files, and its manifest.

The files of the project are those dbt reads when it parses: ``dbt_project.yml``,
``profiles.yml`` and every file under the paths ``dbt_project.yml`` names (models, seeds,
macros, tests, and any other it declares), so a folder added there is covered without a list
kept here.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

import yaml
from dagster_dbt import DbtProject

from orchestration.lib.core.files import short_digest
from orchestration.settings import DEFAULT_CATALOGUE, get_settings

# dbt's project settings that name folders of files it parses, with dbt's defaults
# (https://docs.getdbt.com/reference/dbt_project.yml)
PATH_SETTINGS = {
    "model-paths": ["models"],
    "seed-paths": ["seeds"],
    "macro-paths": ["macros"],
    "test-paths": ["tests"],
    "snapshot-paths": ["snapshots"],
    "analysis-paths": ["analyses"],
}
# dbt copies every environment variable named DBT_ENV_CUSTOM_ENV_<name> into its artifacts'
# metadata.env as <name> (https://docs.getdbt.com/reference/artifacts/dbt-artifacts, "Common
# metadata"): each dbt command run through the project's dbt resource records there the digest
# of the project files it ran on, so run_results.json says which project its manifest.json was
# built from
PROJECT_DIGEST = "CSC_DBT_PROJECT_DIGEST"


@lru_cache(maxsize=1)
def dbt_project() -> DbtProject:
    settings = get_settings()
    return DbtProject(project_dir=settings.dbt_project_dir, profiles_dir=settings.dbt_profiles_dir)


def project_files(project_dir: Path) -> list[Path]:
    """Every file of the dbt project a parse reads, in a stable order."""
    config_file = project_dir / "dbt_project.yml"
    config = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    config = config if isinstance(config, dict) else {}  # dbt refuses such a file when it parses
    found = [config_file, *[p for p in [project_dir / "profiles.yml"] if p.is_file()]]
    for setting, default in PATH_SETTINGS.items():
        for folder in config.get(setting, default):
            path = project_dir / folder
            if path.is_dir():
                found += sorted(p for p in path.rglob("*") if p.is_file())
    return found


def project_digest(project_dir: Path) -> str:
    """A digest of every file of the dbt project a parse reads (their paths and bytes)."""
    return short_digest(
        part for file in project_files(project_dir) for part in (str(file.relative_to(project_dir)), file.read_bytes())
    )


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
        from orchestration.lib.dbt import sources

        if stale := sources.stale():
            raise RuntimeError(
                f"the dbt sources differ from the source catalogue ({', '.join(p.name for p in stale)}): "
                "run `uv run python -m orchestration.lib.dbt.sources`"
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
