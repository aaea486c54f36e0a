"""Which files make up a family now: the catalogue's releases, located through discovery, and
any release the publisher added since (a new vintage of a known format is data, not code).

For each file a publisher's interface lists (:class:`~orchestration.lib.ingest.discovery.Found`):

1. the family's ``recognise.file`` pattern says whether it is the family's file;
2. its release label comes from the family's ``recognise.release`` template, or the source's
   EES label template (``ees_{slug}``), or for a page-based publisher (GOV.UK, ONS) from the
   catalogued release on the same page with the same file;
3. a label the catalogue lists gets the catalogue's entry (with the discovered address); a new
   label gets a copy of the family's latest catalogued release on the same page (else its
   latest; sheet, header rows, encoding, constants), with the constants ``recognise`` fills in.

A pinned release whose page serves other bytes was revised by its publisher: the bytes land as
a vintage of their own, ``<release>_revised_<day the page changed>`` (the label is kept for
those bytes on later nights), and the pinned vintage stays. A catalogued release discovery did
not find keeps its fixed link (``url``), or the copy already landed. When the publisher cannot
be asked, every release landed before (new vintages and revisions included) stays as landed.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

from orchestration.lib.ingest.catalogue import CatalogueError, Family, Release, Source, fill
from orchestration.lib.ingest.discovery import (
    Found,
    SourceDiscovery,
    discover_cached,
    mirror,
    now_iso,
)
from orchestration.lib.ingest.http import FetchError, HttpClient, PublisherUnreachable
from orchestration.lib.ingest.landing import fetch, keep_landed
from orchestration.lib.ingest.provenance import LandedFile
from orchestration.settings import Settings

REVISED = "_revised_"


@dataclass(frozen=True)
class LocatedFile:
    release: Release
    found: Found | None = None  # how discovery located it (None: fixed link, mirror or landed copy)
    is_new: bool = False  # a release the catalogue does not list yet
    before: dict = field(default_factory=dict, compare=False)  # its release-index row from earlier refreshes

    @property
    def url(self) -> str | None:
        return self.found.url if self.found else self.release.url

    @property
    def archive_member(self) -> str | None:
        return self.found.archive_member if self.found else self.release.archive_member


def _context(found: Found | None = None, row: dict | None = None) -> dict[str, str]:
    """Values a template may name besides the file pattern's groups."""
    if found is not None:
        return {"slug": found.release, "published": (found.published or "")[:10]}
    row = row or {}
    return {"slug": row.get("publisher_release") or "", "published": (row.get("published_at") or "")[:10]}


def new_release(
    family: Family, template: Release, label: str, file: str, page: str | None, values: dict[str, str]
) -> Release:
    """A release the catalogue does not list: the template's settings, the ``recognise`` constants."""
    constants = dict(template.constants)
    if family.recognise:
        for column, value in family.recognise.constants.items():
            constants[column] = fill(value, values, f"family {family.name}: recognise.constants.{column}")
    return replace(
        template,
        release=label,
        file=file,
        page=page,
        url=None,
        archive_member=None,
        sha256=None,
        constants=constants,
        published=None,  # not the template's day: discovery dates a new vintage
    )


def revised_release(pinned: Release, label: str) -> Release:
    """The publisher's revision of a pinned release: its settings, other bytes (and not its day)."""
    return replace(pinned, release=label, sha256=None, url=None, archive_member=None, published=None)


def _same_page(release: Release, publication: str | None) -> bool:
    """Whether the release's page is the page (path) a publisher lists a file on."""
    return bool(release.page and publication) and urlsplit(release.page).path.rstrip("/") == publication.rstrip("/")


def template_for(family: Family, publication: str | None = None) -> Release:
    """The catalogued release a new one takes its settings from: the latest on the same page,
    else the family's latest."""
    if not family.releases:
        raise CatalogueError(f"family {family.name}: no catalogued release to take settings from")
    same_page = [r for r in family.releases if _same_page(r, publication)]
    return (same_page or list(family.releases))[-1]


def _label(source: Source, family: Family, found: Found, values: dict[str, str]) -> str | None:
    recognise = family.recognise
    context = {**_context(found), **values}
    if recognise and recognise.release:
        return fill(recognise.release, context, f"family {family.name}: recognise.release")
    if source.discovery.via == "ees":
        return fill(source.discovery.release_label, context, f"source {source.name}: discovery.release_label")
    same = [r for r in family.releases if _same_page(r, found.publication) and r.file == found.file and not r.url]
    return same[-1].release if same else None


