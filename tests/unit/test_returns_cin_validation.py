"""DfE's CIN census rules (``csc-validator-be-cin``) run in their own environment on the shared
samples (../shared/returns/cin_census_fake: random data written by the package's authors, some
files made to fire particular rules): which rules fire, at which level, on which child's row; what
is refused and why; that nothing but the issues' child_id column names a child; and the page that
shows child-level and LA-level rules apart. Each validator run takes seconds: one run per file,
shared by the file's tests."""

from __future__ import annotations

import re
import stat
import xml.etree.ElementTree as ET
from pathlib import Path

import polars as pl
import pytest

from orchestration.lib.returns.validation import (
    ISSUE_SCHEMA,
    RulesRun,
    UnsupportedYearError,
    ValidationRunError,
    render_report,
    run_cin_rules,
)
from tests.support.helpers import real_mirror

SAMPLES = real_mirror().parent / "returns" / "cin_census_fake"
LA = "E09000001"


def identifiers(path: Path) -> set[str]:
    """What in the file names a child: LAchildID, UPN and FormerUPN values."""
    root = ET.parse(path).getroot()
    return {n.text for tag in ("LAchildID", "UPN", "FormerUPN") for n in root.iter(tag) if n.text}


def with_year(sample: str, year: int, dest: Path) -> Path:
    """A copy of ``sample`` whose header says ``year`` (the samples' headers mostly say 2023)."""
    text = (SAMPLES / sample).read_text(encoding="utf-8")
    dest.write_text(re.sub(r"<Year>\d{4}</Year>", f"<Year>{year}</Year>", text, count=1), encoding="utf-8")
    return dest


def found(run: RulesRun) -> dict[tuple[str, str | None, int | None], dict]:
    return {(r["rule_code"], r["table"], r["row_id"]): r for r in run.issues.to_dicts()}


def run_on(path: Path, year: int, work: Path) -> tuple[RulesRun, Path]:
    return run_cin_rules(path, year, LA, work), work


def owner_only(path: Path) -> bool:
    return stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.fixture(scope="module")
def header_100(tmp_path_factory):
    """CIN_header_issues_100.xml: its ReferenceDate (2023-03-28) is not 31 March of its <Year>."""
    return run_on(SAMPLES / "CIN_header_issues_100.xml", 2023, tmp_path_factory.mktemp("work"))


@pytest.fixture(scope="module")
def la_2887q(tmp_path_factory):
    """CIN_la_issues_2887Q.xml: the same child, its header right, two disability codes in the return."""
    return run_on(SAMPLES / "CIN_la_issues_2887Q.xml", 2023, tmp_path_factory.mktemp("work"))


@pytest.fixture(scope="module")
def two_children(tmp_path_factory):
    """CIN_Census_2024.xml: a second child (``child_fails_assessments``) whose episode is the
    second row of CINdetails."""
    return run_on(SAMPLES / "CIN_Census_2024.xml", 2023, tmp_path_factory.mktemp("work"))


@pytest.fixture(scope="module")
def newest(tmp_path_factory):
    """CIN_Census_2026.xml (the 2026-27 layout: ``Sex``, the pre-proceedings block) under the
    2026-27 rules, its header's <Year> made 2027."""
    folder = tmp_path_factory.mktemp("return")
    return run_on(with_year("CIN_Census_2026.xml", 2027, folder / "census.xml"), 2027, folder / "work")


@pytest.fixture(scope="module")
def many(tmp_path_factory):
    """fake_CIN_data.xml (332 children, pre-2025 ``GenderCurrent`` codes) under the 2024-25 rules,
    which read ``Sex``: none recorded, so LA-level rule 2886Q fires."""
    folder = tmp_path_factory.mktemp("return")
    return run_on(with_year("fake_CIN_data.xml", 2025, folder / "census.xml"), 2025, folder / "work")


