"""``build_what_changed``: after a successful ingest run, build what its changes (and any code
change) made out of date, or nothing (orchestration/lib/refresh/sequence.py);
``collect_return_figures``: after an LA return's run, collect its figures (an ingest run of
``raw/la_return_figures``, which ``build_what_changed`` follows)."""

import dagster as dg

from orchestration.defs.refresh.jobs import refresh_jobs
from orchestration.lib.refresh.sequence import TRIGGER, build_request
from orchestration.lib.returns.step import COLLECTED


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

    @dg.run_status_sensor(
        name="collect_return_figures",
        run_status=dg.DagsterRunStatus.SUCCESS,
        monitored_jobs=[jobs.returns],
        request_job=jobs.ingest,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="After an LA return's run (not csc refresh's, which collects itself): collect every return's "
        "figures into raw.la_return_figures; build_what_changed builds what that changed.",
    )
    def collect_return_figures(context: dg.RunStatusSensorContext):
        run = context.dagster_run
        if run.tags.get(TRIGGER) == "cli":
            return dg.SkipReason(f"run {run.run_id} was started by csc refresh, which collects after it")
        return dg.RunRequest(
            run_key=f"collect-after-{run.run_id}",
            asset_selection=[COLLECTED],
            tags={TRIGGER: "returns", "csc/after_return": run.run_id},
        )

    return dg.Definitions(sensors=[build_what_changed, collect_return_figures])
