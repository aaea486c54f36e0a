"""``build_what_changed``: after a successful ingest run, build what its changes (and any code
change) made out of date, or nothing (orchestration/lib/refresh/sequence.py)."""

import dagster as dg

from orchestration.defs.refresh.jobs import refresh_jobs
from orchestration.lib.refresh.sequence import build_request


@dg.definitions
def sensors() -> dg.Definitions:
    jobs = refresh_jobs()

    @dg.run_status_sensor(
        name="build_what_changed",
        run_status=dg.DagsterRunStatus.SUCCESS,
        monitored_jobs=[jobs.ingest],
        request_job=jobs.build,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="After a successful ingest run: build what its changes (and any code change) made out of "
        "date, or nothing.",
    )
    def build_what_changed(context: dg.RunStatusSensorContext):
        return build_request(context.instance, context.repository_def.asset_graph, context.dagster_run)

    return dg.Definitions(sensors=[build_what_changed])
