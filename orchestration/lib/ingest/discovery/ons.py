"""ONS: a dataset's editions and their files, from the ONS website's page JSON.

Appending ``/data`` to a page address answers its JSON (Zebedee content). The contract
followed (ONSdigital/zebedee ``zebedee-reader/.../content/page/statistics/dataset/
DatasetLandingPage.java``, ``Dataset.java``, ``Version.java``, ``DownloadSection.java`` and
``.../page/base/PageDescription.java``; ONSdigital/dp-api-clients-go ``zebedee/data.go``):

- the dataset landing page: ``{type: "dataset_landing_page", uri, description: {title,
  releaseDate, nextRelease}, datasets: [{uri}]}``, one ``uri`` per edition;
- an edition: ``{type: "dataset", uri, description: {edition, releaseDate}, downloads: [{file}],
  versions: [{uri, updateDate, correctionNotice, label}]}`` (``versions`` lists the earlier
  versions; the page itself is the latest);
- a file downloads from ``/file?uri=<edition uri>/<file>``.

``nextRelease`` is free text ("21 November 2026", "To be announced"); it is read as a date
where it is one. The landing page answers with ``Content-Type: text/plain`` at times: the body
is read as JSON whatever the header says.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

from orchestration.lib.ingest.catalogue import PAGE_HOSTS, Source
from orchestration.lib.ingest.discovery.found import Found, SourceDiscovery, now_iso, page_paths
from orchestration.lib.ingest.http import FetchError, HttpClient
from orchestration.settings import Settings

ONS_HOST = PAGE_HOSTS["ons"]


def next_release_date(text: str | None) -> str | None:
    """'21 November 2026' -> '2026-11-21'; 'November 2026' -> the month's last day; else None."""
    if not text:
        return None
    text = " ".join(text.split())
    for fmt in ("%d %B %Y", "%d %b %Y"):
        try:
            return datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            pass
    for fmt in ("%B %Y", "%b %Y"):
        try:
            first = datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        from calendar import monthrange

        return first.replace(day=monthrange(first.year, first.month)[1]).isoformat()
    return None


def _page(client: HttpClient, base: str, path: str, label: str, kind: str) -> dict:
    url = f"{base}{path}/data"
    page = client.get_json(url, label=label)
    if not isinstance(page, dict) or page.get("type") != kind:
        got = page.get("type") if isinstance(page, dict) else type(page).__name__
        raise FetchError(f"{label}: {url} answered a page of type {got!r}; expected {kind!r}")
    return page


def discover(settings: Settings, source: Source, client: HttpClient) -> SourceDiscovery:
    base = settings.ons_url
    result = SourceDiscovery(source=source.name, interface=f"ONS website page JSON {base}", checked_at=now_iso())
    dates = []
    for path in page_paths(source, ONS_HOST):
        landing = _page(client, base, path, f"{source.name}: ONS dataset page {path}", "dataset_landing_page")
        description = landing.get("description") or {}
        when = next_release_date(description.get("nextRelease"))
        if when:
            dates.append((when, description.get("nextRelease")))
        for edition_ref in landing.get("datasets") or []:
            uri = (edition_ref.get("uri") or "").rstrip("/")
            if not uri:
                continue
            edition = _page(client, base, uri, f"{source.name}: ONS edition {uri}", "dataset")
            ed_description = edition.get("description") or {}
            versions = [v.get("updateDate") for v in edition.get("versions") or [] if v.get("updateDate")]
            for download in edition.get("downloads") or []:
                name = download.get("file")
                if not name:
                    continue
                result.files.append(
                    Found(
                        source=source.name,
                        file=name,
                        url=f"{base}/file?uri={quote(uri + '/' + name, safe='/')}",
                        publication=path,
                        release=uri,
                        release_title=" ".join(filter(None, [description.get("title"), ed_description.get("edition")])),
                        page=f"https://www.ons.gov.uk{uri}",
                        published=ed_description.get("releaseDate"),
                        updated=max([*versions, ed_description.get("releaseDate") or ""]) or None,
                    )
                )
    if dates:
        result.next_release, result.next_release_text = min(dates)
    return result
