"""Find each source's releases through its publisher's own machine-readable interface.

One adapter per kind of publisher (``Source.discovery.via`` in the catalogue):

- ``ees``: Explore Education Statistics content API (DfE: children looked after, children in
  need, workforce), :mod:`.ees`;
- ``govuk``: the GOV.UK Content API for a statistics page and its attachments (MHCLG revenue
  outturn, Ofsted outcomes, indices of deprivation), :mod:`.govuk`;
- ``ons``: the ONS website's page JSON, a dataset's editions and their downloads, :mod:`.ons`;
- ``links``: nothing to discover; every release has a fixed link in the catalogue.

An adapter returns every file the interface lists (:class:`Found`); which family a file
belongs to and what release of the warehouse it is decides :mod:`orchestration.lib.ingest.releases`.
"""

from __future__ import annotations

from orchestration.lib.ingest.catalogue import Source
from orchestration.lib.ingest.discovery import ees, govuk, ons
from orchestration.lib.ingest.discovery.found import Found, SourceDiscovery, now_iso, page_paths
from orchestration.lib.ingest.http import FetchError, HttpClient, PublisherUnreachable
from orchestration.settings import Settings

ADAPTERS = {"ees": ees.discover, "govuk": govuk.discover, "ons": ons.discover}


def discover(settings: Settings, source: Source, client: HttpClient | None = None) -> SourceDiscovery:
    """Ask the source's publisher what it has now. Raises :class:`PublisherUnreachable` when
    it cannot be asked, :class:`~orchestration.lib.ingest.http.FetchError` when it answers nonsense."""
    via = source.discovery.via
    if via not in ADAPTERS:
        return SourceDiscovery(source=source.name, interface="fixed links in the catalogue", checked_at=now_iso())
    own = client is None
    client = client or HttpClient(settings)
    try:
        before = (client.requests, client.not_modified)
        try:
            found = ADAPTERS[via](settings, source, client)
        except (AttributeError, TypeError, KeyError, ValueError) as exc:  # an answer not in the interface's shape
            if isinstance(exc, FetchError):
                raise
            raise FetchError(
                f"{source.name}: the {via} interface answered in an unexpected shape "
                f"({type(exc).__name__}: {exc}); expected the contract cited in "
                f"orchestration/lib/ingest/discovery/{via}.py"
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
