"""The dbt documentation site: ``warehouse/docs/index.html``, one self-contained page.

``dbt docs generate --static`` (dbt 1.11; https://docs.getdbt.com/reference/commands/cmd-docs)
reads the catalog (every relation's columns and types) from the work database and writes
``static_index.html`` with the manifest and the catalog inlined: every source (with its
publisher's pages, orchestration/lib/dbt/sources.py), model with its compiled SQL, column, test,
exposure and lineage edge, in one file that opens offline from disk. The page's own scripts are
inline; its usage tracker loads only when the manifest says ``send_anonymous_usage_stats``, which
``dbt_project.yml`` turns off.

What the page shows changes only with the dbt project (its models, columns, tests, sources and
docs) and the columns of the relations, which the project's SQL and the generated sources
decide, not with the rows. So its asset's code version is a digest of the dbt project, and it is
rebuilt when that changes, not after every publication (``REBUILD_WHEN`` in
orchestration/lib/refresh/build_plan.py).

Compiling: by default the command compiles every node again before it writes the page, most
of its cost. With ``--no-compile`` dbt neither compiles nor writes a manifest: the page inlines the ``manifest.json`` already in the target folder
(``GenerateTask.run`` in dbt/task/docs/generate.py). The build writes one there with every node it
ran compiled; after a build of every node its compiled SQL, nodes and lineage are those a compile
gives (only the build paths, and the run-time macros a test lists, differ), and the catalog is
the same. So the site reuses the manifest the last dbt command left (:func:`why_compile`) when
that command compiled every node, of the dbt project as it is now (the project digest dbt
recorded in run_results.json, orchestration/lib/dbt/project.py); otherwise, after a partial build (only
the models downstream of a change are compiled) or when only docs changed (no build ran), it
compiles.

dbt writes into the warehouse's dbt target folder (``Settings.dbt_target_dir``, kept between
runs and shared with the build, so dbt's partial parse applies); the page is copied beside
``warehouse/docs/index.html`` and renamed over it (``os.replace``), so a reader never sees half a page.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

from orchestration.lib.core import files, versions
from orchestration.lib.dbt.project import PROJECT_DIGEST, project_digest, project_files
from orchestration.settings import Settings

DOCS_DIR_NAME = "docs"
INDEX = "index.html"


@dataclass(frozen=True)
class DocsResult:
    path: Path
    bytes: int
    seconds: float
    compiled: str | None = None  # why dbt compiled the project again, or None when it reused the build's manifest


def docs_dir(settings: Settings) -> Path:
    return settings.warehouse_dir / DOCS_DIR_NAME


def code_version(project_dir: Path) -> str:
    """What the page is generated from: every file of the dbt project (models with their YAML
    and docs, sources, exposures, macros, tests, seeds, dbt_project.yml), the code that writes
    it, and dbt's version (whose page it is)."""
    from importlib.metadata import version

    return versions.code_version(__name__, files=project_files(project_dir), extra=[version("dbt-core")])


def why_compile(target: Path, project_dir: Path) -> str | None:
    """Why the manifest the last dbt command left in ``target`` cannot stand for a compile of
    the project as it is now, or None when the site can inline it (``--no-compile``)."""
    try:
        manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
        results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "no manifest and run results in the target folder"
    built, ran = manifest.get("metadata") or {}, results.get("metadata") or {}
    if built.get("invocation_id") is None or built.get("invocation_id") != ran.get("invocation_id"):
        return "the manifest and the run results come from different dbt commands"
    if (ran.get("env") or {}).get(PROJECT_DIGEST) != project_digest(project_dir):
        return "the dbt project changed since the last dbt command compiled it"
    uncompiled = sorted(
        uid
        for uid, node in (manifest.get("nodes") or {}).items()
        if node.get("resource_type") != "seed" and not node.get("compiled")
    )
    if uncompiled:
        return f"the last dbt command compiled only some nodes ({len(uncompiled)} not, e.g. {uncompiled[0]})"
    return None


def generate_docs_site(settings: Settings, dbt) -> DocsResult:
    """Run ``dbt docs generate --static`` with the Dagster dbt resource ``dbt`` (a
    ``DbtCliResource``; it reads the work database, so the caller holds the refresh lock),
    without compiling again when the last build compiled the whole project as it is now, and
    put the page in place as ``warehouse/docs/index.html``."""
    started = time.monotonic()
    build = settings.dbt_target_dir
    build.mkdir(parents=True, exist_ok=True)
    reason = why_compile(build, settings.dbt_project_dir)
    # dagster-dbt's resource runs dbt with this target path (DbtCliResource.cli, dagster-dbt 0.29)
    dbt.cli(
        ["docs", "generate", "--static", *([] if reason else ["--no-compile"])], target_path=build, raise_on_error=True
    ).wait()
    target = docs_dir(settings) / INDEX
    size = files.write_bytes(target, (build / "static_index.html").read_bytes())
    return DocsResult(path=target, bytes=size, seconds=time.monotonic() - started, compiled=reason)
