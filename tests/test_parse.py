from pathlib import Path

import polars as pl
import pytest

from orchestration.lib.catalogue import load_catalogue
from orchestration.lib.parse import SourceFormatError, read_source_file
from tests.conftest import FIXTURE_MIRROR

CLA = load_catalogue().family("cla_number_and_rate_per_10k")
RELEASES = {r.release: r for r in CLA.releases}


def read(release: str, path: Path | None = None) -> pl.DataFrame:
    r = RELEASES[release]
    return read_source_file(path or FIXTURE_MIRROR / r.relative_path, CLA, r)


def test_bom_crlf_and_quoted_comma():
    frame = read("ees_2024")
    assert frame.columns[0] == "_row_number"
    assert frame.columns[1:] == CLA.column_names
    bcp = frame.filter(pl.col("old_la_code") == "839").sort("time_period")
    assert bcp["la_name"].to_list() == ["Bournemouth, Christchurch and Poole"] * 2
    assert bcp["children_count"].to_list() == ["518", "546"]
    assert frame["time_period"][0] == "2024"  # no BOM left on the first header or value
    assert frame["_row_number"].to_list() == [2, 3, 4, 5, 6, 7]


def test_2025_headers_map_to_the_same_columns_and_labels():
    old, new = read("ees_2024"), read("ees_2025")
    assert old.columns == new.columns
    assert set(new["measure"]) == {"Children looked after at 31 March each year"}
    assert new.filter(pl.col("geographic_level") == "National")["children_count"].item() == "81770"


def test_quoted_newline_survives():
    names = read("ees_2025")["la_name"].to_list()
    assert "Bournemouth, Christchurch\nand Poole" in names


def test_symbols_stay_text_and_empty_cells_are_null():
    frame = read("ees_2024")
    scilly = frame.filter(pl.col("old_la_code") == "420")
    assert scilly.select("population_estimate", "children_count", "rate_per_10000").row(0) == ("x", "z", "z")
    national = frame.filter(pl.col("geographic_level") == "National")
    assert national["region_code"].item() is None


def write(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "cla_number_and_rate_per_10k_children.csv"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


HEADER = "time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,old_la_code,la_name,new_la_code,population_count,population_estimate,number,rate_per_10000\n"
ROW = "2024,Reporting year,National,E92000001,England,,,,,,Children looked after at 31 March each year,1,2,3\n"


def test_unknown_column_names_file_and_column(tmp_path):
    path = write(tmp_path, HEADER.replace("rate_per_10000", "rate_per_10000,surprise") + ROW.replace("3\n", "3,4\n"))
    with pytest.raises(SourceFormatError, match=r"cla/ees_2024/.*unexpected column\(s\) \['surprise'\]"):
        read("ees_2024", path)


def test_missing_required_column_is_named(tmp_path):
    path = write(tmp_path, HEADER.replace(",number", "") + ROW.replace(",2,3", ",3"))
    with pytest.raises(SourceFormatError, match=r"required column\(s\) \['children_count'\] not found"):
        read("ees_2024", path)


def test_empty_file_header_only_and_html(tmp_path):
    with pytest.raises(SourceFormatError, match="empty"):
        read("ees_2024", write(tmp_path, ""))
    with pytest.raises(SourceFormatError, match="header only"):
        read("ees_2024", write(tmp_path, HEADER))
    with pytest.raises(SourceFormatError, match="HTML page"):
        read("ees_2024", write(tmp_path, "<!DOCTYPE html><html><body>Service unavailable</body></html>"))


def test_invalid_utf8_names_the_line(tmp_path):
    path = write(tmp_path, (HEADER + ROW + ROW.replace("England", "Engl\xe9nd")).encode("latin-1"))
    with pytest.raises(SourceFormatError, match=r"line 3: byte b'\\xe9'.*expected utf-8"):
        read("ees_2024", path)


def test_ragged_row_is_refused(tmp_path):
    path = write(tmp_path, HEADER + ROW + "2024,Reporting year,National\n")
    with pytest.raises(SourceFormatError, match=r"row 3 \(line 3\) has 3 fields, expected 14"):
        read("ees_2024", path)


def test_sfr_wide_file_takes_declared_columns_and_the_year_from_the_catalogue():
    family = load_catalogue().family("cla_sfr_at_31_march")
    release = next(r for r in family.releases if r.release == "sfr_2014")
    frame = read_source_file(FIXTURE_MIRROR / release.relative_path, family, release)
    assert frame.columns[1:] == family.column_names
    assert frame["time_period"].to_list() == ["2014"] * 3  # from the release's constants
    assert frame["geographic_level"].to_list() == ["National", "Regional", "Local authority"]  # recoded
    assert frame.filter(pl.col("old_la_code") == "330").select("cla_count", "child_population").row(0) == ("1900", None)


def test_a_family_that_is_not_extract_only_still_refuses_extra_columns(tmp_path):
    path = write(tmp_path, HEADER.replace("rate_per_10000", "rate_per_10000,CLA_male") + ROW.replace("3\n", "3,4\n"))
    with pytest.raises(SourceFormatError, match=r"unexpected column\(s\) \['CLA_male'\]"):
        read("ees_2024", path)
