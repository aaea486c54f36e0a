"""Every example query in docs/queries/ runs as is on the real publication (read-only) and
returns what its header says: the columns it declares (`-- columns: a, b, c`), at least one row,
and figures read here from the publishers' own files."""

import csv
import re

import duckdb
import pytest

from orchestration.settings import REPO_ROOT
from tests.support.helpers import real_mirror

pytestmark = pytest.mark.e2e

QUERIES = sorted((REPO_ROOT / "docs" / "queries").glob("*.sql"))


def declared_columns(sql: str) -> list[str]:
    match = re.search(r"^-- columns: (.+)$", sql, re.M)
    assert match, "the file's header declares its result's columns (-- columns: a, b, c)"
    return [c.strip() for c in match.group(1).split(",")]


def test_declared_columns_are_parsed_from_the_header():
    assert declared_columns("-- Question: x\n-- columns: a, b_c,d\nselect 1") == ["a", "b_c", "d"]
    with pytest.raises(AssertionError):
        declared_columns("select 1 -- columns: a")


@pytest.fixture(scope="module")
def publication(published_snapshot):
    return published_snapshot


@pytest.fixture(scope="module")
def results(publication):
    """Each file's result as {column: value} rows, the file run whole (its SET VARIABLEs too)."""
    out = {}
    with duckdb.connect(str(publication), read_only=True) as con:
        for path in QUERIES:
            cursor = con.cursor()
            result = cursor.execute(path.read_text(encoding="utf-8"))
            names = [d[0] for d in result.description]
            out[path.name] = (names, [dict(zip(names, row)) for row in result.fetchall()])
            cursor.close()
    return out


def test_the_readme_points_to_the_queries_and_there_are_enough_of_them():
    assert len(QUERIES) >= 7
    assert "docs/queries/" in (REPO_ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.stem)
def test_every_query_returns_the_columns_it_declares_and_rows(path, results):
    sql = path.read_text(encoding="utf-8")
    assert sql.startswith("-- Question:"), "each file starts by saying the question it answers"
    assert re.search(r"^-- (Parameters|Reads):", sql, re.M)
    names, rows = results[path.name]
    assert names == declared_columns(sql)
    assert rows, f"{path.name} returned no rows"


def one(rows, **where):
    found = [r for r in rows if all(r[k] == v for k, v in where.items())]
    assert len(found) == 1, (where, found[:3])
    return found[0]


def test_an_la_against_its_neighbours(results):
    _, rows = results["la_against_statistical_neighbours.sql"]
    # cla/ees_2025/cla_number_and_rate_per_10k_children.csv: Birmingham 79 per 10,000 at 31 March
    # 2025, England 67, West Midlands 86
    cla = one(rows, indicator_id="cla_rate_per_10k")
    assert (cla["la_code"], cla["time_period"], cla["value"], cla["england_value"], cla["region_value"]) == (
        "E08000025",
        2025,
        79,
        67,
        86,
    )
    # lookups/dfe_stat_neighbours_2025/sn_model_2025_wide.csv: Birmingham (330)'s neighbours SN_1..SN_10
    with open(
        real_mirror() / "lookups" / "dfe_stat_neighbours_2025" / "sn_model_2025_wide.csv", encoding="utf-8-sig"
    ) as f:
        model = list(csv.DictReader(f))
    names = {row["old_la_code"]: row["la_name"].strip() for row in model}
    birmingham = next(row for row in model if row["old_la_code"] == "330")
    expected = [names[birmingham[f"SN_{i}"].strip()] for i in range(1, 11)]
    assert cla["neighbour_model_year"] == 2025
    assert cla["neighbours"].split("; ") == expected


def test_a_league_table_with_bands(results):
    _, rows = results["league_table_with_quartile_bands.sql"]
    assert len(rows) >= 150
    ranks = [r["rank"] for r in rows if r["rank"] is not None]
    assert ranks == sorted(ranks) and ranks[0] == 1
    assert {r["quartile_band"] for r in rows} >= {"A", "B", "C", "D"}
    # cla/ees_2025/cla_number_and_rate_per_10k_children.csv: Blackpool 184, the highest; Birmingham 79; England 67
    assert (rows[0]["la_name"], rows[0]["value"], rows[0]["england_value"]) == ("Blackpool", 184, 67)
    assert one(rows, la_code="E08000025")["value"] == 79


