"""Refresh behaviour, `csc refresh` as a user runs it, on one warehouse for the module (a copy of
the session's published one): what the publication records (meta tables matching the mirror's
manifest, `csc status`); then refreshed again, in order: bad at the raw gate (the publication
stays byte-identical and the validation report names the row), the publication alone refused
after that failed gate, good again (only the refused gate runs again), then with one corrected
file (only what is built from it is rebuilt), then with nothing changed (nothing runs after
ingest, from the CLI or the nightly schedule). The tests depend on each other's order: keep
them in this module, in this order. tests/e2e/test_bad_input.py runs the other kinds of bad input.
"""

import csv
import subprocess
import sys

import dagster as dg
import duckdb
import pytest

from orchestration.lib.ingest.catalogue import load_catalogue
from orchestration.settings import REPO_ROOT
from tests.support.helpers import clean_env, clone_warehouse
from tests.support.published import copy_mirror, csc, digest, latest, mutate, query
from tests.support.synthetic_releases import WORKFORCE_2025, corrected_caseload, write_apart

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def published(published_warehouse, tmp_path_factory):
    """This module's own copy of the session's published warehouse: its tests refresh it again."""
    return clone_warehouse(published_warehouse, tmp_path_factory.mktemp("refreshed") / "warehouse")


def test_meta_records_sources_and_checks(published, mirror_dir):
    manifest = {
        (r["source"], r["release_label"], r["file"]): r["sha256"]
        for r in csv.DictReader(open(mirror_dir / "MANIFEST.csv"))
    }
    files = query(published, "select source, release, file, sha256 from meta.refresh_source_files")
    # one row per catalogue release (128 files; IoD2019 File 11 feeds two families, one per sheet)
    assert len(files) == len(load_catalogue().releases) >= 100
    for source, release, file, sha in files:
        assert manifest[(source, release, file)] == sha
    (refresh,) = query(
        published, "select refresh_id, started_at < finished_at, checks_run, checks_passed from meta.refresh"
    )
    assert refresh[1] and refresh[2] == refresh[3] and refresh[2] > 50
    names = {r[0] for r in query(published, "select check_name from meta.refresh_checks")}
    assert {"raw_cla_number_and_rate_per_10k", "fct_children_looked_after__england_totals"} <= names
    assert query(published, "select count(*) from duckdb_tables() where schema_name not in ('marts', 'meta')") == [(0,)]


def test_status_reports_the_publication(published):
    """The summary first: what is published, how each publisher answered, how the last refresh
    went; every source file only when asked for (--files)."""
    run = csc("status", warehouse=published)
    assert run.returncode == 0, run.stderr
    (refresh_id,) = query(published, "select refresh_id from meta.refresh")[0]
    (files,) = query(published, "select count(*) from meta.refresh_source_files")[0]
    out = run.stdout
    assert f"refresh {refresh_id}" in out and "last refresh" in out and "SUCCESS" in out
    assert (
        out.index("published") < out.index("publishers, as the latest refresh found them") < out.index("last refresh")
    )
    assert f"{files} source files in the publication (csc status --files lists them)" in out
    assert "source files" not in out.split("\n")[0] and "sha256" not in out
    listed = csc("status", "--files", warehouse=published)
    assert listed.returncode == 0 and f"source files ({files})" in listed.stdout
    # every file whole, one a line: family, release, file name
    assert "  cla_number_and_rate_per_10k  ees_2025  cla_number_and_rate_per_10k_children.csv  " in listed.stdout


BIRMINGHAM_2025 = b"330,Birmingham,E08000025,Children looked after on 31 March each year,292859,2317,79"


def test_failed_raw_gate_keeps_the_publication(published, mirror_dir, tmp_path):
    before = digest(published / "csc.duckdb")
    mirror = mutate(tmp_path, mirror_dir, BIRMINGHAM_2025, BIRMINGHAM_2025.replace(b",2317,", b",?,"))
    run = csc("refresh", "--mirror", str(mirror), warehouse=published)
    assert run.returncode == 1
    assert "raw_cla_number_and_rate_per_10k" in run.stderr and "children_count=?" in run.stderr
    assert "_release=ees_2025" in run.stderr
    assert digest(published / "csc.duckdb") == before
    assert not [p for p in published.iterdir() if p.name.startswith(".csc.duckdb")]
    status = csc("status", warehouse=published)
    assert "FAILURE" in status.stdout and "raw_cla_number_and_rate_per_10k" in status.stdout
    # the run's offline HTML validation report, linked from status, names the file and row
    report = next(
        line.split("validation report:")[1].strip()
        for line in status.stdout.splitlines()
        if "validation report:" in line
    )
    html = open(report, encoding="utf-8").read()
    assert "FAILED" in html and "raw_cla_number_and_rate_per_10k" in html and "children_count=?" in html


PUBLISH_ALONE = """
import dagster as dg
from orchestration.lib.core.dagster_home import ensure_dagster_home
from orchestration.settings import get_settings

settings = get_settings()
settings.export_env()
import os
os.environ["DAGSTER_HOME"] = str(ensure_dagster_home(settings))
from orchestration.definitions import defs

with dg.DagsterInstance.get() as instance:
    result = defs.resolve_job_def("full_refresh").execute_in_process(
        instance=instance, asset_selection=[dg.AssetKey(["published", "csc_duckdb"])], raise_on_error=False)
    print("published" if result.success else "refused")
    for event in result.all_events:
        if event.is_step_failure:
            error = event.step_failure_data.error
            while error.cause is not None:  # the reason, not Dagster's wrapper
                error = error.cause
            print(error.message)
"""


