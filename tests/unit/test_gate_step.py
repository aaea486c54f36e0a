"""A gate step (orchestration/defs/quality/checks.py) run by Dagster against a tmp_path DuckDB:
one check per suite, what it writes to Dagster's event log, and the run's validation report."""

import dagster as dg
import duckdb

from orchestration.defs.quality.checks import build_gate
from orchestration.lib.core.warehouse import RefreshLockResource, WarehouseResource
from orchestration.lib.quality import rules
from orchestration.lib.quality.suites import SuiteSpec, gx

TABLE = dg.AssetKey(["raw", "t"])


def suite(name: str, query: str) -> SuiteSpec:
    return SuiteSpec(
        name=name,
        asset=("raw", "t"),
        description=f"{name} suite",
        query=query,
        prefilter=True,
        expectations=lambda: [
            *rules.cells(["a", "b"], "unsigned_published"),
            gx.expectations.ExpectColumnValuesToNotBeNull(column="_row_number"),
        ],
    )


def test_a_gate_step_logs_its_failures_and_one_summary_and_leaves_a_report(warehouse):
    with duckdb.connect(str(warehouse.duckdb_path)) as con:
        con.execute("create schema raw")
        con.execute(
            "create table raw.t as select * from (values ('r', 1, '12', 'x'), ('r', 2, '-4', '7')) "
            "as t(_release, _row_number, a, b)"
        )
    suites = [
        suite("raw_t", "select * from raw.t where _row_number = 1"),
        suite("raw_t__all", "select * from raw.t"),
        suite("raw_t__first_again", "select * from raw.t where _row_number = 1"),
    ]

    @dg.asset(key=TABLE)
    def table():
        pass

    gate = build_gate("raw__test", suites)
    job = dg.define_asset_job("checks", selection=dg.AssetSelection.all_asset_checks())
    defs = dg.Definitions(
        assets=[table],
        asset_checks=[gate],
        jobs=[job],
        resources={"warehouse": WarehouseResource(), "refresh_lock": RefreshLockResource()},
    )
    with dg.instance_for_test() as instance:
        result = defs.resolve_job_def("checks").execute_in_process(instance=instance, raise_on_error=False)
        records = instance.get_records_for_run(result.run_id, limit=10_000).records
    evaluations = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert evaluations == {"raw_t": True, "raw_t__all": False, "raw_t__first_again": True}
    logs = [r.event_log_entry for r in records if r.event_log_entry.dagster_event is None]
    # no log event per passing suite: the failed one, then one line for the step
    assert [(entry.level, entry.user_message.split(":")[0]) for entry in logs] == [
        (40, "raw_t__all"),
        (20, "2 of 3 suites passed"),
    ]
    assert "a=-4" in logs[0].user_message and "expectations passed on" in logs[1].user_message
    html = (warehouse.runs_dir / result.run_id / "validations" / "index.html").read_text(encoding="utf-8")
    assert "2 of 3 suites passed" in html and "raw_t__first_again" in html and "_row_number=2 a=-4" in html
