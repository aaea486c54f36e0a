import pytest
import yaml

from orchestration.lib.dbt.project import load_manifest
from orchestration.lib.ingest.catalogue import CatalogueError, load_catalogue, parse_catalogue, unlocatable
from orchestration.lib.returns import figures


def test_catalogue_loads_with_a_page_for_every_release():
    catalogue = load_catalogue()
    assert {f.name for f in catalogue.families} >= {"cla_number_and_rate_per_10k", "dfe_la_codes", "ons_ltla_utla_2023"}
    cla = catalogue.family("cla_number_and_rate_per_10k")
    assert [r.release for r in cla.releases] == ["ees_2022", "ees_2023", "ees_2024", "ees_2025"]
    assert {r.family for r in catalogue.releases} == {f.name for f in catalogue.families}  # every family's, below
    for release in catalogue.releases:
        assert release.page and release.page.startswith("https://"), release


def test_header_drift_is_mapped_in_the_catalogue():
    cla = load_catalogue().family("cla_number_and_rate_per_10k")
    columns = {c.name: c for c in cla.columns}
    assert "number" in columns["children_count"].aliases
    assert {"population_count", "population_type"} <= set(columns["measure"].aliases)
    assert (
        cla.values["measure"]["Children looked after on 31 March each year"]
        == "Children looked after at 31 March each year"
    )


def test_every_family_is_a_dbt_source_and_every_raw_source_a_family():
    """Every raw table dbt reads is a family of the catalogue, but the one an LA's own returns fill
    (orchestration/lib/returns/figures.py): no publisher's file."""
    families = {f.raw_table for f in load_catalogue().families}
    sources = {s["name"] for s in load_manifest()["sources"].values() if s["schema"] == "raw"}
    assert sources == families | {figures.TABLE.split(".")[1]}


@pytest.mark.parametrize("bad", ["../etc", "a/b", "..", ""])
def test_catalogue_refuses_names_that_could_leave_a_folder(bad):
    data = yaml.safe_load(
        f"""
        sources:
          cla:
            families:
              fam:
                format: csv
                columns: {{a: {{}}}}
                releases:
                  - {{release: "{bad}", file: x.csv}}
        """
    )
    with pytest.raises(CatalogueError, match="not a plain file or folder name"):
        parse_catalogue(data)


def test_catalogue_refuses_unknown_formats():
    data = {"sources": {"s": {"families": {"f": {"format": "pdf", "columns": {"a": {}}}}}}}
    with pytest.raises(CatalogueError, match="format 'pdf'"):
        parse_catalogue(data)


def _one_release(**release):
    return {
        "sources": {
            "s": {
                "families": {
                    "f": {
                        "format": "ods",
                        "columns": {"a": {}},
                        "releases": [{"release": "r", "file": "x.ods", **release}],
                    }
                }
            }
        }
    }


@pytest.mark.parametrize(("header_row", "expected"), [(3, (3,)), ([10, 11], (10, 11))])
def test_header_row_is_one_row_or_increasing_rows(header_row, expected):
    release = parse_catalogue(_one_release(header_row=header_row)).releases[0]
    assert release.header_rows == expected and release.header_row == expected[-1]


@pytest.mark.parametrize("bad", [[11, 10], [-1], []])
def test_catalogue_refuses_header_rows_out_of_order(bad):
    with pytest.raises(CatalogueError, match="must be a row number or increasing row numbers"):
        parse_catalogue(_one_release(header_row=bad))


def test_catalogue_checks_encodings():
    assert parse_catalogue(_one_release(encoding="windows-1252")).releases[0].encoding == "cp1252"
    with pytest.raises(CatalogueError, match="unknown encoding 'klingon'"):
        parse_catalogue(_one_release(encoding="klingon"))


def test_every_catalogued_release_can_be_found_without_a_mirror():
    assert unlocatable(load_catalogue()) == []
    orphan = parse_catalogue(_one_release(page="https://example.org/somewhere"))
    assert unlocatable(orphan) == [
        "family f: release r (x.ods): no fixed `url`, and no `page` on its publisher for the source's discovery (links)"
    ]


def test_dbt_sources_are_the_catalogue_as_generated():
    """dbt_project/models/staging/<source>/_<source>__sources.yml say what the catalogue says
    (regenerate with `uv run python -m orchestration.lib.dbt.sources`)."""
    from orchestration.lib.dbt import sources as dbt_sources

    assert dbt_sources.stale() == []
    catalogue = load_catalogue()
    assert catalogue.sources and all(source.families for source in catalogue.sources)
    for source in catalogue.sources:
        document = yaml.safe_load(dbt_sources.sources_path(source).read_text(encoding="utf-8"))
        tables = {t["name"]: [c["name"] for c in t["columns"]] for t in document["sources"][0]["tables"]}
        assert set(tables) == {family.raw_table for family in source.families}, source.name
        for family in source.families:
            assert tables[family.raw_table][: len(family.columns)] == family.column_names
            assert tables[family.raw_table][len(family.columns) :] == [
                "_release",
                "_source_file",
                "_sha256",
                "_loaded_at",
                "_row_number",
            ]


def test_a_family_says_what_its_symbols_mean_and_the_rest_keep_the_defaults():
    from orchestration.lib.core.conventions import conventions

    sfr = load_catalogue().family("cla_sfr_at_31_march")
    assert sfr.symbols == {"suppressed": ("x",)}  # the SFR metadata: a cross is a count of one to five
    meanings = conventions().symbol_meanings(sfr.symbols)
    assert "x" in meanings["suppressed"] and "x" not in meanings["not_available"]
    assert "[x]" in meanings["not_available"] and ".." in meanings["not_available"]  # only the symbol named moves
    assert (
        conventions().symbol_meanings(load_catalogue().family("cla_number_and_rate_per_10k").symbols)
        == conventions().published_symbols
    )


@pytest.mark.parametrize(
    ("symbols", "message"),
    [
        ({"hidden": ["x"]}, "'hidden' is not a status"),
        ({"suppressed": []}, "must list symbols"),
        ({"suppressed": ["x"], "not_available": ["X"]}, "more than one meaning"),
        (["x"], "must map a status"),
    ],
)
def test_catalogue_refuses_symbols_that_mean_nothing_known(symbols, message):
    data = _one_release()
    data["sources"]["s"]["families"]["f"]["symbols"] = symbols
    with pytest.raises(CatalogueError, match=message):
        parse_catalogue(data)
