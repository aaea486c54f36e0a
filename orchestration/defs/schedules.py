"""The jobs, the nightly schedule and the sensor that builds what an ingest run changed.

A refresh is two runs (orchestration/lib/plan.py): ``ingest`` lands and loads every source and
records a materialization only for the raw tables whose content or code changed; then ``build``
materializes what those changes (and any code change) make out of date: the gates on changed
raw tables, the dbt models downstream of them with their tests, the mart gates and the
publication. The nightly schedule starts ``ingest``; ``build_what_changed`` starts ``build``
with the planned selection when an ingest run succeeds, and nothing when nothing changed.
``csc refresh`` runs the same two steps in one process. ``full_refresh`` rebuilds everything
(``csc refresh --full``; "Materialize all" in the UI).
"""

import dagster as dg

from orchestration.defs.ingest.assets import freshness_check_key
from orchestration.lib.catalogue import load_catalogue
from orchestration.lib.plan import plan_build

# the warnings an ingest step evaluates itself, as it lands its families
_FRESHNESS = dg.AssetSelection.checks(*[freshness_check_key(s) for s in load_catalogue().sources])

ingest_job = dg.define_asset_job(
    name="ingest",
    # the raw tables and their release warnings; their gates run in the build that follows
    selection=dg.AssetSelection.groups("ingest").without_checks() | _FRESHNESS,
    description="Discover, land and load every source; a raw table whose content and code are unchanged records "
    "nothing. The build that follows (sensor build_what_changed) builds only what changed.",
    tags={"csc/stage": "ingest"},
)

build_job = dg.define_asset_job(
    name="build",
    selection=dg.AssetSelection.all(include_sources=False) - dg.AssetSelection.groups("ingest")
    | dg.AssetSelection.all_asset_checks() - _FRESHNESS,
    description="Gates on the raw tables, dbt build, mart gates and the publication. Runs are started with the "
    "selection orchestration/lib/plan.py computes: only what changed since it was last built.",
    tags={"csc/stage": "build"},
)

full_refresh_job = dg.define_asset_job(
    name="full_refresh",
    selection=dg.AssetSelection.all(include_sources=False),
    description="Everything, whatever changed: fetch and land every source, load raw, every gate, dbt build, publish.",
    tags={"csc/stage": "full"},
)

nightly_refresh = dg.ScheduleDefinition(
    name="nightly_refresh",
    job=ingest_job,
    cron_schedule="30 2 * * *",
    execution_timezone="Europe/London",
    description="Ask every publisher for new files every night at 02:30 UK time; build_what_changed builds the rest.",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    tags={"csc/trigger": "nightly"},
)


@dg.run_status_sensor(
    name="build_what_changed",
    run_status=dg.DagsterRunStatus.SUCCESS,
    monitored_jobs=[ingest_job],
    request_job=build_job,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="After a successful ingest run: build what its changes (and any code change) made out of date, "
    "or nothing.",
)
def build_what_changed(context: dg.RunStatusSensorContext):
    if context.dagster_run.tags.get("csc/trigger") == "cli":  # csc refresh builds what its ingest changed itself
        return dg.SkipReason(
            f"ingest run {context.dagster_run.run_id} was started by csc refresh, which builds after it"
        )
    plan = plan_build(context.instance, context.repository_def.asset_graph)
    if plan.empty:
        return dg.SkipReason(f"ingest run {context.dagster_run.run_id}: nothing changed; the publication is current")
    return dg.RunRequest(
        run_key=f"build-after-{context.dagster_run.run_id}",
        asset_selection=plan.assets,
        asset_check_keys=plan.checks,
        tags={
            "csc/trigger": context.dagster_run.tags.get("csc/trigger", "sensor"),
            "csc/after_ingest": context.dagster_run.run_id,
        },
    )
