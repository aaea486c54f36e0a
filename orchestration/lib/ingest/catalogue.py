"""Read the source catalogue (``orchestration/catalogue/sources.yml``) into typed records."""

from __future__ import annotations

import codecs
import re
import string
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path, PurePosixPath

import yaml

from orchestration.lib.core.conventions import conventions
from orchestration.lib.core.files import json_digest

FORMATS = ("ees_tidy_csv", "csv", "xlsx", "ods")
# How a source's releases are found: the EES content API, the GOV.UK Content API, the ONS
# website's page JSON (orchestration/lib/ingest/discovery/), or only fixed links in the catalogue.
DISCOVERY_KINDS = ("ees", "govuk", "ons", "links")
# The hosts whose pages the page-based adapters read.
PAGE_HOSTS = {"govuk": "www.gov.uk", "ons": "www.ons.gov.uk"}
TEXT_FORMATS = ("ees_tidy_csv", "csv")
WORKBOOK_FORMATS = ("xlsx", "ods")


class CatalogueError(ValueError):
    """The catalogue itself is malformed."""


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    aliases: tuple[str, ...] = ()
    optional: bool = False
    signed: bool = False  # may hold a negative number (a net gain, an income line); others must not
    label: bool = False  # says what a row measures (EES filters: category, characteristic, ...), not a value

    @property
    def accepted_headers(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class Release:
    source: str
    family: str
    release: str
    file: str
    page: str | None = None
    url: str | None = None
    archive_member: str | None = None
    sheet: str | None = None
    # 0-based header row of a workbook sheet; several rows (a title row over a row of column
    # labels, as in the MHCLG RO workbooks) are joined into one name per column.
    header_rows: tuple[int, ...] = (0,)
    # Text encoding of a CSV (the older section 251 files are Windows-1252).
    encoding: str = "utf-8"
    sha256: str | None = None
    # Values for canonical columns the file does not carry (for example the reporting year,
    # which the SFR files give only inside their header names).
    constants: dict[str, str] = field(default_factory=dict)
    # The day its publisher first published the file (the source's `published` map): what a
    # backtest may have read on a given day. None for a release the catalogue does not list (a
    # new vintage, a publisher's revision): discovery dates those.
    published: date | None = None

    @property
    def header_row(self) -> int:
        """The last header row: data start on the row after it."""
        return self.header_rows[-1]

    @property
    def relative_path(self) -> PurePosixPath:
        """``<source>/<release>/<file>``: the layout of a mirror and of the landing area."""
        return PurePosixPath(self.source, self.release, self.file)


@dataclass(frozen=True)
class Discovery:
    """Where a source's releases are looked for, and when the next one is due."""

    via: str  # one of DISCOVERY_KINDS
    publication: str | None = None  # EES publication slug
    release_label: str = "{slug}"  # EES: the warehouse's label for a release, from its slug

    def slug_of(self, label: str) -> str | None:
        """The EES release slug a warehouse label stands for (the inverse of ``release_label``)."""
        prefix, _, suffix = self.release_label.partition("{slug}")
        if label.startswith(prefix) and label.endswith(suffix) and len(label) > len(prefix) + len(suffix):
            return label[len(prefix) : len(label) - len(suffix)]
        return None

    # Month (1-12) a new release usually appears, where the interface does not say (EES does),
    # and how many months apart releases come.
    usual_month: int | None = None
    cadence_months: int = 12


@dataclass(frozen=True)
class Recognise:
    """How a family's file is recognised among a release's files, and what a release that the
    catalogue does not list yet is called and given (its other settings are the latest
    catalogued release's)."""

    file: re.Pattern
    release: str | None = None  # template over the pattern's named groups, e.g. ofsted_{year}-03
    constants: dict[str, str] = field(default_factory=dict)  # templates, as `release`

    def match(self, file_name: str) -> dict[str, str] | None:
        m = self.file.fullmatch(file_name)
        return None if m is None else {k: v for k, v in m.groupdict().items() if v is not None}


def fill(template: str, values: dict[str, str], what: str) -> str:
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError) as exc:
        raise CatalogueError(f"{what}: template {template!r} needs {exc}, not in {sorted(values)}") from None


