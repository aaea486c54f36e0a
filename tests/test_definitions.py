"""The Dagster graph resolves, and its shape is what the README promises (a snapshot of keys)."""

import dagster as dg

from expectations import discover_suites
from orchestration.definitions import defs
from orchestration.lib.catalogue import load_catalogue

EXPECTED_ASSETS = {
    "raw/cla_number_and_rate_per_10k",
    "raw/dfe_la_codes",
    "raw/ons_ltla_utla_2023",
    "raw/cin_b1_children_in_need",
    "raw/cin_c1_referrals",
    "raw/cin_c4_section47_icpc",
    "raw/cin_d1_child_protection_plans",
    "raw/cin_d5_cpp_at31_by_duration",
    "raw/population_0_17",
    "raw/csww_indicators",
    "raw/cla_sfr_at_31_march",
    "raw/cla_sfr_started",
    "raw/cla_sfr_ceased",
    "staging/stg_cla__sfr_at_31_march",
    "staging/stg_cla__sfr_started",
    "staging/stg_cla__sfr_ceased",
    "reference/indicator_sources",
    "marts/bridge_la_lineage",
    "marts/dim_statistical_neighbour",
    "raw/statistical_neighbours",
    "staging/stg_lookups__statistical_neighbours",
    "marts/fct_la_indicator_revision",
    "staging/stg_workforce__csww_indicators",
    "marts/fct_social_work_workforce",
    "staging/stg_cin__b1_children_in_need",
    "staging/stg_cin__c1_referrals",
    "staging/stg_cin__c4_section47_icpc",
    "staging/stg_cin__d1_child_protection_plans",
    "staging/stg_cin__d5_cpp_at31_by_duration",
    "staging/stg_population__children_aged_0_17",
    "intermediate/int_indicator_values",
    "marts/fct_children_in_need",
    "marts/fct_child_protection",
    "marts/fct_population",
    "reference/indicators",
    "reference/la_boundary_changes",
    "staging/stg_cla__number_and_rate_per_10k",
    "staging/stg_lookups__dfe_la_codes",
    "staging/stg_lookups__ons_ltla_utla_2023",
    "intermediate/int_indicator_values_unpivoted",
    "intermediate/int_local_authorities_observed",
    "marts/dim_indicator",
    "marts/dim_local_authority",
    "marts/fct_children_looked_after",
    "marts/fct_england_region_indicator",
    "marts/fct_la_indicator",
    "raw/cin_c2_assessments",
    "raw/cin_c3_assessment_factors",
    "staging/stg_cin__c3_assessment_factors",
    "marts/fct_assessment_factors",
    "raw/cla_la_of_placement",
    "raw/cla_started_characteristics",
    "raw/cla_ceased_characteristics",
    "staging/stg_cla__cla_started_characteristics",
    "staging/stg_cla__cla_ceased_characteristics",
    "marts/fct_cla_characteristics",
    "staging/stg_cla__cla_la_of_placement",
    "raw/ons_mye2_persons",
    "staging/stg_population__ons_mye2",
    "intermediate/int_population_ons_mye2_coded",
    "raw/cin_d3_cpp_subsequent",
    "staging/stg_cin__d3_cpp_subsequent",
    "staging/stg_cin__c2_assessments",
    "raw/s251_outturn",
    "raw/mhclg_ro3_social_care",
    "raw/mhclg_rsx_service_summary",
    "staging/stg_expenditure__s251_outturn",
    "staging/stg_expenditure__ro3_social_care",
    "staging/stg_expenditure__rsx_service_summary",
    "reference/spend_lines",
    "reference/spend_categories",
    "intermediate/int_expenditure_lines",
    "intermediate/int_expenditure_categories",
    "marts/fct_expenditure",
    "marts/dim_period",
    "raw/iod2019_imd",
    "raw/iod2019_idaci",
    "staging/stg_deprivation__iod2019",
    "marts/fct_deprivation",
    "raw/ofsted_ilacs_history",
    "raw/ofsted_sif_history",
    "raw/d2i_ilacs_scrape",
    "raw/ofsted_region_fix",
    "staging/stg_lookups__ofsted_region_fix",
    "staging/stg_ofsted__d2i_ilacs_scrape",
    "staging/stg_ofsted__sif_history",
    "raw/ofsted_judgements_at_31_march",
    "staging/stg_ofsted__ilacs_history",
    "staging/stg_ofsted__judgements_at_31_march",
    "reference/la_name_aliases",
    "intermediate/int_la_name_lookup",
    "intermediate/int_ofsted_ilacs_history_coded",
    "intermediate/int_ofsted_judgements_at_31_march_coded",
    "intermediate/int_ofsted_sif_history_coded",
    "intermediate/int_ofsted_d2i_ilacs_scrape_coded",
    "intermediate/int_ofsted_region_fix_coded",
    "marts/fct_ofsted_inspection",
    "marts/fct_ofsted_judgement_in_effect",
    "raw/cla_placement_stability",
    "staging/stg_cla__cla_placement_stability",
    "raw/cla_missing",
    "staging/stg_cla__missing_and_away_from_placement",
    "raw/cla_ceased_adoption_sgo",
    "staging/stg_cla__cla_ceased_adoption_sgo",
    "raw/cla_short_term_placements",
    "staging/stg_cla__cla_short_term_placements",
    "raw/care_leavers_activity",
    "staging/stg_cla__care_leavers_activity",
    "raw/care_leavers_accommodation",
    "staging/stg_cla__care_leavers_accommodation",
    "raw/care_leavers_in_touch",
    "staging/stg_cla__care_leavers_in_touch",
    "marts/fct_care_leavers",
    "raw/cin_b2_children_in_need_recorded_disability",
    "staging/stg_cin__b2_children_in_need_recorded_disability",
    "raw/cin_b3_cin_primary_need",
    "staging/stg_cin__b3_cin_primary_need",
    "raw/cin_b4_children_in_need_duration_of_open_episode",
    "staging/stg_cin__b4_children_in_need_duration_of_open_episode",
    "raw/cin_b5_children_in_need_duration_of_ended_episode",
    "staging/stg_cin__b5_children_in_need_duration_of_ended_episode",
    "raw/cin_b6_children_in_need_reason_for_closure",
    "staging/stg_cin__b6_children_in_need_reason_for_closure",
    "raw/cin_b7_child_in_need_plans",
    "staging/stg_cin__b7_child_in_need_plans",
    "raw/cin_c5_children_in_need_referrals_by_source",
    "staging/stg_cin__c5_children_in_need_referrals_by_source",
    "raw/cin_c6_children_in_need_referrals_by_month",
    "staging/stg_cin__c6_children_in_need_referrals_by_month",
    "raw/cin_d2_cpps_starting_by_category_of_abuse",
    "staging/stg_cin__d2_cpps_starting_by_category_of_abuse",
    "raw/cin_d4_cpps_at31march_by_category_of_abuse",
    "staging/stg_cin__d4_cpps_at31march_by_category_of_abuse",
    "raw/cin_d6_cpps_reviewed_within_timescales",
    "staging/stg_cin__d6_cpps_reviewed_within_timescales",
    "raw/cin_d7_cpps_ending_by_duration",
    "staging/stg_cin__d7_cpps_ending_by_duration",
    "raw/cin_d8_cpps_ending_in_first_6months_by_duration",
    "staging/stg_cin__d8_cpps_ending_in_first_6months_by_duration",
    "marts/fct_cin_breakdowns",
    "published/csc_duckdb",
}