def _mirror_label(family: Family, found: Found, label: str | None) -> str | None:
    """In a mirror the folder is the release: a file belongs to the family there only when the
    folder is named as the family would name its release, or as a revision of a pinned one."""
    folder = found.release_title
    if label == folder:
        return label
    base = folder.split(REVISED, 1)[0] if REVISED in folder else None
    pinned = {r.release: r for r in family.releases if r.sha256}
    return folder if base in pinned and pinned[base].file == found.file else None


def locate_family(
    source: Source, family: Family, discovery: SourceDiscovery | None
) -> tuple[list[LocatedFile], list[str]]:
    """The family's files as of this discovery, and notes on what did not fit (for the run log)."""
    notes: list[str] = []
    catalogued = {r.release: r for r in family.releases}
    located: dict[str, LocatedFile] = {}
    in_mirror = discovery is not None and discovery.interface.startswith("mirror ")
    for found in discovery.files if discovery else []:
        values = family.recognise.match(found.file) if family.recognise else None
        if values is None and not (in_mirror and REVISED in found.release_title):
            continue
        label = _label(source, family, found, values or {}) if values is not None else None
        if in_mirror:
            label = _mirror_label(family, found, label)
            if label is None:
                continue
            base = label.split(REVISED, 1)[0] if REVISED in label else None
            if base in catalogued:
                located[label] = LocatedFile(release=revised_release(catalogued[base], label), found=found, is_new=True)
                continue
        if label is None:
            notes.append(f"{found.file} on {found.page}: recognised, but no release label (add recognise.release)")
            continue
        if label in located:
            if located[label].found.url == found.url:
                continue  # the same file listed twice
            raise CatalogueError(
                f"family {family.name}: release {label} matches two files, {located[label].found.file} "
                f"({located[label].found.url}) and {found.file} ({found.url}); expected one"
            )
        if label in catalogued:
            located[label] = LocatedFile(
                release=replace(catalogued[label], page=catalogued[label].page or found.page), found=found
            )
        else:
            release = new_release(
                family,
                template_for(family, found.publication),
                label,
                found.file,
                found.page,
                {**_context(found), **values},
            )
            located[label] = LocatedFile(release=release, found=found, is_new=True)
    wanted = [located.get(r.release) or LocatedFile(release=r) for r in family.releases]
    wanted += [p for label, p in located.items() if label not in catalogued]
    return wanted, notes


def rebuild(family: Family, row: dict) -> Release | None:
    """The release behind an earlier release-index row the catalogue does not list (a new
    vintage, or a publisher's revision of a pinned one), to keep it as landed."""
    catalogued = {r.release: r for r in family.releases}
    base = row["release"].split(REVISED, 1)[0] if REVISED in row["release"] else None
    if base in catalogued:
        return revised_release(catalogued[base], row["release"])
    if not family.releases:
        return None
    values = (family.recognise.match(row["file"]) if family.recognise else None) or {}
    return new_release(
        family,
        template_for(family, row.get("publication")),
        row["release"],
        row["file"],
        row.get("page"),
        {**_context(row=row), **values},
    )


@dataclass
class FamilyLanding:
    """What a family's ingest landed, and how the publisher answered."""

    files: list[tuple[LocatedFile, LandedFile]]
    discovery: SourceDiscovery | None
    error: str | None  # the publisher could not be asked: nothing new from it this time
    notes: list[str]

    @property
    def landed(self) -> list[LandedFile]:
        return [landed for _, landed in self.files]

    @property
    def releases(self) -> list[Release]:
        return [wanted.release for wanted, _ in self.files]


