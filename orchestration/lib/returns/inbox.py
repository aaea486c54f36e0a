"""The returns inbox: an LA's own returns, laid out ``<la_code>/<collection_year>/<files>``.

``la_code`` is the ONS code (E06000009) or DfE's three-digit number (890), which the warehouse's
LA dimension maps to the ONS code; ``collection_year`` is the year ending 31 March (2025 for
2024-25), the warehouse's own convention. A folder may hold both of an LA's statutory returns for
the year: the SSDA903 (children looked after: CSV tables, or its XML form) and the children in
need census (one XML file). Which a file is, is read from its content (:func:`kind_of`). Each LA
and year is one Dagster partition (``E06000009-2025``) of each kind's asset; what a return holds
is the digest of its files' names and contents, so a new or changed file rebuilds that return
alone. The inbox is child-level data: owner-only, like the private area.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.lib.core import files
from orchestration.lib.core.warehouse import DUCKDB_CONFIG
from orchestration.lib.returns.ssda903 import ReturnFileError, check_year
from orchestration.settings import Settings

ONS_CODE = re.compile(r"^E(06|07|08|09|10)\d{6}$")
DFE_CODE = re.compile(r"^\d{3}$")
PARTITION = re.compile(r"^(E\d{8})-(\d{4})$")
SSDA903, CIN_CENSUS = "ssda903", "cin_census"
KINDS = (SSDA903, CIN_CENSUS)
NAMES = {SSDA903: "SSDA903", CIN_CENSUS: "CIN census"}


def kind_of(path: Path) -> str:
    """Which return a file belongs to, from its content: an XML ``<Message>`` (the form of DfE's
    census collections) is read as a CIN census, which refuses one of another collection by name;
    anything else is read as SSDA903 (whose reading says what it expected when it is not; its XML
    form's root is ``<EXPSSDA903>``)."""
    return CIN_CENSUS if path.suffix.lower() == ".xml" and root_element(path) == "Message" else SSDA903


def root_element(path: Path) -> str | None:
    """The name of an XML file's first element (None when it does not begin as XML), reading no
    further; no entity is expanded and nothing fetched."""
    from xml.etree.ElementTree import ParseError, XMLPullParser

    parser = XMLPullParser(events=("start",))
    with path.open("rb") as fh:
        while chunk := fh.read(4096):
            try:
                parser.feed(chunk)
                for _, element in parser.read_events():
                    return element.tag
            except ParseError:
                return None
    return None


@dataclass(frozen=True)
class Return:
    """One LA's return for one collection year, as it sits in the inbox."""

    la_code: str
    year: int
    folder: Path
    files: tuple[Path, ...]
    kind: str = SSDA903

    @property
    def name(self) -> str:
        return f"{self.partition} ({NAMES[self.kind]})"

    @property
    def partition(self) -> str:
        return partition_key(self.la_code, self.year)

    def digest(self) -> str:
        """What the return holds: its files' names and contents."""
        return files.short_digest(*(f"{f.name}:{files.sha256_file(f)}" for f in self.files))


def partition_key(la_code: str, year: int) -> str:
    return f"{la_code}-{year}"


def parse_partition(key: str) -> tuple[str, int]:
    match = PARTITION.match(key)
    if not match:
        raise ValueError(f"{key!r} is not a return's partition (expected <ONS LA code>-<collection year>)")
    return match.group(1), int(match.group(2))


def la_codes(settings: Settings) -> dict[str, str]:
    """DfE's three-digit LA numbers to ONS codes, from the published warehouse (or the work
    database before anything is published); empty before the first refresh."""
    for path in (settings.published_path, settings.duckdb_path):
        if not path.exists():
            continue
        try:
            con = duckdb.connect(str(path), read_only=True, config=DUCKDB_CONFIG)
        except duckdb.Error:
            continue  # the work database is held by a running refresh: try the next
        try:
            rows = con.execute(
                "select la_code_dfe, la_code from marts.dim_local_authority where la_code_dfe is not null"
            ).fetchall()
        except duckdb.Error:
            rows = []
        finally:
            con.close()
        if rows:
            return dict(rows)
    return {}


def resolve_la(given: str, settings: Settings, known: dict[str, str] | None = None) -> str:
    code = given.strip().upper()
    if ONS_CODE.match(code):
        return code
    if DFE_CODE.match(code):
        known = la_codes(settings) if known is None else known
        if code in known:
            return known[code]
        raise ReturnFileError(
            f"LA {code}: no LA with this DfE number in the warehouse"
            + ("" if known else " (nothing is published yet: give the ONS code, e.g. E06000009)")
        )
    raise ReturnFileError(f"LA {given!r}: expected an ONS code (E06000009) or DfE's three-digit LA number (890)")


@dataclass(frozen=True)
class Problem:
    """A folder of the inbox that does not fit the layout: what it is, and what was expected.
    ``partition`` names the LA and year it holds where that much can be read from it."""

    folder: Path
    message: str
    partition: str | None = None
    kind: str | None = None  # the kind of return it concerns; None: every return of the folder

    def __str__(self) -> str:
        return f"{self.folder}: {self.message}"


def survey(settings: Settings) -> tuple[list[Return], list[Problem]]:
    """Every LA and year in the inbox that has files, and every folder that does not fit the
    layout (said, never silently left out; one does not stop the others)."""
    inbox = settings.inbox_dir
    if not inbox.exists():
        return [], []
    known: dict[str, str] | None = None
    found: dict[tuple[str, int, str], Return] = {}
    problems: list[Problem] = []
    for la_dir in sorted(p for p in inbox.iterdir() if not p.name.startswith(".")):
        if not la_dir.is_dir():
            problems.append(Problem(la_dir, "expected a folder per LA (<la_code>/<collection_year>/<files>)"))
            continue
        if DFE_CODE.match(la_dir.name) and known is None:
            known = la_codes(settings)
        try:
            la = resolve_la(la_dir.name, settings, known)
        except ReturnFileError as exc:
            problems.append(Problem(la_dir, str(exc)))
            continue
        for year_dir in sorted(p for p in la_dir.iterdir() if not p.name.startswith(".")):
            if not (year_dir.is_dir() and year_dir.name.isdigit()):
                problems.append(Problem(year_dir, f"expected a folder per collection year, e.g. {la_dir}/2025"))
                continue
            year = int(year_dir.name)
            try:
                check_year(year)
            except ReturnFileError as exc:
                problems.append(Problem(year_dir, str(exc)))
                continue
            kept = sorted(p for p in year_dir.iterdir() if p.is_file() and not p.name.startswith("."))
            by_kind: dict[str, list[Path]] = {}
            for path in kept:
                by_kind.setdefault(kind_of(path), []).append(path)
            for kind, paths in by_kind.items():
                if (la, year, kind) in found:
                    message = f"the same LA and year as {found[(la, year, kind)].folder}; keep one folder per LA"
                    problems.append(Problem(year_dir, message, partition_key(la, year), kind))
                    continue
                if kind == CIN_CENSUS and len(paths) > 1:
                    names = ", ".join(p.name for p in paths)
                    message = f"{len(paths)} CIN census files ({names}); an LA's census for a year is one file"
                    problems.append(Problem(year_dir, message, partition_key(la, year), kind))
                    continue
                found[(la, year, kind)] = Return(la, year, year_dir, tuple(paths), kind)
    return list(found.values()), problems


def scan(settings: Settings) -> list[Return]:
    """Every LA and year in the inbox that has files (the folders that do not fit: :func:`survey`)."""
    return survey(settings)[0]


def find_kind(settings: Settings, partition: str, kind: str) -> Return | None:
    """The return of ``kind`` the partition holds; None when its folder holds only the other
    kind (or nothing); an error when its folder cannot be read as a return."""
    la, year = parse_partition(partition)
    returns, problems = survey(settings)
    for ret in returns:
        if (ret.la_code, ret.year, ret.kind) == (la, year, kind):
            return ret
    for problem in problems:
        if problem.partition == partition and problem.kind in (None, kind):
            raise ReturnFileError(str(problem))
    return None


def find(settings: Settings, partition: str, kind: str = SSDA903) -> Return:
    ret = find_kind(settings, partition, kind)
    if ret is None:
        la, year = parse_partition(partition)
        raise ReturnFileError(f"no {NAMES[kind]} return for {la} {year} in the inbox {settings.inbox_dir}")
    return ret
