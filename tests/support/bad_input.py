"""The bad-input corpus: kinds of broken source file, each made by mutating a real file from
the mirror, so every case follows the real formats.

A case names the catalogued file it breaks, how, where the refresh must stop (``fetch``,
``parse``, ``raw gate``, ``dbt test``, ``mart gate``) and the fragments its message must carry (the file,
the row or column, what was expected). The design is the same for every kind: the refresh
stops, nothing is published, the landed bad file stays in the landing area for a person to
look at, and the next refresh with good files recovers. No kind quarantines a file and
publishes the rest: a warehouse missing one source would silently change every comparison
that uses it (a rate without its denominator, a region total without one LA).

Cases of one ``batch`` break files of different families and go through one real
``csc refresh`` together: every family is fetched, parsed and gated on its own, so each
case must still stop the refresh with its own message (the test checks each one), and a
refresh per batch rather than per case keeps the corpus inside CI's time.
``tests/e2e/test_bad_input.py`` runs the batches; ``benchmarks/resilience.py`` prints how
many kinds were tried.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from tests.support.odsfile import rewrite_ods

CLA_2025 = "cla/ees_2025/cla_number_and_rate_per_10k_children.csv"
CIN_2022 = "cin/ees_2022/{}_2013_to_2022.csv"
B1_2025 = "cin/ees_2025/b1_children_in_need_2013_to_2025.csv"
C1_2025 = "cin/ees_2025/c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv"
C4_2025 = "cin/ees_2025/c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv"
D3_2025 = "cin/ees_2025/d3_cpps_subsequent_plan_2013_to_2025.csv"
D5_2025 = "cin/ees_2025/d5_cpps_at31march_by_duration_2013_to_2025.csv"
CARE_LEAVERS_2025 = "cla/ees_2025/la_care_leavers_activity.csv"
WORKFORCE_2025 = "workforce/ees_2025/csww_indicators_2017_to_2025.csv"
POPULATION = "population/dfe_ons_mye_2012-2024/ons_mid-year_population_estimates_2012_to_2024.csv"
SFR_2014 = "cla/sfr_2014/SFR36_CLA2014.csv"
RSX_2025 = "expenditure/mhclg_ro_2024-25_first_release/RSX_LA_Data_2024-25_data_by_LA.ods"
RO3_2025 = "expenditure/mhclg_ro_2024-25_first_release/RO3_LA_Data_2024-25_data_by_LA.ods"
SN_2025 = "lookups/dfe_stat_neighbours_2025/sn_may_2025.xlsx"
CLA_2024 = "cla/ees_2024/{}.csv"
D1_2022 = CIN_2022.format("d1_child_protection_plans")
PLACEMENT_STABILITY_2025 = "cla/ees_2025/la_cla_placement_stability.csv"
OFSTED_2025 = "ofsted/ofsted_la_outcomes_2025-03/LA_Inspection_Outcomes_as_at_31_March_2025.ods"
RO3_TOTAL = "TOTAL CHILDREN SOCIAL CARE - Net Current Expenditure (C7 = C3 - C6)"

# Birmingham, children looked after at 31 March 2025 (cla/ees_2025, row 240 of the file)
BIRMINGHAM = b"West Midlands,330,Birmingham,E08000025,Children looked after on 31 March each year,292859,2317,79"


# Cumberland (created April 2023), children with 3+ placements in the year to 31 March 2023:
# not applicable, as in every year before it existed (cla/ees_2025 placement stability)
CUMBERLAND_2023_MOVES = (
    b"2023,Reporting year,Local authority,E92000001,England,E12000002,North West,942,Cumberland,E06000063,"
    b"CLA on 31 March,With 3 or more placements during the year,z,z"
)


# --- mutations of a real file's bytes -------------------------------------------------------


def replace_once(old: bytes, new: bytes) -> Callable[[bytes], bytes]:
    def mutate(data: bytes) -> bytes:
        assert data.count(old) == 1, f"{old!r} occurs {data.count(old)} times"
        return data.replace(old, new)

    return mutate


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def per_line(edit: Callable[[bytes, int], bytes]) -> Callable[[bytes], bytes]:
    """Edit each line without its line ending (some files end lines with CRLF), keeping it."""

    def mutate(data: bytes) -> bytes:
        out = []
        for i, line in enumerate(_lines(data)):
            cr = line.endswith(b"\r")
            body = line[:-1] if cr else line
            out.append(edit(body, i) + (b"\r" if cr else b"") if body else line)
        return b"\n".join(out)

    return mutate


def _header(data: bytes) -> list[str]:
    return next(csv.reader([_lines(data)[0].decode("utf-8-sig").rstrip("\r")]))


def first_row_of(data: bytes, la_name: str, year: str | None = None) -> int:
    """0-based line index of an LA's first row (of ``year``); the file's row number is this + 1.
    England's rows have an empty la_name."""
    names = _header(data)
    at, at_year = names.index("la_name"), names.index("time_period")
    for i, line in enumerate(_lines(data)[1:], start=1):
        if la_name.encode() in line:
            row = next(csv.reader([line.decode("utf-8").rstrip("\r")]))
            if row[at] == la_name and (year is None or row[at_year] == year):
                return i
    raise AssertionError(f"no row for {la_name!r} {year or ''}")


