"""End to end, live: `csc refresh` with no mirror, against loopback fakes of every publisher's
interface serving the real files (tests/support/fake_publishers.py).

1. From nothing, the live path lands every catalogued file through discovery and fixed links,
   and publishes the same marts as the mirror refresh of the session.
2. Then the publishers move on, with no edit to the catalogue or code: DfE publishes next
   year's children-looked-after release (built from the 2025 files, one year on, with a new-year
   count and a back-year revision), MHCLG replaces the RO3 and RSX workbooks of 2024-25 on their
   GOV.UK page (Coventry's return doubled), ONS is down, and the children-in-need release DfE
   announced has not come. The refresh lands both new vintages, lists exactly what they revised,
   asks the unchanged files only conditionally (304), keeps ONS's files and says it could not
   reach it, and warns that children in need is overdue.
3. The release sensor asks for an ingest run of exactly the families whose files changed (the build
   sensor then builds what they changed: tests/unit/test_plan.py, tests/e2e/test_refresh.py).
"""

import subprocess
from datetime import date, timedelta

import dagster as dg
import duckdb
import pytest

from orchestration.lib.ingest.catalogue import load_catalogue
from tests.support.fake_publishers import FakePublishers
from tests.support.helpers import clean_env, clone_warehouse, csc_command, csc_status
from tests.support.synthetic_releases import next_ees_release, revised_ods

pytestmark = pytest.mark.e2e

CLA = "children-looked-after-in-england-including-adoptions"
CIN = "characteristics-of-children-in-need"
WORKFORCE = "children-s-social-work-workforce"
RO_PAGE = (
    "/government/statistics/local-authority-revenue-expenditure-and-financing-england-2024-to-2025-"
    "individual-local-authority-data-outturn"
)
RO_FILES = {
    "RO3_LA_Data_2024-25_data_by_LA.ods": "RO3_LA_Data_202425",
    "RSX_LA_Data_2024-25_data_by_LA.ods": "RSX_LA_Data_202425",
}
BIRMINGHAM_CLA = {"new_la_code": "E08000025", "population_type": "Children looked after on 31 March each year"}


def csc(*args, warehouse, fake):
    return subprocess.run(
        csc_command(*args, "--warehouse-dir", str(warehouse)),
        capture_output=True,
        text=True,
        timeout=900,
        env=clean_env(**fake.env()),
    )


# the projections rest on each release's publication day, which the fakes set relative to today
# (the mirror's come from the catalogue): they are compared apart
DATED = ("fct_projection", "fct_projection_backtest", "fct_projection_input", "mart_projection_accuracy")


def marts_digest(path):
    with duckdb.connect(str(path), read_only=True) as con:
        tables = [
            r[0]
            for r in con.execute(
                "select table_name from duckdb_tables() where schema_name = 'marts' order by 1"
            ).fetchall()
            if r[0] not in DATED
        ]
        return {
            t: con.execute(f"select count(*), sum(hash(x)::hugeint) from marts.{t} as x").fetchone() for t in tables
        }


def query(warehouse, sql, params=()):
    with duckdb.connect(str(warehouse / "csc.duckdb"), read_only=True) as con:
        return con.execute(sql, params).fetchall()


@pytest.fixture(scope="module")
def fake(mirror_dir):
    with FakePublishers(load_catalogue(), mirror_dir) as publishers:
        yield publishers


@pytest.fixture(scope="module")
def live(fake, tmp_path_factory):
    warehouse = tmp_path_factory.mktemp("live") / "warehouse"
    run = csc("refresh", warehouse=warehouse, fake=fake)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "from the publishers (live discovery)" in run.stderr
    return warehouse