@dataclass(frozen=True)
class Family:
    source: str
    name: str
    description: str
    format: str
    columns: tuple[ColumnSpec, ...]
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    releases: tuple[Release, ...] = ()
    period: str | None = None
    # True for wide files from which only the declared columns are taken (the SFR files carry
    # fifty to seventy breakdown columns that change every year); otherwise an undeclared
    # header is an error.
    extract_only: bool = False
    recognise: Recognise | None = None
    # What this family's symbols mean where its publisher's metadata departs from the shared
    # defaults (dbt_project.yml vars.published_symbols): status -> symbols. The SFR files' `x`
    # is a suppressed count of one to five, not EES's "not available".
    symbols: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def raw_table(self) -> str:
        return self.name

    def parse_spec(self, release: Release) -> str:
        """A digest of everything in the catalogue that shapes how ``release`` is parsed: the
        loader re-parses an unchanged file when this changes (a new header mapping or erratum)."""
        spec = {
            "format": self.format,
            "extract_only": self.extract_only,
            "columns": [(c.name, c.aliases, c.optional) for c in self.columns],
            "values": self.values,
            "sheet": release.sheet,
            "header_rows": release.header_rows,
            "encoding": release.encoding,
            "constants": release.constants,
        }
        return json_digest(spec)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


@dataclass(frozen=True)
class Source:
    name: str
    publisher: str
    publication: str
    page: str | None
    families: tuple[Family, ...]
    discovery: Discovery = Discovery(via="links")


@dataclass(frozen=True)
class Catalogue:
    sources: tuple[Source, ...]

    @property
    def families(self) -> list[Family]:
        return [f for s in self.sources for f in s.families]

    def source(self, name: str) -> Source:
        for s in self.sources:
            if s.name == name:
                return s
        raise KeyError(f"no source {name!r} in the source catalogue")

    def family(self, name: str) -> Family:
        for f in self.families:
            if f.name == name:
                return f
        raise KeyError(f"no family {name!r} in the source catalogue")

    @property
    def releases(self) -> list[Release]:
        return [r for f in self.families for r in f.releases]

    def without_fixed_link(self) -> list[tuple[Source, Family, Release]]:
        """The releases found through their source's interface (those with no fixed ``url``)."""
        return [(s, f, r) for s in self.sources for f in s.families for r in f.releases if not r.url]


def _safe_component(value: str, what: str) -> str:
    """Catalogue names become path components: refuse anything that could leave a folder."""
    if not value or value in {".", ".."} or "/" in value or "\\" in value or "\x00" in value:
        raise CatalogueError(f"{what} {value!r} is not a plain file or folder name")
    return value


def _header_rows(family: str, value) -> tuple[int, ...]:
    rows = tuple(int(v) for v in (value if isinstance(value, list) else [value]))
    if not rows or any(r < 0 for r in rows) or list(rows) != sorted(set(rows)):
        raise CatalogueError(f"family {family}: header_row {value!r} must be a row number or increasing row numbers")
    return rows


def _encoding(family: str, value: str) -> str:
    try:
        return codecs.lookup(str(value)).name
    except LookupError:
        raise CatalogueError(f"family {family}: unknown encoding {value!r}") from None


def _parse_family(source: str, name: str, spec: dict) -> Family:
    fmt = spec.get("format")
    if fmt not in FORMATS:
        raise CatalogueError(f"family {name}: format {fmt!r} is not one of {FORMATS}")
    declared_columns = dict(spec.get("columns") or {})
    if fmt == "ees_tidy_csv":
        # every EES tidy file opens with the same geography columns: declared once, in the
        # project's conventions; a family names one of them only to map a header that drifted
        declared_columns = {
            **{c: declared_columns.pop(c, None) for c in conventions().ees_geography_columns},
            **declared_columns,
        }
    columns = []
    for col, cspec in declared_columns.items():
        cspec = cspec or {}
        columns.append(
            ColumnSpec(
                name=col,
                aliases=tuple(cspec.get("from", ())),
                optional=bool(cspec.get("optional", False)),
                signed=bool(cspec.get("signed", False)),
                label=bool(cspec.get("label", False)),
            )
        )
    if not columns:
        raise CatalogueError(f"family {name}: no columns declared")
    releases = []
    declared = {c.name for c in columns}
    for r in spec.get("releases") or []:
        unknown = set(r.get("constants") or {}) - declared
        if unknown:
            raise CatalogueError(f"family {name}: constants for undeclared column(s) {sorted(unknown)}")
        try:
            releases.append(
                Release(
                    source=_safe_component(source, "source"),
                    family=name,
                    release=_safe_component(str(r["release"]), "release"),
                    file=_safe_component(str(r["file"]), "file"),
                    page=r.get("page"),
                    url=r.get("url"),
                    archive_member=r.get("archive_member"),
                    sheet=r.get("sheet"),
                    header_rows=_header_rows(name, r.get("header_row", 0)),
                    encoding=_encoding(name, r.get("encoding", "utf-8")),
                    sha256=r.get("sha256"),
                    constants={str(k): str(v) for k, v in (r.get("constants") or {}).items()},
                )
            )
        except KeyError as exc:
            raise CatalogueError(f"family {name}: a release entry lacks {exc}") from exc
    return Family(
        source=source,
        recognise=_recognise(name, spec.get("recognise"), releases, declared),
        name=_safe_component(name, "family"),
        description=" ".join(str(spec.get("description", "")).split()),
        format=fmt,
        columns=tuple(columns),
        values={k: {str(a): str(b) for a, b in v.items()} for k, v in (spec.get("values") or {}).items()},
        releases=tuple(releases),
        period=spec.get("period"),
        extract_only=bool(spec.get("extract_only", False)),
        symbols=_symbols(name, spec.get("symbols")),
    )


