"""Explore Education Statistics: a publication's releases and their data files, from the
content API the EES website itself uses (``CSC_EES_CONTENT_API_URL``).

Routes and shapes followed, from the EES service's repository
(dfe-analytical-services/explore-education-statistics):

1. ``GET publications/{publicationSlug}`` -> ``PublicationDto``: ``{id, slug, title,
   latestRelease: {id, slug, title}, nextReleaseDate: {year, month, day} | null, ...}``
   (``src/GovUk.Education.ExploreEducationStatistics.Content.Api/Controllers/Publications/
   PublicationsController.cs``; ``src/GovUk.Education.ExploreEducationStatistics.Content.Services/
   Publications/Dtos/PublicationDtos.cs`` @f88729542c5b).
2. ``GET publications/{publicationSlug}/release-entries?page=&pageSize=`` -> ``{results, paging:
   {page, pageSize, totalResults, totalPages}}``; a result is a release ``{releaseId, slug, title,
   isLatestRelease, label, published, lastUpdated, coverageTitle, yearTitle, type}`` or a legacy
   link ``{title, url}`` (``.../Publications/Dtos/PublicationReleaseEntryDtos.cs`` @038970f31e23;
   ``GetPublicationReleasesRequest.cs``: pageSize 1 to 100); the service has no
   ``publications/{slug}/releases`` or ``releases/latest`` route.
3. ``GET publications/{publicationSlug}/releases/{releaseSlug}/version-summary`` ->
   ``ReleaseVersionSummaryDto``: ``{id (the release version), releaseId, slug, title, published,
   lastUpdated, updateCount, ...}`` (``Controllers/Releases/ReleaseVersionsController.cs``
   @034f2e7feae8; ``.../Releases/Dtos/ReleaseVersionSummaryDtos.cs`` @0cc753db800f).
4. ``GET data-set-files?releaseId={releaseVersionId}&page=&pageSize=`` -> paged
   ``DataSetFileSummaryViewModel``: ``{id, fileId, filename, fileSize, title, release: {id, title,
   slug}, published, lastUpdated, ...}``, data files only (``Controllers/DataSetFilesController.cs``
   @01b683f05759; ``DataSetFileListRequest.cs`` @07544f08: pageSize 1 to 40).
5. ``GET releases/{releaseVersionId}/files/{fileId}``: the file itself, with ETag and
   Last-Modified (``Controllers/ReleaseFileController.cs`` @01b683f05759).

Only releases the catalogue lists, and releases published after the newest of those, are read
further than the release list: older releases are history the warehouse does not take.
"""

from __future__ import annotations

from calendar import monthrange
from urllib.parse import quote

from orchestration.lib.ingest.catalogue import Source, fill
from orchestration.lib.ingest.discovery.found import Found, SourceDiscovery, now_iso
from orchestration.lib.ingest.http import FetchError, HttpClient
from orchestration.settings import Settings

RELEASE_PAGE_SIZE = 100
FILE_PAGE_SIZE = 40
MAX_PAGES = 50


def label_for(source: Source, slug: str) -> str:
    return fill(source.discovery.release_label, {"slug": slug}, f"source {source.name}: discovery.release_label")


def next_release_date(partial: dict | None) -> tuple[str | None, str | None]:
    """A PartialDate ``{year, month, day}`` (numbers or strings, ``day`` may be missing) as the
    last day it may fall on, and as the publisher states it."""
    if not isinstance(partial, dict):
        return None, None
    try:
        year = int(partial.get("year") or 0)
        month = int(partial.get("month") or 0)
        day = int(partial.get("day") or 0)
    except (TypeError, ValueError):
        return None, None
    if not year:
        return None, None
    if not month:
        return f"{year}-12-31", str(year)
    if not day:
        return f"{year}-{month:02d}-{monthrange(year, month)[1]:02d}", f"{year}-{month:02d}"
    return f"{year}-{month:02d}-{day:02d}", f"{year}-{month:02d}-{day:02d}"


def _pages(client: HttpClient, url: str, page_size: int, label: str):
    """Every result of a paged EES list (``{results, paging}``)."""
    page = 1
    while True:
        joiner = "&" if "?" in url else "?"
        answer = client.get_json(f"{url}{joiner}page={page}&pageSize={page_size}", label=label)
        if not isinstance(answer, dict) or not isinstance(answer.get("results"), list):
            raise FetchError(f"{label}: {url} is not a paged EES list (no 'results'); expected {{results, paging}}")
        yield from answer["results"]
        pages = int((answer.get("paging") or {}).get("totalPages") or 1)
        if pages > MAX_PAGES:
            raise FetchError(f"{label}: {url} says it has {pages} pages of {page_size}; expected at most {MAX_PAGES}")
        if page >= pages:
            return
        page += 1


def discover(settings: Settings, source: Source, client: HttpClient) -> SourceDiscovery:
    base = settings.ees_content_api_url
    slug = source.discovery.publication
    label = f"{source.name}: EES publication {slug}"
    result = SourceDiscovery(source=source.name, interface=f"EES content API {base}", checked_at=now_iso())
    publication = client.get_json(f"{base}/publications/{quote(slug)}", label=label)
    if not isinstance(publication, dict) or publication.get("slug") != slug:
        raise FetchError(f"{label}: {base}/publications/{slug} did not answer that publication")
    result.next_release, result.next_release_text = next_release_date(publication.get("nextReleaseDate"))

    catalogued = {r.release for f in source.families for r in f.releases}
    entries = [
        e
        for e in _pages(client, f"{base}/publications/{quote(slug)}/release-entries", RELEASE_PAGE_SIZE, label)
        if e.get("slug")
    ]  # legacy entries are links to releases published elsewhere
    known_dates = [e.get("published") or "" for e in entries if label_for(source, e["slug"]) in catalogued]
    newest_known = max(known_dates, default="")
    for entry in entries:
        release_label = label_for(source, entry["slug"])
        if release_label not in catalogued and (entry.get("published") or "") <= newest_known:
            continue  # older than the catalogue's newest release: not taken
        summary = client.get_json(
            f"{base}/publications/{quote(slug)}/releases/{quote(entry['slug'])}/version-summary", label=label
        )
        version_id = summary.get("id") if isinstance(summary, dict) else None
        if not version_id:
            raise FetchError(f"{label}: release {entry['slug']}: version-summary has no release version id")
        page = f"https://explore-education-statistics.service.gov.uk/find-statistics/{slug}/{entry['slug']}"
        for data_set in _pages(client, f"{base}/data-set-files?releaseId={quote(version_id)}", FILE_PAGE_SIZE, label):
            if not data_set.get("filename") or not data_set.get("fileId"):
                continue
            result.files.append(
                Found(
                    source=source.name,
                    file=data_set["filename"],
                    url=f"{base}/releases/{quote(version_id)}/files/{quote(data_set['fileId'])}",
                    publication=slug,
                    release=entry["slug"],
                    release_title=summary.get("title") or entry.get("title") or entry["slug"],
                    page=page,
                    published=summary.get("published") or entry.get("published"),
                    updated=summary.get("lastUpdated") or entry.get("lastUpdated"),
                    file_id=data_set["fileId"],
                )
            )
    return result
