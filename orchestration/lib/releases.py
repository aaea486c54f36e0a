"""Which files make up a family now: the catalogue's releases, located through discovery, and
any release the publisher added since (a new vintage of a known format is data, not code).

For each file a publisher's interface lists (:class:`~orchestration.lib.discovery.Found`):

1. the family's ``recognise.file`` pattern says whether it is the family's file;
2. its release label comes from the family's ``recognise.release`` template, or the source's
   EES label template (``ees_{slug}``), or for a page-based publisher (GOV.UK, ONS) from the
   catalogued release on the same page with the same file;
3. a label the catalogue lists gets the catalogue's entry (with the discovered address); a new
   label gets a copy of the family's latest catalogued release (sheet, header rows, encoding,
   constants), with the constants the ``recognise`` block fills in.

A catalogued release discovery did not find keeps its fixed link (``url``), or, failing that,
the copy already landed: :func:`plan_family` says which, and the fetcher acts on it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from orchestration.lib.catalogue import CatalogueError, Family, Release, Source, fill
from orchestration.lib.discovery import Found, SourceDiscovery, discover_cached
from orchestration.lib.fetch import LandedFile, fetch, keep_landed
from orchestration.lib.http import HttpClient, PublisherUnreachable
from orchestration.settings import Settings


@dataclass(frozen=True)
class PlannedFile:
    release: Release
    found: Found | None = None  # how discovery located it (None: fixed link, mirror or landed copy)
    is_new: bool = False  # a release the catalogue does not list yet

    @property
    def url(self) -> str | None:
        return self.found.url if self.found else self.release.url

    @property
    def archive_member(self) -> str | None:
        return self.found.archive_member if self.found else self.release.archive_member


def revision_label(release: Release, found: Found) -> str:
    """A pinned release whose page now serves other bytes was revised by its publisher: the new
    bytes are a vintage of their own, named after the release and the day the page changed."""
    day = (found.updated or found.published or "")[:10] or "undated"
    return f"{release.release}_revised_{day}"


def new_release(family: Family, template: Release, label: str, file: str, page: str | None,
                values: dict[str, str]) -> Release:
    """A release the catalogue does not list: the template's settings, the ``recognise`` constants."""
    constants = dict(template.constants)
    if family.recognise:
        for column, value in family.recognise.constants.items():
            constants[column] = fill(value, values, f"family {family.name}: recognise.constants.{column}")
    return replace(template, release=label, file=file, page=page, url=None, archive_member=None,
                   sha256=None, constants=constants)


def template_for(family: Family, page: str | None) -> Release:
    """The catalogued release a new one takes its settings from: the latest on the same page,
    else the family's latest."""
    if not family.releases:
        raise CatalogueError(f"family {family.name}: no catalogued release to take settings from")
    same_page = [r for r in family.releases if page and r.page and r.page.rstrip("/") == page.rstrip("/")]
    return (same_page or list(family.releases))[-1]


def _label(source: Source, family: Family, found: Found, values: dict[str, str]) -> str | None:
    recognise = family.recognise
    context = {"slug": found.release, "published": (found.published or "")[:10], **values}
    if recognise and recognise.release:
        return fill(recognise.release, context, f"family {family.name}: recognise.release")
    if source.discovery.via == "ees":
        return fill(source.discovery.release_label, context, f"source {source.name}: discovery.release_label")
    same_page = [r for r in family.releases if r.page and r.page.rstrip("/") == found.page.rstrip("/")
                 and r.file == found.file and not r.url]
    return same_page[-1].release if same_page else None


def plan_family(source: Source, family: Family, discovery: SourceDiscovery | None) -> tuple[list[PlannedFile], list[str]]:
    """The family's files as of this discovery, and notes on what did not fit (for the run log)."""
    notes: list[str] = []
    catalogued = {r.release: r for r in family.releases}
    located: dict[str, PlannedFile] = {}
    for found in (discovery.files if discovery else []):
        values = family.recognise.match(found.file) if family.recognise else None
        if values is None:
            continue
        label = _label(source, family, found, values)
        if label is None:
            notes.append(f"{found.file} on {found.page}: recognised, but no release label (add recognise.release)")
            continue
        if label in located:
            raise CatalogueError(
                f"family {family.name}: release {label} matches two files, {located[label].found.file} "
                f"({located[label].found.url}) and {found.file} ({found.url}); expected one")
        if label in catalogued:
            located[label] = PlannedFile(release=replace(catalogued[label], page=catalogued[label].page or found.page),
                                         found=found)
        else:
            release = new_release(family, template_for(family, found.page), label, found.file, found.page,
                                  {"slug": found.release, "published": (found.published or "")[:10], **values})
            located[label] = PlannedFile(release=release, found=found, is_new=True)
    planned = [located.get(r.release) or PlannedFile(release=r) for r in family.releases]
    planned += [p for label, p in located.items() if label not in catalogued]
    return planned, notes


