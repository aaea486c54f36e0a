"""The warehouse's Dagster home: ``<warehouse>/.dagster`` (or ``DAGSTER_HOME``), shared by
``csc refresh`` and ``csc dev`` so the UI shows every run, with the instance configuration this
project writes: telemetry off, and the event log of orchestration/lib/core/dagster_internals.py.
"""

from __future__ import annotations

import json
from pathlib import Path

from orchestration.lib.core import files
from orchestration.settings import Settings

# The first line of a dagster.yaml this project wrote; any version of it is rewritten when the
# configuration changes (a dagster.yaml someone else wrote is left alone).
OWN_MARK = "# Written by csc ("
DAGSTER_YAML_HEADER = f"{OWN_MARK}orchestration/lib/core/dagster_home.py), and again when the project changes it.\n"
# A warehouse built before the project kept its own event log has exactly this file.
TELEMETRY_OFF = "telemetry:\n  enabled: false\n"


def dagster_yaml(home: Path) -> str:
    """The Dagster instance's configuration: telemetry off, and the project's event log storage
    in Dagster's own place, ``<home>/history/runs``. The path is absolute, as Dagster needs it;
    a moved warehouse gets it rewritten by the next ``csc`` command."""
    return (
        DAGSTER_YAML_HEADER
        + TELEMETRY_OFF
        + "event_log_storage:\n"
        + "  module: orchestration.lib.core.dagster_internals\n"
        + "  class: PooledSqliteEventLogStorage\n"
        + "  config:\n"
        + f"    base_dir: {json.dumps(str(home / 'history' / 'runs'))}\n"
    )


def ensure_dagster_home(settings: Settings) -> Path:
    """The warehouse's Dagster home, created with its configuration if new, the configuration
    rewritten if this project wrote it and it differs from :func:`dagster_yaml` now."""
    home = settings.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    wanted = dagster_yaml(home)
    current = config.read_text(encoding="utf-8") if config.exists() else None
    if current != wanted and (current is None or current.startswith(OWN_MARK) or current == TELEMETRY_OFF):
        files.write_text(config, wanted)
    if current is None:  # a new home
        from orchestration.lib.core.dagster_internals import create_new_databases

        create_new_databases(home)
    return home
