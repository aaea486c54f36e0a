"""Synthetic next releases, made from real published files, for the tests of the live path.

- :func:`next_ees_release`: next year's release of an EES publication from this year's files:
  every tidy CSV's window of reporting years moves one year on (the earliest year goes, the
  latest is published again as the next year), with the edits a test names applied (a count
  that differs in the new year, a back-year value the new release revises).
- :func:`revised_ods`: a publisher's revision of an ODS workbook: every figure in one LA's row
  of a sheet doubled (lines, totals and memorandum items alike, so the workbook's own sums still
  hold), as when an LA resubmits its return.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from tests.support.odsfile import rewrite_ods

Edit = tuple[dict[str, str], str, str]  # (row must have these values, column, new value)


def _shift(body: bytes, edits: list[Edit]) -> bytes:
    text = body.decode("utf-8-sig")
    newline = "\r\n" if "\r\n" in text else "\n"
    rows = list(csv.reader(io.StringIO(text)))
    header, data = rows[0], rows[1:]
    if "time_period" not in header:
        return body
    at = header.index("time_period")
    years = sorted({int(r[at]) for r in data if r[at].isdigit()})
    if not years:
        return body
    first, last = years[0], years[-1]
    kept = [r for r in data if r[at] != str(first)]
    added = [[str(last + 1) if i == at else v for i, v in enumerate(r)] for r in data if r[at] == str(last)]
    out = added + kept
    for match, column, value in edits:
        col = header.index(column)
        hits = [r for r in out if all(r[header.index(k)] == v for k, v in match.items())]
        assert len(hits) == 1, f"edit {match} {column} matches {len(hits)} rows"
        hits[0][col] = value
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator=newline)
    writer.writerow(header)
    writer.writerows(out)
    return ("\ufeff" if text != body.decode("utf-8") else "").encode() + buf.getvalue().encode("utf-8")


def next_ees_release(folder: Path, edits: dict[str, list[Edit]] | None = None) -> dict[str, bytes]:
    """Every CSV of ``folder`` moved one reporting year on, with ``edits`` per file name."""
    edits = edits or {}
    return {p.name: _shift(p.read_bytes(), edits.get(p.name, [])) for p in sorted(folder.glob("*.csv"))}


_VALUE = re.compile(
    r'(<table:table-cell[^>]*office:value-type="float"[^>]*office:value=")([-0-9.eE]+)("[^>]*>)(<text:p>)([^<]*)(</text:p>)'
)


def revised_ods(data: bytes, sheet: str, la_code: str, factor: int = 2) -> bytes:
    """Every figure in the row of ``la_code`` on ``sheet`` multiplied by ``factor``."""

    def edit(xml: str) -> str:
        start = xml.index(f'<table:table table:name="{sheet}"')
        end = xml.index("</table:table>", start)
        marker = xml.index(f"<text:p>{la_code}</text:p>", start, end)
        row_start = xml.rindex("<table:table-row", start, marker)
        row_end = xml.index("</table:table-row>", marker)
        row = xml[row_start:row_end]

        def double(m: re.Match) -> str:
            value = float(m.group(2)) * factor
            shown = f"{value:.0f}" if value == int(value) else f"{value}"
            return f"{m.group(1)}{value!r}{m.group(3)}{m.group(4)}{shown}{m.group(6)}"

        new_row, n = _VALUE.subn(double, row)
        assert n > 0, f"{la_code} has no figures on {sheet}"
        return xml[:row_start] + new_row + xml[row_end:]

    return rewrite_ods(data, edit)


WORKFORCE_2025 = "workforce/ees_2025/csww_indicators_2017_to_2025.csv"


def corrected_caseload(
    data: bytes, la_code: str = "E08000025", year: str = "2025", by: float = 0.1
) -> tuple[bytes, float]:
    """A corrected workforce release: one LA's average caseload in one year, ``by`` higher. The
    file's bytes with the correction, and the caseload it had published."""
    lines = data.decode("utf-8").splitlines(keepends=True)
    column = lines[0].split(",").index("caseload_fte")
    row = next(
        i
        for i, line in enumerate(lines)
        if line.startswith(f"{year},Reporting year,Local authority,") and f",{la_code}," in line
    )
    cells = lines[row].split(",")
    published = float(cells[column])
    cells[column] = f"{published + by:.1f}"
    lines[row] = ",".join(cells)
    return "".join(lines).encode("utf-8"), published


def write_apart(path: Path, data: bytes) -> None:
    """Write a file that may be a hard link to the real mirror as a file of its own."""
    path.unlink(missing_ok=True)
    path.write_bytes(data)