def test_a_live_refresh_lands_every_catalogued_file_and_publishes_what_the_mirror_does(live, published_warehouse, fake):
    assert marts_digest(live / "csc.duckdb") == marts_digest(published_warehouse / "csc.duckdb")
    # the projections take the publishers' days: the newest release a month ago, so the origin is the
    # 1 February after it, and every input was published by its origin or is marked
    newest = date.today() - timedelta(days=30)
    assert query(live, "select distinct origin_year from marts.fct_projection") == [
        (newest.year + (1 if (newest.month, newest.day) >= (2, 1) else 0),)
    ]
    assert query(
        live, "select count(*) from marts.fct_projection_input where published_on > origin_date and not is_fallback"
    ) == [(0,)]
    assert query(live, "select count(*) > 0 from marts.fct_projection where is_chosen and area_level = 'la'") == [
        (True,)
    ]
    catalogue = load_catalogue()
    rows = query(live, "select family, release, file, located_by, sha256, url, is_new from meta.release_index")
    assert {(f, r, fl) for f, r, fl, *_ in rows} == {(r.family, r.release, r.file) for r in catalogue.releases}
    assert not any(is_new for *_, is_new in rows)
    by_way = {}
    for family, release, file, located_by, sha, url, _ in rows:
        assert sha and url, (family, release, file)
        by_way.setdefault(located_by.split(" http")[0], set()).add(catalogue.family(family).source)
    # every source reached through its publisher's interface, the rest through fixed links
    assert by_way == {
        "EES content API": {"cla", "cin", "workforce"},
        "GOV.UK Content API": {"expenditure", "ofsted", "deprivation"},
        "ONS website page JSON": {"population"},
        "fixed link": {"cla", "expenditure", "ofsted", "population", "lookups"},
    }
    # each file's bytes came once; the sha256 pins held (the refresh would have stopped)
    files = {
        p: n for p, n in fake.sent.items() if "/files/" in p or p.startswith(("/assets/", "/github/", "/ons/file"))
    }
    assert len(files) == len({(r.source, r.release, r.file) for r in catalogue.releases}) and set(files.values()) == {1}
    status = query(live, "select source, reachable, overdue from meta.source_status order by source")
    assert {source for source, *_ in status} == {s.name for s in catalogue.sources}  # a row for every source
    assert all(reachable for _, reachable, _ in status) and not any(overdue for *_, overdue in status)


def test_the_archive_exports_as_a_mirror_an_air_gapped_machine_can_refresh_from(live, mirror_dir, tmp_path):
    export = subprocess.run(
        csc_command("mirror", "export", str(tmp_path / "mirror"), "--warehouse-dir", str(live)),
        capture_output=True,
        text=True,
        timeout=300,
        env=clean_env(),
    )
    assert export.returncode == 0, export.stderr
    releases = load_catalogue().releases
    written = sorted(
        p.relative_to(tmp_path / "mirror").as_posix() for p in (tmp_path / "mirror").rglob("*") if p.is_file()
    )
    assert written == sorted({str(r.relative_path) for r in releases}) and written
    for path in written:
        assert (tmp_path / "mirror" / path).read_bytes() == (mirror_dir / path).read_bytes(), path


