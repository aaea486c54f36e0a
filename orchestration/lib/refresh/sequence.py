"""The one refresh sequence, as ``csc refresh`` runs it in one process and the nightly schedule
and its sensors run it through Dagster's daemon: ``returns`` for each LA return in the inbox whose
files or code changed (one run per partition, orchestration/lib/returns/step.py), ``ingest``
(land and load every source and collect the returns' figures, recording only what changed), then plan (orchestration/lib/refresh/build_plan.py), then
``build`` with exactly the planned selection, or nothing when nothing changed. ``full_refresh``
rebuilds everything (``csc refresh --full``, "Materialize all" in the UI).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import dagster as dg

from orchestration.lib.refresh.build_plan import BuildPlan, plan_build
from orchestration.lib.refresh.publication import PUBLICATION
from orchestration.lib.returns import step as returns_step
from orchestration.settings import get_settings

INGEST_JOB, BUILD_JOB, FULL_JOB, RETURNS_JOB = "ingest", "build", "full_refresh", "returns"
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


@dataclass(frozen=True)
class ReturnRun:
    """One LA return's run: its partition, why it ran, and how it ended; or an inbox folder that
    could not be read as a return (``run_id`` empty, ``reason`` says what was expected)."""

    partition: str  # with its kind: E06000009-2025 (SSDA903)
    reason: str
    run_id: str
    success: bool
    kind: str = ""


def returns_to_run(instance: dg.DagsterInstance, everything: bool = False) -> tuple[list[tuple], list]:
    """(return, why) for every return in the inbox whose files or code changed (every one when
    ``everything``), each partition added to those Dagster knows; and the inbox's folders that do
    not fit its layout."""
    settings = get_settings()
    returns, problems = returns_step.inbox.survey(settings)
    todo = [(r, "--full") for r in returns] if everything else returns_step.stale(instance, settings)
    known = set(instance.get_dynamic_partitions(returns_step.PARTITIONS.name))
    new = sorted({r.partition for r, _ in todo} - known)
    if new:
        instance.add_dynamic_partitions(returns_step.PARTITIONS.name, new)
    return todo, problems


def run_returns(
    defs: dg.Definitions, instance: dg.DagsterInstance, execute, *, everything: bool = False, on_return=None
) -> list[ReturnRun]:
    """Each LA return to run, one partition of its kind's asset at a time: one that fails stops
    only itself, and a folder that does not fit the inbox's layout is reported beside them."""
    job = defs.resolve_job_def(RETURNS_JOB)
    todo, problems = returns_to_run(instance, everything)
    runs = [ReturnRun(str(p.folder), p.message, "", False) for p in problems]
    for ret, why in todo:
        if on_return is not None:
            on_return(ret.name, why)
        result = execute(
            job, {TRIGGER: "cli"}, partition_key=ret.partition, asset_selection=[returns_step.ASSETS[ret.kind]]
        )
        runs.append(ReturnRun(ret.name, why, result.run_id, result.success, ret.kind))
    return runs


@dataclass
class RefreshOutcome:
    """What one ``csc refresh`` did: its last run's result, and the plan it built (None for a
    full refresh, or when the ingest run failed)."""

    result: dg.ExecuteInProcessResult
    plan: BuildPlan | None = None
    full: bool = False
    ingest_run_id: str | None = None
    returns: list[ReturnRun] = field(default_factory=list)

    @property
    def returns_failed(self) -> list[ReturnRun]:
        return [r for r in self.returns if not r.success]

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
    execute: Callable[..., dg.ExecuteInProcessResult],
    *,
    full: bool = False,
    on_plan: Callable[[BuildPlan], None] | None = None,
    on_return: Callable[[str, str], None] | None = None,
) -> RefreshOutcome:
    """Run the sequence in this process; ``execute(job, tags, partition_key=None)`` runs one job
    (the CLI's logs its progress); ``on_plan`` hears the plan before the build starts and
    ``on_return`` each LA return before it runs. A return that cannot be read stops itself
    alone: the rest of the refresh goes on, and its earlier figures stay as they were."""
    returns = run_returns(defs, instance, execute, everything=full, on_return=on_return)
    if full:
        return RefreshOutcome(execute(defs.resolve_job_def(FULL_JOB), {TRIGGER: "cli"}), full=True, returns=returns)
    ingest = execute(defs.resolve_job_def(INGEST_JOB), {TRIGGER: "cli"})
    if not ingest.success:
        return RefreshOutcome(ingest, ingest_run_id=ingest.run_id, returns=returns)
    plan = plan_build(instance, defs.resolve_asset_graph())
    if plan.empty:
        return RefreshOutcome(ingest, plan, ingest_run_id=ingest.run_id, returns=returns)
    if on_plan is not None:
        on_plan(plan)
    job = defs.resolve_job_def(BUILD_JOB).get_subset(
        asset_selection=set(plan.assets), asset_check_selection=set(plan.checks)
    )
    build = execute(job, {TRIGGER: "cli", AFTER_INGEST: ingest.run_id})
    return RefreshOutcome(build, plan, ingest_run_id=ingest.run_id, returns=returns)
