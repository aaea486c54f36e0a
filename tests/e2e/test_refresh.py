"""End to end on the real release mirror: `csc refresh` as a user runs it, figures read from the files.

One warehouse for the module (a copy of the session's published one), refreshed again: bad at
the raw gate (the publication stays byte-identical), good again (only the refused gate runs
again), then with one corrected file (only what is built from it is rebuilt), then with
nothing changed (nothing runs after ingest, from the CLI or the nightly schedule). tests/e2e/test_bad_input.py runs the other kinds of bad input.
"""

import csv
import hashlib
import math
import shutil
import subprocess
import sys
from decimal import Decimal

import dagster as dg
import duckdb
import pytest

from orchestration.lib.ingest.catalogue import load_catalogue
from orchestration.settings import REPO_ROOT
from tests.support.helpers import clean_env, clone_warehouse, csc_command
from tests.support.synthetic_releases import WORKFORCE_2025, corrected_caseload, write_apart

pytestmark = pytest.mark.e2e


def csc(*args, warehouse):
    return subprocess.run(
        csc_command(*args, "--warehouse-dir", str(warehouse)),
        capture_output=True,
        text=True,
        timeout=600,
        env=clean_env(),
    )


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def copy_mirror(mirror_dir, dest):
    """Copy just the catalogued files (a mirror is any directory in the same layout)."""
    for release in load_catalogue().releases:
        target = dest / release.relative_path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(mirror_dir / release.relative_path, target)
    return dest


@pytest.fixture(scope="module")
def published(published_warehouse, tmp_path_factory):
    """This module's own copy of the session's published warehouse (it refreshes it again)."""
    return clone_warehouse(published_warehouse, tmp_path_factory.mktemp("e2e") / "warehouse")


def query(warehouse, sql, params=()):
    with duckdb.connect(str(warehouse / "csc.duckdb"), read_only=True) as con:
        return con.execute(sql, params).fetchall()


def latest(warehouse, la_code, year, indicator="cla_count"):
    rows = query(
        warehouse,
        "select value, status, release from marts.fct_la_indicator where la_code = ? and time_period = ? and indicator_id = ? and is_latest",
        (la_code, year, indicator),
    )
    assert len(rows) == 1, rows
    return rows[0]


def test_published_la_figures_match_the_files(published):
    # cla/ees_2025/cla_number_and_rate_per_10k_children.csv
    assert latest(published, "E08000025", 2025) == (2317, "published", "ees_2025")  # Birmingham
    assert latest(published, "E08000025", 2025, "cla_rate_per_10k")[0] == 79
    assert query(
        published,
        "select cla_count, cla_rate_per_10k, child_population from marts.fct_children_looked_after "
        "where la_code = 'E10000017' and time_period = 2025",
    ) == [(1699, 65.0, 261392)]  # Lancashire
    assert latest(published, "E09000002", 2023) == (428, "published", "ees_2025")  # Barking and Dagenham
    # suppressed stays NULL with its status, never 0
    assert query(
        published,
        "select cla_count, cla_count_status from marts.fct_children_looked_after "
        "where la_code = 'E09000001' and time_period = 2025",
    ) == [(None, "suppressed")]


