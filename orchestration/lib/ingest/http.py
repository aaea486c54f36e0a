"""HTTP for every publisher, with one set of manners.

- Every request names the project and where to report problems (``User-Agent``).
- ``CSC_URL_REWRITE`` (``from=to`` prefix pairs) rewrites every address before it is requested,
  so a test, a proxy or an air-gapped copy can stand in for any host; the address as the
  publisher gave it is what the warehouse records.
- At most two requests are in flight per host (process-wide).
- 408/425/429/5xx answers and transport errors are retried a bounded number of times, with
  exponential backoff or the server's ``Retry-After``, never past the overall time limit.
- Conditional requests: validators (``ETag`` / ``Last-Modified``) from an earlier answer are
  sent back as ``If-None-Match`` / ``If-Modified-Since``, so an unchanged file or API answer
  costs a 304. API answers are cached on disk with their validators (``<warehouse>/.http_cache``).

Failures come in two kinds, because they are handled differently: :class:`PublisherUnreachable`
(the publisher did not answer usefully: connection refused, time-outs, 5xx after the retries),
after which a refresh carries on with the files it already has; and :class:`FetchError` for
everything else (a 404, an HTML page, a body over the size limit), which stops a refresh.
"""

from __future__ import annotations

import email.utils
import json
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from orchestration.lib.core import files
from orchestration.lib.core.files import short_digest
from orchestration.settings import Settings

MAX_FILE_BYTES = 512 * 1024 * 1024
MAX_API_BYTES = 32 * 1024 * 1024
RETRY_STATUS = {408, 425, 429, 500, 502, 503, 504}
MAX_PER_HOST = 2
USER_AGENT = (
    "csc-warehouse/0.1 (open data warehouse for children's social care in England; "
    "report problems: https://github.com/csc-warehouse/csc-warehouse/issues)"
)


class FetchError(RuntimeError):
    """A file or answer could not be fetched or is not acceptable; the message names it and why."""


class PublisherUnreachable(FetchError):
    """The publisher did not answer usefully (down, timing out, overloaded) after the retries."""


class FileGone(FetchError):
    """The publisher answered 404 or 410 for a file: withdrawn or moved."""


class _Retryable(Exception):
    def __init__(self, reason: str, retry_after: float | None = None):
        super().__init__(reason)
        self.retry_after = retry_after


_host_slots: dict[str, threading.BoundedSemaphore] = {}
_host_slots_lock = threading.Lock()


def _slot(url: str) -> threading.BoundedSemaphore:
    host = urlsplit(url).netloc.lower()
    with _host_slots_lock:
        return _host_slots.setdefault(host, threading.BoundedSemaphore(MAX_PER_HOST))


def parse_rewrites(value: str | None) -> tuple[tuple[str, str], ...]:
    """``from=to,from=to`` -> pairs, longest prefix first (so the most specific rule wins)."""
    pairs = []
    for item in (value or "").split(","):
        item = item.strip()
        if not item:
            continue
        source, sep, target = item.partition("=")
        if not sep or not source or not target:
            raise ValueError(f"CSC_URL_REWRITE entry {item!r} is not 'from=to'")
        pairs.append((source, target))
    return tuple(sorted(pairs, key=lambda p: len(p[0]), reverse=True))


