"""The one place for paths and environment variables.

Everything is read lazily through :func:`get_settings`, so tests and the CLI can set
environment variables (or pass options) before anything resolves a path.

Environment variables (all optional):

- ``CSC_WAREHOUSE_DIR``: warehouse directory (default ``<repo>/warehouse``).
- ``CSC_DUCKDB_PATH``: the work database that Dagster and dbt both build into
  (default ``<warehouse>/work.duckdb``; dbt's ``profiles.yml`` reads the same variable).
- ``CSC_SOURCE_MIRROR``: a directory laid out ``<source>/<release_label>/<file>`` to read
  source files from instead of the publishers' websites.
- ``CSC_HTTP_TIMEOUT``, ``CSC_HTTP_RETRIES``: HTTP fetch timeout (seconds) and retries.
- ``CSC_CATALOGUE``: a source catalogue to use instead of ``orchestration/catalogue/sources.yml``
  (a fork's, or one pointing at a local HTTP server in the tests).
- ``CSC_REVALIDATE``: ``1`` validates every expectation suite again, even on input that
  passed unchanged before (``csc refresh --revalidate``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent

PUBLISHED_DB_NAME = "csc.duckdb"

# Telemetry and version checks off for every tool this project runs (see ../shared/STACK.md).
QUIET_ENV = {
    "DO_NOT_TRACK": "1",
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    "GX_ANALYTICS_ENABLED": "false",
    "DAGSTER_DISABLE_TELEMETRY": "1",
}


@dataclass(frozen=True)
class Settings:
    warehouse_dir: Path
    duckdb_path: Path
    mirror_dir: Path | None
    http_timeout: float = 60.0
    http_retries: int = 4
    revalidate: bool = False

    @property
    def published_path(self) -> Path:
        """The read-only snapshot that BI tools open."""
        return self.warehouse_dir / PUBLISHED_DB_NAME

    @property
    def landing_dir(self) -> Path:
        return self.warehouse_dir / "landing"

    @property
    def publishing_dir(self) -> Path:
        """Where the next snapshot is written before it is renamed over the published one:
        beside it (same filesystem, so the rename is atomic) but out of a BI user's sight."""
        return self.warehouse_dir / ".publishing"

    @property
    def runs_dir(self) -> Path:
        """One JSON record per refresh (what was fetched, checked and published)."""
        return self.warehouse_dir / "runs"

    @property
    def validation_memo_dir(self) -> Path:
        """The last passing result of each expectation suite, with the fingerprint of what it
        validated: an unchanged input is not validated again (CSC_REVALIDATE=1 forces it)."""
        return self.warehouse_dir / ".validated"

    @property
    def dagster_home(self) -> Path:
        """Dagster's run and event storage: CLI refreshes and `csc dev` share it, so the UI shows both."""
        return Path(os.environ.get("DAGSTER_HOME") or self.warehouse_dir / ".dagster").resolve()

    @property
    def lock_path(self) -> Path:
        return self.warehouse_dir / ".refresh.lock"

    @property
    def dbt_project_dir(self) -> Path:
        return REPO_ROOT / "dbt_project"

    @property
    def dbt_profiles_dir(self) -> Path:
        return self.dbt_project_dir

    @property
    def expectations_dir(self) -> Path:
        return REPO_ROOT / "expectations"

    @property
    def catalogue_path(self) -> Path:
        configured = os.environ.get("CSC_CATALOGUE")
        return Path(configured).resolve() if configured else PACKAGE_DIR / "catalogue" / "sources.yml"

    def ensure_dirs(self) -> None:
        for d in (self.warehouse_dir, self.landing_dir, self.runs_dir):
            d.mkdir(parents=True, exist_ok=True)

    def ensure_dagster_home(self) -> Path:
        home = self.dagster_home
        home.mkdir(parents=True, exist_ok=True)
        config = home / "dagster.yaml"
        if not config.exists():
            config.write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
        return home

    def export_env(self) -> None:
        """Put the resolved paths into the environment for child processes (dbt)."""
        os.environ["CSC_WAREHOUSE_DIR"] = str(self.warehouse_dir)
        os.environ["CSC_DUCKDB_PATH"] = str(self.duckdb_path)
        if self.mirror_dir is not None:
            os.environ["CSC_SOURCE_MIRROR"] = str(self.mirror_dir)
        for key, value in QUIET_ENV.items():
            os.environ.setdefault(key, value)


def get_settings() -> Settings:
    warehouse = Path(os.environ.get("CSC_WAREHOUSE_DIR") or REPO_ROOT / "warehouse").resolve()
    duckdb_path = Path(os.environ.get("CSC_DUCKDB_PATH") or warehouse / "work.duckdb").resolve()
    mirror = os.environ.get("CSC_SOURCE_MIRROR")
    return Settings(
        warehouse_dir=warehouse,
        duckdb_path=duckdb_path,
        mirror_dir=Path(mirror).resolve() if mirror else None,
        http_timeout=float(os.environ.get("CSC_HTTP_TIMEOUT", "60")),
        http_retries=int(os.environ.get("CSC_HTTP_RETRIES", "4")),
        revalidate=os.environ.get("CSC_REVALIDATE", "") not in ("", "0"),
    )
