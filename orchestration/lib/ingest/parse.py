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
import re
from pathlib import Path

import fastexcel
import polars as pl

from orchestration.lib.ingest.catalogue import TEXT_FORMATS, WORKBOOK_FORMATS, Family, Release

ROW_NUMBER = "_row_number"


class SourceFormatError(ValueError):
    """A landed file does not have the shape its catalogue entry promises."""


_NOTE_MARK = re.compile(r"\s*\[note \d+\]", re.IGNORECASE)


def _normalise_header(value: str) -> str:
    """Compare headers without case, runs of whitespace (workbook headers carry line breaks)
    or GSS footnote marks such as ``[note 3]``, which come and go between releases."""
    return " ".join(_NOTE_MARK.sub("", value.replace("\ufeff", "")).split()).casefold()


def _decode(path: Path, data: bytes, encoding: str) -> str:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SourceFormatError(
            f"{path}: line {line}: byte {data[exc.start : exc.start + 1]!r} at offset {exc.start} "
            f"is not valid {encoding}; expected {encoding} text"
        ) from None
    return text[1:] if text.startswith("\ufeff") else text


def _check_text_shape(path: Path, text: str) -> None:
    """One line ending throughout (LF or CRLF, no stray CR), and a byte order mark only at the
    very start: a file that breaks either was pieced together or edited by hand, and is refused
    rather than guessed at."""
    bom = text.find("\ufeff")
    if bom >= 0:
        raise SourceFormatError(
            f"{path}: line {text.count(chr(10), 0, bom) + 1}: a byte order mark (U+FEFF) inside the file; "
            "expected one only at the start of the file"
        )
    lone_cr = re.search(r"\r(?!\n)", text)
    if lone_cr:
        raise SourceFormatError(
            f"{path}: line {text.count(chr(10), 0, lone_cr.start()) + 1}: a carriage return not followed by a line feed; "
            "expected LF or CRLF line endings"
        )
    crlf = text.count("\r\n")
    lf = text.count("\n") - crlf
    if crlf and lf:
        first_lf = next(
            i for i, line in enumerate(text.split("\n"), start=1) if not line.endswith("\r") and i <= lf + crlf
        )
        raise SourceFormatError(
            f"{path}: mixed line endings ({crlf} CRLF and {lf} LF, the first LF-only at line {first_lf}); "
            "expected one line ending throughout"
        )


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
    _check_text_shape(path, text)
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


def _joined_header(rows: list[tuple], width: int) -> list[str]:
    """One name per column from several header rows: an upper row's label (a merged title
    cell spanning its block) carries rightwards until the next label, then the parts are
    joined with " - "; a repeated name gets a ``__<column number>`` suffix so it matches
    nothing in the catalogue by accident."""
    filled: list[list[str | None]] = []
    for depth, row in enumerate(rows):
        current: str | None = None
        out: list[str | None] = []
        for j in range(width):
            cell = row[j] if j < len(row) else None
            cell = " ".join(str(cell).split()) if cell is not None and str(cell).strip() else None
            if depth < len(rows) - 1:
                current = cell if cell is not None else current
                out.append(current)
            else:
                out.append(cell)
        filled.append(out)
    names: list[str] = []
    seen: set[str] = set()
    for j in range(width):
        parts = [col[j] for col in filled if col[j] is not None]
        name = " - ".join(dict.fromkeys(parts)) or f"__UNNAMED__{j}"
        if name in seen:
            name = f"{name}__{j + 1}"
        seen.add(name)
        names.append(name)
    return names


def read_workbook_sheet(path: Path, sheet: str | None, header_rows: tuple[int, ...]) -> pl.DataFrame:
    """One sheet of an xlsx/ods workbook as text columns, the header on the given row(s)."""
    try:
        workbook = fastexcel.read_excel(path)
    except Exception as exc:  # fastexcel raises its own error types per failure
        raise SourceFormatError(f"{path}: not readable as a workbook: {exc}") from None
    target = sheet if sheet is not None else workbook.sheet_names[0]
    if target not in workbook.sheet_names:
        raise SourceFormatError(f"{path}: no sheet named {target!r}; expected one of {workbook.sheet_names}")
    if len(header_rows) == 1:
        frame = workbook.load_sheet(target, header_row=header_rows[0], dtypes="string").to_polars()
        return frame.select(pl.all().cast(pl.String))
    grid = workbook.load_sheet(target, header_row=None, dtypes="string").to_polars()
    grid = grid.select(pl.all().cast(pl.String))
    if grid.height <= header_rows[-1]:
        raise SourceFormatError(
            f"{path}: sheet {target!r} has {grid.height} rows; expected header rows {[r + 1 for r in header_rows]}"
        )
    names = _joined_header([grid.row(r) for r in header_rows], grid.width)
    return grid.slice(header_rows[-1] + 1).rename(dict(zip(grid.columns, names)))


def map_columns(
    frame: pl.DataFrame, family: Family, where: str, constants: dict[str, str] | None = None
) -> pl.DataFrame:
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
    if len(frame.columns) == 1 and any(d in frame.columns[0] for d in (";", "\t", "|")):
        raise SourceFormatError(
            f"{where}: the header is one column, {frame.columns[0][:80]!r}...; expected comma-separated "
            f"columns {family.column_names} (is the file delimited by something other than commas?)"
        )
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
        raise SourceFormatError(f"{where}: required column(s) {missing} not found; the file has {frame.columns}")
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
        recode = family.values.get(name)
        if recode:  # a label recoded to "" becomes an empty cell (a database export's NULL)
            col = col.replace(recode)
        col = pl.when(col == "").then(None).otherwise(col)
        exprs.append(col.alias(name))
    return frame.with_columns(exprs)


def read_source_file(path: Path, family: Family, release: Release) -> pl.DataFrame:
    """Parse one landed file of ``family`` into canonical text columns plus ``_row_number``."""
    where = f"{release.relative_path} ({path})"
    if family.format in TEXT_FORMATS:
        frame = read_csv_text(path, release.encoding)
    elif family.format in WORKBOOK_FORMATS:
        frame = read_workbook_sheet(path, release.sheet, release.header_rows)
    else:  # the catalogue reader already refuses unknown formats
        raise SourceFormatError(f"{where}: unsupported format {family.format!r}")
    frame = map_columns(frame, family, where, release.constants)
    if frame.height == 0:
        raise SourceFormatError(f"{where}: header only, no data rows")
    frame = clean_values(frame, family)
    # Row numbers as a person counts them in the file: the header is row 1 (or header_row + 1).
    first_data_row = (release.header_row if family.format in WORKBOOK_FORMATS else 0) + 2
    return frame.with_row_index(ROW_NUMBER, offset=first_data_row).with_columns(pl.col(ROW_NUMBER).cast(pl.Int64))