def graph():
    return defs.resolve_asset_graph()


def test_every_asset_key_snapshot():
    assert {k.to_user_string() for k in graph().get_all_asset_keys()} == EXPECTED_ASSETS


def test_one_lineage_from_landing_to_publication():
    g = graph()
    staging = g.get(dg.AssetKey(["staging", "stg_cla__number_and_rate_per_10k"]))
    assert dg.AssetKey(["raw", "cla_number_and_rate_per_10k"]) in staging.parent_keys
    published = g.get(dg.AssetKey(["published", "csc_duckdb"]))
    marts = {k for k in g.get_all_asset_keys() if k.path[0] == "marts"}
    assert published.parent_keys == marts
    assert g.get(dg.AssetKey(["marts", "dim_local_authority"])).group_name == "marts"
    assert g.get(dg.AssetKey(["raw", "dfe_la_codes"])).group_name == "ingest"


def test_every_ingest_asset_and_fact_has_a_blocking_expectation_check():
    checks = {(c.asset_key.to_user_string(), c.name) for c in graph().asset_check_keys}
    for suite in discover_suites():
        assert ("/".join(suite.asset), suite.name) in checks
    guarded = {"/".join(s.asset) for s in discover_suites()}
    assert "raw/cla_number_and_rate_per_10k" in guarded and "marts/fct_children_looked_after" in guarded
    blocking = [c for c in defs.asset_checks if isinstance(c, dg.AssetChecksDefinition) for spec in c.check_specs if spec.blocking]
    assert len(blocking) == len(discover_suites())
    # dbt tests arrive as checks too
    assert ("marts/dim_local_authority", "unique_dim_local_authority_la_code") in checks


