"""GOV.UK: a statistics page's attachments, from the GOV.UK Content API.

``GET {CSC_GOVUK_API_URL}/content<base_path>`` answers the page's content item. The contract
followed (alphagov/publishing-api, ``content_schemas/dist/formats/publication/frontend/schema.json``
and ``content_schemas/formats/statistical_data_set.jsonnet``; Content API docs,
alphagov/govuk-content-api-docs ``source/index.html.md``):

- top level: ``base_path``, ``title``, ``document_type``, ``first_published_at``,
  ``public_updated_at`` (when the page last changed, a replaced attachment included);
- ``details.attachments[]``: file attachments ``{attachment_type: "file", id, url, content_type,
  filename, title, file_size, ...}``; html and external attachments have no file;
- pages published before attachments were structured list their files only as HTML
  (``details.documents[]`` for publications, ``details.body`` for statistical data sets):
  links to ``assets.publishing.service.gov.uk`` are read from there.

The docs ask clients to stay under 10 requests a second; the fetcher keeps at most two in
flight per host and asks again only conditionally.
"""

from __future__ import annotations

import html
import re
from urllib.parse import unquote, urlsplit

from orchestration.lib.ingest.catalogue import PAGE_HOSTS, Source
from orchestration.lib.ingest.discovery.found import Found, SourceDiscovery, now_iso, page_paths
from orchestration.lib.ingest.http import FetchError, HttpClient
from orchestration.settings import Settings

GOVUK_HOST = PAGE_HOSTS["govuk"]
_ASSET_LINK = re.compile(r"""href=["'](https://assets\.publishing\.service\.gov\.uk/[^"']+)["']""")


def attachments(item: dict) -> list[dict]:
    """File attachments of a content item: structured ones, else the asset links in its HTML."""
    details = item.get("details") or {}
    structured = [a for a in details.get("attachments") or [] if a.get("attachment_type") == "file" and a.get("url")]
    if structured:
        return structured
    chunks = [*list(details.get("documents") or []), details.get("body") or ""]
    links: dict[str, dict] = {}  # a rendered attachment links its thumbnail and its title to one file
    for chunk in chunks:
        for url in _ASSET_LINK.findall(chunk if isinstance(chunk, str) else ""):
            url = html.unescape(url)
            links.setdefault(url, {"attachment_type": "file", "url": url, "filename": unquote(url.rsplit("/", 1)[-1])})
    return list(links.values())


def discover(settings: Settings, source: Source, client: HttpClient) -> SourceDiscovery:
    base = settings.govuk_api_url
    result = SourceDiscovery(source=source.name, interface=f"GOV.UK Content API {base}", checked_at=now_iso())
    for path in page_paths(source, GOVUK_HOST):
        url = f"{base}/content{path}"
        item = client.get_json(url, label=f"{source.name}: GOV.UK page {path}")
        if not isinstance(item, dict) or "details" not in item:
            raise FetchError(
                f"{source.name}: {url} is not a GOV.UK content item (no 'details'); "
                "expected the Content API's answer for a statistics page"
            )
        for attachment in attachments(item):
            name = attachment.get("filename") or unquote(urlsplit(attachment["url"]).path.rsplit("/", 1)[-1])
            result.files.append(
                Found(
                    source=source.name,
                    file=name,
                    url=attachment["url"],
                    publication=path,
                    release=path,
                    release_title=item.get("title") or path,
                    page=f"https://www.gov.uk{path}",
                    published=item.get("first_published_at"),
                    updated=item.get("public_updated_at"),
                    size=attachment.get("file_size"),
                    file_id=str(attachment["id"]) if attachment.get("id") is not None else None,
                )
            )
    return result
