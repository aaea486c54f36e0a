"""DfE's SSDA903 rules run in their own environment on a hand-made return, what a failed run tells
(no child's id), and the HTML page of the issues."""

import stat
import sys
from pathlib import Path

import polars as pl
import pytest

from orchestration.lib.returns import validation
from orchestration.lib.returns.validation import (
    ISSUE_SCHEMA,
    UnsupportedYearError,
    ValidationRunError,
    render_report,
    run_ssda903_rules,
    summarise,
)

HEADER = """CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB
1001,1,01/02/2012,WBRI,A123456789012,,
1002,2,15/06/2010,WBRI,A123456789013,,
ab03,1,20/11/2014,WBRI,A123456789014,,
"""
# Row 1: the episode ceases (DEC) before it starts (DECOM), DfE's rule 356. Row 2: a legal status
# code that does not exist (ZZ), rule 144; its child id is lower case, as a file may have it.
EPISODES = """CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN
1001,01/05/2024,S,C2,N1,U1,PR1,,,,,,
1002,10/06/2024,S,C2,N1,U1,PR1,01/06/2024,E11,,,,
ab03,01/07/2024,S,ZZ,N1,U1,PR1,,,,,,
"""
CHILD_IDS = ("1001", "1002", "ab03")
# The XML form of the same three children: every table inside one CHILD element per child.
XML = "<EXPSSDA903>{}</EXPSSDA903>".format(
    "".join(
        f"<CHILD><HEADER><CHILDID>{child}</CHILDID><UPN>A12345678901{n}</UPN><SEX>{sex}</SEX><DOB>{dob}</DOB>"
        f"<ETHNIC>WBRI</ETHNIC><UASC /><MOTHER /><MC_DOB /></HEADER><EPISODE><DECOM>{decom}</DECOM><RNE>S</RNE>"
        f"<LS>{ls}</LS><CIN>N1</CIN><PL>U1</PL><PLACE_PROVIDER>PR1</PLACE_PROVIDER><DEC>{dec}</DEC><REC>{rec}</REC>"
        "</EPISODE></CHILD>"
        for n, (child, sex, dob, decom, ls, dec, rec) in enumerate(
            [
                ("1001", 1, "01/02/2012", "01/05/2024", "C2", "", ""),
                ("1002", 2, "15/06/2010", "10/06/2024", "C2", "01/06/2024", "E11"),
                ("ab03", 1, "20/11/2014", "01/07/2024", "ZZ", "", ""),
            ]
        )
    )
)


def write_return(folder: Path, **tables: str) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in tables.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
        paths.append(folder / f"{name}.csv")
    return paths


def owner_only(path: Path) -> bool:
    return stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.slow
def test_the_rules_find_an_episode_ending_before_it_starts_and_an_unknown_legal_status(tmp_path):
    files = write_return(tmp_path / "return", header=HEADER, episodes=EPISODES)
    run = run_ssda903_rules(files, 2025, "E06000009", tmp_path / "work")
    issues = run.issues
    assert run.rules_run > 100  # the 2024-25 rule set, every rule that has its tables
    assert issues.schema == pl.Schema(ISSUE_SCHEMA)
    found = {(r["rule_code"], r["table"], r["row_id"]): r for r in issues.to_dicts()}
    assert found["356", "Episodes", 1]["child_id"] == "1002"
    assert found["144", "Episodes", 2]["child_id"] == "ab03"  # as filed, not as the rules upper-case it
    assert found["144", "Episodes", 2]["columns"] == "LS"
    assert not issues.filter(pl.col("rule_code").is_in(["356", "144"]) & (pl.col("row_id") == 0)).height
    assert issues.unique(["rule_code", "table", "row_id"]).height == issues.height  # one row per rule and row
    assert sorted(p.name for p in (tmp_path / "work").iterdir()) == ["validator.log"]
    assert owner_only(tmp_path / "work" / "validator.log")


