"""The Dagster graph resolves, and its shape is what the README promises (a snapshot of keys)."""

import re

import dagster as dg
import pytest

from orchestration.definitions import defs
from orchestration.lib.ingest.catalogue import load_catalogue
from orchestration.lib.quality.suites import discover_suites
from tests.support.helpers import SNAPSHOTS

SNAPSHOT = SNAPSHOTS / "asset_keys.txt"


def graph():
    return defs.resolve_asset_graph()


def asset_keys() -> list[str]:
    return sorted(k.to_user_string() for k in graph().get_all_asset_keys())


def expected_assets() -> set[str]:
    return {line for line in SNAPSHOT.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")}


def test_every_asset_key_snapshot(request):
    """The asset keys match tests/snapshots/asset_keys.txt (``--update-snapshots`` rewrites it)."""
    keys = asset_keys()
    if request.config.getoption("--update-snapshots"):
        header = [line for line in SNAPSHOT.read_text(encoding="utf-8").splitlines() if line.startswith("#")]
        SNAPSHOT.write_text("\n".join(header + keys) + "\n", encoding="utf-8")
    expected = expected_assets()
    missing, unexpected = sorted(expected - set(keys)), sorted(set(keys) - expected)
    assert not missing and not unexpected, (
        f"asset keys differ from {SNAPSHOT.name}: missing {missing}, new {unexpected}; "
        "if the change is intended, run pytest tests/unit/test_definitions.py --update-snapshots and review the diff"
    )


def test_one_lineage_from_landing_to_publication():
    g = graph()
    staging = g.get(dg.AssetKey(["staging", "stg_cla__number_and_rate_per_10k"]))
    assert dg.AssetKey(["raw", "cla_number_and_rate_per_10k"]) in staging.parent_keys
    published = g.get(dg.AssetKey(["published", "csc_duckdb"]))
    marts = {k for k in g.get_all_asset_keys() if k.path[0] == "marts"}
    # the marts, and each publisher's answer to the latest refresh (meta.source_status is published too)
    answers = {k for k in g.get_all_asset_keys() if k.path[:2] == ["meta", "source_status"]}
    assert published.parent_keys == marts | answers and len(answers) == len(load_catalogue().sources)
    # the LA pages are written from the publication, so a build that publishes plans them too (build_plan.py)
    assert g.get(dg.AssetKey(["published", "la_profiles"])).parent_keys == {published.key}
    # the docs site and the metric catalogue too; the docs site is written again only when its code (the dbt
    # project) changes, not with every publication of new data (build_plan.py)
    docs = g.get(dg.AssetKey(["published", "docs_site"]))
    assert docs.parent_keys == {published.key} and docs.code_version
    assert docs.metadata["csc/rebuild_when"] == "code_changes"
    assert g.get(dg.AssetKey(["published", "metric_catalogue"])).parent_keys == {published.key}
    # dbt exposures document what uses the marts; dagster-dbt makes no asset of them
    from orchestration.lib.dbt.project import load_manifest

    exposures = {e["name"] for e in load_manifest()["exposures"].values()}
    assert {"la_profile_pages", "metric_catalogue", "open_data_exports"} <= exposures
    assert not [k for k in g.get_all_asset_keys() if k.path[0] != "published" and k.path[-1] in exposures]
    assert g.get(dg.AssetKey(["marts", "dim_local_authority"])).group_name == "marts"
    assert g.get(dg.AssetKey(["raw", "dfe_la_codes"])).group_name == "ingest"


def blocking_checks_by_asset() -> dict[str, set[str]]:
    """Every blocking asset check in the definitions, by the asset it guards."""
    by_asset: dict[str, set[str]] = {}
    for definition in [*defs.asset_checks, *defs.assets]:
        for spec in getattr(definition, "check_specs", []):
            if spec.blocking:
                by_asset.setdefault(spec.asset_key.to_user_string(), set()).add(spec.name)
    return by_asset


def test_every_ingest_asset_and_fact_has_a_blocking_expectation_check():
    from orchestration.defs.refresh.jobs import refresh_jobs

    blocking = blocking_checks_by_asset()
    ingested = {k.to_user_string() for k in refresh_jobs().ingest.selection.resolve(graph())}
    landed = {k for k in ingested if k.startswith("raw/")}
    # the publishers' families, and the figures of the LA's own returns (orchestration/lib/returns)
    assert landed == {f"raw/{f.raw_table}" for f in load_catalogue().families} | {"raw/la_return_figures"}
    # the rest of what ingest records is each publisher's answer (meta.source_status, published with the marts)
    assert ingested - landed == {f"meta/source_status/{s.name}" for s in load_catalogue().sources}
    assert [key for key in sorted(landed) if not blocking.get(key)] == []
    facts_and_dimensions = {k for k in asset_keys() if re.match(r"marts/(fct|dim)_", k)}
    assert [key for key in sorted(facts_and_dimensions) if not blocking.get(key)] == []
    # every suite is one of them, on the table it names (every raw table has suites)
    suites = discover_suites()
    assert landed and {"/".join(suite.asset) for suite in suites} >= landed
    for suite in suites:
        assert suite.name in blocking.get("/".join(suite.asset), set()), suite.name
    # dbt tests arrive as checks too
    checks = {(c.asset_key.to_user_string(), c.name) for c in graph().asset_check_keys}
    assert ("marts/dim_local_authority", "unique_dim_local_authority_la_code") in checks


def test_every_catalogue_family_is_an_asset():
    keys = {k.to_user_string() for k in graph().get_all_asset_keys()}
    assert {f"raw/{f.raw_table}" for f in load_catalogue().families} <= keys


def test_jobs_schedule_sensor_and_executor():
    ingest, build, full, returns = (defs.resolve_job_def(n) for n in ("ingest", "build", "full_refresh", "returns"))
    assert {j.executor_def.name for j in (ingest, build, full, returns)} == {"in_process"}
    raw = {k for k in expected_assets() if k.startswith(("raw/", "meta/source_status/"))}
    # an LA's own returns run one partition (LA and year) at a time, in their own job, before the rest
    partitioned = {k for k in expected_assets() if k.startswith("returns/")}
    assert partitioned == {"returns/ssda903", "returns/cin_census"}
    assert {k.to_user_string() for k in returns.asset_layer.executable_asset_keys} == partitioned
    assert returns.partitions_def.name == "la_returns"
    assert {k.to_user_string() for k in full.asset_layer.executable_asset_keys} == expected_assets() - partitioned
    # ingest lands the raw tables; build makes everything from them, never re-landing a source
    assert {k.to_user_string() for k in ingest.asset_layer.executable_asset_keys} == raw
    assert {
        k.to_user_string() for k in build.asset_layer.executable_asset_keys
    } == expected_assets() - raw - partitioned
    # the gates on raw tables run in build, the release-freshness warnings in ingest
    from orchestration.defs.refresh.jobs import refresh_jobs

    jobs = refresh_jobs()
    checks_of = {j.name: j.selection.resolve_checks(graph()) for j in (jobs.ingest, jobs.build)}
    assert {k.name for k in checks_of["ingest"]} == {"release_on_time"}
    build_checks = checks_of["build"]
    assert {k.name for k in build_checks} >= {s.name for s in discover_suites()}
    assert "release_on_time" not in {k.name for k in build_checks}
    schedule = defs.resolve_schedule_def("nightly_refresh")
    assert schedule.job_name == "ingest" and schedule.execution_timezone == "Europe/London"
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    sensor = defs.resolve_sensor_def("build_what_changed")
    assert sensor.job_name == "build" and sensor.default_status == dg.DefaultSensorStatus.RUNNING
    inbox = defs.resolve_sensor_def("returns_inbox")
    assert inbox.job_name == "returns" and inbox.default_status == dg.DefaultSensorStatus.RUNNING
    collect = defs.resolve_sensor_def("collect_return_figures")
    assert collect.job_name == "ingest" and collect.default_status == dg.DefaultSensorStatus.RUNNING


def after_success(instance, sensor_name: str, job_name: str, trigger: str):
    """What a run-status sensor asks for after a successful run of ``job_name`` started by
    ``trigger``, and that run."""
    sensor = defs.resolve_sensor_def(sensor_name)
    run = instance.create_run_for_job(job_def=defs.resolve_job_def(job_name), tags={"csc/trigger": trigger})
    success = dg.DagsterEvent(event_type_value="PIPELINE_SUCCESS", job_name=job_name)
    context = dg.build_run_status_sensor_context(
        sensor_name=sensor.name,
        dagster_instance=instance,
        dagster_run=run,
        dagster_event=success,
        repository_def=defs.get_repository_def(),
    )
    return sensor(context), run


def test_the_build_sensor_builds_after_a_nightly_ingest_and_leaves_the_cli_its_own():
    with dg.instance_for_test() as instance:

        def evaluate(trigger):
            return after_success(instance, "build_what_changed", "ingest", trigger)

        request, run = evaluate("nightly")
        # nothing was ever built in this instance: everything after ingest, with its checks
        assert isinstance(request, dg.RunRequest) and request.run_key == f"build-after-{run.run_id}"
        keys = {k.to_user_string() for k in request.asset_selection}
        assert keys == {k for k in expected_assets() if not k.startswith(("raw/", "meta/source_status/", "returns/"))}
        assert {s.name for s in discover_suites()} <= {k.name for k in request.asset_check_keys}
        assert request.tags["csc/trigger"] == "nightly" and request.tags["csc/after_ingest"] == run.run_id
        skipped, _ = evaluate("cli")
        assert isinstance(skipped, dg.SkipReason) and "csc refresh" in skipped.skip_message


def test_a_returns_run_is_followed_by_collecting_its_figures_unless_csc_refresh_started_it():
    with dg.instance_for_test() as instance:

        def evaluate(trigger):
            return after_success(instance, "collect_return_figures", "returns", trigger)

        request, run = evaluate("sensor")
        assert isinstance(request, dg.RunRequest) and request.run_key == f"collect-after-{run.run_id}"
        assert [k.to_user_string() for k in request.asset_selection] == ["raw/la_return_figures"]
        skipped, _ = evaluate("cli")
        assert isinstance(skipped, dg.SkipReason) and "csc refresh" in skipped.skip_message


def test_every_dbt_test_is_a_check_with_its_other_parents_as_deps():
    from orchestration.lib.dbt.project import load_manifest

    manifest = load_manifest()
    tests = {n["name"]: n for n in manifest["nodes"].values() if n["resource_type"] == "test"}
    specs = {k.name: graph().get_check_spec(k) for k in graph().asset_check_keys}
    assert set(tests) <= set(specs), sorted(set(tests) - set(specs))
    # a singular test that reads two models is rerun when either is rebuilt (orchestration/lib/refresh/build_plan.py)
    spec = specs["assert_statistical_neighbours_resolve"]
    reads = {d.asset_key.to_user_string() for d in spec.additional_deps} | {spec.asset_key.to_user_string()}
    assert reads == {"marts/dim_local_authority", "staging/stg_lookups__statistical_neighbours"}


@pytest.mark.slow  # a Python process of its own loads the definitions
def test_loading_the_definitions_changes_nothing_in_the_environment():
    import os
    import subprocess
    import sys

    # (polars sets its allocator's private _RJEM_MALLOC_CONF on import: a library's own, not a setting)
    script = (
        "import json, os; before = dict(os.environ); import orchestration.definitions; "
        "print(json.dumps(sorted(k for k in set(before) | set(os.environ) "
        "if before.get(k) != os.environ.get(k) and not k.startswith('_'))))"
    )
    run = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=300,
        env={k: v for k, v in os.environ.items() if not k.startswith(("CSC_", "DO_NOT", "GX_", "DAGSTER_", "DBT_"))},
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.strip().splitlines()[-1] == "[]"


def test_staging_reads_sources_only():
    """Staging renames, types and parses what landed; conforming codes and matching names (which
    read seeds and other models) happen in intermediate models."""
    from orchestration.lib.dbt.project import load_manifest

    staging = [
        n for n in load_manifest()["nodes"].values() if n["resource_type"] == "model" and n["fqn"][1] == "staging"
    ]
    assert staging
    reads_more = {n["name"]: [d for d in n["depends_on"]["nodes"] if not d.startswith("source.")] for n in staging}
    assert {name: deps for name, deps in reads_more.items() if deps} == {}
