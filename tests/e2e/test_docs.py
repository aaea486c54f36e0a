"""After a refresh on the real mirror: the dbt docs site and the metric catalogue are in
``warehouse/docs/``, the site one self-contained page with every mart, column, test, source
(with its publisher's pages), exposure and lineage edge; the metric page every indicator with
the first and last period the real data have."""

from __future__ import annotations

import json
import re

import duckdb
import pytest

from orchestration.lib.dbt.project import load_manifest
from orchestration.lib.dbt.sources import publisher_pages, source_name
from orchestration.lib.ingest.catalogue import load_catalogue
from orchestration.lib.projections import tables
from orchestration.lib.publish.datapackage import is_open_mart
from orchestration.lib.returns import figures

pytestmark = pytest.mark.e2e


def inlined(html: str) -> tuple[dict, dict]:
    """The manifest and catalog dbt inlines into static_index.html ({manifest:<json>,catalog:<json>})."""
    decoder = json.JSONDecoder()
    start = html.index("{manifest:") + len("{manifest:")
    manifest, end = decoder.raw_decode(html, start)
    assert html[end : end + len(",catalog:")] == ",catalog:"
    catalog, _ = decoder.raw_decode(html, end + len(",catalog:"))
    return manifest, catalog


@pytest.fixture(scope="module")
def site(published_warehouse) -> dict:
    docs = published_warehouse / "docs"
    html = (docs / "index.html").read_text(encoding="utf-8")
    manifest, catalog = inlined(html)
    import dagster as dg

    with dg.DagsterInstance.from_config(str(published_warehouse / ".dagster")) as instance:
        for key in (["published", "docs_site"], ["published", "metric_catalogue"]):
            event = instance.get_latest_materialization_event(dg.AssetKey(key))
            assert event is not None, key
            print("/".join(key), {k: getattr(v, "value", v) for k, v in event.asset_materialization.metadata.items()})
        # a cold refresh builds every node: the site inlines that build's manifest, compiled SQL and all,
        # without compiling the project again (orchestration/lib/publish/docs_site.py)
        compiled = instance.get_latest_materialization_event(dg.AssetKey(["published", "docs_site"]))
        assert compiled.asset_materialization.metadata["compiled"].value.startswith("no:")
    return {"dir": docs, "html": html, "manifest": manifest, "catalog": catalog, "warehouse": published_warehouse}


def test_the_site_is_one_page_that_loads_nothing_from_the_network(site):
    assert sorted(p.name for p in site["dir"].iterdir()) == ["index.html", "metrics.html"]
    html = site["html"]
    assert not re.findall(r"<script[^>]*\ssrc\s*=", html, flags=re.I)  # every script inline
    assert not re.findall(r"<link[^>]*href\s*=\s*[\"']?(?:https?:)?//", html, flags=re.I)
    assert not re.findall(r"@import\s+url\(\s*[\"']?(?:https?:)?//", html, flags=re.I)
    # dbt docs' usage tracker (a script from a CDN) loads only when the project allows usage stats
    assert site["manifest"]["metadata"]["send_anonymous_usage_stats"] is False
    overview = site["manifest"]["docs"]["doc.csc_warehouse.__overview__"]["block_contents"]
    assert "(metrics.html)" in overview


