"""Fetch a catalogued source file into the landing area, atomically, with provenance.

A file comes from the mirror directory when one is configured (``CSC_SOURCE_MIRROR`` or
``csc refresh --mirror``), laid out ``<source>/<release>/<file>``; otherwise from the
publisher's download location over HTTP. Either way it lands at
``<warehouse>/landing/<source>/<release>/<file>`` through a temporary file and a rename,
so a landed file is whole or absent, never partial. Beside it a ``.provenance.json``
records sha256, size, origin and fetch time.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import shutil
import tempfile
import time
import zipfile
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

import httpx

from orchestration.lib.catalogue import Release
from orchestration.settings import Settings

MAX_FILE_BYTES = 512 * 1024 * 1024
RETRY_STATUS = {408, 425, 429, 500, 502, 503, 504}
USER_AGENT = "csc-warehouse (open data warehouse for children's social care; +https://github.com)"


class FetchError(RuntimeError):
    """A source file could not be fetched; the message names the file and the reason."""


@dataclass(frozen=True)
class LandedFile:
    source: str
    family: str
    release: str
    file: str
    path: str
    sha256: str
    bytes: int
    origin: str
    fetched_at: str

    @property
    def provenance_path(self) -> Path:
        return provenance_path(Path(self.path))


def provenance_path(path: Path) -> Path:
    return path.with_name(path.name + ".provenance.json")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def landing_path(settings: Settings, release: Release) -> Path:
    root = settings.landing_dir.resolve()
    path = (root / release.relative_path).resolve()
    if not path.is_relative_to(root):
        raise FetchError(f"{release.relative_path}: resolves outside the landing directory {root}")
    return path


def _atomic_write_json(path: Path, payload: dict) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(payload, indent=2, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)


def _install(tmp: Path, dest: Path) -> None:
    """Make a fully written temporary file visible under its final name (atomic rename)."""
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, dest)


def _temp_beside(dest: Path) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    # Parts left by a fetch that was killed (fetching runs under the refresh lock).
    for stale in dest.parent.glob(f".{glob.escape(dest.name)}.*.part"):
        stale.unlink(missing_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    os.close(fd)
    return Path(name)


def _from_mirror(mirror: Path, release: Release, tmp: Path) -> str:
    root = mirror.resolve()
    src = (root / release.relative_path).resolve()
    if not src.is_relative_to(root):
        raise FetchError(f"{release.relative_path}: resolves outside the mirror {root}")
    if not src.is_file():
        raise FetchError(
            f"{release.relative_path}: not found in the mirror {root} "
            f"(expected a file at {src})"
        )
    if src.stat().st_size > MAX_FILE_BYTES:
        raise FetchError(f"{src}: {src.stat().st_size} bytes is over the {MAX_FILE_BYTES}-byte limit")
    shutil.copyfile(src, tmp)
    return f"mirror:{src}"


def _download(client: httpx.Client, url: str, dest: Path, *, retries: int, deadline: float, label: str) -> None:
    """Stream ``url`` into ``dest`` with bounded retries, backoff and an overall deadline."""
    attempt = 0
    while True:
        attempt += 1
        try:
            with client.stream("GET", url) as resp:
                if resp.status_code in RETRY_STATUS:
                    raise _Retryable(f"HTTP {resp.status_code}")
                if resp.status_code >= 400:
                    raise FetchError(f"{label}: {url} answered HTTP {resp.status_code}; not retried")
                ctype = resp.headers.get("content-type", "")
                if "text/html" in ctype:
                    raise FetchError(
                        f"{label}: {url} returned an HTML page (content-type {ctype!r}), "
                        "expected a data file"
                    )
                expected = resp.headers.get("content-length")
                if expected is not None and int(expected) > MAX_FILE_BYTES:
                    raise FetchError(f"{label}: {url} is {expected} bytes, over the {MAX_FILE_BYTES}-byte limit")
                written = 0
                with open(dest, "wb") as out:
                    for chunk in resp.iter_bytes():  # as received, so the time limit is checked per read
                        if time.monotonic() > deadline:  # a server trickling bytes under the read timeout
                            raise FetchError(f"{label}: {url} still sending after the overall time limit; "
                                             f"{written} bytes received, nothing landed")
                        written += len(chunk)
                        if written > MAX_FILE_BYTES:
                            raise FetchError(f"{label}: {url} exceeded the {MAX_FILE_BYTES}-byte limit")
                        out.write(chunk)
                # bytes on the wire (before any Content-Encoding is decoded) against the header
                if expected is not None and resp.num_bytes_downloaded != int(expected):
                    raise _Retryable(f"truncated body: {resp.num_bytes_downloaded} of {expected} bytes")
                return
        except httpx.DecodingError as exc:  # e.g. Content-Encoding: gzip over bytes that are not gzip
            raise FetchError(f"{label}: {url} sent a body that does not decode as its Content-Encoding "
                             f"{resp.headers.get('content-encoding')!r} ({exc}); nothing landed") from None
        except (_Retryable, httpx.TransportError) as exc:
            reason = str(exc) or type(exc).__name__
            if attempt > retries or time.monotonic() >= deadline:
                raise FetchError(f"{label}: {url} failed after {attempt} attempt(s): {reason}") from exc
            time.sleep(min(2 ** (attempt - 1) * 0.5, max(0.0, deadline - time.monotonic()), 8.0))


class _Retryable(Exception):
    pass


def _extract_member(archive: Path, member: str, dest: Path, label: str) -> None:
    try:
        with zipfile.ZipFile(archive) as zf:
            names = zf.namelist()
            # An entry that would land outside a folder it was unpacked into (../x, /etc/x,
            # C:\x) says the archive is not the publisher's: refuse it whole.
            unsafe = [n for n in names if n.startswith(("/", "\\")) or ".." in Path(n.replace("\\", "/")).parts or ":" in n]
            if unsafe:
                raise FetchError(f"{label}: archive entry {unsafe[0]!r} points outside the archive (path traversal); "
                                 "expected only relative paths: nothing landed")
            if member not in names:
                raise FetchError(f"{label}: archive has no member {member!r} (it has {names[:10]})")
            info = zf.getinfo(member)
            if info.file_size > MAX_FILE_BYTES:
                raise FetchError(f"{label}: archive member {member} is over the {MAX_FILE_BYTES}-byte limit")
            # Only the named member is read, into our own temporary file (member names never
            # become paths), and never more than the limit, whatever its header claims.
            written = 0
            with zf.open(info) as src, open(dest, "wb") as out:
                for block in iter(lambda: src.read(1 << 20), b""):
                    written += len(block)
                    if written > MAX_FILE_BYTES:
                        raise FetchError(f"{label}: archive member {member} inflates past the {MAX_FILE_BYTES}-byte limit")
                    out.write(block)
    except zipfile.BadZipFile as exc:
        raise FetchError(f"{label}: download is not a valid zip archive ({exc})") from exc


def _from_http(settings: Settings, release: Release, tmp: Path) -> str:
    label = str(release.relative_path)
    if not release.url:
        raise FetchError(
            f"{label}: the catalogue records no direct download location for this file "
            f"(publisher page: {release.page}); configure a mirror with --mirror or CSC_SOURCE_MIRROR"
        )
    deadline = time.monotonic() + settings.http_timeout * (settings.http_retries + 1)
    timeout = httpx.Timeout(settings.http_timeout, connect=min(settings.http_timeout, 15.0))
    with httpx.Client(timeout=timeout, follow_redirects=True, max_redirects=5, headers={"User-Agent": USER_AGENT}) as client:
        if release.archive_member:
            archive = tmp.with_name(tmp.name + ".zip")
            try:
                _download(client, release.url, archive, retries=settings.http_retries, deadline=deadline, label=label)
                _extract_member(archive, release.archive_member, tmp, label)
            finally:
                archive.unlink(missing_ok=True)
        else:
            _download(client, release.url, tmp, retries=settings.http_retries, deadline=deadline, label=label)
    return release.url


def fetch(settings: Settings, release: Release) -> LandedFile:
    """Land one catalogued file and return its provenance."""
    dest = landing_path(settings, release)
    tmp = _temp_beside(dest)
    try:
        if settings.mirror_dir is not None:
            origin = _from_mirror(settings.mirror_dir, release, tmp)
        else:
            origin = _from_http(settings, release, tmp)
        digest = sha256_of(tmp)
        if release.sha256 and digest != release.sha256.lower():
            raise FetchError(
                f"{release.relative_path}: sha256 {digest} differs from the catalogue's pinned {release.sha256}"
            )
        size = tmp.stat().st_size
        if size == 0:
            raise FetchError(f"{release.relative_path}: the fetched file is empty (0 bytes)")
        if dest.exists() and sha256_of(dest) == digest:
            tmp.unlink()  # same bytes already landed: keep the file and its first fetch time
            previous = read_provenance(dest)
            if previous is not None:
                return previous
        else:
            _install(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    landed = LandedFile(
        source=release.source,
        family=release.family,
        release=release.release,
        file=release.file,
        path=str(dest),
        sha256=digest,
        bytes=size,
        origin=origin,
        fetched_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
    )
    _atomic_write_json(provenance_path(dest), asdict(landed))
    return landed


def read_provenance(path: Path) -> LandedFile | None:
    record = provenance_path(path)
    if not record.exists():
        return None
    try:
        return LandedFile(**json.loads(record.read_text(encoding="utf-8")))
    except (ValueError, TypeError):
        return None
