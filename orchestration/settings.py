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
- ``CSC_RETURNS_DIR``: the returns inbox, an LA's own child-level returns laid out
  ``<la_code>/<collection_year>/<files>`` (default ``<warehouse>/returns``; owner-only).
- ``CSC_CATALOGUE``: a source catalogue to use instead of ``orchestration/catalogue/sources.yml``
  (a fork's, or one pointing at a local HTTP server in the tests).

The publishers' interfaces (each the base address its client appends paths to; the defaults
are the real services):

- ``CSC_EES_CONTENT_API_URL``: Explore Education Statistics content API.
- ``CSC_EES_API_URL``: EES public statistics API (no family reads a data set from it yet).
- ``CSC_GOVUK_API_URL``: GOV.UK Content API (content items at ``/content<base_path>``).
- ``CSC_ONS_URL``: the ONS website (a page's JSON at ``<page>/data``).
- ``CSC_URL_REWRITE``: ``from=to`` address prefixes, comma-separated, applied to every address
  the fetcher requests (discovered links and fixed catalogue links alike): tests, proxies and
  air-gapped copies stand in for any host this way.
- ``CSC_DISCOVERY_INTERVAL``: seconds between the release sensor's polls (default 3600).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent

PUBLISHED_DB_NAME = "csc.duckdb"
OPEN_DATA_NAME = "open-data"
DEFAULT_CATALOGUE = PACKAGE_DIR / "catalogue" / "sources.yml"
# the Jinja2 templates of the pages a publication writes (LA profiles, the metric catalogue)
TEMPLATES_DIR = PACKAGE_DIR / "templates"

# Telemetry and version checks off for every tool this project runs (see ../shared/STACK.md).
QUIET_ENV = {
    "DO_NOT_TRACK": "1",
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    "GX_ANALYTICS_ENABLED": "false",
    "DAGSTER_DISABLE_TELEMETRY": "1",
}


# The real publishers' interfaces (see orchestration/lib/ingest/discovery/).
DEFAULT_INTERFACES = {
    "CSC_EES_CONTENT_API_URL": "https://content.explore-education-statistics.service.gov.uk/api",
    "CSC_EES_API_URL": "https://api.education.gov.uk/statistics/v1",
    "CSC_GOVUK_API_URL": "https://www.gov.uk/api",
    "CSC_ONS_URL": "https://www.ons.gov.uk",
}


@dataclass(frozen=True)
class Settings:
    warehouse_dir: Path
    duckdb_path: Path
    mirror_dir: Path | None
    returns_dir: Path | None = None
    http_timeout: float = 60.0
    http_retries: int = 4
    url_rewrite: str = ""
    ees_content_api_url: str = DEFAULT_INTERFACES["CSC_EES_CONTENT_API_URL"]
    ees_api_url: str = DEFAULT_INTERFACES["CSC_EES_API_URL"]
    govuk_api_url: str = DEFAULT_INTERFACES["CSC_GOVUK_API_URL"]
    ons_url: str = DEFAULT_INTERFACES["CSC_ONS_URL"]
    discovery_interval: int = 3600

    @property
    def published_path(self) -> Path:
        """The read-only snapshot that BI tools open."""
        return self.warehouse_dir / PUBLISHED_DB_NAME

    @property
    def landing_dir(self) -> Path:
        return self.warehouse_dir / "landing"

    @property
    def inbox_dir(self) -> Path:
        """The returns inbox: ``<la_code>/<collection_year>/<files>``, child-level and owner-only."""
        return self.returns_dir or self.warehouse_dir / "returns"

    @property
    def private_dir(self) -> Path:
        """The private area: landed returns by sha256, the pseudonymised child-level database, the
        pseudonymisation key, validation reports. Owner-only; nothing published reads it."""
        return self.warehouse_dir / "private"

    @property
    def publishing_dir(self) -> Path:
        """Where the next snapshot is written before it is renamed over the published one:
        beside it (same filesystem, so the rename is atomic) but out of a BI user's sight."""
        return self.warehouse_dir / ".publishing"

    @property
    def dbt_target_dir(self) -> Path:
        """dbt's target folder for this warehouse, kept between runs: every dbt invocation of a
        refresh (the build, the docs site) writes its artifacts here. Its ``partial_parse.msgpack``
        was parsed with this warehouse's profile (the work database's path is part of what dbt
        compares), so dbt parses again only what changed; with a fresh folder per invocation
        dbt-duckdb's profile differs from the one the project's manifest was prepared with and
        every invocation would parse the whole project. Invocations never overlap:
        each holds the refresh lock."""
        return self.warehouse_dir / ".dbt-target"

    @property
    def open_data_path(self) -> Path:
        """The open-data export of the publication (every mart as Parquet and CSV with a
        Frictionless ``datapackage.json``): a symlink to the export of the refresh published now,
        swapped atomically (orchestration/lib/publish/open_data.py)."""
        return self.warehouse_dir / OPEN_DATA_NAME

    @property
    def open_data_versions_dir(self) -> Path:
        """Where each refresh's export is written (``<refresh id>/``) before the link above is
        swapped to it: beside it, out of a reader's sight; the current and previous one stay."""
        return self.warehouse_dir / f".{OPEN_DATA_NAME}"

    @property
    def runs_dir(self) -> Path:
        """One JSON record per refresh (what was fetched, checked and published)."""
        return self.warehouse_dir / "runs"

    @property
    def http_cache_dir(self) -> Path:
        """Publishers' API answers with their ETag / Last-Modified, to ask again conditionally."""
        return self.warehouse_dir / ".http_cache"

    @property
    def archive_dir(self) -> Path:
        """Every file ever landed, by sha256: history can be rebuilt after a publisher withdraws
        or moves a file (``csc mirror export`` writes it out in the mirror layout)."""
        return self.warehouse_dir / "archive"

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
        return Path(configured).resolve() if configured else DEFAULT_CATALOGUE

    def ensure_dirs(self) -> None:
        for d in (self.warehouse_dir, self.landing_dir, self.runs_dir):
            d.mkdir(parents=True, exist_ok=True)

    def export_env(self) -> None:
        """Put the resolved paths, and telemetry off, into the environment of the processes this
        one starts (the CLI calls it once, at start: `csc dev` runs the Dagster UI's processes)."""
        os.environ["CSC_WAREHOUSE_DIR"] = str(self.warehouse_dir)
        os.environ["CSC_DUCKDB_PATH"] = str(self.duckdb_path)
        if self.mirror_dir is not None:
            os.environ["CSC_SOURCE_MIRROR"] = str(self.mirror_dir)
        if self.returns_dir is not None:
            os.environ["CSC_RETURNS_DIR"] = str(self.returns_dir)
        for key, value in QUIET_ENV.items():
            os.environ.setdefault(key, value)


def _path(value: str) -> Path:
    """A configured path; a relative one is relative to the repository root, for every process
    alike (dbt runs in dbt_project/ and reads the same variables: dbt_project/profiles.yml)."""
    return (REPO_ROOT / value).resolve()  # an absolute value replaces REPO_ROOT


def get_settings() -> Settings:
    warehouse = _path(os.environ.get("CSC_WAREHOUSE_DIR") or "warehouse")
    duckdb_path = _path(os.environ.get("CSC_DUCKDB_PATH") or str(warehouse / "work.duckdb"))
    mirror = os.environ.get("CSC_SOURCE_MIRROR")
    returns = os.environ.get("CSC_RETURNS_DIR")
    return Settings(
        warehouse_dir=warehouse,
        duckdb_path=duckdb_path,
        mirror_dir=_path(mirror) if mirror else None,
        returns_dir=_path(returns) if returns else None,
        http_timeout=float(os.environ.get("CSC_HTTP_TIMEOUT", "60")),
        http_retries=int(os.environ.get("CSC_HTTP_RETRIES", "4")),
        url_rewrite=os.environ.get("CSC_URL_REWRITE", ""),
        ees_content_api_url=_interface("CSC_EES_CONTENT_API_URL"),
        ees_api_url=_interface("CSC_EES_API_URL"),
        govuk_api_url=_interface("CSC_GOVUK_API_URL"),
        ons_url=_interface("CSC_ONS_URL"),
        discovery_interval=int(os.environ.get("CSC_DISCOVERY_INTERVAL", "3600")),
    )


def _interface(name: str) -> str:
    return (os.environ.get(name) or DEFAULT_INTERFACES[name]).rstrip("/")
