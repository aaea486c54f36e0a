"""Find each source's releases through its publisher's own machine-readable interface.

One adapter per kind of publisher (``Source.discovery.via`` in the catalogue):

- ``ees``: Explore Education Statistics content API (DfE: children looked after, children in
  need, workforce), :mod:`.ees`;
- ``govuk``: the GOV.UK Content API for a statistics page and its attachments (MHCLG revenue
  outturn, Ofsted outcomes, indices of deprivation), :mod:`.govuk`;
- ``ons``: the ONS website's page JSON, a dataset's editions and their downloads, :mod:`.ons`;
- ``links``: nothing to discover; every release has a fixed link in the catalogue.

An adapter returns every file the interface lists (:class:`Found`); which family a file
belongs to and what release of the warehouse it is decides :mod:`orchestration.lib.releases`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from orchestration.lib.catalogue import Source
from orchestration.lib.http import FetchError, HttpClient, PublisherUnreachable
from orchestration.settings import Settings


@dataclass(frozen=True)
class Found:
    """One file a publisher's interface lists."""

    source: str
    file: str  # the file's name as published
    url: str  # where the interface says to download it (followed as given)
    publication: str  # EES publication slug, GOV.UK page path, ONS dataset page path
    release: str  # the publisher's name for the release: EES release slug, GOV.UK page path, ONS edition
    release_title: str
    page: str  # the human page for the release
    published: str | None = None  # ISO date-time the release was published
    updated: str | None = None  # ISO date-time it last changed (an amendment, a replaced attachment)
    size: int | None = None
    archive_member: str | None = None
    file_id: str | None = None  # the publisher's own id for the file, where it has one


@dataclass
class SourceDiscovery:
    source: str
    interface: str  # which interface was asked, and at which address
    checked_at: str
    files: list[Found] = field(default_factory=list)
    next_release: str | None = None  # ISO date the publisher says the next release is due
    next_release_text: str | None = None  # as the publisher says it ("March 2026", "To be announced")
    error: str | None = None  # set when the publisher could not be reached
    requests: int = 0
    not_modified: int = 0


def page_paths(source: Source, host: str) -> list[str]:
    """The pages on ``host`` the catalogue locates this source's releases on (a release with a
    fixed link is fetched from it and needs no discovery)."""
    from urllib.parse import urlsplit

    paths: list[str] = []
    for family in source.families:
        for release in family.releases:
            if release.url or not release.page:
                continue
            parts = urlsplit(release.page)
            if parts.netloc == host and parts.path.rstrip("/") not in paths:
                paths.append(parts.path.rstrip("/"))
    return paths


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def discover(settings: Settings, source: Source, client: HttpClient | None = None) -> SourceDiscovery:
    """Ask the source's publisher what it has now. Raises :class:`PublisherUnreachable` when
    it cannot be asked, :class:`~orchestration.lib.http.FetchError` when it answers nonsense."""
    from orchestration.lib.discovery import ees, govuk, ons

    adapters = {"ees": ees.discover, "govuk": govuk.discover, "ons": ons.discover}
    via = source.discovery.via
    if via not in adapters:
        return SourceDiscovery(source=source.name, interface="fixed links in the catalogue", checked_at=now_iso())
    own = client is None
    client = client or HttpClient(settings)
    try:
        before = (client.requests, client.not_modified)
        try:
            found = adapters[via](settings, source, client)
        except (AttributeError, TypeError, KeyError, ValueError) as exc:  # an answer not in the interface's shape
            if isinstance(exc, FetchError):
                raise
            raise FetchError(
                f"{source.name}: the {via} interface answered in an unexpected shape "
                f"({type(exc).__name__}: {exc}); expected the contract cited in "
                f"orchestration/lib/discovery/{via}.py"
            ) from exc
        found.requests = client.requests - before[0]
        found.not_modified = client.not_modified - before[1]
        return found
    finally:
        if own:
            client.close()


_cache: dict[tuple, SourceDiscovery | FetchError] = {}


def discover_cached(
    settings: Settings, source: Source, client: HttpClient | None = None, scope: str = ""
) -> SourceDiscovery:
    """``discover``, asked once per source within a run (``scope``: the run id), so every family
    of a source plans from the same answer; a publisher that failed is remembered for the run
    too, so its families do not each wait through the retries again."""
    key = (
        scope,
        source.name,
        settings.warehouse_dir,
        settings.url_rewrite,
        settings.ees_content_api_url,
        settings.govuk_api_url,
        settings.ons_url,
    )
    hit = _cache.get(key)
    if isinstance(hit, FetchError):
        raise hit
    if hit is not None:
        return hit
    try:
        found = discover(settings, source, client)
    except FetchError as exc:
        _cache[key] = exc
        raise
    _cache[key] = found
    return found


__all__ = ["Found", "PublisherUnreachable", "SourceDiscovery", "discover", "discover_cached", "now_iso", "page_paths"]