@pytest.mark.slow
def test_a_header_rule_is_la_level_and_names_the_header_s_row_and_field(header_100):
    run, _ = header_100
    issues = found(run)
    assert run.issues.schema == pl.Schema(ISSUE_SCHEMA)
    assert run.rules_run == 105 and run.rules_failed == ()  # the 2022-23 rule set, every rule
    assert issues["100", "Header", 0] | {"rule_description": ""} == {
        "child_id": None,
        "table": "Header",
        "columns": "ReferenceDate",
        "row_id": 0,
        "rule_code": "100",
        "rule_description": "",
        "level": "la",
    }
    assert issues["1103", "CINdetails", 0]["child_id"] == "DfEX0000001"
    assert issues["1103", "CINdetails", 0]["level"] == "child"


@pytest.mark.slow
def test_an_la_level_rule_names_no_child_and_no_row_but_the_table_and_field_it_checks(la_2887q, header_100):
    run, _ = la_2887q
    issues = found(run)
    assert issues["2887Q", "Disabilities", None] | {"rule_description": ""} == {
        "child_id": None,
        "table": "Disabilities",
        "columns": "Disability",
        "row_id": None,
        "rule_code": "2887Q",
        "rule_description": "",
        "level": "la",
    }
    assert "Less than 8 disability codes" in issues["2887Q", "Disabilities", None]["rule_description"]
    assert "100" not in set(run.issues["rule_code"])  # its ReferenceDate is 31 March
    # the child-level rules are those of the same child in CIN_header_issues_100.xml
    child_rules = run.issues.filter(pl.col("level") == "child").drop("rule_description")
    same = header_100[0].issues.filter(pl.col("level") == "child").drop("rule_description")
    assert child_rules.sort(pl.all()).equals(same.sort(pl.all()))


@pytest.mark.slow
def test_each_row_names_the_child_it_belongs_to(two_children):
    run, _ = two_children
    issues = found(run)
    assert issues["1103", "CINdetails", 1]["child_id"] == "child_fails_assessments"
    assert issues["8897Q", "Assessments", 1]["child_id"] == "child_fails_assessments"
    assert issues["8897Q", "Assessments", 1]["columns"] == "AssessmentAuthorisationDate, AssessmentFactors"
    assert issues["4180", "ChildIdentifiers", 0]["child_id"] == "DfEX0000001"
    assert issues["4180", "ChildIdentifiers", 1]["child_id"] == "child_fails_assessments"
    assert issues["4180", "ChildIdentifiers", 1]["columns"] == "GenderCurrent"  # the 2022-23 rule
    assert {"100", "2887Q"} <= set(run.issues.filter(pl.col("level") == "la")["rule_code"])
    assert run.issues.unique(["rule_code", "table", "row_id"]).height == run.issues.height  # one row per rule and row


@pytest.mark.slow
def test_the_newest_rules_run_for_the_newest_year(newest):
    run, _ = newest
    issues = found(run)
    assert run.rules_run == 109 and run.rules_failed == ()
    # 1570 and 1580, new in 2024-25: an LAchildID with characters DfE does not allow
    assert issues["1570", "ChildIdentifiers", 1]["child_id"] == "child_fails_assessments"
    assert issues["1580", "ChildIdentifiers", 1]["columns"] == "LAchildID"
    assert issues["4180", "ChildIdentifiers", 0]["columns"] == "Sex"  # the 2024-25 rule reads Sex


@pytest.mark.slow
def test_rules_on_the_whole_return_across_many_children(many):
    run, _ = many
    la = run.issues.filter(pl.col("level") == "la")
    assert sorted(la["rule_code"]) == ["100", "2886Q", "2887Q"]
    assert la.filter(pl.col("rule_code") == "2886Q")["columns"].to_list() == ["ExpectedPersonBirthDate"]
    children = run.issues.filter(pl.col("level") == "child")
    assert children["child_id"].null_count() == 0 and (children["table"] != "Header").all()
    assert children["child_id"].n_unique() > 300


