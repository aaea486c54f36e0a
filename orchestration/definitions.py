"""Dagster entry point: everything under orchestration/defs, run in one process.

The in-process executor keeps every step in one process, so only one process at a time holds
the DuckDB work database (dbt's subprocess runs while no step holds a connection).
"""

import os
from pathlib import Path

import dagster as dg

from orchestration.settings import QUIET_ENV

for _key, _value in QUIET_ENV.items():  # telemetry off before anything else starts
    os.environ.setdefault(_key, _value)

defs = dg.Definitions.merge(
    dg.load_from_defs_folder(path_within_project=Path(__file__).parent),
    dg.Definitions(executor=dg.in_process_executor),
)
