"""What a refresh has to build, from the versions Dagster recorded: nothing more.

A refresh is two runs. The ``ingest`` run lands and loads every source; a family whose raw
table and code are unchanged records no materialization (orchestration/defs/ingest). Then
:func:`plan_build` compares, for every asset downstream of the raw tables, what its latest
materialization was built from (the ``dagster/code_version`` and ``dagster/input_data_version/*``
tags Dagster writes on each materialization) with what is there now, and picks:

- an asset never materialized, or whose code version changed (a model's SQL and macros, a
  seed's file, the publication's code);
- an asset one of whose parents now has another data version than the one it was built from,
  or whose parent is itself in the plan; unless the asset says (metadata ``REBUILD_WHEN`` =
  ``"code_changes"``) that what it writes follows from its code alone (the dbt docs site: the
  dbt project, not the rows): it is rebuilt only when never built or its code version changed,
  after its parents when they are in the same plan;
- a check whose latest evaluation failed, never happened, was made on an earlier
  materialization than the asset's latest, or ran other code (an expectation suite's
  ``code_version``, in its spec's and its evaluation's metadata).

The ``build`` run materializes exactly that selection, the checks of the assets it selects
with it. An empty plan means the published warehouse is current: no run at all. The plan is
read from Dagster's own records, not guessed by rebuilding and comparing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import dagster as dg

from orchestration.lib.core.dagster_internals import latest_check_executions

CODE_VERSION = "dagster/code_version"
DATA_VERSION = "dagster/data_version"
INPUT_DATA_VERSION = "dagster/input_data_version/"
# asset metadata: "code_changes" = rebuild only when its code version changes, not when its parents' data do
REBUILD_WHEN = "csc/rebuild_when"


@dataclass(frozen=True)
class BuildPlan:
    assets: list[dg.AssetKey] = field(default_factory=list)
    checks: list[dg.AssetCheckKey] = field(default_factory=list)
    # why each asset or check is in the plan, by its user string
    reasons: dict[str, str] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not self.assets and not self.checks

    def summary(self, limit: int = 6) -> str:
        if self.empty:
            return "nothing changed"
        shown = "; ".join(f"{k}: {v}" for k, v in list(self.reasons.items())[:limit])
        more = len(self.reasons) - limit
        return f"{len(self.assets)} asset(s) and {len(self.checks)} check(s) to build: {shown}" + (
            f"; and {more} more" if more > 0 else ""
        )


def _tags(record) -> dict[str, str]:
    materialization = record.asset_entry.last_materialization_record if record else None
    return (materialization.asset_materialization.tags or {}) if materialization else {}


def _evaluation(record):
    data = record.event.dagster_event.event_specific_data if record and record.event else None
    return data if isinstance(data, dg.AssetCheckEvaluation) else None


def latest_evaluations(
    instance: dg.DagsterInstance, check_keys: Iterable[dg.AssetCheckKey], current_run: str | None = None
):
    """check key -> (latest execution record or None, its evaluation or None), in one read.

    A check planned in a run that stopped before it (a gate upstream refused, so its asset was
    not rebuilt either) did not replace its earlier evaluation: that one is returned, read
    from the check's history (whether it still vouches is for :func:`check_problem` to say).
    One planned in ``current_run`` and not evaluated yet does not vouch for anything."""
    records = latest_check_executions(instance, list(check_keys), current_run)
    return {key: (record, _evaluation(record)) for key, record in records.items()}


def check_problem(asset_graph, key: dg.AssetCheckKey, record, evaluation, materializations: dict) -> str | None:
    """Why a check's latest evaluation does not vouch for its asset as it is now, or None.
    ``materializations``: the latest materialization record of each asset (of the check's own,
    and of the other tables it reads), by key."""
    if evaluation is None:
        return "never evaluated" if record is None else f"planned in run {record.run_id} but not evaluated"
    if not evaluation.passed:
        return f"failed in run {record.run_id}"
    latest = materializations.get(key.asset_key)
    target = evaluation.target_materialization_data
    if latest is not None and (target is None or target.storage_id != latest.storage_id):
        return (
            f"passed on an earlier materialization of {key.asset_key.to_user_string()} than the one now in the "
            f"work database (run {latest.run_id})"
        )
    code_version = check_code_version(asset_graph, key)
    if code_version is not None:
        ran = evaluation.metadata.get("code_version")
        if ran is None or getattr(ran, "value", ran) != code_version:
            return "its code changed since it last ran"
    for other in check_reads(asset_graph, key):
        materialized = materializations.get(other)
        if materialized is not None and materialized.timestamp > record.event.timestamp:
            return f"it also reads {other.to_user_string()}, rebuilt since it last ran"
    return None


def check_reads(asset_graph, key: dg.AssetCheckKey) -> list[dg.AssetKey]:
    """The other tables a check reads: a dbt relationships test's target (``additional_deps``)
    and the tables an expectation suite's query names (its spec's ``reads`` metadata). A suite
    on a mart runs after the one dbt step that builds every table it can read, so its
    evaluation comes after their materializations in the same run."""
    spec = asset_graph.get_check_spec(key)
    reads = {dep.asset_key for dep in (spec.additional_deps or [])}
    listed = (spec.metadata or {}).get("reads")
    for name in getattr(listed, "value", listed) or []:
        reads.add(dg.AssetKey(name.split("/")))
    reads.discard(key.asset_key)
    return sorted((k for k in reads if asset_graph.has(k)), key=lambda k: k.to_user_string())


def plan_build(
    instance: dg.DagsterInstance, asset_graph, exclude_groups: Iterable[str] = ("ingest", "returns")
) -> BuildPlan:
    excluded = set(exclude_groups)
    everything = [k for k in asset_graph.toposorted_asset_keys if asset_graph.get(k).is_materializable]
    candidates = [k for k in everything if asset_graph.get(k).group_name not in excluded]
    records = {r.asset_entry.asset_key: r for r in instance.get_asset_records(everything)}
    versions = {k: _tags(records.get(k)).get(DATA_VERSION) for k in everything}
    materializations = {k: r.asset_entry.last_materialization_record for k, r in records.items()}

    planned: list[dg.AssetKey] = []
    rebuilt: set[dg.AssetKey] = set()
    reasons: dict[str, str] = {}
    for key in candidates:
        node = asset_graph.get(key)
        tags = _tags(records.get(key))
        reason = None
        if not tags:
            reason = "never materialized"
        elif node.code_version is not None and tags.get(CODE_VERSION) != node.code_version:
            reason = "its code changed"
        elif _rebuild_when(node) == "code_changes":
            pass  # its parents' data do not change what it writes
        else:
            for parent in sorted(node.parent_keys, key=lambda k: k.to_user_string()):
                if parent in rebuilt:
                    reason = f"{parent.to_user_string()} is rebuilt"
                    break
                built_from = tags.get(INPUT_DATA_VERSION + parent.to_user_string())
                if versions.get(parent) is not None and built_from != versions[parent]:
                    reason = f"{parent.to_user_string()} changed"
                    break
        if reason:
            planned.append(key)
            rebuilt.add(key)
            reasons[key.to_user_string()] = reason

    # checks on the assets not rebuilt whose latest evaluation does not vouch for them now
    check_keys = [
        k
        for k in asset_graph.asset_check_keys
        if k.asset_key not in rebuilt and _planned_check(asset_graph, k, excluded)
    ]
    evaluations = latest_evaluations(instance, check_keys)
    checks: list[dg.AssetCheckKey] = []
    for key in sorted(check_keys, key=lambda k: (k.asset_key.to_user_string(), k.name)):
        record, evaluation = evaluations[key]
        rebuilt_read = next((k.to_user_string() for k in check_reads(asset_graph, key) if k in rebuilt), None)
        problem = (
            f"it also reads {rebuilt_read}, which is rebuilt"
            if rebuilt_read
            else check_problem(asset_graph, key, record, evaluation, materializations)
        )
        if problem:
            checks.append(key)
            reasons[f"{key.asset_key.to_user_string()}:{key.name}"] = problem
    # the checks of every planned asset run with it
    checks += sorted(
        (k for k in asset_graph.asset_check_keys if k.asset_key in rebuilt),
        key=lambda k: (k.asset_key.to_user_string(), k.name),
    )
    return BuildPlan(assets=planned, checks=checks, reasons=reasons)


def _rebuild_when(node) -> str | None:
    value = (node.metadata or {}).get(REBUILD_WHEN)
    return getattr(value, "value", value)


def _planned_check(asset_graph, key: dg.AssetCheckKey, excluded: set[str]) -> bool:
    """Checks the build run owns: every check except the ingest steps' own (a raw table's
    release_on_time warning is evaluated by the step that lands it)."""
    spec = asset_graph.get_check_spec(key)
    return not (asset_graph.get(key.asset_key).group_name in excluded and not spec.blocking)


def check_code_version(asset_graph, key: dg.AssetCheckKey) -> str | None:
    value = (asset_graph.get_check_spec(key).metadata or {}).get("code_version")
    return getattr(value, "value", value)