def test_spend_against_the_ofsted_judgement(results):
    _, rows = results["spend_against_ofsted_judgement.sql"]
    # ofsted/ofsted_la_outcomes_2025-03/LA_Inspection_Outcomes_as_at_31_March_2025.ods, sheet
    # Inspections_as_at_31_March, column Overall effectiveness: 36, 67, 31 and 19 LAs
    assert [(r["ofsted_grade"], r["ofsted_overall_effectiveness"], r["las"]) for r in rows] == [
        (1, "Outstanding", 36),
        (2, "Good", 67),
        (3, "Requires improvement to be good", 31),
        (4, "Inadequate", 19),
    ]
    assert all(r["las_with_spend"] > 0 and r["median_spend_per_child_gbp"] > 0 for r in rows)


def test_what_the_latest_release_revised(results):
    _, rows = results["what_the_latest_release_revised.sql"]
    assert {r["later_release"] for r in rows} == {"ees_2025"}
    # City of London, year to 31 March 2024: cla/ees_2024/cla_number_and_rate_per_10k_children.csv
    # printed a child population of 642 and 109 looked after per 10,000; ees_2025's file, 918 and 76
    population = one(rows, la_code="E09000001", time_period=2024, indicator_id="cla_child_population")
    assert (population["earlier_release"], population["earlier_value"], population["later_value"]) == (
        "ees_2024",
        642,
        918,
    )
    rate = one(rows, la_code="E09000001", time_period=2024, indicator_id="cla_rate_per_10k")
    assert (rate["earlier_value"], rate["later_value"], rate["difference"]) == (109, 76, -33)


def test_joint_workforce_returns_counted_once(results):
    _, rows = results["workforce_joint_returns_counted_once.sql"]
    year = one(rows, time_period=2024)
    # workforce/ees_2025/csww_indicators_2017_to_2025.csv, 2024: England 34,328.2 FTE; one joint
    # return, "940 / 941" (North and West Northamptonshire), 379.5 FTE
    assert year["sw_fte_england_published"] == pytest.approx(34328.2)
    assert year["sw_fte_counted_once"] == pytest.approx(34328.2, abs=0.5)  # LA figures are rounded to 0.1
    assert year["joint_returns"] >= 1
    # summing over LAs counts each joint return once per member
    assert year["sw_fte_summed_over_las"] - year["sw_fte_counted_once"] >= 379.5 - 0.05


def test_an_la_against_region_and_england_over_time(results):
    _, rows = results["la_region_england_trend.sql"]
    years = [r["time_period"] for r in rows]
    assert years == sorted(years) and years[0] <= 2012 and years[-1] == 2025
    # cla/ees_2025/cla_number_and_rate_per_10k_children.csv: Birmingham 79, West Midlands 86, England 67
    assert {k: rows[-1][k] for k in ("value", "region_value", "england_value")} == {
        "value": 79,
        "region_value": 86,
        "england_value": 67,
    }


def test_variation_given_deprivation(results):
    _, rows = results["deprivation_adjusted_variation.sql"]
    assert len(rows) >= 100 and len({r["las_in_model"] for r in rows}) == 1
    ratios = [r["observed_to_expected"] for r in rows if r["observed_to_expected"] is not None]
    assert ratios == sorted(ratios, reverse=True)
    assert {"above_99_8", "within", "below_99_8"} <= {r["funnel_position"] for r in rows}
    # cla/ees_2025/cla_number_and_rate_per_10k_children.csv: Blackpool 184 per 10,000
    assert one(rows, la_code="E06000009")["value"] == 184


# The DuckDB CLI as PyPI ships it (package duckdb-cli), run in an environment of its own: the
# docs/bi-clients.md says each file runs as is there.
DUCKDB_CLI = "1.5.6"


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.stem)
def test_every_query_runs_as_is_in_the_duckdb_cli(path, publication, results):
    import subprocess

    from tests.support.helpers import clean_env

    run = subprocess.run(
        ["uvx", "-q", "--from", f"duckdb-cli=={DUCKDB_CLI}", "duckdb", "-readonly", "-csv", str(publication)],
        input=path.read_text(encoding="utf-8"),
        capture_output=True,
        text=True,
        timeout=300,
        env=clean_env(),
    )
    assert run.returncode == 0 and "Error" not in run.stderr, run.stderr[-2000:]
    rows = list(csv.reader(run.stdout.splitlines()))
    names, expected = results[path.name]
    assert rows[0] == names  # the header: the columns the file declares (checked above)
    assert len(rows) - 1 == len(expected)
    # the same rows in the same order: each row's first column (a key: LA code, rank, grade, year...)
    assert [r[0] for r in rows[1:]] == [
        ("NULL" if v is None else str(v)) for v in (next(iter(r.values())) for r in expected)
    ]
