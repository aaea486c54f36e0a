"""The SSDA903 return's layout, and reading its files: CSV tables as case management systems
export them and as DfE's validator reads them, or the 903 XML form.

A table is recognised by its columns, not its file name, as DfE's own tool does: each table has
its own set of columns (the validator's ``lac_validator/config.py``; the per-year schemas in
Social Finance's liia-tools-pipeline, ``liiatools/ssda903_pipeline/spec/``). The collection year
decides the layout: ``sw_episodes`` is collected from 2023-24 (collection year 2024), ``DoLo``
from 2026-27 (2027); the other tables' columns are the same in every year read here (2017 on),
only their code lists change, and those are DfE's rules' business (validation.py).

Reading is strict about what would make counting wrong, and leaves the rest to DfE's rules: a
blank or UTF-16 file, a table missing a column, a table the year does not collect, or a date that
is not a date stops the return with :class:`ReturnFileError`, naming the file, the row and the
column and what was expected, never the value (it may be a child's date of birth).
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import polars as pl

FIRST_YEAR, LAST_YEAR = 2017, 2027
DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d")  # the specification's, and the XML schema's
DATE_TEXT = r"^(\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d{2}-\d{2})$"  # a four-digit year: 02/09/10 is not a date here


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[str, ...]
    dates: tuple[str, ...] = ()
    first_year: int = FIRST_YEAR
    last_year: int | None = None

    def collected_in(self, year: int) -> bool:
        return self.first_year <= year <= (self.last_year or LAST_YEAR)


TABLES = {
    t.name: t
    for t in (
        Table("header", ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"), ("DOB", "MC_DOB")),
        Table(
            "episodes",
            (
                "CHILD",
                "DECOM",
                "RNE",
                "LS",
                "CIN",
                "PLACE",
                "PLACE_PROVIDER",
                "DEC",
                "REC",
                "REASON_PLACE_CHANGE",
                "HOME_POST",
                "PL_POST",
                "URN",
            ),
            ("DECOM", "DEC"),
        ),
        Table("uasc", ("CHILD", "SEX", "DOB", "DUC"), ("DOB", "DUC")),
        Table("reviews", ("CHILD", "DOB", "REVIEW", "REVIEW_CODE"), ("DOB", "REVIEW")),
        Table("missing", ("CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"), ("DOB", "MIS_START", "MIS_END")),
        Table(
            "oc2",
            (
                "CHILD",
                "DOB",
                "SDQ_SCORE",
                "SDQ_REASON",
                "CONVICTED",
                "HEALTH_CHECK",
                "IMMUNISATIONS",
                "TEETH_CHECK",
                "HEALTH_ASSESSMENT",
                "SUBSTANCE_MISUSE",
                "INTERVENTION_RECEIVED",
                "INTERVENTION_OFFERED",
            ),
            ("DOB",),
        ),
        Table("oc3", ("CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM"), ("DOB",)),
        Table(
            "ad1",
            ("CHILD", "DOB", "DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR"),
            ("DOB", "DATE_INT", "DATE_MATCH"),
        ),
        Table(
            "placed_for_adoption",
            ("CHILD", "DOB", "DATE_PLACED", "DATE_PLACED_CEASED", "REASON_PLACED_CEASED"),
            ("DOB", "DATE_PLACED", "DATE_PLACED_CEASED"),
        ),
        Table("previous_permanence", ("CHILD", "DOB", "PREV_PERM", "LA_PERM", "DATE_PERM"), ("DOB",)),
        Table(
            "sw_episodes",
            ("CHILD", "DOB", "SW_ID", "SW_DECOM", "SW_DEC", "SW_REASON"),
            ("DOB", "SW_DECOM", "SW_DEC"),
            first_year=2024,
        ),
        Table("DoLo", ("CHILD", "DOB", "DOLO_START", "DOLO_END"), ("DOB", "DOLO_START", "DOLO_END"), first_year=2027),
    )
}
# what counting needs: a return without these is not counted (the others are reported as missing)
COUNTED = ("header", "episodes")
# DATE_PERM is free text in the specification ("date or 'Z1'-style note"): not parsed as a date


class ReturnFileError(ValueError):
    """A return's file that cannot be read as the layout says."""


def check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ReturnFileError(
            f"collection year {year}: no known SSDA903 layout (this reads the years ending 31 March "
            f"{FIRST_YEAR} to {LAST_YEAR})"
        )


def recognise(file: Path, columns: list[str], year: int) -> Table:
    """The table whose columns a file has (order and case aside; extra columns are dropped)."""
    have = {c.strip().upper() for c in columns}
    matches = [t for t in TABLES.values() if {c.upper() for c in t.columns} <= have]
    if matches:
        table = max(matches, key=lambda t: len(t.columns))
        if not table.collected_in(year):
            raise ReturnFileError(
                f"{file.name}: the {table.name} table is collected from {table.first_year}; a {year} return has none"
            )
        return table
    nearest = max(TABLES.values(), key=lambda t: len(have & {c.upper() for c in t.columns}))
    missing = [c for c in nearest.columns if c.upper() not in have]
    raise ReturnFileError(
        f"{file.name}: not an SSDA903 table; its columns come closest to {nearest.name}, which also "
        f"needs {', '.join(missing)}"
    )


