from pathlib import Path

import polars as pl
import pytest

from orchestration.lib.ingest.catalogue import load_catalogue
from orchestration.lib.ingest.parse import SourceFormatError, read_source_file
from tests.support.helpers import FIXTURE_MIRROR
from tests.support.odsfile import write_ods

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


# --- workbooks with title rows and two header rows, Windows-1252 CSVs (expenditure files) ---

RO3 = load_catalogue().family("mhclg_ro3_social_care")
RO3_RELEASES = {r.release: r for r in RO3.releases}
NET = "Net Current Expenditure\n (C7 = C3 - C6)"


def ro3_sheet(service_header_suffix: str = "") -> list[list]:
    """The 2022-23 RO3 layout: title rows, hidden code rows, a service row over a measure row."""
    services = [
        "Children's social care: Sure start children's centres and early years",
        "Children's social care - Children Looked After [note 3]",
        "Children's social care - Children Looked After of which residential care",
        "Children's social care - Children Looked After of which fostering services",
        "Children's social care - Children Looked After of which asylum seeking children who are looked after",
        "Children's social care - Children Looked After of which other",
        "Children's social care - Other children's and families services",
        "Children's social care - Family Support Services",
        "Children's social care - Youth Justice",
        "Children's social care: Safeguarding children and young people’s services",
        "Children's social care - Asylum Seekers",
        "Children's social care: Services for young people",
        "TOTAL CHILDREN SOCIAL CARE",
    ]
    rows = [["Worksheet 2: Revenue Outturn (RO) 2022-23: Social Care and Public Health (RO3) data"]]
    rows += [[f"title line {i}"] for i in range(1, 6)]
    rows += [[None] * 7 + [f"RO3-code-{i}" for i in range(len(services) * 2)]] * 4
    service_row = [None] * 7
    measure_row = ["E-code", "ONS Code", "Local authority", "Notes", "Class", "Detailed Class", "Certified"]
    for i, service in enumerate(services):
        service_row += [service, None]
        measure_row += ["Employees\n (C1)", NET + (service_header_suffix if i == 1 else "")]
    rows += [service_row, measure_row]
    york = ["E2701", "E06000014", "York", None, "UA", "UA", "Y"]
    for i in range(len(services)):
        york += [1, "[note 4]" if i == 2 else 10 * i]
    rows.append(york)
    return rows


def test_two_header_rows_are_joined_and_footnote_marks_ignored(tmp_path):
    release = RO3_RELEASES["mhclg_ro_2022-23"]
    assert release.header_rows == (10, 11)
    path = write_ods(tmp_path / "RO3.ods", {"Front_Page": [["cover"]], release.sheet: ro3_sheet()})
    frame = read_source_file(path, RO3, release)
    assert frame.columns[1:] == RO3.column_names
    york = frame.row(0, named=True)
    assert (york["la_code"], york["la_name"], york["authority_class"]) == ("E06000014", "York", "UA")
    # the employees column beside each net column is not taken; the [note 3] mark is ignored
    assert (york["sure_start_early_years"], york["children_looked_after"], york["total_childrens_social_care"]) == (
        "0",
        "10",
        "120",
    )
    assert york["cla_residential_care"] == "[note 4]"  # a bare footnote mark stays text for dbt
    assert york["financial_year"] == "2022-23"  # a per-release constant
    assert york["_row_number"] == 13  # row 13 as a person counts it in the sheet


def test_footnote_numbers_glued_to_a_header_are_catalogued_drift(tmp_path):
    # 2022-23 prints "...(C7 = C3 - C6)8" on some columns; the catalogue lists those spellings.
    release = RO3_RELEASES["mhclg_ro_2022-23"]
    path = write_ods(tmp_path / "RO3.ods", {release.sheet: ro3_sheet(service_header_suffix="8")})
    assert read_source_file(path, RO3, release)["children_looked_after"].to_list() == ["10"]