@pytest.mark.slow
@pytest.mark.parametrize("sample", ["header_100", "la_2887q", "two_children", "newest", "many"])
def test_nothing_but_the_child_id_column_names_a_child(sample, request):
    run, work = request.getfixturevalue(sample)
    path = {
        "header_100": SAMPLES / "CIN_header_issues_100.xml",
        "la_2887q": SAMPLES / "CIN_la_issues_2887Q.xml",
        "two_children": SAMPLES / "CIN_Census_2024.xml",
    }.get(sample, work.parent / "census.xml")
    ids = identifiers(path)
    others = run.issues.drop("child_id").select(pl.all().cast(pl.Utf8)).to_dicts()
    shown = " ".join(str(v) for row in others for v in row.values()) + " ".join(run.rules_failed)
    assert ids and not any(i in shown for i in ids)
    assert set(run.issues.filter(pl.col("child_id").is_not_null())["child_id"]) <= ids
    assert sorted(p.name for p in work.iterdir()) == ["validator.log"] and owner_only(work / "validator.log")


@pytest.mark.slow
def test_a_year_without_rules_is_unsupported(tmp_path):
    # fake_CIN_data.xml's header says 2022; the package's rules begin with 2022-23
    with pytest.raises(UnsupportedYearError, match=r"no CIN census rule set for collection year 2022; .* 2023, "):
        run_cin_rules(SAMPLES / "fake_CIN_data.xml", 2022, LA, tmp_path / "work")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, r"census\.xml: its header's <Year> is 2023, not the collection year 2025"),
        ("<EXPSSDA903><CHILD /></EXPSSDA903>", r"census\.xml: not a CIN census"),
        ("cut", r"census\.xml: not well-formed XML"),
    ],
    ids=["another year's census", "not a census", "cut short"],
)
def test_a_refused_file_says_why_and_names_no_child(tmp_path, content, expected):
    sample = SAMPLES / "CIN_Census_2024.xml"
    text = sample.read_text(encoding="utf-8")
    census = tmp_path / "census.xml"
    census.write_text(text[: len(text) // 2] if content == "cut" else content or text, encoding="utf-8")
    with pytest.raises(ValidationRunError, match=expected) as raised:
        run_cin_rules(census, 2025, LA, tmp_path / "work")
    assert not isinstance(raised.value, UnsupportedYearError)
    assert not any(i in str(raised.value) for i in identifiers(sample))


def issue(code: str, level: str, child: str | None, table: str | None, row: int | None) -> dict:
    return {
        "child_id": child,
        "table": table,
        "columns": "Disability",
        "row_id": row,
        "rule_code": code,
        "rule_description": f"Rule {code}.",
        "level": level,
    }


def test_the_report_shows_child_level_and_la_level_rules_apart_and_the_schema_s_places(tmp_path):
    issues = pl.DataFrame(
        [
            issue("8790", "child", "k1", "Disabilities", 3),
            issue("8790", "child", "k2", "Disabilities", 5),
            issue("100", "la", None, "Header", 0),
            issue("2887Q", "la", None, "Disabilities", None),
        ],
        schema=ISSUE_SCHEMA,
    )
    schema_issues = pl.DataFrame(
        {
            "line": [12, 40],
            "path": ["/Message/Children/Child[1]/ChildIdentifiers/Sex", "/Message/Children/Child[2]/CINdetails[1]"],
            "element": ["Sex", "CINdetails"],
            "problem": ["not one of M, F, U", "ReferralNFA missing"],
        }
    )
    html = render_report(
        issues,
        title="CIN census 2024-25: E09000001",
        summary={"LA": LA},
        out_path=tmp_path / "report.html",
        schema_issues=schema_issues,
    ).read_text(encoding="utf-8")
    child_part, la_part = html.split('id="level-child"')[1].split('id="level-la"')
    la_part, schema_part = la_part.split('id="schema"')
    assert 'id="rule-8790"' in child_part and 'id="rule-100"' not in child_part
    assert 'id="rule-100"' in la_part and 'id="rule-2887Q"' in la_part and 'id="rule-8790"' not in la_part
    assert "4 rows flagged by 3 rules, 2 children" in html  # the LA-level rows count no child
    assert '<td>Header</td><td class="num">0</td>' in la_part
    assert '<td class="num">12</td><td>/Message/Children/Child[1]/ChildIdentifiers/Sex</td>' in schema_part
    assert "CIN census 2024-25: E09000001" in html and owner_only(tmp_path / "report.html")