def decode(file: Path) -> str:
    raw = file.read_bytes()
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in raw[:4096]:
        raise ReturnFileError(f"{file.name}: UTF-16 text; expected UTF-8 (or Windows-1252) CSV or XML")
    text = raw.decode("utf-8-sig", errors="strict") if _is_utf8(raw) else raw.decode("cp1252", errors="replace")
    if not text.strip():
        raise ReturnFileError(f"{file.name}: the file is blank; expected an SSDA903 table with a header row")
    return text


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def read_file(file: Path, year: int) -> dict[str, pl.DataFrame]:
    """One file's tables, by table name: a CSV file holds one, the XML form all of them. Every
    column is text but the dates, which are parsed (``row_index`` is the row's place among the
    data rows, from 0, as DfE's validator numbers them)."""
    check_year(year)
    text = decode(file)
    if text.lstrip().startswith("<"):
        return {name: _typed(file, TABLES[name], frame) for name, frame in xml_tables(file, text).items()}
    try:
        frame = pl.read_csv(io.StringIO(text), infer_schema=False, truncate_ragged_lines=False)
    except pl.exceptions.PolarsError as e:
        raise ReturnFileError(f"{file.name}: not readable as CSV ({type(e).__name__})") from None
    names = [c.strip().upper() for c in frame.columns]
    twice = sorted({c for c in names if names.count(c) > 1})
    if twice:
        raise ReturnFileError(
            f"{file.name}: {', '.join(twice)} more than once in the header row; expected each column once"
        )
    table = recognise(file, frame.columns, year)
    frame = frame.rename({c: c.strip().upper() for c in frame.columns})
    upper = {c.upper(): c for c in table.columns}
    frame = frame.select([pl.col(c.upper()).alias(upper[c.upper()]) for c in table.columns])
    return {table.name: _typed(file, table, frame)}


def empty(table: Table) -> pl.DataFrame:
    """A table with no rows, typed as a read one is (a return without it still has its table)."""
    return _typed(Path(table.name), table, pl.DataFrame(schema={c: pl.Utf8 for c in table.columns}))


def _typed(file: Path, table: Table, frame: pl.DataFrame) -> pl.DataFrame:
    frame = frame.with_columns(pl.col(c).str.strip_chars().replace("", None) for c in table.columns)
    frame = frame.with_row_index("row_index")
    for column in table.dates:
        parsed = pl.when(pl.col(column).str.contains(DATE_TEXT)).then(
            pl.coalesce(pl.col(column).str.strptime(pl.Date, f, strict=False) for f in DATE_FORMATS)
        )
        bad = frame.filter(pl.col(column).is_not_null() & parsed.is_null())
        if bad.height:
            row = bad["row_index"][0] + 2  # the header is line 1
            raise ReturnFileError(
                f"{file.name}: row {row}, column {column}: expected a date as dd/mm/YYYY "
                f"({bad.height} row(s) of {table.name} have a {column} that is not a date)"
            )
        frame = frame.with_columns(parsed.alias(column))
    return frame


# The XML form: one CHILD element per child, its HEADER's fields, and groups of fields for the
# other tables (the validator's fake_903.xml; EPISODE's PL is the CSV's PLACE)
XML_GROUPS = {
    "EPISODE": "episodes",
    "AREVIEW": "reviews",
    "AMISSING": "missing",
    "OC2": "oc2",
    "PERMANENCE": "previous_permanence",
    "AD_PLACED": "placed_for_adoption",
}
XML_RENAME = {"CHILDID": "CHILD", "PL": "PLACE"}
# tables whose fields sit in HEADER itself: present when any of their own fields is
XML_HEADER_TABLES = {"uasc": ("DUC",), "oc3": ("IN_TOUCH", "ACTIV", "ACCOM"), "ad1": ("DATE_INT", "DATE_MATCH")}


def xml_tables(file: Path, text: str) -> dict[str, pl.DataFrame]:
    try:
        root = ET.fromstring(text.encode("utf-8"))
    except ET.ParseError as e:
        raise ReturnFileError(f"{file.name}: not well-formed XML (line {e.position[0]})") from None
    rows: dict[str, list[dict]] = {name: [] for name in TABLES}
    for n, child in enumerate(root.iter("CHILD"), start=1):
        header_el = child.find("HEADER")
        if header_el is None:
            raise ReturnFileError(f"{file.name}: CHILD element {n} has no HEADER; expected the 903 XML form")
        header = {XML_RENAME.get(e.tag, e.tag): (e.text or None) for e in header_el if not len(e)}
        ids = {"CHILD": header.get("CHILD"), "DOB": header.get("DOB")}
        rows["header"].append(header)
        for name, fields in XML_HEADER_TABLES.items():
            # a child is in the uasc table when the header says so (UASC 1), as DfE's tool reads it
            if any(header.get(f) for f in fields) or (name == "uasc" and header.get("UASC") == "1"):
                rows[name].append({**header, **ids})
        for group in [*header_el, *child]:
            name = XML_GROUPS.get(group.tag)
            if name:
                fields = {XML_RENAME.get(e.tag, e.tag): (e.text or None) for e in group}
                rows[name].append({**ids, **fields})
    if not rows["header"]:
        raise ReturnFileError(f"{file.name}: no CHILD elements; expected the 903 XML form")
    return {
        name: pl.DataFrame(
            {c: [r.get(c) for r in found] for c in TABLES[name].columns},
            schema={c: pl.Utf8 for c in TABLES[name].columns},
        )
        for name, found in rows.items()
        if found
    }
