"""The one parsing path shared by every source: a landed file -> a frame of text columns.

Values stay text so that suppression symbols (``c``, ``x``, ``z``, ``[x]``, ``..`` ...) survive
until dbt's ``parse_published_value`` macro splits them into value and status. Headers are
mapped to the catalogue's canonical names (headers drift between vintages), and labels are
recoded where the catalogue says so. Anything unexpected raises :class:`SourceFormatError`
naming the file, the column or row, and what was expected.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import fastexcel
import polars as pl

from orchestration.lib.catalogue import Family, Release

ROW_NUMBER = "_row_number"


class SourceFormatError(ValueError):
    """A landed file does not have the shape its catalogue entry promises."""


def _normalise_header(value: str) -> str:
    return " ".join(value.replace("\ufeff", "").split()).casefold()


def _decode(path: Path, data: bytes, encoding: str) -> str:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SourceFormatError(
            f"{path}: line {line}: byte {data[exc.start:exc.start + 1]!r} at offset {exc.start} "
            f"is not valid {encoding}; expected {encoding} text"
        ) from None
    return text[1:] if text.startswith("\ufeff") else text


def _check_field_counts(path: Path, text: str) -> None:
    """Every record has as many fields as the header: polars would pad a short row with nulls,
    hiding a file truncated mid-row."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None) or []
    for record_no, record in enumerate(reader, start=2):
        if len(record) != len(header) and record:
            raise SourceFormatError(
                f"{path}: row {record_no} (line {reader.line_num}) has {len(record)} fields, "
                f"expected {len(header)} as in the header (truncated or malformed row)"
            )


def read_csv_text(path: Path, encoding: str = "utf-8") -> pl.DataFrame:
    """Read a delimited text file with every column as text (BOM, CRLF and quoted newlines handled)."""
    data = path.read_bytes()
    if not data.strip():
        raise SourceFormatError(f"{path}: the file is empty; expected a header row and data rows")
    head = data[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")):
        raise SourceFormatError(f"{path}: the file is an HTML page, expected CSV data")
    text = _decode(path, data, encoding)
    _check_field_counts(path, text)
    try:
        frame = pl.read_csv(
            io.BytesIO(text.encode("utf-8")),
            infer_schema=False,
            has_header=True,
            raise_if_empty=True,
            truncate_ragged_lines=False,
        )
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise SourceFormatError(f"{path}: not readable as CSV: {first}") from None
    return frame


def read_workbook_sheet(path: Path, sheet: str | None, header_row: int) -> pl.DataFrame:
    try:
        workbook = fastexcel.read_excel(path)
    except Exception as exc:  # fastexcel raises its own error types per failure
        raise SourceFormatError(f"{path}: not readable as a workbook: {exc}") from None
    target = sheet if sheet is not None else workbook.sheet_names[0]
    if target not in workbook.sheet_names:
        raise SourceFormatError(
            f"{path}: no sheet named {target!r}; expected one of {workbook.sheet_names}"
        )
    frame = workbook.load_sheet(target, header_row=header_row, dtypes="string").to_polars()
    return frame.select(pl.all().cast(pl.String))


def map_columns(frame: pl.DataFrame, family: Family, where: str, constants: dict[str, str] | None = None) -> pl.DataFrame:
    """Rename published headers to canonical names; refuse unknown or missing columns.

    A family marked extract_only takes its declared columns and ignores the rest. A column
    the file lacks may be given as a per-release constant."""
    constants = constants or {}
    lookup: dict[str, str] = {}
    for spec in family.columns:
        for header in spec.accepted_headers:
            lookup[_normalise_header(header)] = spec.name
    renames: dict[str, str] = {}
    unknown: list[str] = []
    for header in frame.columns:
        canonical = lookup.get(_normalise_header(header))
        if canonical is None:
            # Workbooks often carry blank trailing columns: drop them only if wholly blank.
            if header.startswith("__UNNAMED__") and frame[header].fill_null("").str.strip_chars().eq("").all():
                continue
            if not family.extract_only:
                unknown.append(header)
        elif canonical in renames.values():
            raise SourceFormatError(f"{where}: columns {header!r} and another both map to {canonical!r}")
        else:
            renames[header] = canonical
    if unknown:
        raise SourceFormatError(
            f"{where}: unexpected column(s) {unknown}; expected only {family.column_names} "
            f"(or a header mapped to one of them in the source catalogue)"
        )
    present = set(renames.values())
    overlap = present & set(constants)
    if overlap:
        raise SourceFormatError(f"{where}: column(s) {sorted(overlap)} are in the file and also given as constants")
    missing = [c.name for c in family.columns if c.name not in present and c.name not in constants and not c.optional]
    if missing:
        raise SourceFormatError(
            f"{where}: required column(s) {missing} not found; the file has {frame.columns}"
        )
    frame = frame.select(list(renames)).rename(renames)
    for spec in family.columns:
        if spec.name not in frame.columns:
            frame = frame.with_columns(pl.lit(constants.get(spec.name), dtype=pl.String).alias(spec.name))
    return frame.select(family.column_names)


def clean_values(frame: pl.DataFrame, family: Family) -> pl.DataFrame:
    """Trim cells, turn empty cells into nulls, apply the catalogue's label recodes."""
    exprs = []
    for name in frame.columns:
        col = pl.col(name).str.strip_chars()
        col = pl.when(col == "").then(None).otherwise(col)
        recode = family.values.get(name)
        if recode:
            col = col.replace(recode)
        exprs.append(col.alias(name))
    return frame.with_columns(exprs)


def read_source_file(path: Path, family: Family, release: Release, encoding: str = "utf-8") -> pl.DataFrame:
    """Parse one landed file of ``family`` into canonical text columns plus ``_row_number``."""
    where = f"{release.relative_path} ({path})"
    if family.format in ("ees_tidy_csv", "csv"):
        frame = read_csv_text(path, encoding)
    elif family.format == "xlsx":
        frame = read_workbook_sheet(path, release.sheet, release.header_row)
    else:  # the catalogue reader already refuses unknown formats
        raise SourceFormatError(f"{where}: unsupported format {family.format!r}")
    frame = map_columns(frame, family, where, release.constants)
    if frame.height == 0:
        raise SourceFormatError(f"{where}: header only, no data rows")
    frame = clean_values(frame, family)
    # Row numbers as a person counts them in the file: the header is row 1 (or header_row + 1).
    first_data_row = (release.header_row if family.format == "xlsx" else 0) + 2
    return frame.with_row_index(ROW_NUMBER, offset=first_data_row).with_columns(pl.col(ROW_NUMBER).cast(pl.Int64))
