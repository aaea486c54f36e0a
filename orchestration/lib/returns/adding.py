"""Adding a return to the inbox (``csc returns add``): each file read as the kind of return it is
(SSDA903 tables by ssda903.py, a CIN census by cin_census.py) before anything is copied, so a file
that cannot be read is refused and the inbox is left as it was."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from orchestration.lib.core import files
from orchestration.lib.returns import cin_census
from orchestration.lib.returns.inbox import (
    CIN_CENSUS,
    NAMES,
    SSDA903,
    Return,
    find,
    kind_of,
    partition_key,
    resolve_la,
)
from orchestration.lib.returns.private import OWNER_ONLY_FILE, owner_only_dir
from orchestration.lib.returns.ssda903 import TABLES, ReturnFileError, check_year, read_file
from orchestration.settings import Settings


@dataclass(frozen=True)
class Added:
    file: Path
    tables: tuple[str, ...]
    rows: int


def add_files(settings: Settings, sources: list[Path], la: str, year: int) -> tuple[Return, list[Added]]:
    """Copy files into the inbox (whole or not at all), after reading each as the layout says: a
    file that cannot be read is refused before anything is copied."""
    la_code = resolve_la(la, settings)
    read = []
    for source in sources:
        if not source.is_file():
            raise ReturnFileError(f"{source}: no such file")
    kinds = {source: kind_of(source) for source in sources}
    if len(set(kinds.values())) > 1:
        raise ReturnFileError(
            "the files hold an SSDA903 return and a CIN census: add each return on its own ("
            + "; ".join(f"{s.name}: {NAMES[k]}" for s, k in kinds.items())
            + ")"
        )
    kind = next(iter(kinds.values()))
    if kind == SSDA903:
        check_year(year)
    elif len(sources) > 1:
        raise ReturnFileError(f"{len(sources)} CIN census files: an LA's census for a year is one file")
    for source in sources:
        if kind == CIN_CENSUS:  # refused here: another year's census, a truncated file, ...
            tables = {n: t for n, t in cin_census.read_file(source, year).tables.items() if t.height}
        else:
            tables = read_file(source, year)
        read.append(Added(source, tuple(tables), sum(t.height for t in tables.values())))
    folder = owner_only_dir(settings.inbox_dir) / la_code / str(year)
    owner_only_dir(folder.parent)
    owner_only_dir(folder)
    for source in sources:
        target = folder / source.name
        files.copy(source, target, durable=True)
        target.chmod(OWNER_ONLY_FILE)
    if kind == CIN_CENSUS:  # a census sent again under another name replaces the one before
        for earlier in folder.iterdir():
            if earlier.name != sources[0].name and earlier.is_file() and kind_of(earlier) == CIN_CENSUS:
                earlier.unlink()
    return find(settings, partition_key(la_code, year), kind), read


def missing_tables(ret: Return) -> list[str]:
    """The tables the year collects that none of the return's files holds (a CIN census is one
    file holding every module: none)."""
    if ret.kind == CIN_CENSUS:
        return []
    have = {name for file in ret.files for name in read_file(file, ret.year)}
    return [t.name for t in TABLES.values() if t.collected_in(ret.year) and t.name not in have]
