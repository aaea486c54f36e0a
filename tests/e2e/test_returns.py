"""End to end: an LA's own returns (SSDA903 and the CIN census) from the inbox to provisional
figures, on a copy of the session's published warehouse (the real mirror), with DfE's validators'
own fake samples (../shared/returns/ssda903_fake and cin_census_fake: random data, for reading
and validation, not for counts).

One module-scoped run, on the samples with their child ids made unmistakable (unmistakable()):
`csc returns add` the SSDA903 CSV sample for Blackpool (by DfE's number, 890) and the XML sample
for Hull; the CIN census samples: the large one as Blackpool's 2021-22 census, two small ones
that make rules fire as Blackpool's and Hull's 2022-23; a third LA's SSDA903 return with a date
that is not a date and a census cut short put in the inbox by hand; censuses of the wrong year and
of another collection refused by `csc returns add`; then `csc refresh`. Then a second refresh
after one LA's file changed. Each test reads what those runs left, and a search of everything
outside the private area for the samples' child ids, UPNs, dates of birth and postcodes.
"""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from tests.support.helpers import clean_env, clone_warehouse, csc_command, csc_status, real_mirror

pytestmark = pytest.mark.e2e

SAMPLES = real_mirror().parent / "returns" / "ssda903_fake"
CIN_SAMPLES = SAMPLES.parent / "cin_census_fake"
# the census samples used, each at its header's collection year
CIN_FILES = {"fake_CIN_data.xml": 2022, "CIN_Census_2021.xml": 2023, "CIN_la_issues_2887Q.xml": 2023}
# the 2024-25 return's tables (DoLo is collected from 2026-27; the sample's planted-error variant
# of placed_for_adoption would be a second copy of one table)
CSV_TABLES = [
    "header",
    "episodes",
    "uasc",
    "reviews",
    "missing",
    "oc2",
    "oc3",
    "ad1",
    "placed_for_adoption",
    "previous_permanence",
    "sw_episodes",
]
BLACKPOOL, HULL, KNOWSLEY = "E06000009", "E06000010", "E08000011"


def run(*args: str, warehouse: Path, timeout: int = 900) -> subprocess.CompletedProcess:
    return subprocess.run(
        csc_command(*args, "--warehouse-dir", str(warehouse)),
        capture_output=True,
        text=True,
        timeout=timeout,
        env=clean_env(),
    )


