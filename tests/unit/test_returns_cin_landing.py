"""An LA's CIN census from `csc returns add` to its figures, through the code the pipeline runs:
the inbox, landing and pseudonymisation, counting (sql/cin_census_figures.sql, whose rules
test_returns_cin_counting.py takes one by one on hand-built tables), and the partition's Dagster
run with its checks. Files are written here (tests/support/cin_xml.py); DfE's validator is stood
in for (test_returns_cin_validation.py runs the real one)."""

from __future__ import annotations

import stat

import dagster as dg
import duckdb
import polars as pl
import pytest

from orchestration.definitions import defs
from orchestration.lib.returns import adding, census_landing, counting, figures, inbox, private, step, validation
from orchestration.lib.returns.ssda903 import ReturnFileError
from orchestration.settings import Settings, get_settings
from tests.support.cin_xml import Child, Enquiry, Episode, Plan, write_census

LA = "E06000009"
CHILD_IDS = ("LA0001", "LA0002", "LA0003", "LA0004")


def this_year() -> list[Child]:
    """The 2024-25 census: an NFA referral left open at 31 March; a child re-referred 11 months
    after a referral held only in last year's return; a child with an enquiry from before the
    year whose conference is inside it and a plan still open; a referral assessed not in need."""
    return [
        Child("LA0001", episodes=[Episode("2024-05-01", nfa=True)]),
        Child("LA0002", episodes=[Episode("2024-08-15", assessments=[("2024-08-16", "2024-08-23")])]),
        Child(
            "la0003",  # the LA's system writes this child's id in lower case this year: the same child
            birth="2012-02-29",
            episodes=[
                Episode(
                    "2024-03-01",
                    enquiries=[Enquiry("2024-03-20", conference="2024-04-10")],
                    plans=[Plan("2024-04-10", previous=1)],
                )
            ],
        ),
        Child("LA0004", episodes=[Episode("2024-06-01", closure="2024-06-20", reason="RC8")]),
    ]


def last_year() -> list[Child]:
    return [
        Child("LA0002", episodes=[Episode("2023-09-20", closure="2024-01-10", reason="RC1")]),
        Child("LA0003", birth="2012-02-29", episodes=[Episode("2022-01-05", closure="2022-06-01", reason="RC1")]),
    ]


@pytest.fixture
def settings(warehouse, monkeypatch) -> Settings:
    monkeypatch.delenv("CSC_RETURNS_DIR", raising=False)
    return get_settings()


@pytest.fixture
def counted(settings, tmp_path) -> pl.DataFrame:
    for year, children in ((2024, last_year()), (2025, this_year())):
        sent = write_census(tmp_path / "sent" / str(year) / "census.xml", year, children)
        ret, added = adding.add_files(settings, [sent], "E06000009", year)
        assert ret.kind == inbox.CIN_CENSUS and added[0].tables[:2] == ("children", "episodes")
        census_landing.land_census(settings, ret)
    return counting.count_returns(settings)


def number(figures: pl.DataFrame, measure: str, year: int = 2025) -> float | None:
    found = figures.filter(
        (pl.col("measure") == measure) & (pl.col("collection_year") == year) & (pl.col("breakdown") == "Total")
    )
    return found["number"].item() if found.height else None


def test_a_census_counts_the_published_way_through_landing(counted):
    # in the year: the NFA referral and the not-in-need one too; LA0003's, in March 2024, is last year's
    assert number(counted, "referrals_count") == 3
    assert number(counted, "referrals_nfa_count") == 1
    assert number(counted, "assessed_not_in_need_count") == 1
    # the NFA referral left open at 31 March is never a child in need; LA0002 and LA0003 are
    assert number(counted, "cin_count") == 2
    assert number(counted, "cin_episodes_started_count") == 3 - 1 - 1
    # the enquiry from before the year is not the year's; its conference, inside it, is
    assert (number(counted, "s47_enquiries_count"), number(counted, "icpc_count")) == (0, 1)
    assert (number(counted, "cpp_started_count"), number(counted, "cpp_subsequent_count")) == (1, 1)
    assert number(counted, "cpp_count") == 1
    # LA0002's previous referral, 11 months before, is only in last year's return: it is seen
    assert number(counted, "rereferrals_count") == 1
    assert number(counted, "assessments_count") == 1
    assert number(counted, "assessment_duration_median_days") == 5  # 16 to 23 August 2024: five working days
    note = counted.filter(pl.col("measure") == "rereferrals_count", pl.col("collection_year") == 2025)["note"]
    assert "look-back" in note.item() and "2024" in note.item()


def test_dfes_identities_hold_on_the_counts_of_a_return(counted):
    for year in (2024, 2025):
        assert number(counted, "cin_episodes_started_count", year) == number(counted, "referrals_count", year) - number(
            counted, "referrals_nfa_count", year
        ) - number(counted, "assessed_not_in_need_count", year)
        assert number(counted, "cin_episodes_count", year) == number(
            counted, "cin_episodes_ended_count", year
        ) + number(counted, "cin_count", year)


