"""Documentation a person can browse: the metric catalogue page on a hand-made snapshot, the dbt
exposures kept true to the code that reads the marts, the sources' publisher pages, the docs
site's code version, and `csc docs` (a clear error with no site; --serve answers on 127.0.0.1)."""

from __future__ import annotations

import re
import signal
import subprocess
import urllib.request
from pathlib import Path

import duckdb
import pytest
import yaml

from orchestration.lib.dbt.project import load_manifest
from orchestration.lib.dbt.sources import publisher_pages, render
from orchestration.lib.ingest.catalogue import load_catalogue
from orchestration.lib.publish import docs_site, metric_catalogue, projection_pages
from orchestration.lib.publish.datapackage import is_open_mart
from tests.support.helpers import clean_env, csc_command

LIB = Path(docs_site.__file__).parent


def make_snapshot(path: Path) -> None:
    """A published snapshot with just what the metric page reads."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    con.execute("create schema marts; create schema meta")
    con.execute("""create table marts.dim_indicator (indicator_id varchar, label varchar, unit varchar, polarity varchar,
        domain varchar, period_type varchar, source varchar, source_family varchar, description varchar,
        rate_numerator varchar, rate_multiplier double, rate_denominator varchar, base_indicator_id varchar)""")
    rows = [
        (
            "cla_count",
            "Children looked after <at 31 March>",
            "count",
            "neutral",
            "cla",
            "reporting_year_31_march",
            "Children looked after (DfE)",
            "cla_family",
            "As published.",
            None,
            None,
            None,
            None,
        ),
        (
            "cla_rate",
            "CLA rate",
            "rate per 10,000 children aged under 18",
            "neutral",
            "cla",
            "reporting_year_31_march",
            "Children looked after (DfE)",
            "cla_family",
            "Per 10,000.",
            "cla_count",
            10000.0,
            "population_0_17",
            None,
        ),
        (
            "cla_cost",
            "Spend per child looked after",
            "GBP per child looked after",
            "neutral",
            "spend",
            "financial_year",
            "Section 251 (DfE)",
            "s251",
            "Unit cost.",
            "cla_spend_gbp",
            1.0,
            "cla_count",
            None,
        ),
        (
            "rereferrals_pct",
            "Re-referrals",
            "percent",
            "lower_is_better",
            "cin",
            "reporting_year_31_march",
            "Children in need (DfE)",
            "cin_family",
            "Share.",
            None,
            None,
            None,
            "referrals_count",
        ),
        (
            "no_data",
            "Never published",
            "count",
            "neutral",
            "cin",
            "reporting_year_31_march",
            "Children in need (DfE)",
            "cin_family",
            None,
            None,
            None,
            None,
            None,
        ),
    ]
    con.executemany("insert into marts.dim_indicator values (" + ",".join("?" * 13) + ")", rows)
    con.execute("""create table marts.fct_la_indicator (la_code varchar, time_period integer, period_type varchar,
        indicator_id varchar, value double, release varchar, is_latest boolean)""")
    facts = [
        ("E1", 2020, "reporting_year_31_march", "cla_count", 5, "ees_2021", True),
        ("E1", 2021, "reporting_year_31_march", "cla_count", 6, "ees_2021", False),  # revised by ees_2022
        ("E1", 2021, "reporting_year_31_march", "cla_count", 7, "ees_2022", True),
        (
            "E2",
            2022,
            "reporting_year_31_march",
            "cla_count",
            None,
            "ees_2022",
            True,
        ),  # no value: not a period with data
        ("E1", 2021, "reporting_year_31_march", "cla_rate", 70, "ees_2022", True),
        ("E1", 2019, "reporting_year_31_march", "rereferrals_pct", 20, "ees_2021", True),
        ("E1", 2024, "financial_year", "cla_cost", 100000, "s251_2024", True),
    ]
    con.executemany("insert into marts.fct_la_indicator values (?,?,?,?,?,?,?)", facts)
    con.execute("create table marts.dim_period (period_type varchar, time_period integer, period_label varchar)")
    con.executemany(
        "insert into marts.dim_period values (?,?,?)",
        [("reporting_year_31_march", y, f"year ending 31 March {y}") for y in (2019, 2020, 2021, 2022)]
        + [("financial_year", 2024, "2023-24")],
    )
    con.execute("create table meta.refresh as select 'r-1' as refresh_id, now() as finished_at")
    con.execute("create table meta.release_index (family varchar, release varchar, page varchar)")
    con.execute("insert into meta.release_index values ('cla_family', 'ees_2022', 'https://example.org/cla/2022')")
    con.close()


def page_rows(html: str) -> dict[str, str]:
    return dict(re.findall(r'<tr id="([^"]+)" data-indicator="[^"]+">(.*?)</tr>', html, flags=re.S))


def test_metric_page_lists_every_indicator_with_formula_periods_and_release(warehouse):
    make_snapshot(warehouse.published_path)
    result = metric_catalogue.write_metric_page(warehouse)
    assert result.path == warehouse.warehouse_dir / "docs" / "metrics.html" and result.indicators == 5
    html = result.path.read_text(encoding="utf-8")
    rows = page_rows(html)
    assert sorted(rows) == ["cla_cost", "cla_count", "cla_rate", "no_data", "rereferrals_pct"]
    periods = {k: re.findall(r'data-period="(\d*)"', v) for k, v in rows.items()}
    # first and last period with a value (2022 has none), the revised 2021 figure from the later release
    assert periods["cla_count"] == ["2020", "2021"]
    assert "year ending 31 March 2020" in rows["cla_count"] and "year ending 31 March 2021" in rows["cla_count"]
    assert '<a href="https://example.org/cla/2022">ees_2022</a>' in rows["cla_count"]
    assert "as published" in rows["cla_count"]
    assert (
        "cla_count / population_0_17 (the child population of the mid-year before the reporting year) × 10,000"
        in rows["cla_rate"]
    )
    assert "cla_spend_gbp / cla_count (same period)" in rows["cla_cost"] and "×" not in rows["cla_cost"]
    assert periods["cla_cost"] == ["2024", "2024"] and "2023-24" in rows["cla_cost"] and "s251_2024" in rows["cla_cost"]
    assert "percentage of referrals_count" in rows["rereferrals_pct"] and "lower is better" in rows["rereferrals_pct"]
    assert periods["no_data"] == ["", ""] and "–" in rows["no_data"]
    assert "Children looked after &lt;at 31 March&gt;" in html  # escaped
    assert "<script" not in html and "http" not in html.replace("https://example.org/cla/2022", "")
    # written beside and renamed into place: nothing else is left in docs/
    assert [p.name for p in result.path.parent.iterdir()] == ["metrics.html"]


def test_metric_page_needs_a_publication(warehouse):
    with pytest.raises(FileNotFoundError, match="csc refresh"):
        metric_catalogue.write_metric_page(warehouse)


def _exposure_marts() -> dict[str, set[str]]:
    manifest = load_manifest()
    return {e["name"]: {n.split(".")[-1] for n in e["depends_on"]["nodes"]} for e in manifest["exposures"].values()}


def _marts_read_by(module: Path) -> set[str]:
    return set(re.findall(r"\bmarts\.(\w+)", module.read_text(encoding="utf-8")))


def test_exposures_name_the_marts_their_code_reads():
    exposures = _exposure_marts()
    pages = {"la_profiles.py", "projection_pages.py", "projection_report.py", "projection_charts.py"}
    # the projection marts are Dagster's, not dbt models: no exposure can name them
    read = set().union(*(_marts_read_by(LIB / m) for m in pages)) - set(projection_pages.TABLES)
    assert exposures["la_profile_pages"] == read
    assert exposures["metric_catalogue"] == _marts_read_by(LIB / "metric_catalogue.py")
    manifest = load_manifest()
    marts = {n["name"] for n in manifest["nodes"].values() if n["resource_type"] == "model" and n["fqn"][1] == "marts"}
    # every mart but those of an LA's own returns, which never leave csc.duckdb (datapackage.RETURNS_MARTS)
    assert exposures["open_data_exports"] == {m for m in marts if is_open_mart(m)}
    for exposure in manifest["exposures"].values():
        assert exposure["owner"]["name"] and exposure["description"] and exposure["url"] and exposure["type"]


def test_every_raw_table_carries_its_publisher_pages():
    sources = load_catalogue().sources
    assert sources and all(source.families for source in sources)
    for source in sources:
        document = yaml.safe_load(render(source))["sources"][0]
        assert document["meta"]["publisher_page"] == source.page
        # zip() below pairs each family with its table: the same tables, in the same order
        assert [table["name"] for table in document["tables"]] == [family.raw_table for family in source.families]
        for family, table in zip(source.families, document["tables"]):
            pages = publisher_pages(source, family)
            assert pages, family.name
            assert table["meta"]["publisher_pages"] == pages
            assert all(page in table["description"] for page in pages)


def test_docs_site_code_version_follows_the_dbt_project(tmp_path):
    (tmp_path / "models").mkdir()
    (tmp_path / "dbt_project.yml").write_text("name: x\n")
    (tmp_path / "models" / "a.sql").write_text("select 1")
    first = docs_site.code_version(tmp_path)
    assert docs_site.code_version(tmp_path) == first
    (tmp_path / "models" / "_exposures.yml").write_text("version: 2\n")
    second = docs_site.code_version(tmp_path)
    assert second != first
    (tmp_path / "models" / "a.sql").write_text("select 2")
    assert docs_site.code_version(tmp_path) not in (first, second)


def _artifacts(target: Path, project: Path, compiled=(True, True), invocations=("i-1", "i-1"), digest=None):
    """A target folder as a dbt command leaves it: manifest.json and run_results.json."""
    import json

    from orchestration.lib.dbt.project import PROJECT_DIGEST, project_digest

    target.mkdir(parents=True, exist_ok=True)
    nodes = {
        "model.p.a": {"resource_type": "model", "compiled": compiled[0]},
        "test.p.not_null_a_x": {"resource_type": "test", "compiled": compiled[1]},
        "seed.p.s": {"resource_type": "seed"},
    }  # a seed is never compiled
    (target / "manifest.json").write_text(json.dumps({"metadata": {"invocation_id": invocations[0]}, "nodes": nodes}))
    env = {PROJECT_DIGEST: digest or project_digest(project)}
    (target / "run_results.json").write_text(json.dumps({"metadata": {"invocation_id": invocations[1], "env": env}}))


def test_the_docs_site_reuses_a_manifest_only_when_it_compiled_the_project_as_it_is(tmp_path):
    project, target = tmp_path / "project", tmp_path / "target"
    (project / "models").mkdir(parents=True)
    (project / "dbt_project.yml").write_text("name: x\n")
    (project / "models" / "a.sql").write_text("select 1")
    assert "no manifest" in docs_site.why_compile(target, project)
    _artifacts(target, project)  # a build of every node of this project
    assert docs_site.why_compile(target, project) is None
    _artifacts(target, project, compiled=(True, False))  # a build of a selection: some nodes not compiled
    assert "compiled only some nodes (1 not, e.g. test.p.not_null_a_x)" in docs_site.why_compile(target, project)
    _artifacts(target, project, invocations=("i-1", "i-2"))  # the manifest of one command, the results of another
    assert "different dbt commands" in docs_site.why_compile(target, project)
    _artifacts(target, project, digest="before")  # built from other files (or by dbt run outside Dagster)
    assert "changed" in docs_site.why_compile(target, project)
    _artifacts(target, project)
    (project / "models" / "overview.md").write_text("{% docs __overview__ %}new{% enddocs %}")  # docs only: no build
    assert "changed" in docs_site.why_compile(target, project)


@pytest.mark.slow  # a `csc` process
def test_csc_docs_without_a_site_names_the_path(tmp_path):
    warehouse = tmp_path / "warehouse"
    run = subprocess.run(
        csc_command("docs", "--warehouse-dir", str(warehouse), "--no-browser"),
        capture_output=True,
        text=True,
        timeout=120,
        env=clean_env(),
    )
    assert run.returncode == 1
    assert str(warehouse / "docs" / "index.html") in run.stderr and "csc refresh" in run.stderr


def serve(tmp_path, **popen) -> subprocess.Popen:
    """`csc docs --serve` on the docs folder of ``tmp_path/warehouse``, on any free port."""
    return subprocess.Popen(
        csc_command("docs", "--warehouse-dir", str(tmp_path / "warehouse"), "--serve", "--port", "0", "--no-browser"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=clean_env(),
        **popen,
    )


@pytest.mark.slow  # two `csc` processes
def test_csc_docs_serves_the_site_on_localhost(tmp_path):
    docs = tmp_path / "warehouse" / "docs"
    docs.mkdir(parents=True)
    (docs / "index.html").write_text("<html><title>dbt Docs</title>the site</html>", encoding="utf-8")
    (docs / "metrics.html").write_text("<html>metric catalogue</html>", encoding="utf-8")
    listed = subprocess.run(
        csc_command("docs", "--warehouse-dir", str(tmp_path / "warehouse"), "--no-browser"),
        capture_output=True,
        text=True,
        timeout=120,
        env=clean_env(),
    )
    assert listed.returncode == 0 and listed.stdout.split() == [str(docs / "index.html"), str(docs / "metrics.html")]
    proc = serve(tmp_path)
    try:
        url = None
        for line in proc.stdout:
            if match := re.search(r"on (http://127\.0\.0\.1:\d+/)", line):
                url = match.group(1)
                break
        assert url, proc.stderr.read() if proc.poll() is not None else "no URL printed"
        with urllib.request.urlopen(url, timeout=10) as answer:
            assert answer.status == 200 and "the site" in answer.read().decode()
        with urllib.request.urlopen(url + "metrics.html", timeout=10) as answer:
            assert "metric catalogue" in answer.read().decode()
    finally:
        proc.send_signal(signal.SIGINT)  # Ctrl-C
        try:
            code = proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
    assert code == 0


@pytest.mark.slow  # a `csc` process
def test_ctrl_c_stops_csc_docs_serve_even_when_started_with_sigint_ignored(tmp_path):
    """A program a non-interactive shell starts in the background inherits SIGINT ignored (CI
    runs tests that way at times), and Python then never raises KeyboardInterrupt for it:
    `csc docs --serve` installs its own handlers, so Ctrl-C stops it however it was started."""
    docs = tmp_path / "warehouse" / "docs"
    docs.mkdir(parents=True)
    (docs / "index.html").write_text("<html>the site</html>", encoding="utf-8")
    proc = serve(tmp_path, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))  # as `command &` does
    try:
        assert any("serving" in line for line in proc.stdout), proc.stderr.read()
        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=20)
    finally:
        proc.kill()
    assert code == 0