def test_every_catalogue_family_is_an_asset():
    keys = {k.to_user_string() for k in graph().get_all_asset_keys()}
    assert {f"raw/{f.raw_table}" for f in load_catalogue().families} <= keys


def test_jobs_schedule_sensor_and_executor():
    ingest, build, full = (defs.resolve_job_def(n) for n in ("ingest", "build", "full_refresh"))
    assert {j.executor_def.name for j in (ingest, build, full)} == {"in_process"}
    raw = {k for k in EXPECTED_ASSETS if k.startswith("raw/")}
    assert {k.to_user_string() for k in full.asset_layer.executable_asset_keys} == EXPECTED_ASSETS
    # ingest lands the raw tables; build makes everything from them, never re-landing a source
    assert {k.to_user_string() for k in ingest.asset_layer.executable_asset_keys} == raw
    assert {k.to_user_string() for k in build.asset_layer.executable_asset_keys} == EXPECTED_ASSETS - raw
    # the gates on raw tables run in build, the release-freshness warnings in ingest
    from orchestration.defs.schedules import build_job, ingest_job

    checks_of = {j.name: j.selection.resolve_checks(graph()) for j in (ingest_job, build_job)}
    assert {k.name for k in checks_of["ingest"]} == {"release_on_time"}
    build_checks = checks_of["build"]
    assert {k.name for k in build_checks} >= {s.name for s in discover_suites()}
    assert "release_on_time" not in {k.name for k in build_checks}
    schedule = defs.resolve_schedule_def("nightly_refresh")
    assert schedule.job_name == "ingest" and schedule.execution_timezone == "Europe/London"
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    sensor = defs.resolve_sensor_def("build_what_changed")
    assert sensor.job_name == "build" and sensor.default_status == dg.DefaultSensorStatus.RUNNING


def test_the_build_sensor_builds_after_a_nightly_ingest_and_leaves_the_cli_its_own():
    sensor = defs.resolve_sensor_def("build_what_changed")
    ingest = defs.resolve_job_def("ingest")
    with dg.instance_for_test() as instance:
        def evaluate(trigger):
            run = instance.create_run_for_job(job_def=ingest, tags={"csc/trigger": trigger})
            success = dg.DagsterEvent(event_type_value="PIPELINE_SUCCESS", job_name="ingest")
            context = dg.build_run_status_sensor_context(sensor_name=sensor.name, dagster_instance=instance,
                                                         dagster_run=run, dagster_event=success,
                                                         repository_def=defs.get_repository_def())
            return sensor(context), run

        request, run = evaluate("nightly")
        # nothing was ever built in this instance: everything after ingest, with its checks
        assert isinstance(request, dg.RunRequest) and request.run_key == f"build-after-{run.run_id}"
        keys = {k.to_user_string() for k in request.asset_selection}
        assert keys == EXPECTED_ASSETS - {k for k in EXPECTED_ASSETS if k.startswith("raw/")}
        assert {s.name for s in discover_suites()} <= {k.name for k in request.asset_check_keys}
        assert request.tags["csc/trigger"] == "nightly" and request.tags["csc/after_ingest"] == run.run_id
        skipped, _ = evaluate("cli")
        assert isinstance(skipped, dg.SkipReason) and "csc refresh" in skipped.skip_message


def test_every_dbt_test_is_a_check_with_its_other_parents_as_deps():
    from orchestration.lib.dbt import load_manifest

    manifest = load_manifest()
    tests = {n["name"]: n for n in manifest["nodes"].values() if n["resource_type"] == "test"}
    specs = {k.name: graph().get_check_spec(k) for k in graph().asset_check_keys}
    assert set(tests) <= set(specs), sorted(set(tests) - set(specs))
    # a singular test that reads two models is rerun when either is rebuilt (orchestration/lib/plan.py)
    spec = specs["assert_statistical_neighbours_resolve"]
    reads = {d.asset_key.to_user_string() for d in spec.additional_deps} | {spec.asset_key.to_user_string()}
    assert reads == {"marts/dim_local_authority", "staging/stg_lookups__statistical_neighbours"}


def test_staging_reads_sources_only():
    """Staging renames, types and parses what landed; conforming codes and matching names (which
    read seeds and other models) happen in intermediate models."""
    from orchestration.lib.dbt import load_manifest

    staging = [n for n in load_manifest()["nodes"].values() if n["resource_type"] == "model" and n["fqn"][1] == "staging"]
    assert staging
    reads_more = {n["name"]: [d for d in n["depends_on"]["nodes"] if not d.startswith("source.")] for n in staging}
    assert {name: deps for name, deps in reads_more.items() if deps} == {}
