"""One night as the Dagster daemon runs it, in one process: the nightly schedule's run request,
the ``ingest`` run it starts, then the ``build_what_changed`` sensor on that run's success and
the ``build`` run it requests (if any). The same definitions, schedule and sensor functions the
daemon evaluates; only the run launcher is replaced by running each run in this process.

    uv run python benchmarks/nightly_tick.py --warehouse-dir DIR [--mirror DIR]

Prints one line: ``ingest <run id> <status>; build <run id> <status> | skipped: <reason>``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--warehouse-dir", type=Path, required=True)
    parser.add_argument("--mirror", type=Path)
    args = parser.parse_args()
    os.environ["CSC_WAREHOUSE_DIR"] = str(args.warehouse_dir.resolve())
    if args.mirror:
        os.environ["CSC_SOURCE_MIRROR"] = str(args.mirror.resolve())
    from orchestration.lib.core.dagster_home import ensure_dagster_home
    from orchestration.settings import get_settings

    settings = get_settings()
    settings.ensure_dirs()
    settings.export_env()
    os.environ["DAGSTER_HOME"] = str(ensure_dagster_home(settings))

    import dagster as dg

    from orchestration.definitions import defs

    schedule = defs.resolve_schedule_def("nightly_refresh")
    sensor = defs.resolve_sensor_def("build_what_changed")
    with dg.DagsterInstance.get() as instance:
        tick = schedule.evaluate_tick(dg.build_schedule_context(instance=instance))
        request = tick.run_requests[0]
        ingest = defs.resolve_job_def(schedule.job_name).execute_in_process(
            instance=instance, tags=request.tags, raise_on_error=False
        )
        line = f"ingest {ingest.run_id} {'SUCCESS' if ingest.success else 'FAILURE'}"
        if not ingest.success:
            print(line)
            return 1
        run = instance.get_run_by_id(ingest.run_id)
        success = next(e for e in ingest.all_events if e.event_type_value == "PIPELINE_SUCCESS")
        context = dg.build_run_status_sensor_context(
            sensor_name=sensor.name,
            dagster_instance=instance,
            dagster_run=run,
            dagster_event=success,
            repository_def=defs.get_repository_def(),
        )
        result = sensor(context)
        if not isinstance(result, dg.RunRequest):
            print(f"{line}; build skipped: {result.skip_message}")
            return 0
        job = defs.resolve_job_def(sensor.job_name).get_subset(
            asset_selection=set(result.asset_selection), asset_check_selection=set(result.asset_check_keys or [])
        )
        build = job.execute_in_process(instance=instance, tags=result.tags, raise_on_error=False)
        print(f"{line}; build {build.run_id} {'SUCCESS' if build.success else 'FAILURE'}")
        return 0 if build.success else 1


if __name__ == "__main__":
    sys.exit(main())