@pytest.mark.slow
def test_the_xml_form_is_read_whole_and_its_children_named_as_filed(tmp_path):
    (tmp_path / "return.xml").write_text(XML, encoding="utf-8")
    issues = run_ssda903_rules([tmp_path / "return.xml"], 2025, "E06000009", tmp_path / "work").issues
    found = {(r["rule_code"], r["table"], r["row_id"]): r["child_id"] for r in issues.to_dicts()}
    assert found["356", "Episodes", 1] == "1002" and found["144", "Episodes", 2] == "ab03"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("year", "tables", "error", "expected"),
    [
        (
            2021,
            {"header": HEADER},
            UnsupportedYearError,
            r"no SSDA903 rule set for collection year 2021; the installed package has (\d{4}, )+",
        ),
        (
            2025,
            {"header": HEADER.split("\n", 1)[1]},
            ValidationRunError,
            r"header\.csv: its columns are those of no SSDA903 table",
        ),
        (
            2025,
            {"header": HEADER, "header_again": HEADER},
            ValidationRunError,
            r"header\.csv and header_again\.csv are both the Header",
        ),
    ],
    ids=["unsupported year", "no header line", "two files for one table"],
)
def test_a_refused_return_says_why_and_names_no_child(tmp_path, year, tables, error, expected):
    files = write_return(tmp_path / "return", **tables)
    with pytest.raises(error, match=expected) as raised:
        run_ssda903_rules(files, year, "E06000009", tmp_path / "work")
    assert not any(child in str(raised.value) for child in CHILD_IDS)


def test_a_failed_run_points_to_its_private_log_and_names_no_child(tmp_path, monkeypatch):
    runner = tmp_path / "crashing_runner.py"
    runner.write_text(
        "import sys\nprint('row 1002, 15/06/2010')\nprint('KeyError: ab03', file=sys.stderr)\nsys.exit(1)\n"
    )
    monkeypatch.setattr(validation, "validator_python", lambda: Path(sys.executable))
    monkeypatch.setattr(validation, "RUNNER", runner)
    files = write_return(tmp_path / "return", header=HEADER)
    with pytest.raises(ValidationRunError) as raised:
        run_ssda903_rules(files, 2025, "E06000009", tmp_path / "work")
    log = tmp_path / "work" / "validator.log"
    assert str(raised.value) == f"DfE's SSDA903 rules failed for E06000009 2025 (exit 1): see {log}"
    assert "ab03" in log.read_text() and "1002" in log.read_text() and owner_only(log)


def test_without_uv_the_environment_cannot_be_made_and_the_error_says_so(tmp_path, monkeypatch):
    for name in ("pyproject.toml", "uv.lock"):
        (tmp_path / name).write_bytes((validation.VALIDATOR_PROJECT / name).read_bytes())
    monkeypatch.setattr(validation.shutil, "which", lambda name: None)
    with pytest.raises(ValidationRunError, match="uv is not on PATH"):
        validation.validator_python(tmp_path)


def issue(code: str, row: int, child: str, description: str = "A rule.") -> dict:
    return {
        "child_id": child,
        "table": "Episodes",
        "columns": "DEC, REC",
        "row_id": row,
        "rule_code": code,
        "rule_description": description,
    }


def test_rules_are_listed_in_code_order_numbers_first():
    issues = pl.DataFrame([issue(c, 0, "c") for c in ("EPI", "1001", "205A", "101", "INT01")], schema=ISSUE_SCHEMA)
    assert [r["code"] for r in summarise(issues)] == ["101", "205A", "1001", "EPI", "INT01"]


def test_the_report_names_each_rule_escapes_what_it_shows_and_caps_a_rule_s_rows(tmp_path):
    rows = [issue("356", i, f"child{i % 7}") for i in range(validation.ROWS_PER_RULE + 3)]
    rows.append(issue("144", 2, "ab03", description="<script>alert(1)</script> is not a legal status"))
    out = render_report(
        pl.DataFrame(rows, schema=ISSUE_SCHEMA),
        title="SSDA903 2024-25: E06000009",
        summary={"Local authority": "E06000009", "Files read": ["header.csv", "episodes.csv"]},
        out_path=tmp_path / "report" / "validation.html",
    )
    html = out.read_text(encoding="utf-8")
    assert owner_only(out)
    assert 'id="rule-356"' in html and 'id="rule-144"' in html
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "and 3 more rows" in html and html.count("<td>child") == validation.ROWS_PER_RULE
    assert f'<td class="num">{validation.ROWS_PER_RULE + 3}</td><td class="num">7</td>' in html
    assert "header.csv, episodes.csv" in html
