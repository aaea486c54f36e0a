"""The one refresh sequence, as ``csc refresh`` runs it in one process and the nightly schedule
and its sensor run it through Dagster's daemon: ``ingest`` (land and load every source,
recording only what changed), then plan (orchestration/lib/refresh/build_plan.py), then
``build`` with exactly the planned selection, or nothing when nothing changed. ``full_refresh``
rebuilds everything (``csc refresh --full``, "Materialize all" in the UI).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import dagster as dg

from orchestration.lib.refresh.build_plan import BuildPlan, plan_build
from orchestration.lib.refresh.publication import PUBLICATION

INGEST_JOB, BUILD_JOB, FULL_JOB = "ingest", "build", "full_refresh"
# run tags: what started a run (cli, nightly, sensor), which stage it is, which ingest run it follows
TRIGGER, STAGE, AFTER_INGEST = "csc/trigger", "csc/stage", "csc/after_ingest"


def build_request(
    instance: dg.DagsterInstance, asset_graph, ingest_run: dg.DagsterRun
) -> dg.RunRequest | dg.SkipReason:
    """What follows a successful ingest run started by the schedule or the release sensor: a
    ``build`` run of what its changes (and any code change) made out of date, or nothing."""
    if ingest_run.tags.get(TRIGGER) == "cli":  # csc refresh builds what its ingest changed itself
        return dg.SkipReason(f"ingest run {ingest_run.run_id} was started by csc refresh, which builds after it")
    plan = plan_build(instance, asset_graph)
    if plan.empty:
        return dg.SkipReason(f"ingest run {ingest_run.run_id}: nothing changed; the publication is current")
    return dg.RunRequest(
        run_key=f"build-after-{ingest_run.run_id}",
        asset_selection=plan.assets,
        asset_check_keys=plan.checks,
        tags={TRIGGER: ingest_run.tags.get(TRIGGER, "sensor"), AFTER_INGEST: ingest_run.run_id},
    )


@dataclass
class RefreshOutcome:
    """What one ``csc refresh`` did: its last run's result, and the plan it built (None for a
    full refresh, or when the ingest run failed)."""

    result: dg.ExecuteInProcessResult
    plan: BuildPlan | None = None
    full: bool = False
    ingest_run_id: str | None = None

    @property
    def success(self) -> bool:
        return self.result.success

    @property
    def nothing_changed(self) -> bool:
        return self.success and self.plan is not None and self.plan.empty

    @property
    def published(self) -> bool:
        return self.success and (self.full or (self.plan is not None and PUBLICATION in self.plan.assets))


def run_refresh(
    defs: dg.Definitions,
    instance: dg.DagsterInstance,
    execute: Callable[[dg.JobDefinition, dict], dg.ExecuteInProcessResult],
    *,
    full: bool = False,
    on_plan: Callable[[BuildPlan], None] | None = None,
) -> RefreshOutcome:
    """Run the sequence in this process; ``execute(job, tags)`` runs one job (the CLI's logs its
    progress); ``on_plan`` hears the plan before the build starts."""
    if full:
        return RefreshOutcome(execute(defs.resolve_job_def(FULL_JOB), {TRIGGER: "cli"}), full=True)
    ingest = execute(defs.resolve_job_def(INGEST_JOB), {TRIGGER: "cli"})
    if not ingest.success:
        return RefreshOutcome(ingest, ingest_run_id=ingest.run_id)
    plan = plan_build(instance, defs.resolve_asset_graph())
    if plan.empty:
        return RefreshOutcome(ingest, plan, ingest_run_id=ingest.run_id)
    if on_plan is not None:
        on_plan(plan)
    job = defs.resolve_job_def(BUILD_JOB).get_subset(
        asset_selection=set(plan.assets), asset_check_selection=set(plan.checks)
    )
    build = execute(job, {TRIGGER: "cli", AFTER_INGEST: ingest.run_id})
    return RefreshOutcome(build, plan, ingest_run_id=ingest.run_id)
