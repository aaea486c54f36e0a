"""The build plan (orchestration/lib/refresh/build_plan.py) on a small graph shaped like the warehouse's: a raw
table landed by an ingest step that records a materialization only when its data changed, a
blocking gate on it, two models downstream, a mart check and a publication."""

import dagster as dg
import pytest

from orchestration.lib.refresh.build_plan import REBUILD_WHEN, plan_build

RAW = dg.AssetKey(["raw", "family"])
STG = dg.AssetKey(["staging", "stg_family"])
MART = dg.AssetKey(["marts", "fct_family"])
OTHER = dg.AssetKey(["marts", "fct_other"])
PUBLISHED = dg.AssetKey(["published", "snapshot"])
DOCS = dg.AssetKey(["published", "docs"])
GATE = dg.AssetCheckKey(RAW, "raw_family")
MART_CHECK = dg.AssetCheckKey(MART, "fct_family__totals")

state = {"raw": "v1", "gate": True, "mart_check": True}


def build_defs(stg_code="1", gate_code="g1", docs_code=None):
    @dg.multi_asset(specs=[dg.AssetSpec(RAW, group_name="ingest", code_version="c1", skippable=True)], can_subset=True)
    def ingest(context: dg.AssetExecutionContext):
        tags = {}
        records = context.instance.get_asset_records([RAW])
        if records and records[0].asset_entry.last_materialization_record:
            tags = records[0].asset_entry.last_materialization_record.asset_materialization.tags
        if tags.get("dagster/data_version") != state["raw"]:  # as the ingest step: only a change is recorded
            yield dg.MaterializeResult(asset_key=RAW, data_version=dg.DataVersion(state["raw"]))

    @dg.asset_check(asset=RAW, name="raw_family", blocking=True, metadata={"code_version": gate_code})
    def gate():
        return dg.AssetCheckResult(passed=state["gate"], metadata={"code_version": gate_code})

    @dg.asset(key=STG, deps=[RAW], code_version=stg_code, group_name="staging")
    def stg():
        pass

    # like dbt's multi-asset: a model and its tests, each selectable on its own
    @dg.multi_asset(
        specs=[dg.AssetSpec(MART, deps=[STG], code_version="1", group_name="marts", skippable=True)],
        check_specs=[dg.AssetCheckSpec("fct_family__totals", asset=MART, blocking=True)],
        can_subset=True,
    )
    def mart(context: dg.AssetExecutionContext):
        if MART in context.selected_asset_keys:
            yield dg.MaterializeResult(asset_key=MART)
        if MART_CHECK in context.selected_asset_check_keys:
            yield dg.AssetCheckResult(asset_key=MART, check_name="fct_family__totals", passed=state["mart_check"])

    @dg.asset(key=OTHER, code_version="1", group_name="marts")
    def other():
        pass

    # a suite on one mart whose query also reads another (an England total against the LAs' sum);
    # in the warehouse the marts' gates run after the one dbt step that builds every model
    @dg.asset_check(
        asset=OTHER,
        name="fct_other__matches_family",
        blocking=True,
        additional_deps=[MART],
        metadata={"reads": ["marts/fct_family"]},
    )
    def other_matches_family():
        return dg.AssetCheckResult(passed=True)

    @dg.asset(key=PUBLISHED, deps=[MART, OTHER], code_version="1", group_name="publish")
    def published():
        pass

    # like the dbt docs site: written from the project's code, after the publication, not from its rows
    @dg.asset(
        key=DOCS,
        deps=[PUBLISHED],
        code_version=docs_code,
        group_name="publish",
        metadata={REBUILD_WHEN: "code_changes"},
    )
    def docs():
        pass

    assets = [ingest, stg, mart, other, published] + ([docs] if docs_code else [])
    return dg.Definitions(assets=assets, asset_checks=[gate, other_matches_family])


def run(instance, defs, plan=None):
    """An ingest run, then a build of the plan, as `csc refresh` does; the plan it built."""
    graph = defs.resolve_asset_graph()
    dg.materialize([a for a in defs.assets if RAW in a.keys], instance=instance, selection=[RAW])
    plan = plan_build(instance, graph)
    if not plan.empty:
        job = dg.define_asset_job(
            "build",
            selection=dg.AssetSelection.all() - dg.AssetSelection.groups("ingest")
            | dg.AssetSelection.all_asset_checks(),
        )
        resolved = dg.Definitions(assets=defs.assets, asset_checks=defs.asset_checks, jobs=[job]).resolve_job_def(
            "build"
        )
        resolved.get_subset(
            asset_selection=set(plan.assets), asset_check_selection=set(plan.checks)
        ).execute_in_process(instance=instance, raise_on_error=False)
    return plan


@pytest.fixture
def instance():
    state.update(raw="v1", gate=True, mart_check=True)
    with dg.instance_for_test() as inst:
        yield inst


def names(plan):
    return sorted(k.to_user_string() for k in plan.assets)