class _Lander:
    def __init__(
        self, settings: Settings, source: Source, family: Family, landed_before: list[dict], client: HttpClient | None
    ):
        self.settings, self.source, self.family, self.client = settings, source, family, client
        self.before = {row["release"]: row for row in landed_before}
        self.files: list[tuple[LocatedFile, LandedFile]] = []
        self.notes: list[str] = []

    def keep(self, item: LocatedFile, why: str) -> None:
        """The release as landed before; a pinned one with a fixed link may also come from there."""
        if self.settings.mirror_dir is None and item.release.url and item.found is None:
            self.files.append((item, fetch(self.settings, item.release, client=self.client)))
            return
        self.files.append((item, keep_landed(self.settings, item.release, why)))

    def land(self, item: LocatedFile) -> None:
        if item.release.sha256 and item.found is not None:
            return self.land_pinned(item)
        try:
            self.files.append(
                (
                    item,
                    fetch(
                        self.settings,
                        item.release,
                        url=item.url,
                        archive_member=item.archive_member,
                        client=self.client,
                    ),
                )
            )
        except PublisherUnreachable as exc:
            if not item.is_new:
                raise
            self.notes.append(f"{item.release.relative_path}: a new release, not landed this time: {exc}")

    def land_pinned(self, item: LocatedFile) -> None:
        """A pinned release located on a publisher's page: other bytes there are the publisher's
        revision. A revision landed before from the same address is asked about conditionally;
        the same bytes keep the label they were first given."""
        pinned, found = item.release, item.found
        earlier = [row for label, row in self.before.items() if label.startswith(pinned.release + REVISED)]
        same_address = [row for row in earlier if row.get("url") == found.url]
        if same_address:
            revised = revised_release(pinned, same_address[-1]["release"])
            self.files.append(
                (
                    LocatedFile(revised, found, is_new=True),
                    fetch(
                        self.settings, revised, url=found.url, archive_member=found.archive_member, client=self.client
                    ),
                )
            )
            self.keep(LocatedFile(pinned), f"the publisher replaced it with {revised.release}")
            return

        def label_for(digest: str) -> Release:
            for row in earlier:
                if row.get("sha256") == digest:
                    return revised_release(pinned, row["release"])
            day = (found.updated or found.published or now_iso())[:10]
            return revised_release(pinned, f"{pinned.release}{REVISED}{day}")

        landed = fetch(
            self.settings,
            pinned,
            url=found.url,
            archive_member=found.archive_member,
            client=self.client,
            revision=label_for,
        )
        if landed.release == pinned.release:
            self.files.append((item, landed))
            return
        revised = revised_release(pinned, landed.release)
        self.notes.append(
            f"{pinned.relative_path}: the publisher's page now serves other bytes than the pinned "
            f"release: landed them as the vintage {revised.release}"
        )
        self.files.append((LocatedFile(revised, found, is_new=True), landed))
        self.keep(LocatedFile(pinned), f"the publisher replaced it with {revised.release}")


def land_family(
    settings: Settings,
    source: Source,
    family: Family,
    *,
    landed_before: list[dict],
    client: HttpClient | None = None,
    scope: str = "",
) -> FamilyLanding:
    """Discover, item and land the family's files.

    ``landed_before`` are the family's release-index rows from earlier refreshes: the releases
    the catalogue does not list are kept from them when the publisher cannot be asked, and
    earlier revisions of pinned releases stay vintages of their own.
    """
    if client is None and settings.mirror_dir is None:  # one connection pool for the family's requests
        with HttpClient(settings) as own:
            return land_family(settings, source, family, landed_before=landed_before, client=own, scope=scope)
    discovery, error = None, None
    if settings.mirror_dir is not None:
        discovery = mirror.discover(settings.mirror_dir, source)
    else:
        try:
            discovery = discover_cached(settings, source, client, scope)
        except FetchError as exc:  # down, or answering something that is not its interface
            error = str(exc)
    wanted, notes = locate_family(source, family, discovery)
    lander = _Lander(settings, source, family, landed_before, client)
    lander.notes = notes
    for item in wanted:
        if settings.mirror_dir is None and item.url is None:
            lander.keep(
                item,
                f"the publisher could not be asked ({error})"
                if error
                else f"discovery ({source.discovery.via}) did not find it and the catalogue has no fixed link",
            )
        else:
            lander.land(item)
    # what was landed before and is not wanted now: kept when the publisher was not asked, and
    # always for revisions (a page shows only its latest bytes; the earlier revisions are history)
    done = {landed.release for _, landed in lander.files} | {p.release.release for p, _ in lander.files}
    for label, row in lander.before.items():
        if label in done or not row.get("sha256") or label in {r.release for r in family.releases}:
            continue
        if error or (REVISED in label and settings.mirror_dir is None):
            release = rebuild(family, row)
            if release is not None:
                lander.keep(LocatedFile(release, is_new=True, before=row), "kept as landed")
    for item, landed in lander.files:
        if landed.note:
            lander.notes.append(f"{item.release.relative_path}: {landed.note}")
    return FamilyLanding(files=lander.files, discovery=discovery, error=error, notes=lander.notes)