def edit_row(la_name: str, year: str | None = None, **changes: str) -> Callable[[bytes], bytes]:
    """Set columns of an LA's first row (of ``year``): a real row of the file, rewritten as CSV."""

    def mutate(data: bytes) -> bytes:
        lines, names = _lines(data), _header(data)
        i = first_row_of(data, la_name, year)
        row = next(csv.reader([lines[i].decode("utf-8").rstrip("\r")]))
        for column, value in changes.items():
            row[names.index(column)] = value
        out = io.StringIO()
        csv.writer(out, lineterminator="").writerow(row)
        lines[i] = out.getvalue().encode("utf-8") + (b"\r" if lines[i].endswith(b"\r") else b"")
        return b"\n".join(lines)

    return mutate


def rows_of_la(data: bytes, la_name: str) -> list[int]:
    return [i for i, line in enumerate(_lines(data)) if f",{la_name},".encode() in line]


def without_la(la_name: str) -> Callable[[bytes], bytes]:
    def mutate(data: bytes) -> bytes:
        drop = set(rows_of_la(data, la_name))
        assert drop
        return b"\n".join(line for i, line in enumerate(_lines(data)) if i not in drop)

    return mutate


def recode_la(la_name: str, old: str, new: str, new_name: str) -> Callable[[bytes], bytes]:
    """An LA the dimension has never seen: a code (and name) no lookup knows."""

    def mutate(data: bytes) -> bytes:
        assert data.count(f",{old},{la_name},".encode()) > 0
        return data.replace(f",{old},{la_name},".encode(), f",{new},{new_name},".encode())

    return mutate


def move_la_to(la_name: str, region: str, region_code: str) -> Callable[[bytes], bytes]:
    def mutate(data: bytes) -> bytes:
        lines = _lines(data)
        for i in rows_of_la(data, la_name):
            lines[i] = re.sub(rb",E1200000\d,[A-Za-z ]+,", f",{region_code},{region},".encode(), lines[i], count=1)
        return b"\n".join(lines)

    return mutate


def few_las(keep: int) -> Callable[[bytes], bytes]:
    """Keep the rows of only the first ``keep`` LAs the file lists."""

    def mutate(data: bytes) -> bytes:
        at = _header(data).index("old_la_code")
        kept, las = [], []
        for i, line in enumerate(_lines(data)):
            if i and b",Local authority," in line:
                code = next(csv.reader([line.decode("utf-8")]))[at]
                if code not in las and len(las) >= keep:
                    continue
                if code not in las:
                    las.append(code)
            kept.append(line)
        return b"\n".join(kept)

    return mutate