def rewrite(url: str, rewrites: tuple[tuple[str, str], ...]) -> str:
    for source, target in rewrites:
        if url.startswith(source):
            return target + url[len(source) :]
    return url


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """``Retry-After`` as seconds from now: delta-seconds or an HTTP date (RFC 9110 10.2.3)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


@dataclass(frozen=True)
class Validators:
    """What a server said about a body, to ask next time whether it changed."""

    etag: str | None = None
    last_modified: str | None = None

    def headers(self) -> dict[str, str]:
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers


@dataclass(frozen=True)
class Download:
    """The answer to a file request: ``not_modified`` means the copy we have is current."""

    url: str
    not_modified: bool
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None


class HttpClient:
    """One publisher-facing client for a refresh, a sensor tick or a test."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.rewrites = parse_rewrites(settings.url_rewrite)
        timeout = httpx.Timeout(settings.http_timeout, connect=min(settings.http_timeout, 15.0))
        self._client = httpx.Client(
            timeout=timeout, follow_redirects=True, max_redirects=5, headers={"User-Agent": USER_AGENT}
        )
        self.requests = 0
        self.not_modified = 0

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- the one request loop ------------------------------------------------------------------

    def _request(self, url: str, *, label: str, headers: dict[str, str], handle):
        """GET ``url`` and return ``handle(response)``, retrying what is worth retrying.

        ``handle`` reads the streamed body; it raises ``_Retryable`` for a body worth asking
        for again (truncated) and ``FetchError`` for one that is simply not acceptable.
        """
        target = rewrite(url, self.rewrites)
        deadline = time.monotonic() + self.settings.http_timeout * (self.settings.http_retries + 1)
        attempt = 0
        while True:
            attempt += 1
            try:
                with _slot(target):
                    self.requests += 1
                    with self._client.stream("GET", target, headers=headers) as resp:
                        if resp.status_code in RETRY_STATUS:
                            raise _Retryable(
                                f"HTTP {resp.status_code}", retry_after_seconds(resp.headers.get("retry-after"))
                            )
                        if resp.status_code in (404, 410):
                            raise FileGone(f"{label}: {url} answered HTTP {resp.status_code}; not retried")
                        if resp.status_code >= 400:
                            raise FetchError(f"{label}: {url} answered HTTP {resp.status_code}; not retried")
                        return handle(resp, deadline)
            except httpx.DecodingError as exc:  # e.g. Content-Encoding: gzip over bytes that are not gzip
                raise FetchError(
                    f"{label}: {url} sent a body that does not decode as its Content-Encoding "
                    f"{resp.headers.get('content-encoding')!r} ({exc}); nothing landed"
                ) from None
            except httpx.TooManyRedirects as exc:
                raise FetchError(
                    f"{label}: {url} redirected too many times ({exc}); expected the file within 5 redirects"
                ) from None
            except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
                raise FetchError(f"{label}: {url} is not an address the fetcher can request ({exc})") from None
            except (_Retryable, httpx.TransportError) as exc:
                reason = str(exc) or type(exc).__name__
                wait = getattr(exc, "retry_after", None)
                if wait is None:
                    wait = min(2 ** (attempt - 1) * 0.5, 8.0)
                remaining = deadline - time.monotonic()
                if attempt > self.settings.http_retries or remaining <= 0 or wait > remaining:
                    raise PublisherUnreachable(f"{label}: {url} failed after {attempt} attempt(s): {reason}") from exc
                time.sleep(wait)

    # -- files ---------------------------------------------------------------------------------

    def download(
        self, url: str, dest: Path, *, label: str, validators: Validators | None = None, max_bytes: int | None = None
    ) -> Download:
        """Stream ``url`` into ``dest``; a 304 to the validators writes nothing."""
        limit = MAX_FILE_BYTES if max_bytes is None else max_bytes
        validators = validators or Validators()

        def handle(resp: httpx.Response, deadline: float) -> Download:
            if resp.status_code == 304:
                self.not_modified += 1
                return Download(url, True, validators.etag, validators.last_modified)
            ctype = resp.headers.get("content-type", "")
            if "text/html" in ctype:
                raise FetchError(f"{label}: {url} returned an HTML page (content-type {ctype!r}), expected a data file")
            expected = resp.headers.get("content-length")
            if expected is not None and int(expected) > limit:
                raise FetchError(f"{label}: {url} is {expected} bytes, over the {limit}-byte limit")
            written = 0
            with open(dest, "wb") as out:
                for chunk in resp.iter_bytes():  # as received, so the time limit is checked per read
                    if time.monotonic() > deadline:  # a server trickling bytes under the read timeout
                        raise FetchError(
                            f"{label}: {url} still sending after the overall time limit; "
                            f"{written} bytes received, nothing landed"
                        )
                    written += len(chunk)
                    if written > limit:
                        raise FetchError(f"{label}: {url} exceeded the {limit}-byte limit")
                    out.write(chunk)
            # bytes on the wire (before any Content-Encoding is decoded) against the header
            if expected is not None and resp.num_bytes_downloaded != int(expected):
                raise _Retryable(f"truncated body: {resp.num_bytes_downloaded} of {expected} bytes")
            return Download(url, False, resp.headers.get("etag"), resp.headers.get("last-modified"), ctype or None)

        return self._request(url, label=label, headers=validators.headers(), handle=handle)

    # -- API answers ---------------------------------------------------------------------------

    def _cache_path(self, url: str) -> Path:
        # keyed by the address actually asked: a different CSC_URL_REWRITE is a different server
        target = rewrite(url, self.rewrites)
        return self.settings.http_cache_dir / (short_digest(target) + ".json")

    def get_json(self, url: str, *, label: str):
        """A JSON answer, asked conditionally against the last one cached for ``url``."""
        cache = self._cache_path(url)
        cached = None
        if cache.exists():
            try:
                cached = json.loads(cache.read_text(encoding="utf-8"))
            except ValueError:
                cached = None
        validators = Validators(cached.get("etag"), cached.get("last_modified")) if cached else Validators()

        def handle(resp: httpx.Response, deadline: float):
            if resp.status_code == 304:
                if cached is None or "body" not in cached:
                    raise FetchError(
                        f"{label}: {url} answered 304 Not Modified to a request that had nothing to "
                        "compare with; expected the document"
                    )
                self.not_modified += 1
                return cached["body"], None, None
            body = bytearray()
            for chunk in resp.iter_bytes():
                body += chunk
                if len(body) > MAX_API_BYTES:
                    raise FetchError(
                        f"{label}: {url} answered more than {MAX_API_BYTES} bytes; expected a JSON document"
                    )
            try:
                data = json.loads(bytes(body))
            except ValueError:
                ctype = resp.headers.get("content-type", "")
                raise FetchError(
                    f"{label}: {url} did not answer JSON (content-type {ctype!r}, "
                    f"{len(body)} bytes starting {bytes(body[:60])!r})"
                ) from None
            return data, resp.headers.get("etag"), resp.headers.get("last-modified")

        data, etag, modified = self._request(
            url, label=label, headers={"Accept": "application/json", **validators.headers()}, handle=handle
        )
        if etag or modified:
            answer = {
                "url": url,
                "etag": etag,
                "last_modified": modified,
                "body": data,
                "fetched_at": datetime.now(UTC).isoformat(timespec="seconds"),
            }
            files.write_text(cache, json.dumps(answer))
        return data