def _symbols(family: str, spec) -> dict[str, tuple[str, ...]]:
    """A family's ``symbols``: status -> symbols, each status one of the shared conventions'."""
    if spec is None:
        return {}
    statuses = tuple(conventions().published_symbols)
    if not isinstance(spec, dict) or not spec:
        raise CatalogueError(
            f"family {family}: symbols must map a status ({', '.join(statuses)}) to its symbols, not {spec!r}"
        )
    result: dict[str, tuple[str, ...]] = {}
    seen: set[str] = set()
    for status, symbols in spec.items():
        if status not in statuses:
            raise CatalogueError(
                f"family {family}: symbols: {status!r} is not a status; use one of {', '.join(statuses)}"
            )
        symbols = symbols if isinstance(symbols, list) else [symbols]
        if not symbols or any(not isinstance(s, str) or not s.strip() or "'" in s for s in symbols):
            raise CatalogueError(
                f"family {family}: symbols.{status} must list symbols (non-empty text), not {symbols!r}"
            )
        repeated = seen & {s.lower() for s in symbols}
        if repeated:
            raise CatalogueError(f"family {family}: symbols: {sorted(repeated)} given more than one meaning")
        seen |= {s.lower() for s in symbols}
        result[str(status)] = tuple(symbols)
    return result


def _recognise(family: str, spec: dict | None, releases: list[Release], declared: set[str]) -> Recognise:
    """The family's ``recognise`` block; by default its file is any name a catalogued release had."""
    spec = spec or {}
    pattern = spec.get("file")
    if pattern is None:
        pattern = "|".join(sorted({re.escape(r.file) for r in releases})) or "(?!)"
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        raise CatalogueError(
            f"family {family}: recognise.file {pattern!r} is not a regular expression ({exc})"
        ) from None
    groups = set(compiled.groupindex)
    constants = {str(k): str(v) for k, v in (spec.get("constants") or {}).items()}
    unknown = set(constants) - declared
    if unknown:
        raise CatalogueError(f"family {family}: recognise.constants for undeclared column(s) {sorted(unknown)}")
    for template in [spec.get("release"), *constants.values()]:
        if template is None:
            continue
        needed = {f for _, f, _, _ in string.Formatter().parse(template) if f}
        if not needed <= groups | {"slug", "published"}:
            raise CatalogueError(
                f"family {family}: template {template!r} names {sorted(needed - groups)}, "
                f"which recognise.file {pattern!r} does not capture"
            )
    for r in releases:
        if compiled.fullmatch(r.file) is None:
            raise CatalogueError(
                f"family {family}: recognise.file {pattern!r} does not match its own "
                f"release {r.release} file {r.file!r}"
            )
    return Recognise(file=compiled, release=spec.get("release"), constants=constants)


