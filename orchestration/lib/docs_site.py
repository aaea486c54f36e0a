"""The dbt documentation site: ``warehouse/docs/index.html``, one self-contained page.

``dbt docs generate --static`` (dbt 1.11; https://docs.getdbt.com/reference/commands/cmd-docs)
compiles the project, reads the catalog (every relation's columns and types) from the work
database, and writes ``static_index.html`` with the manifest and the catalog inlined: every
source (with its publisher's pages, orchestration/lib/dbt_sources.py), model, column, test,
exposure and lineage edge, in one file that opens offline from disk. The page's own scripts are
inline; its usage tracker loads only when the manifest says ``send_anonymous_usage_stats``, which
``dbt_project.yml`` turns off.

What the page shows changes only with the dbt project (its models, columns, tests, sources and
docs) and the columns of the relations, which the project's SQL and the generated sources
decide, not with the rows. So its asset's code version is a digest of the dbt project, and it is
rebuilt when that changes, not after every publication (``REBUILD_WHEN`` in
orchestration/lib/plan.py): generating it costs ~15 s on 2 cores (dbt start-up, compile of
every node, the catalog queries).

dbt writes into the warehouse's dbt target folder (``Settings.dbt_target_dir``, kept between
runs and shared with the build, so dbt's partial parse applies); the page is copied beside ``docs/index.html`` and renamed over it (``os.replace``), so a reader
never sees half a page.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from orchestration.settings import Settings

DOCS_DIR_NAME = "docs"
INDEX = "index.html"


@dataclass(frozen=True)
class DocsResult:
    path: Path
    bytes: int
    seconds: float


def docs_dir(settings: Settings) -> Path:
    return settings.warehouse_dir / DOCS_DIR_NAME


def code_version(project_dir: Path) -> str:
    """A digest of every file of the dbt project the page is generated from (models with their
    YAML and docs, sources, exposures, macros, tests, seeds, dbt_project.yml), of this module and
    dbt's version (whose page it is)."""
    from importlib.metadata import version

    from orchestration.lib.dbt import project_files

    digest = hashlib.sha256(Path(__file__).read_bytes() + version("dbt-core").encode())
    for file in project_files(project_dir):
        digest.update(str(file.relative_to(project_dir)).encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()[:16]


def write_atomically(target: Path, text: str) -> int:
    """Write ``text`` beside ``target`` and rename it into place; the number of bytes written."""
    target.parent.mkdir(parents=True, exist_ok=True)
    data = text.encode("utf-8")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}-", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return len(data)


def generate_docs_site(settings: Settings, dbt) -> DocsResult:
    """Run ``dbt docs generate --static`` with the Dagster dbt resource ``dbt`` (a
    ``DbtCliResource``; it reads the work database, so the caller holds the refresh lock) and
    put the page in place as ``docs/index.html``."""
    started = time.monotonic()
    build = settings.dbt_target_dir
    build.mkdir(parents=True, exist_ok=True)
    # dagster-dbt's resource runs dbt with this target path (DbtCliResource.cli, dagster-dbt 0.29)
    dbt.cli(["docs", "generate", "--static"], target_path=build, raise_on_error=True).wait()
    target = docs_dir(settings) / INDEX
    size = write_atomically(target, (build / "static_index.html").read_text(encoding="utf-8"))
    return DocsResult(path=target, bytes=size, seconds=time.monotonic() - started)
