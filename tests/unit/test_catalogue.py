import calendar
import re
from datetime import date, datetime

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
                "published": {"r": "2024-11-14"},
                "families": {
                    "f": {
                        "format": "ods",
                        "columns": {"a": {}},
                        "releases": [{"release": "r", "file": "x.ods", **release}],
                    }
                },
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


def _two_families(published):
    """One source, two families listing the same release label (one publication day)."""
    family = {"format": "csv", "columns": {"a": {}}, "releases": [{"release": "r", "file": "x.csv"}]}
    return {"sources": {"s": {"published": published, "families": {"f": family, "g": {**family}}}}}


def test_every_release_of_a_label_takes_the_source_s_published_day():
    catalogue = parse_catalogue(_two_families({"r": date(2024, 11, 14)}))
    assert [(r.family, r.published) for r in catalogue.releases] == [
        ("f", date(2024, 11, 14)),
        ("g", date(2024, 11, 14)),
    ]
    assert parse_catalogue(_two_families({"r": "2024-11-14"})).releases[0].published == date(2024, 11, 14)


@pytest.mark.parametrize(
    ("published", "message"),
    [
        ({}, r"source s: no published date for release\(s\) \['r'\]"),
        (None, r"source s: no published date for release\(s\) \['r'\]"),
        ({"r": "2024-11-14", "r2": "2024-11-14"}, r"source s: published names release\(s\) \['r2'\], which no family"),
        (["2024-11-14"], "source s: published must map each release label to a date"),
    ],
)
def test_catalogue_refuses_a_release_without_a_day_or_a_day_for_no_release(published, message):
    with pytest.raises(CatalogueError, match=message):
        parse_catalogue(_two_families(published))


@pytest.mark.parametrize(
    "bad", ["2024-02-30", "14/11/2024", "2024-11", 20241114, datetime(2024, 11, 14, 9, 30), "November 2024"]
)
def test_catalogue_refuses_a_day_that_is_not_a_date_naming_the_file(bad, tmp_path):
    path = tmp_path / "sources.yml"
    path.write_text(yaml.safe_dump(_two_families({"r": bad})), encoding="utf-8")
    with pytest.raises(CatalogueError, match=rf"{re.escape(str(path))}: source s: published\.r: .* is not a date"):
        load_catalogue(path)


def _period_end(family, release) -> date | None:
    """The last day of the period a release covers, as far as its catalogue entry says: a
    constant (reporting or financial year), else the day or month its label names, else the
    newest year in its label, read through the family's period type."""
    constants = release.constants
    if "financial_year" in constants:
        return date(int(constants["financial_year"][:4]) + 1, 3, 31)
    if m := re.search(r"(\d{4})-(\d{2})-(\d{2})$", release.release):
        return date(*map(int, m.groups()))
    if m := re.search(r"_(\d{4})-(\d{2})$", release.release):
        year, month = map(int, m.groups())
        return date(year, month, calendar.monthrange(year, month)[1])
    years = [int(constants["time_period"])] if "time_period" in constants else re.findall(r"\d{4}", release.release)
    if not years:
        return None  # a lookup with no period (DfE's LA codes, a correction table)
    year = max(map(int, years))
    ends = {"reporting_year_31_march": (3, 31), "workforce_30_september": (9, 30), "mid_year_30_june": (6, 30)}
    return date(year, *ends.get(family.period, (1, 1)))


def test_every_catalogued_release_has_the_day_it_was_published_and_not_before_what_it_covers():
    catalogue = load_catalogue()
    undated = [f"{r.source}/{r.release}" for r in catalogue.releases if not isinstance(r.published, date)]
    assert undated == []
    too_early = []
    for family in catalogue.families:
        for release in family.releases:
            end = _period_end(family, release)
            if end is not None and release.published < end:
                too_early.append(f"{family.name} {release.release}: published {release.published}, covers to {end}")
    assert too_early == []
    # the checks above bite: each release read a period from its entry but the lookups'
    assert {r.release for f in catalogue.families for r in f.releases if _period_end(f, r) is None} == {
        "dfe_la_codes",
        "dfe_ofsted_region_fix",
    }