def test_missing_sheet_and_short_sheet_are_named(tmp_path):
    release = RO3_RELEASES["mhclg_ro_2022-23"]
    path = write_ods(tmp_path / "RO3.ods", {"Front_Page": [["cover"]]})
    with pytest.raises(
        SourceFormatError, match=r"no sheet named 'RO3_LA_Data_2022-23'; expected one of \['Front_Page'\]"
    ):
        read_source_file(path, RO3, release)
    path = write_ods(tmp_path / "RO3.ods", {release.sheet: [["title"], ["note"]]})
    with pytest.raises(SourceFormatError, match=r"has 2 rows; expected header rows \[11, 12\]"):
        read_source_file(path, RO3, release)


S251 = load_catalogue().family("s251_outturn")
S251_RELEASES = {r.release: r for r in S251.releases}
S251_HEADER = (
    "LA,LA Name,LineNumber,CYPServiceDescription,ReportGroup,OwnProvision,PrivateProvision,OtherPublic,"
    "Voluntary,TotalExpenditure,Income,NetCurrentExpenditure,GovGrantsInsideAEF,GovGrantsOutsideAEF,LEANetRevenueExpenditure\r\n"
)


def test_windows_1252_csv_is_read_with_its_catalogued_encoding(tmp_path):
    release = S251_RELEASES["s251_outturn_2012-13"]
    assert release.encoding == "cp1252"
    row = "201,City of London,2,2 Services delivered through Sure Start Children’s Centres,SURE START,0,0,0,0,0,0,1234,0,0,0\r\n"
    memo = "201,City of London,39,Spend on evidence based services (memo),SURE START,0,0,0,0,0,0,NULL,0,0,0\r\n"
    path = tmp_path / "outturn_1213.csv"
    path.write_bytes((S251_HEADER + row + memo).encode("cp1252"))
    frame = read_source_file(path, S251, release)
    assert frame["line_description"][0] == "2 Services delivered through Sure Start Children’s Centres"  # 0x92 -> ’
    assert frame["net_current_expenditure"].to_list() == ["1234", None]  # NULL recoded to an empty cell
    assert frame["financial_year"].to_list() == ["2012-13"] * 2


def test_windows_1252_bytes_in_a_utf8_file_name_the_line(tmp_path):
    release = S251_RELEASES["s251_outturn_2009-10"]  # catalogued as UTF-8
    header = "LEA,LEA Name,Line,S52 Line Reference,Own Provision (y),NET Current Expenditure (m)\r\n"
    path = tmp_path / "outturn_0910.csv"
    path.write_bytes(
        (header + "201,City of London,1,Secure accommodation,0,0\r\n").encode()
        + "202,Camden,2,Children’s centres,0,5\r\n".encode("cp1252")
    )
    with pytest.raises(SourceFormatError, match=r"outturn_0910.csv: line 3: byte b'\\x92' .* is not valid utf-8"):
        read_source_file(path, S251, release)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"a,b\r\n1,2\r\n3,4\n5,6\r\n", r"mixed line endings \(3 CRLF and 1 LF, the first LF-only at line 3\)"),
        ("\ufeffa,b\n1,2\n\ufeff3,4\n".encode(), r"line 3: a byte order mark \(U\+FEFF\) inside the file"),
        (b"a,b\r\n1,2\r\r\n3,4\r\n", r"line 2: a carriage return not followed by a line feed"),
    ],
    ids=["mixed line endings", "BOM inside", "stray CR"],
)
def test_a_pieced_together_text_file_is_refused(tmp_path, data, message):
    from orchestration.lib.ingest.parse import read_csv_text

    path = tmp_path / "pieced.csv"
    path.write_bytes(data)
    with pytest.raises(SourceFormatError, match=r"pieced\.csv: " + message):
        read_csv_text(path)


def test_one_bom_at_the_start_and_crlf_throughout_are_fine(tmp_path):
    from orchestration.lib.ingest.parse import read_csv_text

    ok = tmp_path / "ok.csv"
    ok.write_bytes("\ufeffa,b\r\n1,2\r\n".encode())
    assert read_csv_text(ok).columns == ["a", "b"]
