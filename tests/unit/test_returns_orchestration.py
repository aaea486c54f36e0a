"""An LA return as Dagster runs it, on a throwaway instance and warehouse: the inbox sensor asks for
a new or changed return's partition and nothing else, the partition's run lands, checks and counts
it, and the collected figures hold nothing but shown counts. DfE's validator is stood in for here
(tests/unit/test_returns_validation.py runs the real one)."""

from __future__ import annotations

import shutil
import stat

import dagster as dg
import duckdb
import polars as pl
import pytest

from orchestration.definitions import defs
from orchestration.lib.returns import figures, inbox, landing, private, step, validation

HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
EPISODES = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"


def write(folder, children: int) -> None:
    """``children`` children looked after at 31 March 2025, each in one open episode."""
    folder.mkdir(parents=True, exist_ok=True)
    ids = [f"K{n:04d}" for n in range(children)]
    (folder / "header.csv").write_text(HEADER + "".join(f"{c},M,01/05/2012,WBRI,,,\n" for c in ids), encoding="utf-8")
    (folder / "episodes.csv").write_text(
        EPISODES + "".join(f"{c},01/06/2024,S,C2,N1,U1,PR1,,,,EG19 7TT,EG19 7TT,\n" for c in ids), encoding="utf-8"
    )


@pytest.fixture
def issues(monkeypatch):
    """DfE's rules, stood in for: one issue on one child of every return."""

    def rules(files, year, la_code, work_dir):
        issues = pl.DataFrame(
            [{"child_id": "K0000", "table": "Header", "columns": "SEX", "row_id": 0, "rule_code": "101",
              "rule_description": "Gender code is not valid"}],
            schema=validation.ISSUE_SCHEMA,
        )  # fmt: skip
        return validation.RulesRun(issues, rules_run=300, rules_failed=())

    monkeypatch.setattr(validation, "run_ssda903_rules", rules)


def evaluate(instance):
    sensor = defs.resolve_sensor_def("returns_inbox")
    return sensor(dg.build_sensor_context(instance=instance, repository_def=defs.get_repository_def()))


def test_the_inbox_sensor_runs_each_new_or_changed_return_alone(warehouse, issues):
    write(warehouse.inbox_dir / "E06000009" / "2025", children=12)
    write(warehouse.inbox_dir / "E06000010" / "2025", children=3)
    job = defs.resolve_job_def("returns")
    with dg.instance_for_test() as instance:
        result = evaluate(instance)
        assert isinstance(result, dg.SensorResult)
        assert sorted(r.partition_key for r in result.run_requests) == ["E06000009-2025", "E06000010-2025"]
        assert {r.tags["csc/reason"] for r in result.run_requests} == {"never landed"}
        (added,) = result.dynamic_partitions_requests
        assert sorted(added.partition_keys) == ["E06000009-2025", "E06000010-2025"]
        instance.add_dynamic_partitions(step.PARTITIONS.name, list(added.partition_keys))
        assert {tuple(r.asset_selection) for r in result.run_requests} == {(step.LANDED,)}
        for request in result.run_requests:
            assert job.execute_in_process(
                instance=instance, partition_key=request.partition_key, asset_selection=request.asset_selection
            ).success
        skipped = evaluate(instance)
        assert isinstance(skipped, dg.SkipReason) and "no new or changed return" in skipped.skip_message
        write(warehouse.inbox_dir / "E06000010" / "2025", children=7)  # its files change
        again = evaluate(instance)
        assert [(r.partition_key, r.tags["csc/reason"]) for r in again.run_requests] == [
            ("E06000010-2025", "its files changed")
        ]
        assert again.dynamic_partitions_requests == []
        # the check says what DfE's rules found, by rule, and the figures how many were outstanding
        (evaluation,) = [
            e.dagster_event.event_specific_data
            for run in instance.get_runs(filters=dg.RunsFilter(job_name="returns", tags={"dagster/partition": "E06000009-2025"}))
            for e in instance.all_logs(run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)
        ]  # fmt: skip
        assert not evaluation.passed and evaluation.metadata["issues_by_rule"].value == {
            "101": "c"
        }  # one, as DfE shows it
        assert evaluation.severity == dg.AssetCheckSeverity.WARN
    with duckdb.connect(str(warehouse.duckdb_path)) as con:
        figures.collect(con, warehouse)
        shown = dict(
            con.execute(
                "select la_code, value from raw.la_return_figures where measure = 'cla_count' and breakdown = 'Total'"
            ).fetchall()
        )
        issues_outstanding = con.execute("select distinct validation_issues from raw.la_return_figures").fetchall()
    # 3 children are shown as DfE shows 3: not at all
    assert shown == {"E06000009": 12, "E06000010": None}
    assert issues_outstanding == [(1,)]