def _discovery(source: str, spec: dict | None) -> Discovery:
    spec = dict(spec or {"via": "links"})
    via = spec.pop("via", None)
    if via not in DISCOVERY_KINDS:
        raise CatalogueError(f"source {source}: discovery.via {via!r} is not one of {DISCOVERY_KINDS}")
    if via == "ees" and not spec.get("publication"):
        raise CatalogueError(f"source {source}: EES discovery needs the publication slug (discovery.publication)")
    if via == "ees" and str(spec.get("release_label", "{slug}")).count("{slug}") != 1:
        raise CatalogueError(
            f"source {source}: discovery.release_label {spec.get('release_label')!r} must name "
            "{slug} once (the release's slug)"
        )
    month = spec.get("usual_month")
    if month is not None and not 1 <= int(month) <= 12:
        raise CatalogueError(f"source {source}: discovery.usual_month {month!r} is not a month number")
    unknown = set(spec) - {"publication", "release_label", "usual_month", "cadence_months"}
    if unknown:
        raise CatalogueError(f"source {source}: unknown discovery setting(s) {sorted(unknown)}")
    return Discovery(
        via=via,
        publication=spec.get("publication"),
        release_label=str(spec.get("release_label", "{slug}")),
        usual_month=int(month) if month is not None else None,
        cadence_months=int(spec.get("cadence_months", 12)),
    )


def unlocatable(catalogue: Catalogue) -> list[str]:
    """Releases that could not be found without a mirror: neither a fixed link nor a place its
    source's interface reads (a fork may keep such mirror-only releases; ours has none)."""
    from urllib.parse import urlsplit

    problems = []
    for source, family, r in catalogue.without_fixed_link():
        via = source.discovery.via
        if via == "ees" and source.discovery.slug_of(r.release) is not None:
            continue
        if via in PAGE_HOSTS and r.page and urlsplit(r.page).netloc == PAGE_HOSTS[via]:
            continue
        problems.append(
            f"family {family.name}: release {r.release} ({r.file}): no fixed `url`, and no "
            f"`page` on {PAGE_HOSTS.get(via, 'its publisher')} for the source's discovery ({via})"
        )
    return problems


def _day(value) -> date | None:
    """A YAML date (unquoted ``2024-11-14``) or its ISO text; None for anything else (a
    timestamp, an impossible day)."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _published(where: str, source: str, spec, families: tuple[Family, ...]) -> dict[str, date]:
    """The source's ``published`` map, release label -> day: one day for every label a family
    of the source lists (labels are shared by the source's families: one publication day), and
    none for a label no family lists."""
    if not isinstance(spec, dict | None):
        raise CatalogueError(f"source {source}: published must map each release label to a date, not {spec!r}")
    days: dict[str, date] = {}
    for label, value in (spec or {}).items():
        day = _day(value)
        if day is None:
            raise CatalogueError(f"{where}: source {source}: published.{label}: {value!r} is not a date (YYYY-MM-DD)")
        days[str(label)] = day
    listed = {r.release for f in families for r in f.releases}
    undated = sorted(listed - set(days))
    if undated:
        raise CatalogueError(
            f"source {source}: no published date for release(s) {undated} (the day the publisher first published each)"
        )
    unknown = sorted(set(days) - listed)
    if unknown:
        raise CatalogueError(
            f"source {source}: published names release(s) {unknown}, which no family of the source lists"
        )
    return days


def parse_catalogue(data: dict, where: str = "the source catalogue") -> Catalogue:
    """The catalogue in ``data``; ``where`` names the file in errors about its dates."""
    sources = []
    for sname, sspec in (data.get("sources") or {}).items():
        families = tuple(_parse_family(sname, fname, fspec) for fname, fspec in (sspec.get("families") or {}).items())
        days = _published(where, sname, sspec.get("published"), families)
        families = tuple(
            replace(f, releases=tuple(replace(r, published=days[r.release]) for r in f.releases)) for f in families
        )
        sources.append(
            Source(
                name=_safe_component(sname, "source"),
                publisher=sspec.get("publisher", ""),
                publication=sspec.get("publication", ""),
                page=sspec.get("page"),
                families=families,
                discovery=_discovery(sname, sspec.get("discovery")),
            )
        )
    names = [f.name for s in sources for f in s.families]
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        raise CatalogueError(f"family names must be unique across sources: {sorted(dupes)}")
    return Catalogue(sources=tuple(sources))


@lru_cache(maxsize=4)
def _load(path: str, mtime: float) -> Catalogue:
    with open(path, encoding="utf-8") as fh:
        # libyaml's loader when it is there: much faster on a file this long
        return parse_catalogue(yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)), where=path)


def load_catalogue(path: Path | None = None) -> Catalogue:
    if path is None:
        from orchestration.settings import get_settings

        path = get_settings().catalogue_path
    return _load(str(path), path.stat().st_mtime)