def test_a_census_lands_pseudonymised_and_owner_only(counted, settings):
    with private.connect(settings, read_only=True) as con:
        children = con.execute(
            "select collection_year, lachildid, personbirthdate, age_at_31_march from cin_census_children "
            "order by collection_year, age_at_31_march"
        ).fetchall()
        columns = {r[0] for r in con.execute("describe cin_census_children").fetchall()}
        text = " ".join(
            str(v)
            for table in ("cin_census_children", "cin_census_episodes", "cin_census_cp_plans")
            for row in con.execute(f"select * from {table}").fetchall()
            for v in row
        )
    assert not {"upn", "formerupn"} & columns
    assert not any(child in text.upper() for child in CHILD_IDS)  # la0003 is sent in lower case
    # a child's pseudonym is the same in both years' returns, whatever the case of the id
    pseudonyms = {year: {row[1] for row in children if row[0] == year} for year in (2024, 2025)}
    assert len(pseudonyms[2024] & pseudonyms[2025]) == 2
    # the date of birth goes to the month; the age was worked out first (29 Feb 2012: 13 on 31 March 2025)
    leapling = [row for row in children if row[0] == 2025 and row[2].month == 2 and row[2].year == 2012]
    assert [(row[2].day, row[3]) for row in leapling] == [(1, 13)]
    modes = {stat.S_IMODE(p.stat().st_mode) for p in settings.private_dir.rglob("*") if p.is_file()}
    assert modes == {0o600}


def test_what_leaves_is_shown_as_dfe_shows_it(counted, settings):
    with duckdb.connect(str(settings.duckdb_path)) as con:
        figures.collect(con, settings)
        left = con.execute(
            "select measure, value, is_count, status from raw.la_return_figures "
            "where collection_year = 2025 and breakdown = 'Total'"
        ).fetchall()
    shown = {m: (v, c, s) for m, v, c, s in left}
    assert shown["referrals_count"] == (None, True, "provisional_suppressed")  # 3 referrals: shown as c
    # the median of one assessment describes that one child: it goes with its count
    assert shown["assessment_duration_median_days"] == (None, False, "provisional_suppressed")
    assert shown["s47_enquiries_count"] == (0, True, "provisional")  # none discloses no child


def totals(**numbers: int) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {"la_code": LA, "collection_year": 2025, "measure": m, "breakdown": "Total", "category": "Total",
             "number": float(n), "is_count": True, "based_on": None}
            for m, n in numbers.items()
        ],
        schema_overrides={"based_on": pl.Int64},
    )  # fmt: skip


def test_a_suppressed_count_is_not_given_away_by_the_counts_it_adds_up_with():
    # 100 referrals = 3 with no further action + 20 not in need + 77 episodes started: with the
    # NFA count alone suppressed, 100 - 20 - 77 would give it back
    shown = counting.suppress(
        totals(referrals_count=100, referrals_nfa_count=3, assessed_not_in_need_count=20, cin_episodes_started_count=77)
    )
    gone = set(shown.filter(pl.col("suppressed"))["measure"])
    assert gone == {"referrals_nfa_count", "assessed_not_in_need_count"}
    # ended + open = at any point: one part suppressed takes the smaller other count with it
    shown = counting.suppress(totals(cin_episodes_count=60, cin_episodes_ended_count=4, cin_count=56))
    assert set(shown.filter(pl.col("suppressed"))["measure"]) == {"cin_episodes_ended_count", "cin_count"}
    # nothing suppressed, or a zero beside the total: nothing to give away
    shown = counting.suppress(totals(cin_episodes_count=60, cin_episodes_ended_count=0, cin_count=60))
    assert not shown["suppressed"].any()


def test_a_median_goes_with_the_few_assessments_it_is_the_median_of():
    figures = pl.concat(
        [
            totals(assessments_count=40),
            totals(assessment_duration_median_days=12).with_columns(
                pl.lit(False).alias("is_count"), pl.lit(3, dtype=pl.Int64).alias("based_on")
            ),
        ]
    )
    shown = counting.suppress(figures)
    assert shown.filter(pl.col("measure") == "assessment_duration_median_days")["suppressed"].to_list() == [True]
    assert shown.filter(pl.col("measure") == "assessments_count")["suppressed"].to_list() == [False]
    unsure = figures.with_columns(pl.when(pl.col("is_count")).then(None).otherwise(40).alias("based_on"))
    shown = counting.suppress(unsure.with_columns(pl.col("based_on").cast(pl.Int64)))
    assert not shown["suppressed"].any()