def test_an_inbox_folder_out_of_layout_is_named_not_skipped(warehouse):
    (warehouse.inbox_dir / "Blackpool" / "2025").mkdir(parents=True)
    with dg.instance_for_test() as instance:
        skipped = evaluate(instance)
    assert isinstance(skipped, dg.SkipReason)
    assert "Blackpool" in skipped.skip_message and "ONS code" in skipped.skip_message


def test_a_folder_out_of_layout_stops_nothing_else(warehouse):
    write(warehouse.inbox_dir / "E06000009" / "2025", children=8)
    (warehouse.inbox_dir / "notes.txt").write_text("a stray file", encoding="utf-8")
    write(warehouse.inbox_dir / "E06000010" / "last year", children=8)
    write(warehouse.inbox_dir / "E06000011" / "2016", children=8)
    returns, problems = inbox.survey(warehouse)
    assert [r.partition for r in returns] == ["E06000009-2025"]
    said = {p.folder.name: p.message for p in problems}
    assert "expected a folder per LA" in said["notes.txt"]
    assert "expected a folder per collection year" in said["last year"]
    assert "no known SSDA903 layout" in said["2016"]
    assert inbox.find(warehouse, "E06000009-2025").files


def test_a_return_the_rules_cannot_run_on_lands_nothing(warehouse, monkeypatch):
    def broken(files, year, la_code, work_dir):
        raise validation.ValidationRunError(f"DfE's SSDA903 rules failed for {la_code} {year} (exit 1)")

    monkeypatch.setattr(validation, "run_ssda903_rules", broken)
    write(warehouse.inbox_dir / "E06000009" / "2025", children=8)
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions(step.PARTITIONS.name, ["E06000009-2025"])
        result = defs.resolve_job_def("returns").execute_in_process(
            instance=instance, partition_key="E06000009-2025", asset_selection=[step.LANDED], raise_on_error=False
        )
    assert not result.success
    assert not (warehouse.private_dir / private.DB_NAME).exists() or landed(warehouse) == []
    # no copy of the return is left beside the validator's log
    assert [p.name for p in (warehouse.private_dir / "validation" / "E06000009" / "2025").iterdir()] == []


def landed(settings) -> list:
    with private.connect(settings, read_only=True) as con:
        tables = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
        return con.execute("select * from ssda903_returns").fetchall() if "ssda903_returns" in tables else []


def test_a_return_taken_out_of_the_inbox_is_withdrawn_unless_a_folder_cannot_be_read(warehouse, issues):
    for la in ("E06000009", "E06000010"):
        write(warehouse.inbox_dir / la / "2025", children=8)
        landing.land_return(warehouse, inbox.find(warehouse, f"{la}-2025"))

    def collected() -> set[str]:
        with duckdb.connect(str(warehouse.duckdb_path)) as con:
            figures.collect(con, warehouse)
            return {r[0] for r in con.execute("select distinct la_code from raw.la_return_figures").fetchall()}

    assert collected() == {"E06000009", "E06000010"}
    shutil.rmtree(warehouse.inbox_dir / "E06000010")
    (warehouse.inbox_dir / "Hull").mkdir()  # a folder that names no LA: it may be the one removed
    assert collected() == {"E06000009", "E06000010"}
    (warehouse.inbox_dir / "Hull").rmdir()
    assert collected() == {"E06000009"}
    assert [r[:2] for r in landed(warehouse)] == [("E06000009", 2025)]


def test_a_return_copied_into_the_inbox_by_hand_is_made_owner_only_when_landed(warehouse):
    folder = warehouse.inbox_dir / "E06000009" / "2025"
    write(folder, children=8)
    for path in (warehouse.inbox_dir, folder.parent, folder):
        path.chmod(0o755)
    (folder / "header.csv").chmod(0o644)
    landing.land_return(warehouse, inbox.find(warehouse, "E06000009-2025"))
    modes = {p: stat.S_IMODE(p.stat().st_mode) for p in (warehouse.inbox_dir, folder.parent, folder)}
    assert set(modes.values()) == {0o700}
    assert {stat.S_IMODE(p.stat().st_mode) for p in folder.iterdir()} == {0o600}