def test_new_releases_arrive_as_vintages_with_no_edit_and_a_publisher_that_is_down_is_not_a_failed_night(
    live, fake, mirror_dir, tmp_path_factory
):
    warehouse = clone_warehouse(live, tmp_path_factory.mktemp("next") / "warehouse")
    today = date.today()
    # DfE publishes next year's children looked after: 2026 one year on, Birmingham's 2026 count, and 2024 revised
    cla_2026 = next_ees_release(
        mirror_dir / "cla" / "ees_2025",
        {
            "cla_number_and_rate_per_10k_children.csv": [
                ({**BIRMINGHAM_CLA, "time_period": "2026"}, "children_count", "2320"),
                ({**BIRMINGHAM_CLA, "time_period": "2024"}, "children_count", "2301"),
            ]
        },
    )
    fake.add_ees_release(CLA, "2026", cla_2026, f"{today - timedelta(days=2)}T09:30:00Z")
    # MHCLG replaces the 2024-25 workbooks on their page: Coventry's resubmitted return
    revised_on = today - timedelta(days=1)
    for name, sheet in RO_FILES.items():
        fake.replace_govuk_attachment(
            RO_PAGE,
            name,
            revised_ods(fake.govuk[RO_PAGE].attachments[name], sheet, "E08000026"),
            f"{revised_on}T09:30:00Z",
        )
    # ONS is down; children in need was announced for 20 days ago and its last release is a year old
    fake.down = {"/ons/"}
    fake.ees[CIN].next_release = {
        "year": (today - timedelta(days=20)).year,
        "month": (today - timedelta(days=20)).month,
        "day": (today - timedelta(days=20)).day,
    }
    for release in fake.ees[CIN].releases:
        release.published = f"{date.fromisoformat(release.published[:10]) - timedelta(days=400)}T09:30:00Z"
    sent_before = dict(fake.sent)

    run = csc("refresh", warehouse=warehouse, fake=fake)
    assert run.returncode == 0, run.stderr[-3000:]

    new = query(warehouse, "select family, release, file from meta.release_index where is_new order by 1")
    revision = f"mhclg_ro_2024-25_second_release_revised_{revised_on}"
    assert new == [
        ("care_leavers_accommodation", "ees_2026", "la_care_leavers_accommodation_suitability.csv"),
        ("care_leavers_activity", "ees_2026", "la_care_leavers_activity.csv"),
        ("cla_number_and_rate_per_10k", "ees_2026", "cla_number_and_rate_per_10k_children.csv"),
        ("cla_placement_stability", "ees_2026", "la_cla_placement_stability.csv"),
        ("mhclg_ro3_social_care", revision, "RO3_LA_Data_2024-25_data_by_LA.ods"),
        ("mhclg_rsx_service_summary", revision, "RSX_LA_Data_2024-25_data_by_LA.ods"),
    ]
    # the new year is in the marts, and the one back-year value it changed is listed as a revision
    assert query(
        warehouse,
        "select value, release from marts.fct_la_indicator where la_code = 'E08000025' "
        "and time_period = 2026 and indicator_id = 'cla_count' and is_latest",
    ) == [(2320, "ees_2026")]
    assert query(
        warehouse,
        "select la_code, time_period, indicator_id, earlier_release, earlier_value, later_value "
        "from marts.fct_la_indicator_revision where later_release = 'ees_2026'",
    ) == [("E08000025", 2024, "cla_count", "ees_2025", 2296, 2301)]
    # the GOV.UK revision: every Coventry figure of 2024-25 doubled, nothing else
    ro = query(
        warehouse,
        "select la_code, time_period, earlier_release, round(later_value / earlier_value, 9) from marts.fct_la_indicator_revision "
        "where later_release = ? order by indicator_id",
        [revision],
    )
    assert ro and {(la, year, earlier, ratio) for la, year, earlier, ratio in ro} == {
        ("E08000026", 2025, "mhclg_ro_2024-25_second_release", 2.0)
    }
    # the pinned second release stays a vintage of its own
    assert query(
        warehouse, "select count(*) from meta.refresh_source_files where release = 'mhclg_ro_2024-25_second_release'"
    ) == [(2,)]
    # unchanged files cost a 304: only the new and replaced files were sent again
    sent_now = {p: n - sent_before.get(p, 0) for p, n in fake.sent.items() if n > sent_before.get(p, 0)}
    file_paths = [p for p in sent_now if "/files/" in p or p.startswith(("/assets/", "/github/", "/ons/file"))]
    assert sorted(p.rsplit("/", 1)[-1] for p in file_paths if p.startswith("/assets/")) == sorted(RO_FILES)
    assert len([p for p in file_paths if "/files/" in p]) == 4 and set(sent_now[p] for p in file_paths) == {1}
    assert len(file_paths) == 6
    # ONS could not be reached: its files stay as landed, and the publication says so
    assert query(
        warehouse,
        "select reachable, error like '%failed after%503%' from meta.source_status where source = 'population'",
    ) == [(False, True)]
    assert query(
        warehouse,
        "select count(*) from meta.release_index where family = 'ons_mye2_persons' and located_by = 'landed copy'",
    ) == [(2,)]
    status = csc_status(warehouse).stdout
    assert "population: publisher not reached" in status
    # children in need is overdue: a warning in the run, in Dagster's check and in csc status; nothing blocked
    assert query(warehouse, "select overdue from meta.source_status where source = 'cin'") == [(True,)]
    assert "cin: release overdue" in status and "new release cla/ees_2026: 4 file(s)" in status
    assert "warning: raw/cin_b1_children_in_need:release_on_time: overdue" in run.stderr
    with dg.DagsterInstance.from_config(str(warehouse / ".dagster")) as instance:
        record = instance.get_latest_asset_check_evaluation_record(
            dg.AssetCheckKey(dg.AssetKey(["raw", "cin_b1_children_in_need"]), "release_on_time")
        )
        evaluation = record.event.dagster_event.event_specific_data
        assert not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.WARN


