"""Dagster entry point: everything under orchestration/defs, run in one process.

The in-process executor keeps every step in one process, so only one process at a time holds
the DuckDB work database (dbt's subprocess runs while no step holds a connection). The
``code_location`` resource gives a step the whole asset graph (the publication's gate reads
every check upstream of it), whether the run is the CLI's in-process one or the daemon's.
Loading the definitions changes nothing in the environment: telemetry is off in the tools' own
files (dbt_project.yml, $DAGSTER_HOME/dagster.yaml) and where Great Expectations is first used.
"""

from pathlib import Path

import dagster as dg

from orchestration.lib.refresh.publication_gate import CodeLocation

defs = dg.Definitions.merge(
    dg.load_from_defs_folder(path_within_project=Path(__file__).parent),
    dg.Definitions(
        executor=dg.in_process_executor,
        resources={"code_location": CodeLocation(lambda: defs.resolve_asset_graph())},
    ),
)