def unmistakable(dest: Path) -> Path:
    """The samples with each child id prefixed ``FAKE``, everything else as published. The
    samples' ids are numbers of 2 to 6 digits, which the published figures are full of; prefixed,
    a search finds one wherever it is, and only where it is."""
    dest.mkdir(parents=True)
    for table in CSV_TABLES:
        with open(SAMPLES / f"{table}.csv", encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
        column = rows[0].index("CHILD")
        for row in rows[1:]:
            row[column] = "FAKE" + row[column]
        with open(dest / f"{table}.csv", "w", encoding="utf-8", newline="") as fh:
            csv.writer(fh, lineterminator="\n").writerows(rows)
    xml = (SAMPLES / "fake_903.xml").read_text(encoding="us-ascii")
    (dest / "fake_903.xml").write_text(re.sub(r"<CHILDID>", "<CHILDID>FAKE", xml), encoding="us-ascii")
    for name in CIN_FILES:
        xml = (CIN_SAMPLES / name).read_text(encoding="utf-8")
        (dest / name).write_text(re.sub(r"<LAchildID>", "<LAchildID>FAKE", xml), encoding="utf-8")
    return dest


def sample_identifiers(samples: Path) -> dict[str, set[str]]:
    """What identifies a child in the samples, by kind."""
    found: dict[str, set[str]] = {"child": set(), "upn": set(), "dob": set(), "postcode": set()}
    with open(samples / "header.csv", encoding="utf-8-sig") as fh:
        for row in csv.DictReader(fh):
            found["child"].add(row["CHILD"])
            found["upn"].add(row["UPN"])
            found["dob"].add(row["DOB"])
    with open(samples / "episodes.csv", encoding="utf-8-sig") as fh:
        for row in csv.DictReader(fh):
            found["postcode"] |= {row[c] for c in ("HOME_POST", "PL_POST") if row[c]}
    xml = (samples / "fake_903.xml").read_text(encoding="us-ascii")
    for kind, tag in (("child", "CHILDID"), ("upn", "UPN"), ("dob", "DOB"), ("postcode", "HOME_POST")):
        found[kind] |= set(re.findall(rf"<{tag}>([^<]+)</{tag}>", xml))
    for name in CIN_FILES:
        xml = (samples / name).read_text(encoding="utf-8")
        found["cin_child"] = found.get("cin_child", set()) | set(re.findall(r"<LAchildID>([^<]+)</LAchildID>", xml))
        found["upn"] |= set(re.findall(r"<(?:Former)?UPN>([^<]+)</(?:Former)?UPN>", xml))
        births = re.findall(r"<(?:Expected)?PersonBirthDate>(\d{4})-(\d{2})-(\d{2})</", xml)
        found["cin_iso_dob"] = found.get("cin_iso_dob", set()) | {f"{y}-{m}-{d}" for y, m, d in births}
    found = {k: {v.strip() for v in vs if v.strip()} for k, vs in found.items()}
    assert all(len(v) > 100 for v in found.values()), {k: len(v) for k, v in found.items()}
    found["child"] |= found.pop("cin_child")
    return found


@pytest.fixture(scope="module")
def returns_run(published_warehouse, tmp_path_factory):
    root = tmp_path_factory.mktemp("returns")
    samples = unmistakable(root / "samples")
    warehouse = clone_warehouse(published_warehouse, root / "warehouse")
    added = run(
        "returns", "add", *[str(samples / f"{t}.csv") for t in CSV_TABLES], "--la", "890", "--year", "2025",
        warehouse=warehouse,
    )  # fmt: skip
    added_xml = run(
        "returns", "add", str(samples / "fake_903.xml"), "--la", HULL, "--year", "2025", warehouse=warehouse
    )
    # a return whose episodes have a date that is not a date, put in the inbox by hand
    bad = warehouse / "returns" / KNOWSLEY / "2025"
    bad.mkdir(parents=True)
    shutil.copy(samples / "header.csv", bad / "header.csv")
    lines = (samples / "episodes.csv").read_text(encoding="utf-8").splitlines()
    fields = lines[3].split(",")
    fields[1] = "31/13/2024"
    (bad / "episodes.csv").write_text("\n".join([*lines[:3], ",".join(fields), *lines[4:]]) + "\n", encoding="utf-8")
    added_cin = {
        name: run("returns", "add", str(samples / name), "--la", la, "--year", str(year), warehouse=warehouse)
        for (name, year), la in zip(CIN_FILES.items(), ("890", "890", HULL), strict=True)
    }
    # refused, and nothing copied: a census of another year, another collection's XML, one cut short
    refused = {
        "wrong_year": run(
            "returns", "add", str(samples / "fake_CIN_data.xml"), "--la", HULL, "--year", "2024", warehouse=warehouse
        ),
    }
    school = root / "school_census.xml"
    school.write_text(
        (samples / "CIN_Census_2021.xml")
        .read_text(encoding="utf-8")
        .replace("<Collection>CIN</Collection>", "<Collection>SCHOOL CENSUS</Collection>"),
        encoding="utf-8",
    )
    refused["not_a_census"] = run("returns", "add", str(school), "--la", HULL, "--year", "2023", warehouse=warehouse)
    whole = (samples / "fake_CIN_data.xml").read_bytes()
    cut = root / "cut_short.xml"
    cut.write_bytes(whole[: len(whole) // 2])
    refused["truncated"] = run("returns", "add", str(cut), "--la", HULL, "--year", "2022", warehouse=warehouse)
    # the same cut-short census put in the inbox by hand: its own partition fails at the refresh
    (warehouse / "returns" / KNOWSLEY / "2022").mkdir(parents=True)
    shutil.copy(cut, warehouse / "returns" / KNOWSLEY / "2022" / "cin_census.xml")
    first = run("refresh", "--mirror", str(real_mirror()), warehouse=warehouse)
    status = csc_status(warehouse)
    # one LA's return changes: only its partition runs again
    shutil.rmtree(bad.parent)  # Knowsley: both its returns withdrawn
    episodes = warehouse / "returns" / BLACKPOOL / "2025" / "episodes.csv"
    kept = episodes.read_text(encoding="utf-8").splitlines()
    episodes.write_text("\n".join(kept[:-200]) + "\n", encoding="utf-8")
    second = run("refresh", "--mirror", str(real_mirror()), warehouse=warehouse)
    return {
        "warehouse": warehouse,
        "samples": samples,
        "added": added,
        "added_xml": added_xml,
        **{f"added_cin_{name}": proc for name, proc in added_cin.items()},
        **{f"refused_{why}": proc for why, proc in refused.items()},
        "first": first,
        "status": status,
        "second": second,
    }


def test_csc_returns_add_says_what_it_recognised(returns_run):
    added = returns_run["added"]
    assert added.returncode == 0, added.stderr
    for table in CSV_TABLES:
        assert f"{table}.csv: {table}" in added.stdout
    assert f"{BLACKPOOL} 2025 SSDA903: {len(CSV_TABLES)} file(s)" in added.stdout  # DfE's 890 is Blackpool
    xml = returns_run["added_xml"]
    assert xml.returncode == 0, xml.stderr
    assert "fake_903.xml: header, episodes" in xml.stdout
    inbox = returns_run["warehouse"] / "returns"
    assert oct(inbox.stat().st_mode & 0o777) == "0o700"
    assert all(oct(f.stat().st_mode & 0o777) == "0o600" for f in (inbox / BLACKPOOL / "2025").iterdir())


def test_csc_returns_add_reads_a_cin_census_and_refuses_what_is_not_one(returns_run):
    added = returns_run["added_cin_fake_CIN_data.xml"]
    assert added.returncode == 0, added.stdout + added.stderr
    assert "fake_CIN_data.xml: children, episodes" in added.stdout
    assert f"{BLACKPOOL} 2022 CIN census: 1 file(s)" in added.stdout
    said = {why: returns_run[f"refused_{why}"] for why in ("wrong_year", "not_a_census", "truncated")}
    assert all(proc.returncode == 1 for proc in said.values()), {w: p.stdout for w, p in said.items()}
    out = {why: " ".join((proc.stdout + proc.stderr).split()) for why, proc in said.items()}
    assert (
        "fake_CIN_data.xml: a CIN census for collection year 2022 (its header's <Year>); expected 2024"
        in out["wrong_year"]
    )
    assert "school_census.xml: not a CIN census" in out["not_a_census"]
    assert "cut_short.xml: not well-formed XML at line" in out["truncated"]
    assert all("nothing was copied" in text for text in out.values())
    inbox = returns_run["warehouse"] / "returns"
    assert not (inbox / HULL / "2024").exists() and not (inbox / HULL / "2022").exists()
    assert sorted(p.name for p in (inbox / HULL / "2023").iterdir()) == ["CIN_la_issues_2887Q.xml"]


def test_a_census_cut_short_stops_itself_alone(returns_run):
    # the console wraps long lines where they fall: compare the words, not the line breaks
    out = " ".join((returns_run["first"].stdout + returns_run["first"].stderr).split())
    assert f"error: LA return {KNOWSLEY}-2022 (CIN census) was not landed" in out
    assert "cin_census.xml: not well-formed XML at line" in out
    assert f"LA return {BLACKPOOL}-2022 (CIN census): never landed" in out and "published " in out


def asset_checks(warehouse: Path, kind: str) -> dict[tuple[str, str], dg.AssetCheckEvaluation]:
    """(partition, check) -> the latest evaluation of each check on ``returns/<kind>``, from
    Dagster's storage."""
    found = {}
    with dg.DagsterInstance.from_config(str(warehouse / ".dagster")) as instance:
        for record in instance.get_runs(filters=dg.RunsFilter(job_name="returns")):  # newest first
            for entry in instance.all_logs(record.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION):
                evaluation = entry.dagster_event.event_specific_data
                if evaluation.asset_key == dg.AssetKey(["returns", kind]):
                    found.setdefault((record.tags["dagster/partition"], evaluation.check_name), evaluation)
    return found


def test_cin_census_schema_and_rules_are_asset_checks_and_a_private_report(returns_run):
    warehouse = returns_run["warehouse"]
    checks = asset_checks(warehouse, "cin_census")
    # the large sample is a 2021-22 census: checked against 2022's schema; DfE's rules start in 2022-23
    schema = checks[(f"{BLACKPOOL}-2022", "schema")]
    # its yes/no items are true/false, which Social Finance's schemas do not allow (0/1)
    assert schema.passed is False and int(schema.metadata["departures"].value) > 100
    assert {e["element"] for e in schema.metadata["by_element"].value} >= {"ReferralNFA"}
    child_rules = checks[(f"{BLACKPOOL}-2022", "dfe_child_rules")]
    assert not child_rules.passed and "2022" in child_rules.description
    # the small samples are 2022-23 censuses made to fire rules: on a child, and on the LA's return
    blackpool, hull = checks[(f"{BLACKPOOL}-2023", "dfe_child_rules")], checks[(f"{HULL}-2023", "dfe_la_rules")]
    assert not blackpool.passed and blackpool.metadata["rules_run"].value > 100
    assert "1103" in blackpool.metadata["issues_by_rule"].value
    assert not hull.passed and "2887Q" in hull.metadata["issues_by_rule"].value
    report = warehouse / "private" / "reports" / HULL / "2023" / "cin_census_validation.html"
    assert report.exists() and oct(report.stat().st_mode & 0o777) == "0o600"
    assert "2887Q" in report.read_text(encoding="utf-8")


def referrals_in_year(xml: str, year: int) -> int:
    """Referrals dated in the collection year, read straight from the census's text."""
    dates = re.findall(r"<CINreferralDate>(\d{4}-\d{2}-\d{2})</CINreferralDate>", xml)
    return sum(f"{year - 1}-04-01" <= d <= f"{year}-03-31" for d in dates)


def test_cin_census_figures_are_published_as_provisional(returns_run):
    xml = (CIN_SAMPLES / "fake_CIN_data.xml").read_text(encoding="utf-8")
    with duckdb.connect(str(returns_run["warehouse"] / "csc.duckdb"), read_only=True) as con:
        rows = con.execute(
            "select indicator_id, value, status, is_latest from marts.fct_la_indicator "
            "where la_code = ? and release = 'la_return_2022'",
            [BLACKPOOL],
        ).fetchall()
        compared = con.execute(
            "select indicator_id, provisional_value, england_value, note from marts.mart_la_return_comparison "
            "where la_code = ? and time_period = 2022",
            [BLACKPOOL],
        ).fetchall()
    figures = {r[0]: r[1] for r in rows}
    # not_available: a percentage of none (no plans started in the sample's year)
    assert not any(r[3] for r in rows)
    assert {r[2] for r in rows} <= {"provisional", "provisional_suppressed", "not_available"}
    assert figures["referrals_count"] == referrals_in_year(xml, 2022) > 5
    # DfE's identities, on the LA's own counts before suppression (in the private area)
    with duckdb.connect(str(returns_run["warehouse"] / "private" / "returns.duckdb"), read_only=True) as con:
        counted = dict(
            con.execute(
                "select measure, number from cin_census_figures where la_code = ? and collection_year = 2022 "
                "and breakdown = 'Total'",
                [BLACKPOOL],
            ).fetchall()
        )
    assert counted["cin_episodes_started_count"] == (
        counted["referrals_count"] - counted["referrals_nfa_count"] - counted["assessed_not_in_need_count"]
    )
    assert counted["cin_episodes_count"] == counted["cin_episodes_ended_count"] + counted["cin_count"]
    assert counted["referrals_count"] == figures["referrals_count"]
    for indicator in ("cin_count", "s47_enquiries_count", "cpp_started_count", "cpp_count", "cin_rate_per_10k"):
        assert indicator in figures, indicator
    notes = {r[0]: r[3] for r in compared}
    assert {r[0] for r in compared} >= {"referrals_count", "cin_count"}
    assert "look-back" in (notes.get("rereferrals_pct") or "") or "look-back" in (notes.get("rereferrals_count") or "")


def test_an_unreadable_return_stops_itself_alone(returns_run):
    first = returns_run["first"]
    assert first.returncode == 1, first.stdout[-2000:] + first.stderr[-2000:]
    out = first.stdout + first.stderr
    assert "episodes.csv: row 4, column DECOM: expected a date as dd/mm/YYYY" in out
    assert f"error: LA return {KNOWSLEY}-2025 (SSDA903) was not landed" in out
    assert "31/13/2024" not in out  # the value is never shown: it may be a child's date
    # everything else was published
    assert "published " in out and f"LA return {BLACKPOOL}-2025 (SSDA903): never landed" in out
    with duckdb.connect(str(returns_run["warehouse"] / "csc.duckdb"), read_only=True) as con:
        las = {r[0] for r in con.execute("select distinct la_code from marts.mart_la_return_comparison").fetchall()}
    assert las == {BLACKPOOL, HULL}


def test_dfe_rules_are_asset_checks_and_a_private_report(returns_run):
    warehouse = returns_run["warehouse"]
    assert "returns/ssda903:dfe_rules:" in returns_run["first"].stderr
    by_partition = {p: e for (p, check), e in asset_checks(warehouse, "ssda903").items() if check == "dfe_rules"}
    assert not by_partition[f"{BLACKPOOL}-2025"].passed
    metadata = by_partition[f"{BLACKPOOL}-2025"].metadata
    assert int(metadata["issues"].value) > 1000 and metadata["rules_with_issues"].value > 50
    # rules that raise instead of running checked nothing: said, and the check does not pass
    assert metadata["rules_run"].value > 100 and "231" in metadata["rules_that_could_not_run"].value
    assert "101" in metadata["issues_by_rule"].value  # the sample's SEX codes are not 2024-25's
    report = warehouse / "private" / "reports" / BLACKPOOL / "2025" / "ssda903_validation.html"
    assert report.exists() and oct(report.stat().st_mode & 0o777) == "0o600"
    assert "101" in report.read_text(encoding="utf-8")
    assert f"{HULL}-2025" in by_partition  # the XML form is checked too


def test_figures_are_published_as_provisional_and_never_latest(returns_run):
    with duckdb.connect(str(returns_run["warehouse"] / "csc.duckdb"), read_only=True) as con:
        rows = con.execute(
            "select la_code, indicator_id, value, status, release, is_latest, is_published "
            "from marts.fct_la_indicator where release like 'la_return_%' order by all"
        ).fetchall()
        counted = {(r[0], r[1]): r for r in rows}
        # Blackpool's published 2025 figure beside its own return's, LA by LA
        reconciled = con.execute(
            "select provisional_value, published_value, published_release from marts.mart_la_return_reconciliation "
            "where la_code = ? and indicator_id = 'cla_count'",
            [BLACKPOOL],
        ).fetchone()
        published = con.execute(
            "select value from marts.fct_la_indicator where la_code = ? and time_period = 2025 "
            "and indicator_id = 'cla_count' and is_latest",
            [BLACKPOOL],
        ).fetchone()[0]
    assert {r[3] for r in rows} <= {"provisional", "provisional_suppressed", "not_available"}
    assert {r[4] for r in rows} == {"la_return_2022", "la_return_2023", "la_return_2025"}
    assert not any(r[5] or r[6] for r in rows)
    assert {(BLACKPOOL, "cla_count"), (HULL, "cla_count"), (BLACKPOOL, "cla_rate_per_10k")} <= set(counted)
    assert reconciled[1] == published == 531  # DfE's published children looked after at 31 March 2025
    assert reconciled[2] == "ees_2025" and reconciled[0] == counted[(BLACKPOOL, "cla_count")][2]


def test_the_la_page_shows_where_the_la_stands_from_its_own_return(returns_run):
    reports = returns_run["warehouse"] / "reports" / "la"
    page = (reports / f"{BLACKPOOL}.html").read_text(encoding="utf-8")
    assert "its own return (provisional)" in page and "diamond-open" in page
    assert "own return (provisional)" not in (reports / "E06000001.html").read_text(encoding="utf-8")  # Hartlepool


def test_provisional_figures_are_never_in_the_open_data(returns_run):
    export = returns_run["warehouse"] / "open-data"
    names = {p.stem for p in (export / "csv").iterdir()}
    assert "fct_la_indicator" in names and not [n for n in names if n.startswith("mart_la_return_")]
    for path in (export / "csv").iterdir():
        text = path.read_text(encoding="utf-8")
        assert "la_return_" not in text and "provisional" not in text, path.name
    assert "mart_la_return" not in (export / "datapackage.json").read_text(encoding="utf-8")


def test_csc_status_lists_each_return(returns_run):
    status = returns_run["status"]
    assert status.returncode == 0, status.stderr
    lines = [line for line in status.stdout.splitlines() if BLACKPOOL in line or HULL in line or KNOWSLEY in line]
    assert any(BLACKPOOL in line and "2025" in line and "11" in line for line in lines), lines
    assert any(KNOWSLEY in line and "not landed" in line for line in lines), lines


def test_a_changed_return_runs_its_own_partition_alone(returns_run):
    second = returns_run["second"]
    assert second.returncode == 0, second.stdout[-2000:] + second.stderr[-2000:]
    out = second.stdout + second.stderr
    assert f"LA return {BLACKPOOL}-2025 (SSDA903): its files changed" in out
    assert f"LA return {HULL}-2025" not in out
    assert "published " in out


def _files_outside_private(warehouse: Path) -> list[Path]:
    private = {warehouse / "private", warehouse / "returns"}
    return [
        p
        for p in warehouse.rglob("*")
        if p.is_file() and not any(p.is_relative_to(d) for d in private) and p.suffix != ".duckdb"
    ]


# what each kind of identifier looks like in text: every match is looked up among the samples'
SHAPES = {
    "token": re.compile(r"[0-9A-Za-z]+"),  # child ids (FAKE...) and UPNs: whole words
    "date": re.compile(r"\d{2}/\d{2}/\d{4}|\d{4}-\d{2}-\d{2}"),  # dates of birth, as the files and ISO write them
    "postcode": re.compile(r"[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}"),
}
# where an ISO date is data (Ofsted's inspection dates in the open data and the LA pages, the
# publishers' files): there a child's date of birth is searched as the return writes it only
DATA_DIRS = ("landing", "archive", ".open-data", "reports", "docs")


def leaks_in(text: str, ids: dict[str, set[str]], iso_dates: bool = True) -> set[str]:
    """The samples' identifiers ``text`` holds."""
    found = set(SHAPES["token"].findall(text)) & (ids["child"] | ids["upn"])
    found |= set(SHAPES["date"].findall(text)) & (ids["dob"] | (ids["iso_dob"] if iso_dates else set()))
    found |= {m.replace(" ", "") for m in SHAPES["postcode"].findall(text)} & ids["postcode_compact"]
    return found


def test_no_child_identifier_leaves_the_private_area(returns_run):
    """A search, not a promise: every file of the warehouse outside the private area and the inbox
    (the landed publishers' files, the open data, the docs site, the LA pages, run records,
    Dagster's run and event storage and logs), every text column of the published and the work
    database, and what the commands printed, for every child id, UPN, date of birth and postcode
    of the samples."""
    warehouse = returns_run["warehouse"]
    ids = sample_identifiers(returns_run["samples"])
    assert all(i.startswith("FAKE") for i in ids["child"])
    ids["iso_dob"] = {"-".join(reversed(d.split("/"))) for d in ids["dob"]} | ids["cin_iso_dob"]
    ids["postcode_compact"] = {p.replace(" ", "") for p in ids["postcode"]}
    printed = "".join(r.stdout + r.stderr for r in returns_run.values() if isinstance(r, subprocess.CompletedProcess))
    leaks = [f"printed: {i}" for i in sorted(leaks_in(printed, ids))]
    files = _files_outside_private(warehouse)
    assert len(files) > 100 and any(".dagster" in p.parts for p in files)
    for path in files:
        data = path.relative_to(warehouse).parts[0] in DATA_DIRS
        found = leaks_in(path.read_bytes().decode("utf-8", errors="replace"), ids, iso_dates=not data)
        leaks += [f"{path.relative_to(warehouse)}: {i}" for i in sorted(found)]
    # the census's dates of birth as it writes them (ISO) too, in the databases' text
    every = sorted(
        ids["child"] | ids["upn"] | ids["dob"] | ids["postcode"] | ids["postcode_compact"] | ids["cin_iso_dob"]
    )
    for db in ("csc.duckdb", "work.duckdb"):
        with duckdb.connect(str(warehouse / db), read_only=True) as con:
            columns = con.execute(
                "select table_schema, table_name, column_name from information_schema.columns "
                "where data_type = 'VARCHAR' and table_schema not in ('information_schema', 'pg_catalog')"
            ).fetchall()
            con.execute("create temp table needles as select unnest(?::varchar[]) as needle", [every])
            for schema, table, column in columns:
                hits = con.execute(
                    f'select distinct "{column}" from "{schema}"."{table}" join needles on "{column}" = needle limit 3'
                ).fetchall()
                leaks += [f"{db} {schema}.{table}.{column}: {h[0]}" for h in hits]
    assert leaks == []
