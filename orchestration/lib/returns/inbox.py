"""The returns inbox: an LA's own returns, laid out ``<la_code>/<collection_year>/<files>``.

``la_code`` is the ONS code (E06000009) or DfE's three-digit number (890), which the warehouse's
LA dimension maps to the ONS code; ``collection_year`` is the year ending 31 March (2025 for
2024-25), the warehouse's own convention. Each LA and year is one Dagster partition
(``E06000009-2025``); what it holds is the digest of its files' names and contents, so a new or
changed file rebuilds that partition alone. The inbox is child-level data: owner-only, like the
private area.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.lib.core import files
from orchestration.lib.core.warehouse import DUCKDB_CONFIG
from orchestration.lib.returns.private import OWNER_ONLY_FILE, owner_only_dir
from orchestration.lib.returns.ssda903 import TABLES, ReturnFileError, check_year, read_file
from orchestration.settings import Settings

ONS_CODE = re.compile(r"^E(06|07|08|09|10)\d{6}$")
DFE_CODE = re.compile(r"^\d{3}$")
PARTITION = re.compile(r"^(E\d{8})-(\d{4})$")


@dataclass(frozen=True)
class Return:
    """One LA's return for one collection year, as it sits in the inbox."""

    la_code: str
    year: int
    folder: Path
    files: tuple[Path, ...]

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


def scan(settings: Settings) -> list[Return]:
    """Every LA and year in the inbox that has files. A folder that does not fit the layout is an
    error naming it (a file put in the wrong place is not silently left out)."""
    inbox = settings.inbox_dir
    if not inbox.exists():
        return []
    known: dict[str, str] | None = None
    found: dict[tuple[str, int], Return] = {}
    for la_dir in sorted(p for p in inbox.iterdir() if not p.name.startswith(".")):
        if not la_dir.is_dir():
            raise ReturnFileError(f"{la_dir}: expected a folder per LA (<la_code>/<collection_year>/<files>)")
        if DFE_CODE.match(la_dir.name) and known is None:
            known = la_codes(settings)
        try:
            la = resolve_la(la_dir.name, settings, known)
        except ReturnFileError as exc:
            raise ReturnFileError(f"{la_dir}: {exc}") from None
        for year_dir in sorted(p for p in la_dir.iterdir() if not p.name.startswith(".")):
            if not (year_dir.is_dir() and year_dir.name.isdigit()):
                raise ReturnFileError(f"{year_dir}: expected a folder per collection year, e.g. {la_dir}/2025")
            year = int(year_dir.name)
            check_year(year)
            kept = tuple(sorted(p for p in year_dir.iterdir() if p.is_file() and not p.name.startswith(".")))
            if not kept:
                continue
            if (la, year) in found:
                raise ReturnFileError(
                    f"{year_dir}: the same LA and year as {found[(la, year)].folder}; keep one folder per LA"
                )
            found[(la, year)] = Return(la, year, year_dir, kept)
    return list(found.values())


def find(settings: Settings, partition: str) -> Return:
    la, year = parse_partition(partition)
    for ret in scan(settings):
        if ret.la_code == la and ret.year == year:
            return ret
    raise ReturnFileError(f"no return for {la} {year} in the inbox {settings.inbox_dir}")


@dataclass(frozen=True)
class Added:
    file: Path
    tables: tuple[str, ...]
    rows: int


def add_files(settings: Settings, sources: list[Path], la: str, year: int) -> tuple[Return, list[Added]]:
    """Copy files into the inbox (whole or not at all), after reading each as the layout says: a
    file that cannot be read is refused before anything is copied."""
    la_code = resolve_la(la, settings)
    check_year(year)
    read = []
    for source in sources:
        if not source.is_file():
            raise ReturnFileError(f"{source}: no such file")
        tables = read_file(source, year)
        read.append(Added(source, tuple(tables), sum(t.height for t in tables.values())))
    folder = owner_only_dir(settings.inbox_dir) / la_code / str(year)
    owner_only_dir(folder.parent)
    owner_only_dir(folder)
    for source in sources:
        target = folder / source.name
        files.copy(source, target, durable=True)
        target.chmod(OWNER_ONLY_FILE)
    return find(settings, partition_key(la_code, year)), read


def missing_tables(ret: Return) -> list[str]:
    """The tables the year collects that none of the return's files holds."""
    have = {name for file in ret.files for name in read_file(file, ret.year)}
    return [t.name for t in TABLES.values() if t.collected_in(ret.year) and t.name not in have]