def test_the_release_sensor_asks_for_exactly_the_changed_families(mirror_dir, warehouse, monkeypatch):
    from orchestration.definitions import defs

    with FakePublishers(load_catalogue(), mirror_dir) as publishers:
        for key, value in publishers.env().items():
            monkeypatch.setenv(key, value)
        repository = defs.get_repository_def()
        sensor = repository.get_sensor_def("new_releases")
        with dg.instance_for_test() as instance:

            def tick(cursor):
                context = dg.build_sensor_context(instance=instance, repository_def=repository, cursor=cursor)
                return sensor(context), context.cursor

            first, cursor = tick(None)
            assert isinstance(first, dg.SkipReason) and "first poll" in first.skip_message
            quiet, cursor = tick(cursor)
            assert isinstance(quiet, dg.SkipReason) and "nothing new" in quiet.skip_message
            publishers.add_ees_release(
                WORKFORCE, "2026", next_ees_release(mirror_dir / "workforce" / "ees_2025"), f"{date.today()}T09:30:00Z"
            )
            ro3 = "RO3_LA_Data_2024-25_data_by_LA.ods"
            publishers.replace_govuk_attachment(
                RO_PAGE,
                ro3,
                revised_ods(publishers.govuk[RO_PAGE].attachments[ro3], RO_FILES[ro3], "E08000026"),
                f"{date.today()}T09:30:00Z",
            )
            request, _ = tick(cursor)
    assert isinstance(request, dg.RunRequest)
    keys = {k.to_user_string() for k in request.asset_selection}
    # the RSX workbook on the same page did not change: its family is not asked for; the two
    # sources' answers are recorded with them (the ingest step writes them either way)
    assert keys == {
        "raw/csww_indicators",
        "raw/mhclg_ro3_social_care",
        "meta/source_status/workforce",
        "meta/source_status/expenditure",
    }
    assert sensor.job_name == "ingest"
    assert request.tags["csc/families"] == "csww_indicators,mhclg_ro3_social_care"


def test_a_night_a_publisher_refuses_connections_says_so_in_status_and_in_the_publication(
    live, mirror_dir, tmp_path_factory
):
    """After a good live refresh, a night when the EES content API refuses connections and nothing
    else changed: the refresh carries on with the files already landed and exits 0; `csc status`
    and the published meta.source_status say that cla, cin and workforce were not reached (their
    answer is an asset, so the publication is put out again for it); each kept file's line says
    the copy landed earlier is kept and why, without a contradiction; a second such night builds
    nothing."""
    import socket

    warehouse = clone_warehouse(live, tmp_path_factory.mktemp("ees-down") / "warehouse")
    with socket.socket() as closed:  # a port nothing listens on: connections are refused
        closed.bind(("127.0.0.1", 0))
        refused = f"http://127.0.0.1:{closed.getsockname()[1]}/api"

    def refresh(env):
        return subprocess.run(
            csc_command("refresh", "--warehouse-dir", str(warehouse)),
            capture_output=True,
            text=True,
            timeout=900,
            env=env,
        )

    # publishers serving what they served the good refresh (the module's fake has moved on since)
    with FakePublishers(load_catalogue(), mirror_dir) as fresh:
        env = clean_env(**{**fresh.env(), "CSC_EES_CONTENT_API_URL": refused})
        run = refresh(env)
        assert run.returncode == 0, run.stderr[-3000:]
        kept = [line for line in run.stderr.splitlines() if "kept the copy landed" in line]
        assert kept and not [line for line in kept if "no copy of it is landed" in line]
        # why: the publisher could not be asked, or (a release with a fixed link) the link could not be fetched
        assert all("the publisher could not be asked" in line or "failed after" in line for line in kept), kept
        assert sum("the publisher could not be asked" in line for line in kept) > len(kept) / 2
        assert "published" in run.stderr  # what the publishers answered changed: meta.source_status is published again
        answered = query(warehouse, "select source, reachable from meta.source_status order by source")
        assert {s for s, reachable in answered if not reachable} == {"cla", "cin", "workforce"}
        status = csc_status(warehouse).stdout
        for source in ("cla", "cin", "workforce"):
            assert f"{source}: publisher not reached" in status
        assert "population: publisher not reached" not in status
        # a second such night changes nothing more: nothing to build, the status still says not reached
        again = refresh(env)
        assert again.returncode == 0 and "nothing changed since the last build" in again.stderr, again.stderr[-3000:]
        assert query(warehouse, "select count(*) from meta.source_status where not reachable") == [(3,)]