def test_every_mart_column_and_test_is_in_the_site(site):
    manifest, catalog = site["manifest"], site["catalog"]
    con = duckdb.connect(str(site["warehouse"] / "csc.duckdb"), read_only=True)
    try:
        published = {}
        for table, column in con.execute(
            "select table_name, column_name from information_schema.columns "
            "where table_schema = 'marts' order by table_name, ordinal_position"
        ).fetchall():
            published.setdefault(table, []).append(column)
    finally:
        con.close()
    marts = {
        n["name"]: n for n in manifest["nodes"].values() if n["resource_type"] == "model" and n["fqn"][1] == "marts"
    }
    # the projections asset writes its four marts from Python, each table and column described in
    # DuckDB comments (orchestration/lib/projections/tables.py); every other mart is a dbt model
    projections = {t.name: t for t in tables.TABLES}
    assert set(marts) | set(projections) == set(published) and not set(marts) & set(projections) and len(marts) >= 28
    with duckdb.connect(str(site["warehouse"] / "csc.duckdb"), read_only=True) as con:
        for name, table in projections.items():
            assert list(table.columns) == published[name], name
            comments = con.execute(
                "select comment from duckdb_columns() where schema_name = 'marts' and table_name = ?", [name]
            ).fetchall()
            described = con.execute(
                "select comment from duckdb_tables() where schema_name = 'marts' and table_name = ?", [name]
            ).fetchone()
            assert described[0] and all(c for (c,) in comments), name
    for name, node in marts.items():
        assert list(node["columns"]) == published[name], name  # every column, documented, in order
        assert all(c["description"] for c in node["columns"].values()), name
        assert node["compiled_code"], name  # compiled SQL is shown
        assert list(catalog["nodes"][node["unique_id"]]["columns"]) == published[name], name  # types from the database
    # the compiled SQL of every model, not only of the marts
    models = [n for n in manifest["nodes"].values() if n["resource_type"] == "model"]
    assert len(models) >= 90 and all(n["compiled_code"] for n in models)
    # every test of the project, and lineage: a mart's parents and the exposures downstream of it
    project = load_manifest()
    tests = {k for k, n in project["nodes"].items() if n["resource_type"] == "test"}
    assert len(tests) > 300 and tests == {k for k, n in manifest["nodes"].items() if n["resource_type"] == "test"}
    # every lineage edge of the project (sources, seeds, models, tests, exposures)
    assert manifest["parent_map"] == project["parent_map"] and sum(map(len, manifest["parent_map"].values())) > 500
    for name, node in marts.items():  # every mart but an LA's own returns' is in the open data
        exported = "exposure.csc_warehouse.open_data_exports" in manifest["child_map"][node["unique_id"]]
        assert exported == is_open_mart(name), name
    assert {e["name"] for e in manifest["exposures"].values()} >= {
        "la_profile_pages",
        "metric_catalogue",
        "open_data_exports",
    }


def test_every_source_leads_back_to_its_publisher(site):
    manifest, catalog = site["manifest"], site["catalog"]
    by_table = {(s["source_name"], s["name"]): s for s in manifest["sources"].values()}
    sources = load_catalogue().sources
    # the loop below checks every source of the site, and there are some: every one but the figures
    # of an LA's own returns, which no publisher publishes
    returns = by_table.pop(("raw_returns", figures.TABLE.split(".")[1]))
    assert "the LA's own data" in returns["description"]
    assert {(source_name(s), f.raw_table) for s in sources for f in s.families} == set(by_table) and by_table
    for source in sources:
        for family in source.families:
            node = by_table[(source_name(source), family.raw_table)]
            pages = publisher_pages(source, family)
            assert pages and node["meta"]["publisher_pages"] == pages, family.name
            assert all(page in node["description"] for page in pages), family.name
            assert node["source_meta"]["publisher_page"] == source.page
            # the raw table's columns as loaded, read from the work database
            assert "_sha256" in catalog["sources"][node["unique_id"]]["columns"], family.name
            # lineage from the source on to a staging model
            assert manifest["child_map"][node["unique_id"]], family.name


def test_the_metric_page_lists_every_indicator_with_its_real_periods(site, mirror_dir):
    html = (site["dir"] / "metrics.html").read_text(encoding="utf-8")
    rows = dict(re.findall(r'<tr id="([^"]+)" data-indicator="[^"]+">(.*?)</tr>', html, flags=re.S))
    con = duckdb.connect(str(site["warehouse"] / "csc.duckdb"), read_only=True)
    try:
        indicators = [r[0] for r in con.execute("select indicator_id from marts.dim_indicator").fetchall()]
        periods = {
            r[0]: (str(r[1]), str(r[2]))
            for r in con.execute(
                "select indicator_id, min(time_period), max(time_period) from marts.fct_la_indicator "
                "where value is not null group by all"
            ).fetchall()
        }
    finally:
        con.close()
    assert sorted(rows) == sorted(indicators) and len(indicators) >= 60
    for indicator in indicators:
        assert tuple(re.findall(r'data-period="(\d+)"', rows[indicator])) == periods[indicator], indicator
    # the social workers' caseload, checked against the publisher's own latest file: every LA year with a number
    raw = duckdb.connect()
    first, last = raw.execute(
        "select min(time_period), max(time_period) from read_csv(?, all_varchar = true) "
        "where geographic_level = 'Local authority' and try_cast(caseload_fte as double) is not null",
        [str(mirror_dir / "workforce" / "ees_2025" / "csww_indicators_2017_to_2025.csv")],
    ).fetchone()
    raw.close()
    caseload = rows["sw_caseload_avg"]
    assert re.findall(r'data-period="(\d+)"', caseload) == [first, last] == ["2017", "2025"]
    assert ">ees_2025</a>" in caseload and "children-s-social-work-workforce/2025" in caseload
    # a derived rate's formula, from dim_indicator
    assert "cla_count / population_0_17" in rows["cla_rate_per_10k"] and "× 10,000" in rows["cla_rate_per_10k"]
