"""The publication's own gate: it is put out only when every blocking check on what it is built
from (expectation gates and dbt tests) last passed on the data now in the work database.

A refresh builds only what changed (orchestration/lib/refresh/build_plan.py), so the checks
that vouch for a publication ran in this run or in earlier ones; and a run that publishes on
its own (materialising only the publication, from the UI) must not put out what a gate refused.
"""

from __future__ import annotations

from collections.abc import Callable

import dagster as dg

from orchestration.lib.publish.snapshot import CheckRecord
from orchestration.lib.refresh.build_plan import check_problem, latest_evaluations


class CodeLocation:
    """The code location's whole asset graph, for a step that must see past its own run's
    selection (a run of a subset sees only its own assets and checks)."""

    def __init__(self, asset_graph: Callable[[], object]) -> None:
        self._asset_graph = asset_graph

    def asset_graph(self):
        return self._asset_graph()


def upstream_checks(
    instance: dg.DagsterInstance, asset_graph, asset_key: dg.AssetKey, run_id: str
) -> tuple[list[str], list[CheckRecord]]:
    """Every check on ``asset_key``'s upstream (in the whole graph: a run of a subset sees only
    its own assets), by its latest evaluation: the blocking ones that do not vouch for the data
    now in the work database (failed, never evaluated, or passed on an earlier materialization),
    cause first; and the record of each latest evaluation, for meta.refresh_checks."""
    upstream = asset_graph.get_ancestor_asset_keys(asset_key)
    keys = sorted(
        (k for k in asset_graph.asset_check_keys if k.asset_key in upstream),
        key=lambda k: (k.asset_key.to_user_string(), k.name),
    )
    evaluations = latest_evaluations(instance, keys, current_run=run_id)
    latest = {
        r.asset_entry.asset_key: r.asset_entry.last_materialization_record
        for r in instance.get_asset_records(list(upstream))
    }
    failed, unevaluated, stale, records = [], [], [], []
    for check_key in keys:
        record, evaluation = evaluations[check_key]
        if evaluation is not None:
            records.append(
                CheckRecord(
                    asset_key=check_key.asset_key.to_user_string(),
                    check_name=check_key.name,
                    passed=evaluation.passed,
                    severity=evaluation.severity.value if evaluation.severity else None,
                    description=evaluation.description,
                    refresh_id=record.run_id,
                )
            )
        if not asset_graph.get_check_spec(check_key).blocking:
            continue
        problem = check_problem(asset_graph, check_key, record, evaluation, latest)
        if problem:
            name = f"{check_key.asset_key.to_user_string()}:{check_key.name} {problem}"
            (unevaluated if evaluation is None else failed if not evaluation.passed else stale).append(name)
    return failed + stale + unevaluated, records  # the cause first


def refusal(refused: list[str], shown: int = 10) -> str:
    return (
        f"not publishing: {len(refused)} blocking check(s) on what the publication is built from have not passed "
        "for the data now in the work database: "
        + "; ".join(refused[:shown])
        + ("" if len(refused) <= shown else f"; and {len(refused) - shown} more")
    )