def test_publishing_alone_after_a_failed_gate_is_refused(published):
    # as from the UI: materialise only the publication, after the refresh above failed its raw gate
    before = digest(published / "csc.duckdb")
    run = subprocess.run(
        [sys.executable, "-c", PUBLISH_ALONE],
        capture_output=True,
        text=True,
        timeout=600,
        env=clean_env(CSC_WAREHOUSE_DIR=str(published)),
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.startswith("refused"), run.stdout[-3000:]
    assert "not publishing" in run.stdout
    assert "raw/cla_number_and_rate_per_10k:raw_cla_number_and_rate_per_10k failed in run" in run.stdout
    assert digest(published / "csc.duckdb") == before


def test_next_good_refresh_recovers_and_rebuilds_nothing_the_failure_did_not_change(published, mirror_dir):
    # the good file lands again; the gate that refused the bad one runs again and passes; no
    # model was built from the bad file (the gate blocked it), so none is rebuilt and the
    # publication, which never held the bad figure, stays as it is
    before = digest(published / "csc.duckdb")
    run = csc("refresh", "--mirror", str(mirror_dir), warehouse=published)
    assert run.returncode == 0, run.stderr[-3000:]
    # the table's checks: its six suites and the dbt tests on it as a source
    assert "building what changed: 0 asset(s) and 7 check(s)" in run.stderr, run.stderr[-3000:]
    assert "raw/cla_number_and_rate_per_10k:raw_cla_number_and_rate_per_10k: failed in run" in run.stderr
    assert digest(published / "csc.duckdb") == before
    assert latest(published, "E08000025", 2025) == (2317, "published", "ees_2025")
    with duckdb.connect(str(published / "work.duckdb"), read_only=True) as con:
        counts = {
            r[0]
            for r in con.execute(
                "select children_count from raw.cla_number_and_rate_per_10k where _release = "
                "'ees_2025' and new_la_code = 'E08000025' and time_period = '2025'"
            ).fetchall()
        }
    assert "2317" in counts and "?" not in counts  # the work database holds the good file again
    assert "nothing to publish again" in run.stderr
    status = csc("status", warehouse=published)
    assert "SUCCESS" in status.stdout


def test_one_corrected_file_rebuilds_only_what_is_built_from_it(published, mirror_dir, tmp_path):
    mirror = copy_mirror(mirror_dir, tmp_path / "mirror")
    corrected, published_caseload = corrected_caseload((mirror / WORKFORCE_2025).read_bytes())
    write_apart(mirror / WORKFORCE_2025, corrected)
    assert latest(published, "E08000025", 2025, "sw_caseload_avg")[0] == published_caseload

    run = csc("refresh", "--mirror", str(mirror), warehouse=published)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "building what changed" in run.stderr and "raw/csww_indicators changed" in run.stderr
    assert latest(published, "E08000025", 2025, "sw_caseload_avg")[0] == pytest.approx(published_caseload + 0.1)

    # what the build run materialized: only the workforce table's descendants
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    descendants = dg.AssetSelection.assets(dg.AssetKey(["raw", "csww_indicators"])).downstream().resolve(graph)
    with dg.DagsterInstance.from_config(str(published / ".dagster")) as instance:
        (build,) = instance.get_runs(filters=dg.RunsFilter(job_name="build"), limit=1)
        built = {
            r.event_log_entry.dagster_event.asset_key
            for r in instance.get_records_for_run(
                build.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION, limit=10_000
            ).records
        }
        (ingest,) = instance.get_runs(filters=dg.RunsFilter(job_name="ingest"), limit=1)
        landed = {
            r.event_log_entry.dagster_event.asset_key
            for r in instance.get_records_for_run(
                ingest.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION, limit=10_000
            ).records
        }
    assert landed == {dg.AssetKey(["raw", "csww_indicators"])}  # the other 50 raw tables recorded nothing
    assert built <= descendants and dg.AssetKey(["marts", "fct_social_work_workforce"]) in built
    assert dg.AssetKey(["published", "csc_duckdb"]) in built
    assert not [k for k in built if k.path[-1].startswith(("stg_cla", "stg_cin", "stg_expenditure"))]

    # and the next refresh, from the CLI or the nightly schedule, finds nothing to do
    again = csc("refresh", "--mirror", str(mirror), warehouse=published)
    assert again.returncode == 0 and "nothing changed since the last build" in again.stderr, again.stderr[-3000:]
    tick = subprocess.run(
        [
            sys.executable,
            str(REPO_ROOT / "benchmarks" / "nightly_tick.py"),
            "--warehouse-dir",
            str(published),
            "--mirror",
            str(mirror),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        env=clean_env(),
    )
    assert tick.returncode == 0, tick.stderr[-3000:]
    assert "build skipped" in tick.stdout and "nothing changed" in tick.stdout