def test_a_census_of_another_year_or_kind_is_refused_and_nothing_is_copied(settings, tmp_path):
    sent = write_census(tmp_path / "census.xml", 2024, this_year())
    with pytest.raises(ReturnFileError, match=r"census.xml: a CIN census for collection year 2024 .*expected 2025"):
        adding.add_files(settings, [sent], LA, 2025)
    school = tmp_path / "school.xml"
    school.write_text(sent.read_text().replace("<Collection>CIN<", "<Collection>SCHOOL<"), encoding="utf-8")
    with pytest.raises(ReturnFileError, match=r"school.xml: not a CIN census"):
        adding.add_files(settings, [school], LA, 2024)
    header = tmp_path / "header.csv"
    header.write_text("CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n", encoding="utf-8")
    with pytest.raises(ReturnFileError, match=r"an SSDA903 return and a CIN census: add each return on its own"):
        adding.add_files(settings, [sent, header], LA, 2024)
    assert not settings.inbox_dir.exists() or not any(settings.inbox_dir.rglob("*.xml"))


def test_a_census_sent_again_under_another_name_replaces_the_first(settings, tmp_path):
    first = write_census(tmp_path / "census_v1.xml", 2025, this_year())
    adding.add_files(settings, [first], LA, 2025)
    second = write_census(tmp_path / "census_v2.xml", 2025, this_year()[:2])
    ret, _ = adding.add_files(settings, [second], LA, 2025)
    assert [p.name for p in ret.files] == ["census_v2.xml"]
    # beside the LA's SSDA903 return for the year, in the same folder
    (ret.folder / "header.csv").write_text("CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n", encoding="utf-8")
    returns, problems = inbox.survey(settings)
    assert sorted(r.kind for r in returns) == ["cin_census", "ssda903"] and problems == []


@pytest.fixture
def rules(monkeypatch):
    """DfE's rules, stood in for: one child-level issue and one on the return as a whole."""

    def run(file, year, la_code, work_dir):
        issues = pl.DataFrame(
            [
                {"child_id": "LA0001", "table": "CINdetails", "columns": "ReferralSource", "row_id": 0,
                 "rule_code": "8866", "rule_description": "Source of referral must be present", "level": "child"},
                {"child_id": None, "table": "Header", "columns": "ReferenceDate", "row_id": 0,
                 "rule_code": "100", "rule_description": "Reference date is incorrect", "level": "la"},
            ],
            schema=validation.ISSUE_SCHEMA,
        )  # fmt: skip
        return validation.RulesRun(issues, rules_run=105, rules_failed=())

    monkeypatch.setattr(validation, "run_cin_rules", run)


def test_a_census_runs_in_its_own_partition_with_its_checks(settings, tmp_path, rules):
    children = this_year()
    children[1].sex = "X"  # a code the schema does not have
    write_census(settings.inbox_dir / LA / "2025" / "census.xml", 2025, children)
    with dg.instance_for_test() as instance:
        sensor = defs.resolve_sensor_def("returns_inbox")
        result = sensor(dg.build_sensor_context(instance=instance, repository_def=defs.get_repository_def()))
        (request,) = result.run_requests
        assert request.partition_key == f"{LA}-2025" and request.asset_selection == [step.CIN_LANDED]
        instance.add_dynamic_partitions(step.PARTITIONS.name, [request.partition_key])
        run = defs.resolve_job_def("returns").execute_in_process(
            instance=instance, partition_key=request.partition_key, asset_selection=request.asset_selection
        )
        assert run.success
        checks = {
            e.dagster_event.event_specific_data.check_name: e.dagster_event.event_specific_data
            for e in instance.all_logs(run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)
        }
        stored = " ".join(str(e) for e in instance.all_logs(run.run_id))
    assert set(checks) == {"schema", "dfe_child_rules", "dfe_la_rules"}
    assert not checks["schema"].passed and checks["schema"].metadata["departures"].value == "c"  # one, as DfE shows it
    assert checks["schema"].metadata["by_element"].value[0]["element"] == "Sex"
    assert checks["dfe_child_rules"].metadata["issues_by_rule"].value == {"8866": "c"}
    assert checks["dfe_la_rules"].metadata["issues_by_rule"].value == {"100": "c"}
    assert not any(child in stored for child in CHILD_IDS)  # Dagster's event log names no child
    report = settings.private_dir / "reports" / LA / "2025" / "cin_census_validation.html"
    assert "8866" in report.read_text(encoding="utf-8") and "LA0001" not in report.read_text(encoding="utf-8")


def test_a_partition_run_of_both_returns_lands_the_one_the_la_sent(settings, rules):
    """A run of the whole returns job for an LA and year (as the UI's materialize-all starts one)
    lands the census it holds and skips the SSDA903 return it does not, without failing."""
    write_census(settings.inbox_dir / LA / "2025" / "census.xml", 2025, this_year())
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions(step.PARTITIONS.name, [f"{LA}-2025"])
        run = defs.resolve_job_def("returns").execute_in_process(instance=instance, partition_key=f"{LA}-2025")
        materialized = {
            e.asset_key for e in run.get_asset_materialization_events() for e in [e.event_specific_data.materialization]
        }
    assert run.success and materialized == {step.CIN_LANDED}