def test_a_first_refresh_builds_everything_and_a_second_nothing(instance):
    first = run(instance, build_defs())
    assert names(first) == ["marts/fct_family", "marts/fct_other", "published/snapshot", "staging/stg_family"]
    assert GATE in first.checks and MART_CHECK in first.checks
    assert run(instance, build_defs()).empty


def test_a_changed_raw_table_rebuilds_its_descendants_and_gate_only(instance):
    run(instance, build_defs())
    state["raw"] = "v2"
    plan = run(instance, build_defs())
    assert names(plan) == ["marts/fct_family", "published/snapshot", "staging/stg_family"]  # not fct_other
    assert plan.reasons["staging/stg_family"] == "raw/family changed"
    # but the check on fct_other that reads fct_family runs again
    assert (
        plan.reasons["marts/fct_other:fct_other__matches_family"] == "it also reads marts/fct_family, which is rebuilt"
    )
    assert GATE in plan.checks and plan.reasons["raw/family:raw_family"].startswith(
        "passed on an earlier materialization"
    )
    assert run(instance, build_defs()).empty


def test_changed_code_rebuilds_the_model_and_what_is_built_from_it(instance):
    run(instance, build_defs())
    plan = run(instance, build_defs(stg_code="2"))
    assert names(plan) == ["marts/fct_family", "published/snapshot", "staging/stg_family"]
    assert plan.reasons["staging/stg_family"] == "its code changed"
    assert plan.reasons["marts/fct_family"] == "staging/stg_family is rebuilt"
    assert GATE not in plan.checks


def test_a_changed_suite_runs_again_on_an_unchanged_table(instance):
    run(instance, build_defs())
    plan = run(instance, build_defs(gate_code="g2"))
    assert plan.assets == [] and plan.checks == [GATE]
    assert plan.reasons["raw/family:raw_family"] == "its code changed since it last ran"
    assert run(instance, build_defs(gate_code="g2")).empty


@pytest.mark.slow  # six refreshes, each an ingest run and a build run
def test_a_failed_gate_is_planned_again_until_it_passes(instance):
    run(instance, build_defs())
    state.update(raw="v2", gate=False)
    failed = run(instance, build_defs())
    assert GATE in failed.checks  # ran, failed; the models behind it were not built
    again = run(instance, build_defs())  # nothing new arrived: still not vouched for
    assert GATE in again.checks and again.reasons["raw/family:raw_family"].startswith("failed in run")
    assert names(again) == ["marts/fct_family", "published/snapshot", "staging/stg_family"]
    state["gate"] = True
    run(instance, build_defs())
    assert run(instance, build_defs()).empty


@pytest.mark.slow  # four refreshes, each an ingest run and a build run
def test_a_failed_mart_check_is_run_again_without_rebuilding_its_mart(instance):
    run(instance, build_defs())
    state.update(raw="v2", mart_check=False)
    run(instance, build_defs())
    state["mart_check"] = True
    plan = run(instance, build_defs())
    assert MART_CHECK in plan.checks and plan.reasons["marts/fct_family:fct_family__totals"].startswith("failed in run")
    assert "published/snapshot" in names(plan) and "marts/fct_family" not in names(plan)


@pytest.mark.slow  # four refreshes, each an ingest run and a build run
def test_checks_a_refused_gate_kept_from_running_keep_their_earlier_result(instance):
    run(instance, build_defs())
    state.update(raw="v2", gate=False)
    run(instance, build_defs())  # the gate refuses v2: the mart and its check were planned, never ran
    state.update(raw="v1", gate=True)  # the publisher restores what the models were built from
    plan = run(instance, build_defs())
    assert plan.assets == [] and plan.checks == [GATE]
    assert run(instance, build_defs()).empty


@pytest.mark.slow  # seven refreshes, each an ingest run and a build run
def test_an_asset_rebuilt_on_code_changes_only_ignores_new_data(instance):
    first = run(instance, build_defs(docs_code="d1"))
    assert "published/docs" in names(first)
    state["raw"] = "v2"  # new data: everything downstream is rebuilt, the publication too, but not the docs
    plan = run(instance, build_defs(docs_code="d1"))
    assert names(plan) == ["marts/fct_family", "published/snapshot", "staging/stg_family"]
    assert run(instance, build_defs(docs_code="d1")).empty
    # its own code changed: it alone is rebuilt
    plan = run(instance, build_defs(docs_code="d2"))
    assert names(plan) == ["published/docs"] and plan.reasons["published/docs"] == "its code changed"
    # a model's code and the docs' change together: both, the docs after the publication it depends on
    plan = run(instance, build_defs(stg_code="2", docs_code="d3"))
    assert names(plan) == ["marts/fct_family", "published/docs", "published/snapshot", "staging/stg_family"]
    built = {k: instance.get_latest_materialization_event(k).timestamp for k in (PUBLISHED, DOCS)}
    assert built[DOCS] > built[PUBLISHED]
    assert run(instance, build_defs(stg_code="2", docs_code="d3")).empty