def on_first_row_of(la_name: str, edit: Callable[[bytes], list[bytes]]) -> Callable[[bytes], bytes]:
    """Replace an LA's first row with the lines ``edit`` makes of it."""

    def mutate(data: bytes) -> bytes:
        lines = _lines(data)
        i = first_row_of(data, la_name)
        return b"\n".join(lines[:i] + edit(lines[i]) + lines[i + 1 :])

    return mutate


def duplicate_first_row_of(la_name: str) -> Callable[[bytes], bytes]:
    return on_first_row_of(la_name, lambda line: [line, line])


def truncated_mid_row(data: bytes) -> bytes:
    lines = _lines(data)
    i = len(lines) // 2
    return b"\n".join(lines[:i]) + b"\n" + lines[i][: len(lines[i]) // 3]


def header_only(data: bytes) -> bytes:
    return _lines(data)[0] + b"\n"


drop_last_column = per_line(lambda line, i: line.rsplit(b",", 1)[0])
add_column = per_line(lambda line, i: line + (b",notes" if i == 0 else b",checked"))


def semicolons(data: bytes) -> bytes:
    return data.replace(b",", b";")


def mixed_line_endings(data: bytes) -> bytes:
    """CRLF in the first half of the file, LF in the rest, whatever the file used."""
    rows = [line.rstrip(b"\r") for line in _lines(data)]
    half = len(rows) // 2
    return b"\r\n".join(rows[:half]) + b"\r\n" + b"\n".join(rows[half:])


def bom_before_row_of(la_name: str) -> Callable[[bytes], bytes]:
    return on_first_row_of(la_name, lambda line: ["\ufeff".encode() + line])


def cp1252_name_of(la_name: str) -> Callable[[bytes], bytes]:
    """The LA's name with its last letter as 'à' in Windows-1252 (one byte, 0xE0)."""
    return on_first_row_of(
        la_name, lambda line: [line.replace(f",{la_name},".encode(), f",{la_name[:-1]}\xe0,".encode("cp1252"), 1)]
    )


def flip_a_byte(data: bytes) -> bytes:
    at = len(data) // 2
    return data[:at] + (b"1" if data[at : at + 1] != b"1" else b"2") + data[at + 1 :]


def truncate_half(data: bytes) -> bytes:
    return data[: len(data) // 2]


def html_page(_: bytes) -> bytes:
    return (
        b'<!DOCTYPE html>\n<html lang="en"><head><title>Service unavailable - GOV.UK</title></head>'
        b"<body><h1>Sorry, there is a problem with the service</h1></body></html>\n"
    )


def ods_sheet_renamed(sheet: str, to: str) -> Callable[[bytes], bytes]:
    def edit(xml: str) -> str:
        assert xml.count(f'table:name="{sheet}"') == 1
        return xml.replace(f'table:name="{sheet}"', f'table:name="{to}"')

    return lambda data: rewrite_ods(data, edit)


_ODS_CELL = re.compile(r"<table:(?:covered-)?table-cell\b[^>]*?(?:/>|>.*?</table:(?:covered-)?table-cell>)", re.DOTALL)


def ods_cell(sheet: str, row_key: str, header: str, value: str | None) -> Callable[[bytes], bytes]:
    """Set one cell of a workbook sheet: in the row holding a cell ``row_key``, the column headed
    ``header``, to a text cell ``value`` (or an empty cell)."""

    def column_of(row: str, text: str) -> int:
        at = 0
        for cell in _ODS_CELL.finditer(row):
            if f"<text:p>{text}</text:p>" in cell.group():
                return at
            repeated = re.search(r'table:number-columns-repeated="(\d+)"', cell.group()[: cell.group().index(">")])
            at += int(repeated.group(1)) if repeated else 1
        raise AssertionError(f"no cell {text!r} in the row")

    def row_holding(xml: str, text: str, start: int, end: int) -> tuple[int, int]:
        hit = xml.index(f"<text:p>{text}</text:p>", start, end)
        return xml.rindex("<table:table-row", start, hit), xml.index("</table:table-row>", hit)

    def edit(xml: str) -> str:
        start = xml.index(f'table:name="{sheet}"')
        end = xml.index("</table:table>", start)
        head = xml[slice(*row_holding(xml, header, start, end))]
        column = column_of(head, header)
        first, last = row_holding(xml, row_key, start, end)
        cells = list(_ODS_CELL.finditer(xml, first, last))
        assert "number-columns-repeated" not in "".join(c.group() for c in cells[: column + 1]), (
            "repeated cells before the target"
        )
        target = cells[column]
        new = (
            "<table:table-cell/>"
            if value is None
            else f'<table:table-cell office:value-type="string"><text:p>{value}</text:p></table:table-cell>'
        )
        return xml[: target.start()] + new + xml[target.end() :]

    return lambda data: rewrite_ods(data, edit)


def ods_row_inserted_above_header(sheet: str) -> Callable[[bytes], bytes]:
    def edit(xml: str) -> str:
        first_row = xml.index("<table:table-row", xml.index(f'table:name="{sheet}"'))
        return xml[:first_row] + "<table:table-row><table:table-cell/></table:table-row>" + xml[first_row:]

    return lambda data: rewrite_ods(data, edit)


# --- the corpus ---------------------------------------------------------------------------


@dataclass(frozen=True)
class BadInput:
    kind: str
    path: str  # the catalogued file (relative to the mirror) the case breaks
    mutate: Callable[[bytes], bytes] | None
    stage: str  # fetch | parse | raw gate | dbt test | mart gate
    # fragments the refresh's message must carry; "{row}" is the row the case broke
    expect: tuple[str, ...]
    batch: str
    row_of: str | None = None  # the LA whose first row "{row}" names
    http: dict = field(default_factory=dict)  # served over HTTP instead of a mirror: how
    sparse_bytes: int = 0  # a file of this size (sparse, nothing written) instead of a mutation

    def expected(self, good: bytes) -> tuple[str, ...]:
        row = first_row_of(good, self.row_of) + 1 if self.row_of else None
        return tuple(f.replace("{row}", str(row)) for f in self.expect)


def B(kind, path, mutate, stage, expect, batch, **kw) -> BadInput:
    return BadInput(kind, path, mutate, stage, tuple(expect), batch, **kw)


LIMIT = "over the 536870912-byte limit"
CASES: list[BadInput] = [
    # -- fetch (the mirror): refused before anything is parsed
    B(
        "empty file",
        CIN_2022.format("d4_cpps_at31march_by_category_of_abuse"),
        lambda _: b"",
        "fetch",
        ["d4_cpps_at31march_by_category_of_abuse_2013_to_2022.csv: the fetched file is empty (0 bytes)"],
        "files",
    ),
    B(
        "file over the size limit",
        CIN_2022.format("d6_cpps_reviewed_within_timescales"),
        None,
        "fetch",
        ["d6_cpps_reviewed_within_timescales_2013_to_2022.csv: 629145600 bytes is", LIMIT],
        "files",
        sparse_bytes=600 << 20,
    ),
    B(
        "content differs from the pinned sha256",
        SFR_2014,
        flip_a_byte,
        "fetch",
        [SFR_2014, "differs from the catalogue's pinned"],
        "files",
    ),
    # -- parse: the file is not the shape the catalogue promises
    B(
        "HTML page in place of a CSV",
        CIN_2022.format("b2_children_in_need_recorded_disability"),
        html_page,
        "parse",
        ["b2_children_in_need_recorded_disability_2013_to_2022.csv: the file is an HTML page, expected CSV data"],
        "files",
    ),
    B(
        "file truncated mid-row",
        CIN_2022.format("b3_cin_primary_need"),
        truncated_mid_row,
        "parse",
        ["b3_cin_primary_need_2013_to_2022.csv: row", "as in the header (truncated or malformed row)"],
        "files",
    ),
    B(
        "header only",
        CIN_2022.format("b4_children_in_need_duration_of_open_episode"),
        header_only,
        "parse",
        ["b4_children_in_need_duration_of_open_episode_2013_to_2022.csv", "header only, no data rows"],
        "files",
    ),
    B(
        "required column renamed",
        CLA_2025,
        replace_once(b",children_count,", b",kids_count,"),
        "parse",
        [CLA_2025, "unexpected column(s) ['kids_count']"],
        "files",
    ),
    B(
        "required column missing",
        CIN_2022.format("b5_children_in_need_duration_of_ended_episode"),
        drop_last_column,
        "parse",
        ["b5_children_in_need_duration_of_ended_episode_2013_to_2022.csv", "required column(s)", "not found"],
        "files",
    ),
    B(
        "unknown extra column",
        CIN_2022.format("b6_children_in_need_reason_for_closure"),
        add_column,
        "parse",
        ["b6_children_in_need_reason_for_closure_2013_to_2022.csv", "unexpected column(s) ['notes']"],
        "files",
    ),
    B(
        "Windows-1252 byte in a UTF-8 file",
        "cin/ees_2022/c5_children_in_need_referrals_by_source_2014_to_2022.csv",
        cp1252_name_of("Birmingham"),
        "parse",
        ["c5_children_in_need_referrals_by_source_2014_to_2022.csv: line {row}: byte b'\\xe0'", "is not valid utf-8"],
        "files",
        row_of="Birmingham",
    ),
    B(
        "mixed line endings",
        CIN_2022.format("c6_children_in_need_referrals_by_month"),
        mixed_line_endings,
        "parse",
        [
            "c6_children_in_need_referrals_by_month_2013_to_2022.csv: mixed line endings",
            "expected one line ending throughout",
        ],
        "files",
    ),
    B(
        "byte order mark inside the file",
        CIN_2022.format("d2_cpps_starting_by_category_of_abuse"),
        bom_before_row_of("York"),
        "parse",
        [
            "d2_cpps_starting_by_category_of_abuse_2013_to_2022.csv: line {row}: a byte order mark (U+FEFF) inside the file"
        ],
        "files",
        row_of="York",
    ),
    B(
        "wrong delimiter",
        CIN_2022.format("d7_cpps_ending_by_duration"),
        semicolons,
        "parse",
        [
            "d7_cpps_ending_by_duration_2013_to_2022.csv",
            "the header is one column",
            "delimited by something other than commas",
        ],
        "files",
    ),
    B(
        "workbook header on another row",
        RSX_2025,
        ods_row_inserted_above_header("RSX_LA_Data_202425"),
        "parse",
        [RSX_2025, "unexpected column(s)"],
        "files",
    ),
    B(
        "workbook sheet missing",
        RO3_2025,
        ods_sheet_renamed("RO3_LA_Data_202425", "RO3 2024-25 (revised)"),
        "parse",
        [RO3_2025, "no sheet named 'RO3_LA_Data_202425'", "RO3 2024-25 (revised)"],
        "files",
    ),
    B("corrupt workbook", SN_2025, truncate_half, "parse", [SN_2025, "not readable as a workbook"], "files"),
    # -- fetch over HTTP (a local server on 127.0.0.1 plays the publisher)
    B(
        "HTML error page served over HTTP",
        CIN_2022.format("d8_cpps_ending_in_first_6months_by_duration"),
        None,
        "fetch",
        [
            "d8_cpps_ending_in_first_6months_by_duration_2013_to_2022.csv",
            "returned an HTML page",
            "expected a data file",
        ],
        "http",
        http={"type": "text/html; charset=utf-8", "body": html_page(b"")},
    ),
    B(
        "zip with a path-traversal entry",
        CLA_2024.format("la_care_leavers_intouch"),
        None,
        "fetch",
        ["la_care_leavers_intouch.csv", "archive entry '../../../etc/cron.d/csc' points outside the archive"],
        "http",
        http={"zip": {"data/la_care_leavers_intouch.csv": None, "../../../etc/cron.d/csc": b"* * * * * root true\n"}},
    ),
    B(
        "zip member over the size limit",
        CLA_2024.format("la_children_looked_after_exclusively_under_a_series_of_short_term_placements"),
        None,
        "fetch",
        ["la_children_looked_after_exclusively_under_a_series_of_short_term_placements.csv: archive member", LIMIT],
        "http",
        http={"zip": {"data/short_term.csv": 600 << 20}},
    ),
    B(
        "corrupt gzip body",
        CLA_2024.format("la_children_who_were_missing_or_away_from_placement_without_authorisation"),
        None,
        "fetch",
        [
            "la_children_who_were_missing_or_away_from_placement_without_authorisation.csv",
            "does not decode as its Content-Encoding 'gzip'",
        ],
        "http",
        http={"encoding": "gzip", "body": b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03 truncated"},
    ),
    # -- raw gate: parsed, but the landed rows break the family's contract
    B(
        "suppression symbol never seen before",
        CLA_2025,
        replace_once(BIRMINGHAM, BIRMINGHAM.replace(b",2317,", b",[w],")),
        "raw gate",
        [
            "raw_cla_number_and_rate_per_10k",
            "_release=ees_2025",
            "_row_number=240",
            "children_count=[w]",
            "known suppression symbol",
        ],
        "rows",
    ),
    B(
        "text in a numeric column",
        C1_2025,
        edit_row("Birmingham", referral_count="about 16,000"),
        "raw gate",
        ["raw_cin_c1_referrals", "_row_number={row}", "la_name=Birmingham", "referral_count=about 16,000"],
        "rows",
        row_of="Birmingham",
    ),
    B(
        "negative count",
        B1_2025,
        edit_row("Birmingham", At31_episodes="-9301"),
        "raw gate",
        ["raw_cin_b1_children_in_need", "_row_number={row}", "at31_episodes=-9301", "not negative"],
        "rows",
        row_of="Birmingham",
    ),
    B(
        "duplicate (LA, period, measure) rows",
        CARE_LEAVERS_2025,
        duplicate_first_row_of("Birmingham"),
        "raw gate",
        ["raw_care_leavers_activity__keys", "_row_number={row}", "rows_with_this_key"],
        "rows",
        row_of="Birmingham",
    ),
    B(
        "period outside the release's range",
        WORKFORCE_2025,
        edit_row("Birmingham", time_period="2031"),
        "raw gate",
        ["raw_csww_indicators__counts", "years_before_release", "-6"],
        "rows",
    ),
    B(
        "unknown geographic level",
        C4_2025,
        edit_row("Birmingham", geographic_level="Ward"),
        "raw gate",
        ["raw_cin_c4_section47_icpc", "geographic_level", "Ward", "_row_number={row}"],
        "rows",
        row_of="Birmingham",
    ),
    B(
        "far fewer LAs than expected",
        D5_2025,
        few_las(40),
        "raw gate",
        ["raw_cin_d5_cpp_at31_by_duration__counts", "la_count", "'min_value': 150"],
        "rows",
    ),
    B(
        "later vintage silently drops an LA",
        D3_2025,
        without_la("Birmingham"),
        "raw gate",
        ["raw_cin_d3_cpp_subsequent__vintages", "_release=ees_2024", "la_name=Birmingham"],
        "rows",
    ),
    # -- mart gate: every file is well formed, but the figures do not hold together
    B(
        "rate inconsistent with count and population",
        CLA_2025,
        replace_once(BIRMINGHAM, BIRMINGHAM.replace(b",79", b",97")),
        "mart gate",
        ["fct_children_looked_after__rate_consistency", "E08000025"],
        "figures",
    ),
    B(
        "England not the sum of its LAs",
        WORKFORCE_2025,
        edit_row("", year="2024", inpost_fte="44328.2"),
        "mart gate",
        ["fct_social_work_workforce__england_totals"],
        "figures",
    ),
    B(
        "zero population denominator",
        POPULATION,
        edit_row("Birmingham", population_estimate="0"),
        "mart gate",
        ["fct_population__denominators", "la_code=E08000025", "mid_year=2024"],
        "figures",
    ),
    B(
        "missing population denominator",
        POPULATION,
        edit_row("Leeds", population_estimate=""),
        "mart gate",
        ["fct_population__denominators", "la_code=E08000035", "mid_year=2024"],
        "figures",
    ),
    B(
        "LA code unknown to the dimension",
        C1_2025,
        recode_la("Birmingham", "E08000025", "E08000099", "Birmingham City"),
        "mart gate",
        [
            "dim_local_authority__codes_known",
            "la_code=E08000099",
            "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv",
        ],
        "figures",
    ),
    B(
        "LA in the wrong region",
        B1_2025,
        move_la_to("Birmingham", "North East", "E12000001"),
        "mart gate",
        ["dim_local_authority__regions_agree", "la_name=Birmingham", "b1_children_in_need_2013_to_2025.csv"],
        "figures",
    ),
    # -- mart gate: a reconciliation that cannot be computed (a NULL the rule used to skip) or
    # that has nothing left to compare fails, naming what it could not reconcile
    B(
        "RO3 total withheld while its lines are published",
        RO3_2025,
        ods_cell("RO3_LA_Data_202425", "E08000003", RO3_TOTAL, "[x]"),
        "mart gate",
        [
            "fct_expenditure__ro3_lines_add_up",
            "_source_file=RO3_LA_Data_2024-25_data_by_LA.ods la_code=E08000003 time_period=2025 excess=empty",
            "_source_file=RSX_LA_Data_2024-25_data_by_LA.ods _row_number=216 la_code=E08000003 time_period=2025 excess=empty",
        ],
        "figures",
    ),
    B(
        "Ofsted region the cross-check cannot compare",
        OFSTED_2025,
        ods_cell("Inspections_as_at_31_March", "Kent", "Ofsted region", None),
        "mart gate",
        [
            "fct_ofsted_judgement_in_effect__regions_agree",
            "la_code=E10000016 la_name=Kent time_period=2025 agrees=<NA>",
        ],
        "figures",
    ),
    B(
        "indicator renamed in the only release that publishes it",
        D1_2022,
        lambda data: data.replace(b",Child Protection Plans,", b",Children subject to a child protection plan,"),
        "mart gate",
        ["fct_la_indicator__recomputed_rates", "indicator_id=cpp_rate_per_10k excess=empty"],
        "figures",
    ),
    B(
        "LA missing from the population file",
        POPULATION,
        without_la("Liverpool"),
        "mart gate",
        [
            "fct_la_indicator__denominator_convention",
            "[_release=ees_2025 la_code=E08000012 time_period=2025 excess=empty]",
        ],
        "figures2",
    ),
    # -- dbt test: a model silently leaves out an LA's values
    B(
        "LA-year withheld before the LA existed",
        PLACEMENT_STABILITY_2025,
        replace_once(CUMBERLAND_2023_MOVES, CUMBERLAND_2023_MOVES.replace(b",z,z", b",c,c")),
        "dbt test",
        [
            "assert_no_la_values_dropped",
            "[la_code=E06000063 la_name=Cumberland time_period=2023 "
            "indicator_id=cla_placements_3plus_pct release=ees_2025 status=suppressed]",
        ],
        "dbt tests",
    ),
]


def slug(case: BadInput) -> str:
    return re.sub(r"[^a-z0-9]+", "_", case.kind.lower()).strip("_")