def test_the_oldest_reader_the_readme_names_reads_every_mart(published):
    """DuckDB OLDEST_READER, in an environment of its own, opens the publication read-only and
    counts the same rows in every mart as today's DuckDB."""
    import json

    from orchestration.lib.publish.snapshot import OLDEST_READER

    assert f"duckdb {OLDEST_READER}" in (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    uv = shutil.which("uv")
    assert uv, "uv is on PATH wherever the README's set-up commands ran"
    script = (
        "import duckdb, json, sys\n"
        "con = duckdb.connect(sys.argv[1], read_only=True)\n"
        'tables = [t for (t,) in con.execute("select table_name from information_schema.tables '
        "where table_schema = 'marts' order by 1\").fetchall()]\n"
        "print(json.dumps({'version': duckdb.__version__, "
        "'rows': {t: con.execute(f'select count(*) from marts.{t}').fetchone()[0] for t in tables}}))\n"
    )
    run = subprocess.run(
        [
            uv,
            "run",
            "--isolated",
            "--no-project",
            "--with",
            f"duckdb=={OLDEST_READER}",
            "python",
            "-c",
            script,
            str(published / "csc.duckdb"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    assert seen["version"] == OLDEST_READER
    today = {
        t: n
        for t, n in query(
            published, "select table_name, estimated_size from duckdb_tables() where schema_name = 'marts'"
        )
    }
    assert set(seen["rows"]) == set(today) and len(today) >= 20
    for table in today:
        assert seen["rows"][table] == query(published, f"select count(*) from marts.{table}")[0][0], table


def test_latest_vintage_wins_and_earlier_vintages_are_kept(published):
    # Birmingham 2022: 2,094 in the 2022 release, 2,100 in 2023, 2,104 since 2024.
    vintages = query(
        published,
        "select release, value from marts.fct_la_indicator where la_code = 'E08000025' "
        "and time_period = 2022 and indicator_id = 'cla_count' order by release",
    )
    assert vintages == [("ees_2022", 2094), ("ees_2023", 2100), ("ees_2024", 2104), ("ees_2025", 2104)]
    assert query(
        published,
        "select cla_count, release from marts.fct_children_looked_after where la_code = 'E08000025' and time_period = 2022",
    ) == [(2104, "ees_2025")]
    # City of London 2021 rate: 110 in 2022's release, 306 after the population was rebased.
    assert query(
        published,
        "select release, value from marts.fct_la_indicator where la_code = 'E09000001' and time_period = 2021 "
        "and indicator_id = 'cla_rate_per_10k' and release in ('ees_2022', 'ees_2025') order by 1",
    ) == [("ees_2022", 110), ("ees_2025", 306)]
    # North Northamptonshire 2022 across four vintages.
    assert query(
        published,
        "select release, value from marts.fct_la_indicator where la_code = 'E06000061' and time_period = 2022 "
        "and indicator_id = 'cla_count' order by 1",
    ) == [("ees_2022", 524), ("ees_2023", 523), ("ees_2024", 525), ("ees_2025", 525)]


def test_cla_series_runs_2010_to_2025_across_both_formats(published):
    # every year from the SFR files (2010-2017) and the EES files (2018-2025), no gap
    years = [
        r[0] for r in query(published, "select distinct time_period from marts.fct_children_looked_after order by 1")
    ]
    assert years == list(range(2010, 2026))
    # cla/sfr_2010/SFR27_2010_March.csv (no ONS codes: found from the DfE number) and SFR36_CLA2014.csv
    assert latest(published, "E08000025", 2010) == (2033, "published", "sfr_2010")  # Birmingham
    assert latest(published, "E08000025", 2018) == (1921, "published", "ees_2022")
    assert latest(published, "E06000057", 2010) == (286, "published", "sfr_2010")  # Northumberland, DfE 929
    assert query(
        published,
        "select value, release from marts.fct_england_region_indicator where area_code = 'E92000001' "
        "and indicator_id = 'cla_count' and time_period = 2010",
    ) == [(64400, "sfr_2010")]
    assert query(
        published,
        "select cla_started_count, cla_ceased_count from marts.fct_children_looked_after "
        "where la_code = 'E08000025' and time_period = 2010",
    ) == [(714, 805)]
    # Changed on purpose (issue 8): the SFR files' `x` is a count of one to five, suppressed (their
    # metadata, cla/sfr_2013/Meta Data Document.txt), not EES's "not available". City of London,
    # cla/sfr_2013/SFR36_ADM2013.csv row 14, CLA_started2013 = x; SFR36_CEA2013.csv row 14, CLA_cease = x.
    assert query(
        published,
        "select cla_started_count, cla_started_count_status, cla_ceased_count_status "
        "from marts.fct_children_looked_after where la_code = 'E09000001' and time_period = 2013",
    ) == [(None, "suppressed", "suppressed")]


def test_revisions_and_lineage_marts(published):
    # Birmingham's 2022 count, revised twice (files: 2,094 in 2022, 2,100 in 2023, 2,104 in 2024)
    rows = query(
        published,
        "select earlier_release, earlier_value, later_release, later_value, difference from marts.fct_la_indicator_revision "
        "where la_code = 'E08000025' and time_period = 2022 and indicator_id = 'cla_count' order by later_release",
    )
    assert rows == [("ees_2022", 2094, "ees_2023", 2100, 6), ("ees_2023", 2100, "ees_2024", 2104, 4)]
    # the 2025 CIN release prints no rates: it revises none (its counts' statuses are not revisions)
    assert query(
        published,
        "select count(*) from marts.fct_la_indicator_revision where later_release = 'ees_2025' "
        "and indicator_id in ('s47_enquiries_rate_per_10k', 'icpc_rate_per_10k', 'cin_rate_per_10k')",
    ) == [(0,)]
    assert query(
        published,
        "select count(*) from marts.fct_la_indicator_revision as r join marts.fct_la_indicator as f "
        "on f.la_code = r.la_code and f.time_period = r.time_period and f.indicator_id = r.indicator_id "
        "and f.release in (r.earlier_release, r.later_release) where not f.is_published",
    ) == [(0,)]
    lineage = query(
        published,
        "select successor_la_code, change_kind, first_reporting_year_of_successor from marts.bridge_la_lineage "
        "where predecessor_la_code = 'E10000021' order by 1",
    )
    assert lineage == [("E06000061", "split", 2022), ("E06000062", "split", 2022)]


def test_statistical_neighbours(published):
    # lookups/dfe_stat_neighbours_2025/sn_may_2025.xlsx: Barking and Dagenham (301) -> 308 Enfield, 821 Luton, both "Close"
    rows = query(
        published,
        "select neighbour_rank, neighbour_la_code, closeness from marts.dim_statistical_neighbour "
        "where model_year = 2025 and la_code = 'E09000002' and neighbour_rank <= 2 order by 1",
    )
    assert rows == [(1, "E09000010", "close"), (2, "E06000032", "close")]
    counts = dict(
        query(published, "select model_year, count(distinct la_code) from marts.dim_statistical_neighbour group by 1")
    )
    assert counts == {2021: 156, 2025: 158}
    # the 2021 model predates Cumberland and Westmorland and Furness: no neighbours for them there
    assert query(
        published,
        "select count(*) from marts.dim_statistical_neighbour where model_year = 2021 and la_code = 'E06000063'",
    ) == [(0,)]


def _latest_values(warehouse, indicator, year):
    return dict(
        query(
            warehouse,
            "select la_code, value from marts.fct_la_indicator where indicator_id = ? and time_period = ? "
            "and is_latest and value is not null",
            (indicator, year),
        )
    )


def _benchmark(warehouse, la_code, indicator, year, model):
    cursor_sql = (
        "select * from marts.fct_la_benchmark where la_code = ? and indicator_id = ? and time_period = ? "
        "and neighbour_model_year = ?"
    )
    with duckdb.connect(str(warehouse / "csc.duckdb"), read_only=True) as con:
        cursor = con.execute(cursor_sql, (la_code, indicator, year, model))
        (row,) = cursor.fetchall()
        return dict(zip([d[0] for d in cursor.description], row))


def _neighbour_values(warehouse, la_code, model, year, values):
    """The LA's neighbours in the model, an abolished one (last year before this one) replaced by
    its successors, each counted once and never the LA itself; and their values."""
    listed = query(
        warehouse,
        "select sn.neighbour_la_code, la.last_year from marts.dim_statistical_neighbour as sn "
        "join marts.dim_local_authority as la on la.la_code = sn.neighbour_la_code "
        "where sn.model_year = ? and sn.la_code = ?",
        (model, la_code),
    )
    standing_in = set()
    for code, last_year in listed:
        if last_year is not None and last_year < year:
            standing_in |= {
                s
                for (s,) in query(
                    warehouse,
                    "select successor_la_code from marts.bridge_la_lineage where predecessor_la_code = ?",
                    (code,),
                )
            }
        else:
            standing_in.add(code)
    standing_in.discard(la_code)
    return standing_in, [values[c] for c in standing_in if c in values]


def test_benchmark_rank_band_and_neighbours_of_one_la(published):
    """Birmingham's re-referrals in 2024-25 (lower is better), against every LA and its 2025
    neighbours, recomputed here from fct_la_indicator and dim_statistical_neighbour: rank with
    ties sharing the lowest, LAIT's band from R's default quartiles (statistics' inclusive method
    is R's type 7), the neighbour mean and median."""
    import statistics

    values = _latest_values(published, "rereferrals_pct", 2025)
    row = _benchmark(published, "E08000025", "rereferrals_pct", 2025, 2025)
    own = values["E08000025"]
    assert (own, row["polarity"], row["is_default_model"]) == (20.7, "lower_is_better", True)
    assert row["rank"] == 1 + sum(v < own for v in values.values()) == 84
    assert row["las_ranked"] == len(values) == 153
    q1, q2, q3 = statistics.quantiles(values.values(), n=4, method="inclusive")
    assert (row["band_lower_quartile"], row["band_median"], row["band_upper_quartile"]) == pytest.approx((q1, q2, q3))
    assert row["quartile_band"] == ("A" if own <= q1 else "B" if own <= q2 else "C" if own <= q3 else "D") == "C"
    assert row["band_meaning"] == "A best" and row["rank_meaning"] == "1 = best"
    _standing_in, neighbour_values = _neighbour_values(published, "E08000025", 2025, 2025, values)
    assert row["neighbours_with_value"] == len(neighbour_values) == 10
    assert row["neighbour_mean"] == pytest.approx(statistics.mean(neighbour_values)) == pytest.approx(21.37)
    assert row["neighbour_median"] == pytest.approx(statistics.median(neighbour_values))
    assert row["z_score"] == pytest.approx((own - statistics.mean(values.values())) / statistics.stdev(values.values()))
    # England and the West Midlands as published; the change on 2023-24 and 2021-22
    assert (row["england_value"], row["region_value"]) == (22.6, 19.5)
    assert row["change_on_previous_year"] == pytest.approx(-1.7) and row["change_over_three_years"] == pytest.approx(
        1.6
    )


def test_benchmark_neutral_indicator_is_ranked_from_the_highest_and_banded_by_value(published):
    values = _latest_values(published, "cla_rate_per_10k", 2025)
    row = _benchmark(published, "E08000025", "cla_rate_per_10k", 2025, 2025)
    assert row["rank"] == 1 + sum(v > 79 for v in values.values())
    assert (row["rank_meaning"], row["band_meaning"], row["quartile_band"]) == ("1 = highest", "A lowest", "C")


def test_benchmark_follows_an_abolished_neighbour_to_its_successors(published):
    """The 2021 model lists Cumbria among Derbyshire's neighbours; in 2024-25 Cumberland and
    Westmorland and Furness stand for it."""
    values = _latest_values(published, "cla_rate_per_10k", 2025)
    row = _benchmark(published, "E10000007", "cla_rate_per_10k", 2025, 2021)
    standing_in, neighbour_values = _neighbour_values(published, "E10000007", 2021, 2025, values)
    assert {"E06000063", "E06000064"} <= standing_in and "E10000006" not in standing_in
    assert (row["neighbours_in_model"], row["neighbours_compared"], row["neighbours_by_succession"]) == (10, 11, 2)
    assert row["neighbours_with_value"] == len(neighbour_values) == 11
    assert row["neighbour_mean"] == pytest.approx(sum(neighbour_values) / len(neighbour_values)) == pytest.approx(71.0)
    assert row["is_default_model"] is False


def _byar(x, z=1.959963984540054):
    return (
        x * (1 - 1 / (9 * x) - z / (3 * math.sqrt(x))) ** 3,
        (x + 1) * (1 - 1 / (9 * (x + 1)) + z / (3 * math.sqrt(x + 1))) ** 3,
    )


def _wilson(x, n, z=1.959963984540054):
    root = z * math.sqrt(z**2 + 4 * x * (1 - x / n))
    return (2 * x + z**2 - root) / 2 / (n + z**2), (2 * x + z**2 + root) / 2 / (n + z**2)


def _exact_poisson(x, tail=0.025):
    """The exact 95% Poisson limits, by bisection on the Poisson distribution (no scipy)."""

    def cdf(k, mu):
        return sum(math.exp(-mu) * mu**i / math.factorial(i) for i in range(k + 1))

    def solve(f):  # f increasing in mu
        lo, hi = 0.0, 100.0
        for _ in range(200):
            mid = (lo + hi) / 2
            lo, hi = (lo, mid) if f(mid) > 0 else (mid, hi)
        return (lo + hi) / 2

    lower = 0.0 if x == 0 else solve(lambda mu: (1 - cdf(x - 1, mu)) - tail)
    return lower, solve(lambda mu: tail - cdf(x, mu))


def test_benchmark_confidence_intervals_and_significance(published):
    # Byar: Birmingham's 2,317 children looked after at 31 March 2025 over its mid-2024 population
    row = _benchmark(published, "E08000025", "cla_rate_per_10k", 2025, 2025)
    (population,) = query(
        published,
        "select value from marts.fct_la_indicator where la_code = 'E08000025' "
        "and indicator_id = 'population_0_17' and time_period = 2024 and is_latest",
    )[0]
    assert (row["ci_method"], row["ci_numerator"], row["ci_denominator"]) == ("Byar", 2317, population)
    lower, upper = _byar(2317)
    assert (row["ci_lower_95"], row["ci_upper_95"]) == pytest.approx(
        (lower / population * 1e4, upper / population * 1e4)
    )
    assert row["ci_lower_95"] == pytest.approx(75.93, abs=0.01) and row["ci_upper_95"] == pytest.approx(82.41, abs=0.01)
    assert row["england_value"] == 67 and row["significance_vs_england"] == "higher"
    # Wilson: Birmingham's re-referrals, 20.7% of 16,324 referrals
    row = _benchmark(published, "E08000025", "rereferrals_pct", 2025, 2025)
    (referrals,) = query(
        published,
        "select value from marts.fct_la_indicator where la_code = 'E08000025' "
        "and indicator_id = 'referrals_count' and time_period = 2025 and is_latest",
    )[0]
    x = round(20.7 / 100 * referrals)
    assert (row["ci_method"], row["ci_numerator"], row["ci_denominator"]) == ("Wilson", x, referrals)
    lower, upper = _wilson(x, referrals)
    assert (row["ci_lower_95"], row["ci_upper_95"]) == pytest.approx((lower * 100, upper * 100))
    assert row["ci_upper_95"] < 22.6 and row["significance_vs_england"] == "lower"
    # exact Poisson under 10 events: every such interval matches the Poisson distribution's limits
    rows = query(
        published,
        "select ci_numerator, ci_denominator, ci_lower_95, ci_upper_95, indicator_id from marts.fct_la_benchmark "
        "where ci_method = 'exact Poisson' and is_default_model",
    )
    assert rows and all(x < 10 for x, *_ in rows)
    for x, n, lower, upper, _ in rows:
        exact = _exact_poisson(int(x))
        assert (lower, upper) == pytest.approx((exact[0] / n * 1e4, exact[1] / n * 1e4), rel=1e-5)
    # every interval holds its own estimate, and significance follows the interval
    assert query(
        published,
        "select count(*) from marts.fct_la_benchmark where ci_lower_95 is not null and not "
        "(ci_lower_95 <= ci_numerator / ci_denominator * case ci_method when 'Wilson' then 100 else 10000 end "
        "and ci_numerator / ci_denominator * case ci_method when 'Wilson' then 100 else 10000 end <= ci_upper_95)",
    ) == [(0,)]


def test_england_as_published(published):
    rows = query(
        published,
        "select time_period, release, value from marts.fct_england_region_indicator where area_code = 'E92000001' "
        "and indicator_id = 'cla_count' and time_period in (2022, 2025) order by 1, 2",
    )
    assert rows == [
        (2022, "ees_2022", 82170),
        (2022, "ees_2023", 82080),
        (2022, "ees_2024", 82090),
        (2022, "ees_2025", 82090),
        (2025, "ees_2025", 81770),
    ]


def test_boundary_changes(published):
    dim = {
        r[0]: r[1:]
        for r in query(
            published,
            "select la_code, la_name, first_year, last_year, is_current, successor_la_codes, "
            "predecessor_la_codes, retirement_kind from marts.dim_local_authority",
        )
    }
    assert len(dim) == 167 and sum(r[3] for r in dim.values()) == 153
    # first_year is the first year any source shows: the section 251 outturn 2008-09 (time_period 2009)
    assert dim["E10000006"] == ("Cumbria", 2009, 2023, False, "E06000063,E06000064", None, "split")
    assert dim["E06000063"][:4] == ("Cumberland", 2024, None, True)
    assert dim["E10000021"][2:] == (2021, False, "E06000061,E06000062", None, "split")
    assert dim["E06000028"][2] == 2019 and dim["E06000058"][1] == 2020  # Bournemouth -> BCP
    assert dim["E06000058"][5] == "E06000028,E06000029,E10000009"
    assert dim["E10000023"][3:] == (False, "E06000065", None, "recode")
    # North Yorkshire's series runs on under its new code, back to its first year.
    assert dim["E06000065"][1:3] == (2009, None)
    # 2009: Bedfordshire and Cheshire, seen only in the section 251 outturn 2008-09 (DfE 820, 875)
    assert dim["E10000001"] == ("Bedfordshire", 2009, 2009, False, "E06000055,E06000056", None, "split")
    assert dim["E10000004"][3:5] == (False, "E06000049,E06000050")
    assert dim["E06000055"][1] == 2010
    assert latest(published, "E06000065", 2018) == (437, "published", "ees_2022")
    assert latest(published, "E10000006", 2023) == (740, "published", "ees_2025")
    assert query(
        published,
        "select count(*) from marts.fct_children_looked_after where la_code = 'E10000006' and time_period > 2023",
    ) == [(0,)]
    assert query(
        published, "select max(time_period) from marts.fct_children_looked_after where la_code = 'E10000021'"
    ) == [(2021,)]


def test_expenditure_figures_across_both_sources(published):
    rows = query(
        published,
        "select financial_year, cla_spend_gbp, cla_spend_gbp_status, release from marts.fct_expenditure "
        "where la_code = 'E06000014' and time_period in (2014, 2025) order by time_period",
    )
    # York: expenditure/s251_outturn_2013-14/outturn_1314.csv line 16 "Total Children Looked After",
    # NetCurrentExpenditure 6243970 (GBP); RO3 2024-25 second release, Children Looked After 14980 (GBP thousand)
    assert rows == [
        ("2013-14", 6243970.0, "published", "s251_outturn_2013-14"),
        ("2024-25", 14980000.0, "published", "mhclg_ro_2024-25_second_release"),
    ]
    # Somerset's CLA spend revised between the two 2024-25 releases: 91498 -> 91551 (GBP thousand)
    assert query(
        published,
        "select earlier_release, earlier_value, later_release, later_value, difference from marts.fct_la_indicator_revision "
        "where la_code = 'E06000066' and indicator_id = 'cla_spend_gbp' and time_period = 2025",
    ) == [("mhclg_ro_2024-25_first_release", 91498000.0, "mhclg_ro_2024-25_second_release", 91551000.0, 53000.0)]
    # Bedfordshire's last year (outturn_0809.csv, DfE 820) under its ONS code
    assert query(
        published, "select count(*) from marts.fct_expenditure where la_code = 'E10000001' and time_period = 2009"
    ) == [(1,)]
    # spend per child: the conformed total over the mid-year population inside the financial year
    per_child = query(
        published,
        """
        select e.csc_spend_per_child_gbp, e.csc_spend_per_child_gbp_status, e.csc_spend_total_gbp / p.population_0_17
        from marts.fct_expenditure as e
        inner join marts.fct_population as p on p.la_code = e.la_code and p.mid_year = e.time_period - 1
        where e.la_code = 'E06000014' and e.time_period = 2025""",
    )
    # Changed on purpose (issue 8): money is DECIMAL to the penny, so the per-child figure is the quotient rounded
    assert per_child[0][1] == "recomputed" and per_child[0][0] == round(Decimal(str(per_child[0][2])), 2)
    # Changed on purpose (issue 8): money is exact. Gateshead, expenditure/mhclg_ro_2024-25_second_release/
    # RO3_LA_Data_2024-25_data_by_LA.ods row 138, Children Looked After 39182.99959 (GBP thousand): 39,182,999.59
    # pounds to the penny (the double product was 39182999.589999996); the GBP columns are DECIMAL(18,2)
    assert query(
        published,
        "select cla_spend_gbp, typeof(cla_spend_gbp) from marts.fct_expenditure "
        "where la_code = 'E08000037' and time_period = 2025",
    ) == [(Decimal("39182999.59"), "DECIMAL(18,2)")]
    assert latest(published, "E08000037", 2025, "cla_spend_gbp") == (
        39182999.59,
        "published",
        "mhclg_ro_2024-25_second_release",
    )
    # years covered, all nine financial years, with the suppressed/not-returned LAs kept as rows
    years = query(published, "select financial_year, count(*) from marts.fct_expenditure group by 1 order by 1")
    assert [y for y, _ in years] == [
        "2008-09",
        "2009-10",
        "2010-11",
        "2011-12",
        "2012-13",
        "2013-14",
        "2022-23",
        "2023-24",
        "2024-25",
    ]
    assert dict(years)["2024-25"] == 153 and dict(years)["2008-09"] == 150


def test_deprivation_on_todays_las(published):
    rows = {
        r[0]: r[1:]
        for r in query(
            published,
            "select la_code, value_basis, source_la_code, imd_avg_score, imd_avg_score_rank, "
            "idaci_avg_score from marts.fct_deprivation",
        )
    }
    # deprivation/iod2019/File_11...xlsx, sheets IMD and IDACI
    assert rows["E06000002"] == ("own", "E06000002", 40.46, 5, 0.327)  # Middlesbrough
    assert rows["E06000001"][2:] == (35.037, 9, 0.283)  # Hartlepool
    # the file prints Slough as E0600003; the catalogue's erratum restores E06000039
    assert rows["E06000039"][:2] == ("own", "E06000039")
    # created since 2019: the county's value, flagged; a recoded LA keeps its own
    assert (
        rows["E06000063"][:2] == ("carried_from_predecessor", "E10000006")
        and rows["E06000063"][2] == rows["E10000006"][2]
    )
    assert rows["E06000065"][:2] == ("recoded", "E06000065")
    assert sum(1 for r in rows.values() if r[0] == "carried_from_predecessor") == 4
    # Changed on purpose (issue 8): a _pct is 0 to 100 everywhere. File 11 prints Middlesbrough's share of LSOAs in
    # the most deprived 10 % as the proportions 0.4884 (IMD) and 0.4767 (IDACI); the warehouse holds 48.84 and 47.67
    assert query(
        published,
        "select imd_pct_lsoas_most_deprived_10, idaci_pct_lsoas_most_deprived_10 from marts.fct_deprivation "
        "where la_code = 'E06000002'",
    ) == [(pytest.approx(48.84), pytest.approx(47.67))]
    assert query(
        published, "select unit from marts.dim_indicator where indicator_id = 'imd_pct_lsoas_most_deprived_10'"
    ) == [("percentage (0 to 100)",)]


def test_ofsted_inspections_and_judgement_in_effect(published):
    # ofsted/ofsted_la_outcomes_2025-03/...ods, sheet ILACS_inspection_history, row 274 (York): inspected
    # 24 February 2025, published 15 April 2025, Outstanding -- in effect at 31 March 2025 as Ofsted counts it
    rows = query(
        published,
        "select time_period, inspection_date::varchar, publication_date::varchar, overall_effectiveness, "
        "overall_effectiveness_grade, care_leavers from marts.fct_ofsted_judgement_in_effect "
        "where la_code = 'E06000014' and time_period in (2024, 2025) order by 1",
    )
    assert rows == [
        (2024, "2022-03-07", "2022-05-04", "Requires improvement to be good", 3, None),
        (2025, "2025-02-24", "2025-04-15", "Outstanding", 1, "Outstanding"),
    ]
    # the March 2024 table names LAs without codes: "Bristol" and "Durham" resolve through the name table
    # (sheet Inspections_31_March_2024 rows 19 and 41)
    assert query(
        published,
        "select la_code, overall_effectiveness, inspection_date::varchar from marts.fct_ofsted_judgement_in_effect "
        "where la_code in ('E06000023', 'E06000047') and time_period = 2024 order by 1",
    ) == [("E06000023", "Requires improvement to be good", "2023-01-16"), ("E06000047", "Good", "2022-05-09")]
    # a retired LA keeps its inspections; every inspection once (Isles of Scilly's date corrected by a day in 2025)
    assert query(
        published,
        "select framework, effective_date::varchar, overall_effectiveness from marts.fct_ofsted_inspection "
        "where la_code = 'E10000006' order by 2",
    ) == [
        ("SIF", "2015-05-13", "Inadequate"),
        ("SIF", "2018-01-29", "Requires improvement to be good"),  # SIF and re-inspection
        ("ILACS", "2022-09-20", "Requires improvement to be good"),
    ]
    # before its first ILACS inspection (March 2022), York's SIF judgement (published 7 February 2017, Good) was in
    # effect: ofsted_csc_in_england_2023/...ods, sheet LA_inspections_2009-2023
    assert query(
        published,
        "select framework, effective_date::varchar, overall_effectiveness from marts.fct_ofsted_judgement_in_effect "
        "where la_code = 'E06000014' and time_period = 2021",
    ) == [("SIF", "2017-02-07", "Good")]
    assert query(
        published,
        "select count(*) from marts.fct_ofsted_inspection where la_code = 'E06000053' "
        "and inspection_date between '2023-07-01' and '2023-07-31'",
    ) == [(1,)]
    assert query(published, "select count(*) from marts.fct_ofsted_judgement_in_effect where time_period = 2025") == [
        (153,)
    ]


def test_placement_stability_missing_and_care_leavers(published):
    # cla/ees_2025/la_cla_placement_stability.csv (children_count/children_percent headers) and the
    # 2022 file's older labels feed the same indicators
    years = query(
        published,
        "select time_period, release from marts.fct_la_indicator where la_code = 'E08000025' "
        "and indicator_id = 'cla_placements_3plus_pct' and is_latest order by 1",
    )
    assert years[0] == (2018, "ees_2022") and years[-1] == (2025, "ees_2025") and len(years) == 8
    # Birmingham 2024: cla/ees_2024/la_children_who_were_missing_or_away_from_placement_without_authorisation.csv
    facts = query(
        published,
        "select cla_missing_count, cla_missing_pct, cla_adopted_count, cla_sgo_count "
        "from marts.fct_children_looked_after where la_code = 'E08000025' and time_period = 2024",
    )
    assert facts[0][:2] == (281, 10.0) and facts[0][2] > 0 and facts[0][3] > 0
    # cla/ees_2025/la_care_leavers_activity.csv and ..._accommodation_suitability.csv (care_leaver_* headers)
    leavers = query(
        published,
        "select eet_19_21_pct, suitable_accommodation_19_21_pct, release from marts.fct_care_leavers "
        "where la_code = 'E08000025' and time_period = 2024",
    )
    assert leavers == [(56.0, 83.0, "ees_2025")]
    # starters and leavers by characteristic: York, la_cla_who_started_to_be_looked_after.csv (2022 release) and
    # la_children_who_ceased_during_the_year.csv (2024 release; adopted suppressed as c in 2024)
    rows = query(
        published,
        "select flow, time_period, number, percentage, number_status, release from marts.fct_cla_characteristics "
        "where la_code = 'E06000014' and ((characteristic = 'N1. Abuse or neglect' and time_period = 2022) "
        "or (characteristic = 'Adopted' and time_period = 2024)) order by 1",
    )
    assert rows == [
        ("ceased", 2024, None, None, "suppressed", "ees_2024"),
        ("started", 2022, 47, 76.0, "published", "ees_2022"),
    ]
    # cla/ees_2024/la_cla_on_31_march_la_of_placement_netgain.csv, York 2024: 129 placed outside, net gain -85
    assert query(
        published,
        "select cla_placed_outside_la_count, cla_placement_net_gain from marts.fct_children_looked_after "
        "where la_code = 'E06000014' and time_period = 2024",
    ) == [(129, -85)]


def test_children_in_need_and_child_protection_figures(published):
    # cin/ees_2025: b1, c1, c4, d5 for Birmingham (330, E08000025), year ending 31 March 2025
    cin = query(
        published,
        "select cin_count, cin_count_status, referrals_count, rereferrals_pct, release "
        "from marts.fct_children_in_need where la_code = 'E08000025' and time_period = 2025",
    )
    assert cin == [(9301, "published", 16324, 20.7, "ees_2025")]
    cp = query(
        published,
        "select s47_enquiries_count, icpc_count, cpp_count from marts.fct_child_protection "
        "where la_code = 'E08000025' and time_period = 2025",
    )
    assert cp == [(6162, 2094, 1677)]
    assert query(
        published, "select release from marts.fct_child_protection where la_code = 'E08000025' and time_period = 2025"
    ) == [("ees_2025",)]
    # spend per child is computed: its families are its numerator's and the population's
    assert query(
        published, "select source_family from marts.dim_indicator where indicator_id = 'csc_spend_per_child_gbp'"
    ) == [("mhclg_ro3_social_care,population_0_17,s251_outturn",)]
    # starts come from table D3 (every release); D1, only in 2022, has the published rate
    assert latest(published, "E08000025", 2022, "cpp_started_count") == (
        1524,
        "published",
        "ees_2025",
    )  # table D3, every release
    assert query(
        published,
        "select value from marts.fct_la_indicator where la_code = 'E08000025' and time_period = 2022 "
        "and indicator_id = 'cpp_rate_per_10k' and release = 'ees_2022'",
    ) == [(40.1,)]
    assert query(
        published,
        "select value from marts.fct_england_region_indicator where area_code = 'E92000001' "
        "and time_period = 2025 and indicator_id = 'cin_count' and is_latest",
    ) == [(402400,)]
    # table C2 (2022 release only), York row 63: 1,426 assessments, median 32 days (Median_days)
    assert query(
        published,
        "select assessments_count, assessment_duration_median_days from marts.fct_children_in_need "
        "where la_code = 'E06000014' and time_period = 2022",
    ) == [(1426, 32.0)]
    # table C3, York 2025 (cin/ees_2025/c3_...csv): 1,653 episodes with factors, domestic abuse (parent) 252
    assert query(
        published,
        "select factor, episodes, round(pct_of_episodes_with_factors, 1) from marts.fct_assessment_factors "
        "where la_code = 'E06000014' and time_period = 2025 and factor in "
        "('episodes_with_assessment_factor', 'domestic_abuse_parent') order by 2 desc",
    ) == [("episodes_with_assessment_factor", 1653, None), ("domestic_abuse_parent", 252, 15.2)]
    # the other 2022 tables, long form: D4, York 2022 (CPP_At31 126, Neglect_Initial 63, Physical_Initial c)
    rows = dict(
        (r[0], r[1:])
        for r in query(
            published,
            "select breakdown, value, status from marts.fct_cin_breakdowns "
            "where la_code = 'E06000014' and time_period = 2022 and cin_table = 'd4'",
        )
    )
    assert rows["cpp_at31"] == (126, "published") and rows["neglect_initial"] == (63, "published")
    assert rows["physical_initial"] == (None, "suppressed")
    assert {r[0] for r in query(published, "select distinct cin_table from marts.fct_cin_breakdowns")} == {
        "b2",
        "b3",
        "b4",
        "b5",
        "b6",
        "b7",
        "c5",
        "c6",
        "d2",
        "d4",
        "d6",
        "d7",
        "d8",
    }
    # every indicator id BI documents rely on has values
    required = [
        "cla_count",
        "cla_rate_per_10k",
        "cla_started_count",
        "cla_ceased_count",
        "cin_count",
        "cin_rate_per_10k",
        "referrals_count",
        "referrals_rate_per_10k",
        "rereferrals_pct",
        "assessments_count",
        "s47_enquiries_count",
        "s47_enquiries_rate_per_10k",
        "icpc_count",
        "cpp_count",
        "cpp_rate_per_10k",
        "cpp_started_count",
        "sw_fte",
        "sw_vacancy_rate_pct",
        "sw_turnover_rate_pct",
        "sw_agency_rate_pct",
        "sw_caseload_avg",
        "csc_spend_total_gbp",
        "csc_spend_per_child_gbp",
        "cla_spend_gbp",
        "population_0_17",
        "imd_avg_score",
        "idaci_avg_score",
    ]
    have = {
        r[0]
        for r in query(published, "select distinct indicator_id from marts.fct_la_indicator where value is not null")
    }
    assert sorted(set(required) - have) == []


def test_2025_rates_are_recomputed_from_the_conformed_population(published):
    # population/dfe_ons_mye_2012-2024: Birmingham mid-2023 290,047 and mid-2024 292,859
    assert query(
        published,
        "select mid_year, reporting_year, population_0_17 from marts.fct_population "
        "where la_code = 'E08000025' and mid_year in (2023, 2024) order by 1",
    ) == [(2023, 2024, 290047), (2024, 2025, 292859)]
    (rate_2025,) = query(
        published,
        "select cin_rate_per_10k, cin_rate_per_10k_status from marts.fct_children_in_need "
        "where la_code = 'E08000025' and time_period = 2025",
    )
    assert rate_2025[1] == "recomputed" and rate_2025[0] == pytest.approx(9301 / 292859 * 10000)
    # 2024: published as 318.1 by the 2024 release; recomputed by the 2025 release (ONS has revised mid-2023 since)
    vintages = dict(
        query(
            published,
            "select release, value from marts.fct_la_indicator where la_code = 'E08000025' "
            "and time_period = 2024 and indicator_id = 'cin_rate_per_10k'",
        )
    )
    assert vintages["ees_2024"] == 318.1
    assert vintages["ees_2025"] == pytest.approx(9209 / 290047 * 10000)
    assert abs(vintages["ees_2024"] - vintages["ees_2025"]) < 1
    (recomputed_beside_published,) = query(
        published,
        "select recomputed_value from marts.fct_la_indicator where la_code = 'E08000025' "
        "and time_period = 2024 and indicator_id = 'cin_rate_per_10k' and release = 'ees_2024'",
    )
    assert recomputed_beside_published[0] == pytest.approx(9209 / 290047 * 10000)


def test_a_vintage_that_does_not_publish_a_rate_does_not_revise_it(published):
    """Changed on purpose (issue 8): the 2025 CIN release dropped its rate columns, so the latest
    rate of an earlier year is the last published one, not the warehouse's recomputation."""
    # cin/ees_2024 c1/b1 files: Birmingham 2024 CIN rate 318.1, still the latest value after 2025
    assert latest(published, "E08000025", 2024, "cin_rate_per_10k") == (318.1, "published", "ees_2024")
    assert query(
        published,
        "select cin_rate_per_10k, cin_rate_per_10k_status from marts.fct_children_in_need "
        "where la_code = 'E08000025' and time_period = 2024",
    ) == [(318.1, "published")]
    # cin/ees_2022 c4 file: City of London 2022, 21 section 47 enquiries, rate 115.1. DfE divided by the
    # mid-2021 estimate before Census 2021 (1,825 children: the 2022 CLA release's child population);
    # ONS has since rebased it to 654, so the warehouse's recomputation (21 / 654) is 321.1: kept beside it.
    (row,) = query(
        published,
        "select value, status, release, recomputed_value from marts.fct_la_indicator "
        "where la_code = 'E09000001' and time_period = 2022 and indicator_id = 's47_enquiries_rate_per_10k' and is_latest",
    )
    assert row[:3] == (115.1, "published", "ees_2022") and row[3] == pytest.approx(21 / 654 * 10000)
    # no latest rate is a recomputation where some release published the figure
    assert query(
        published,
        """
        select count(*) from marts.fct_la_indicator as latest
        where latest.is_latest and latest.status = 'recomputed'
          and exists (select 1 from marts.fct_la_indicator as other
                      where other.la_code = latest.la_code and other.time_period = latest.time_period
                        and other.indicator_id = latest.indicator_id and other.status = 'published')""",
    ) == [(0,)]


def test_recodes_found_in_older_cin_years(published):
    # Buckinghamshire: the 2025 CIN release prints E10000002 up to 2020 and E06000060 after.
    rows = query(
        published,
        "select time_period, value from marts.fct_la_indicator where la_code = 'E06000060' "
        "and indicator_id = 'cin_count' and release = 'ees_2025' and time_period between 2019 and 2021 order by 1",
    )
    assert rows == [(2019, 3338), (2020, 3328), (2021, 3453)]
    assert query(
        published,
        "select count(*) from marts.fct_la_indicator where la_code in ('E10000002', 'E08000020', 'E06000048')",
    ) == [(0,)]


def test_social_work_workforce_and_joint_returns(published):
    # workforce/ees_2025/csww_indicators_2017_to_2025.csv, 30 September 2025
    assert query(
        published,
        "select sw_fte, sw_vacancy_rate_pct, is_joint_return, release from marts.fct_social_work_workforce "
        "where reporting_unit_code = 'E06000010' and time_period = 2025",
    ) == [(328.0, 2.4, False, "ees_2025")]  # Hull
    # North and West Northamptonshire return jointly: one row in the fact, the figure on each member LA
    assert query(
        published,
        "select sw_fte, member_la_codes from marts.fct_social_work_workforce "
        "where reporting_unit_code = 'E06000061 / E06000062' and time_period = 2025",
    ) == [(421.5, "E06000061,E06000062")]
    members = query(
        published,
        "select la_code, value, is_joint_return from marts.fct_la_indicator where indicator_id = 'sw_fte' "
        "and time_period = 2025 and is_latest and reporting_unit_code = 'E06000061 / E06000062' order by 1",
    )
    assert members == [("E06000061", 421.5, True), ("E06000062", 421.5, True)]
    # the September 2021 return, after Northamptonshire's split, is kept (not lost to the LA lifetime filter)
    assert latest(published, "E06000061", 2021, "sw_fte") == (329.9, "published", "ees_2025")
    # counted once per reporting unit, LA totals match England's published FTE to rounding (2024;
    # in 2025 Westminster and Kensington and Chelsea did not return: 'x')
    (total,) = query(published, "select sum(sw_fte) from marts.fct_social_work_workforce where time_period = 2024")[0]
    assert abs(total - 34328.2) < 1
    # the 2022 release's %-suffixed headers feed the same indicators; England 2020 revised since
    assert query(
        published,
        "select release, value from marts.fct_england_region_indicator where area_code = 'E92000001' "
        "and indicator_id = 'sw_fte' and time_period = 2020 and release in ('ees_2022', 'ees_2025') order by 1",
    ) == [("ees_2022", 31854.3), ("ees_2025", 31852.3)]


def test_unit_costs_divide_spend_by_the_activity_of_the_same_year(published):
    """Spend per child in need and per child looked after: the financial year's spend over the
    children counted at the 31 March that ends it (Hull, 2024-25: RO3 2024-25 over CIN and CLA at 31 March 2025)."""
    (cla_spend, per_cla, csc_spend, per_cin) = query(
        published,
        "select cla_spend_gbp, cla_spend_per_child_looked_after_gbp, csc_spend_total_gbp, csc_spend_per_child_in_need_gbp "
        "from marts.fct_expenditure where la_code = 'E06000010' and time_period = 2025",
    )[0]
    cla_count = latest(published, "E06000010", 2025, "cla_count")
    cin_count = latest(published, "E06000010", 2025, "cin_count")
    assert cla_count[1] == cin_count[1] == "published"
    assert float(per_cla) == pytest.approx(float(cla_spend) / cla_count[0], abs=0.005)
    assert float(per_cin) == pytest.approx(float(csc_spend) / cin_count[0], abs=0.005)
    assert latest(published, "E06000010", 2025, "cla_spend_per_child_looked_after_gbp")[1] == "recomputed"
    # the catalogue says what each divides by, and where it comes from
    assert query(
        published,
        "select source_family from marts.dim_indicator where indicator_id = 'csc_spend_per_child_in_need_gbp'",
    ) == [("cin_b1_children_in_need,mhclg_ro3_social_care,s251_outturn",)]


def test_la_year_profile_puts_each_figure_in_its_reporting_year(published):
    """mart_la_year_profile: one row per LA and reporting year, each figure in the year its period falls in."""
    rows = query(
        published, "select count(*), count(distinct (la_code, reporting_year)) from marts.mart_la_year_profile"
    )
    assert rows[0][0] == rows[0][1] > 2000
    # Birmingham, year ending 31 March 2025: CLA rate as published (cla/ees_2025), beside the
    # judgement in effect at 31 March 2025; no spend: Birmingham made no 2024-25 RO3 return
    # (both 2024-25 revenue outturn releases print none for it)
    (rate, judgement, spend, spend_status, population) = query(
        published,
        "select cla_rate_per_10k, ofsted_overall_effectiveness, csc_spend_per_child_gbp, "
        "csc_spend_per_child_gbp_status, population_0_17 "
        "from marts.mart_la_year_profile where la_code = 'E08000025' and reporting_year = 2025",
    )[0]
    assert rate == 79
    assert (
        judgement
        == query(
            published,
            "select overall_effectiveness from marts.fct_ofsted_judgement_in_effect "
            "where la_code = 'E08000025' and time_period = 2025",
        )[0][0]
    )
    assert (spend, spend_status) == (None, "not_available")
    assert population == latest(published, "E08000025", 2024, "population_0_17")[0]  # mid-2024: the year's denominator
    # Hull, the same year: spend per child of financial year 2024-25, to the penny
    (hull_spend,) = query(
        published,
        "select csc_spend_per_child_gbp from marts.mart_la_year_profile "
        "where la_code = 'E06000010' and reporting_year = 2025",
    )[0]
    assert float(hull_spend) == pytest.approx(
        latest(published, "E06000010", 2025, "csc_spend_per_child_gbp")[0], abs=0.005
    )
    # Hull's social workers at 30 September 2025 (workforce/ees_2025) fall in the year ending March 2026
    assert query(
        published, "select sw_fte from marts.mart_la_year_profile where la_code = 'E06000010' and reporting_year = 2026"
    ) == [(328.0,)]


def _poisson_quantile(p, mean):
    """The smallest k with P(X <= k) >= p for X ~ Poisson(mean), summed on the log scale."""
    k, cdf = 0, 0.0
    while True:
        cdf += math.exp(k * math.log(mean) - mean - math.lgamma(k + 1))
        if cdf >= p:
            return k
        k += 1


def test_variation_fit_reproduced_independently(published):
    """mart_variation: the children looked after rate of 2024-25 on IDACI, refitted with numpy's
    least squares on sqrt-weighted data from the facts themselves (fct_la_indicator, the ONS
    mid-2024 population in fct_population, fct_deprivation), not from the mart's inputs."""
    import numpy as np

    rows = query(
        published,
        """
        select f.la_code, f.value, pop.population_0_17, d.idaci_avg_score
        from marts.fct_la_indicator as f
        inner join marts.fct_population as pop on pop.la_code = f.la_code and pop.mid_year = 2024
        inner join marts.fct_deprivation as d on d.la_code = f.la_code
        where f.indicator_id = 'cla_rate_per_10k' and f.time_period = 2025 and f.is_latest
          and f.value > 0 and pop.population_0_17 > 0 and d.idaci_avg_score is not null
        order by f.la_code""",
    )
    codes = [r[0] for r in rows]
    y = np.log([r[1] for r in rows])
    w = np.array([r[2] for r in rows], dtype=float)
    x = np.array([r[3] for r in rows])
    design = np.column_stack([np.ones_like(x), x])
    (intercept, slope), *_ = np.linalg.lstsq(design * np.sqrt(w)[:, None], y * np.sqrt(w), rcond=None)
    fitted = intercept + slope * x
    y_mean = np.average(y, weights=w)
    r_squared = 1 - np.sum(w * (y - fitted) ** 2) / np.sum(w * (y - y_mean) ** 2)
    sigma = math.sqrt(np.sum(w * (y - fitted) ** 2) / (len(y) - 2))

    mart = {
        r[0]: r[1:]
        for r in query(
            published,
            """
        select la_code, intercept, slope, r_squared, las_in_model, expected_value, standardised_residual,
               expected_count, funnel_upper_95, funnel_position, value
        from marts.mart_variation
        where indicator_id = 'cla_rate_per_10k' and time_period = 2025 and deprivation_measure = 'idaci'""",
        )
    }
    assert sorted(mart) == codes and len(codes) >= 100
    ((m_intercept, m_slope, m_r_squared, las),) = {v[:4] for v in mart.values()}  # the same on every row
    assert las == len(codes)
    assert m_slope == pytest.approx(slope, rel=1e-9)
    assert m_intercept == pytest.approx(intercept, rel=1e-9)
    assert m_r_squared == pytest.approx(r_squared, rel=1e-9)
    assert 0.3 < r_squared < 0.7  # deprivation explains much of the variation in CLA rates, not all of it
    # Birmingham, Kent, Blackpool, Richmond upon Thames: expected value and standardised residual
    for code in ("E08000025", "E10000016", "E06000009", "E09000027"):
        i = codes.index(code)
        expected, z_score = mart[code][4], mart[code][5]
        assert expected == pytest.approx(math.exp(fitted[i]), rel=1e-9), code
        assert z_score == pytest.approx((y[i] - fitted[i]) * math.sqrt(w[i]) / sigma, rel=1e-9), code
    # Byar's upper 95% limit is within a child of the exact Poisson 97.5% quantile of the expected count
    expected_count, upper, position, value = mart["E08000025"][6:10]
    assert upper * w[codes.index("E08000025")] / 10_000 == pytest.approx(
        _poisson_quantile(0.975, expected_count), abs=1.5
    )
    assert (position in ("above_95", "above_99_8")) == (value > upper)


def test_delivery_models_with_their_dates_and_sources(published):
    """fct_la_delivery_model and dim_delivery_model from the cited seed."""
    assert query(
        published,
        "select delivery_model_id, model_kind, effective_from::varchar, effective_from_precision, "
        "effective_to, end_basis, reporting_year_from from marts.fct_la_delivery_model "
        "where la_code = 'E08000025'",
    ) == [("birmingham_ct", "trust_or_company", "2018-04-01", "day", None, "open", 2019)]
    # the Northamptonshire trust: the county until the split, then its two successors
    assert query(
        published,
        "select la_code, effective_from::varchar, effective_to::varchar, end_basis "
        "from marts.fct_la_delivery_model where delivery_model_id = 'northamptonshire_ct' order by la_code",
    ) == [
        ("E06000061", "2021-04-01", None, "open"),
        ("E06000062", "2021-04-01", None, "open"),
        ("E10000021", "2020-11-01", "2021-03-31", "boundary_change"),
    ]
    assert query(
        published,
        "select effective_from::varchar, la_count, end_basis from marts.dim_delivery_model "
        "where delivery_model_id = 'northamptonshire_ct'",
    ) == [("2020-11-01", 3, "open")]
    # Doncaster's trust ended in September 2022 (month only): its last 31 March is 2022
    assert query(
        published,
        "select effective_to::varchar, effective_to_precision, reporting_year_to "
        "from marts.fct_la_delivery_model where delivery_model_id = 'doncaster_cst'",
    ) == [("2022-09-30", "month", 2022)]
    # every row names the page its start date was read from
    assert query(published, "select count(*) from marts.fct_la_delivery_model where source_url not like 'http%'") == [
        (0,)
    ]


def test_trust_la_before_and_after_against_its_neighbours(published):
    """mart_delivery_model_comparison: Birmingham's CLA rate against its 2021 neighbours, from the facts."""

    def independently(year):
        own = latest(published, "E08000025", year, "cla_rate_per_10k")[0]
        theirs = [
            r[0]
            for r in query(
                published,
                "select f.value from marts.dim_statistical_neighbour as n inner join marts.fct_la_indicator as f "
                "on f.la_code = n.neighbour_la_code and f.indicator_id = 'cla_rate_per_10k' and f.time_period = ? and f.is_latest "
                "where n.la_code = 'E08000025' and n.model_year = 2021 and f.value is not null",
                (year,),
            )
        ]
        return own, sum(theirs) / len(theirs), len(theirs)

    for year, years_from_start, phase in [(2017, -2, "before"), (2021, 2, "under_trust")]:
        own, neighbour_mean, neighbours = independently(year)
        row = query(
            published,
            "select value, neighbour_mean, neighbours_with_value, difference_from_neighbours, "
            "years_from_trust_start, trust_phase, trust_start_reporting_year, model_kind "
            "from marts.mart_delivery_model_comparison where la_code = 'E08000025' and reporting_year = ? "
            "and indicator_id = 'cla_rate_per_10k' and neighbour_model_year = 2021",
            (year,),
        )
        assert len(row) == 1, row
        value, mean, count, difference, relative, trust_phase, start_year, kind = row[0]
        assert (value, count, relative, trust_phase, start_year) == (own, neighbours, years_from_start, phase, 2019)
        assert mean == pytest.approx(neighbour_mean) and difference == pytest.approx(own - neighbour_mean)
        assert kind == ("none_recorded" if phase == "before" else "trust_or_company")
    # Doncaster after its trust: back with the council at 31 March 2023
    assert query(
        published,
        "select distinct trust_phase, model_kind from marts.mart_delivery_model_comparison "
        "where la_code = 'E08000017' and reporting_year = 2023",
    ) == [("after_trust", "none_recorded")]


def test_meta_records_sources_and_checks(published, mirror_dir):
    manifest = {
        (r["source"], r["release_label"], r["file"]): r["sha256"]
        for r in csv.DictReader(open(mirror_dir / "MANIFEST.csv"))
    }
    files = query(published, "select source, release, file, sha256 from meta.refresh_source_files")
    # one row per catalogue release (128 files; IoD2019 File 11 feeds two families, one per sheet)
    assert len(files) == len(load_catalogue().releases)
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
    run = csc("status", warehouse=published)
    assert run.returncode == 0, run.stderr
    (refresh_id,) = query(published, "select refresh_id from meta.refresh")[0]
    assert f"refresh {refresh_id}" in run.stdout and "last refresh" in run.stdout and "SUCCESS" in run.stdout


def mutate(tmp_path, mirror_dir, old, new):
    mirror = copy_mirror(mirror_dir, tmp_path / "mirror")
    path = mirror / "cla" / "ees_2025" / "cla_number_and_rate_per_10k_children.csv"
    data = path.read_bytes()
    assert data.count(old) == 1
    path.write_bytes(data.replace(old, new))
    return mirror


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