@dataclass
class FamilyLanding:
    """What a family's ingest landed, and how the publisher answered."""

    files: list[tuple[PlannedFile, LandedFile]]
    discovery: SourceDiscovery | None
    error: str | None  # the publisher could not be reached: nothing new from it this time
    notes: list[str]

    @property
    def landed(self) -> list[LandedFile]:
        return [landed for _, landed in self.files]

    @property
    def releases(self) -> list[Release]:
        return [planned.release for planned, _ in self.files]


def land_family(settings: Settings, source: Source, family: Family, *, landed_before: list[dict],
                client: HttpClient | None = None, scope: str = "") -> FamilyLanding:
    """Discover, plan and land the family's files.

    ``landed_before`` are the family's release-index rows from earlier refreshes: releases the
    catalogue does not list are kept from them when the publisher cannot be reached.
    """
    discovery, error = None, None
    if settings.mirror_dir is None:
        try:
            discovery = discover_cached(settings, source, client, scope)
        except PublisherUnreachable as exc:
            error = str(exc)
    planned, notes = plan_family(source, family, discovery)
    if error:
        catalogued = {r.release for r in family.releases}
        for row in landed_before:
            if row["release"] in catalogued or not row.get("sha256"):
                continue
            values = (family.recognise.match(row["file"]) if family.recognise else None) or {}
            release = new_release(family, template_for(family, row.get("page")), row["release"], row["file"],
                                  row.get("page"), {"slug": row.get("publisher_release") or "",
                                                    "published": (row.get("published_at") or "")[:10], **values})
            planned.append(PlannedFile(release=release, is_new=True))
    files: list[tuple[PlannedFile, LandedFile]] = []
    revisions = {row["release"]: row for row in landed_before if "_revised_" in row["release"]}
    for plan in planned:
        if settings.mirror_dir is None and plan.url is None:
            why = (f"the publisher could not be reached ({error})" if error
                   else f"discovery did not find it at {source.discovery.via} and the catalogue has no fixed link")
            files.append((plan, keep_landed(settings, plan.release, why)))
            continue
        if plan.release.sha256 and plan.found is not None:
            # A pinned release located on a publisher's page: other bytes there are the
            # publisher's revision, a vintage of its own; the pinned bytes stay as landed.
            revised = replace(plan.release, release=revision_label(plan.release, plan.found), sha256=None,
                              url=None, archive_member=None)
            known = revisions.get(revised.release)
            if known is not None and known.get("url") == plan.found.url:  # landed before: ask about it conditionally
                files.append((PlannedFile(release=revised, found=plan.found, is_new=True),
                              fetch(settings, revised, url=plan.url, archive_member=plan.archive_member, client=client)))
                files.append((plan, keep_landed(settings, plan.release, f"the publisher replaced it with {revised.release}")))
                continue
            landed = fetch(settings, plan.release, url=plan.url, archive_member=plan.archive_member, client=client,
                           revision=lambda revised=revised: revised)
            if landed.release == revised.release:
                notes.append(f"{plan.release.relative_path}: the publisher's page now serves other bytes than the "
                             f"pinned release: landed them as the new vintage {revised.release}")
                files.append((PlannedFile(release=revised, found=plan.found, is_new=True), landed))
                files.append((plan, keep_landed(settings, plan.release, f"the publisher replaced it with {revised.release}")))
            else:
                files.append((plan, landed))
            continue
        files.append((plan, fetch(settings, plan.release, url=plan.url, archive_member=plan.archive_member,
                                  client=client)))
    for plan, landed in files:
        if landed.note:
            notes.append(f"{plan.release.relative_path}: {landed.note}")
    return FamilyLanding(files=files, discovery=discovery, error=error, notes=notes)
