"""Fetch a source file into the landing area, atomically, with provenance.

A file comes from the mirror directory when one is configured (``CSC_SOURCE_MIRROR`` or
``csc refresh --mirror``), laid out ``<source>/<release>/<file>``; otherwise over HTTP from the
address discovery found (or the catalogue's fixed link), asked conditionally so an unchanged
file costs a 304. Either way it lands at ``<warehouse>/landing/<source>/<release>/<file>``
through a temporary file and a rename, so a landed file is whole or absent, never partial.
Beside it a ``.provenance.json`` records sha256, size, origin, fetch time and the server's
validators; the bytes also go into the content-addressed archive (:mod:`orchestration.lib.ingest.archive`).

When the publisher is down, or has withdrawn a file the warehouse already has, the copy
already landed (or archived) is used and the returned record says why (``note``).
"""

from __future__ import annotations

import shutil
import zipfile
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from orchestration.lib.core import files
from orchestration.lib.ingest import archive
from orchestration.lib.ingest.catalogue import Release
from orchestration.lib.ingest.http import (
    MAX_FILE_BYTES,
    FetchError,
    FileGone,
    HttpClient,
    PublisherUnreachable,
    Validators,
)
from orchestration.lib.ingest.provenance import LandedFile, read_provenance, write_provenance
from orchestration.settings import Settings


class NotLocated(FileGone):
    """Neither discovery nor the catalogue says where the file is (it may have been withdrawn)."""


class ChecksumMismatch(FetchError):
    """The bytes differ from the catalogue's pinned sha256."""

    def __init__(self, message: str, digest: str):
        super().__init__(message)
        self.digest = digest


def landing_path(settings: Settings, release: Release) -> Path:
    root = settings.landing_dir.resolve()
    path = (root / release.relative_path).resolve()
    if not path.is_relative_to(root):
        raise FetchError(f"{release.relative_path}: resolves outside the landing directory {root}")
    return path


def _temp_beside(dest: Path) -> Path:
    """Where a fetch writes before the file is renamed into place (leftovers of a killed fetch
    cleared: fetching runs under the refresh lock)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    files.clear_leftovers(dest)
    return files.temp_beside(dest)


def _from_mirror(mirror: Path, release: Release, tmp: Path) -> str:
    root = mirror.resolve()
    src = (root / release.relative_path).resolve()
    if not src.is_relative_to(root):
        raise FetchError(f"{release.relative_path}: resolves outside the mirror {root}")
    if not src.is_file():
        raise FetchError(f"{release.relative_path}: not found in the mirror {root} (expected a file at {src})")
    if src.stat().st_size > MAX_FILE_BYTES:
        raise FetchError(f"{src}: {src.stat().st_size} bytes is over the {MAX_FILE_BYTES}-byte limit")
    shutil.copyfile(src, tmp)
    return f"mirror:{src}"


def _extract_member(archive: Path, member: str, dest: Path, label: str) -> None:
    try:
        with zipfile.ZipFile(archive) as zf:
            names = zf.namelist()
            # An entry that would land outside a folder it was unpacked into (../x, /etc/x,
            # C:\x) says the archive is not the publisher's: refuse it whole.
            unsafe = [
                n for n in names if n.startswith(("/", "\\")) or ".." in Path(n.replace("\\", "/")).parts or ":" in n
            ]
            if unsafe:
                raise FetchError(
                    f"{label}: archive entry {unsafe[0]!r} points outside the archive (path traversal); "
                    "expected only relative paths: nothing landed"
                )
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
                        raise FetchError(
                            f"{label}: archive member {member} inflates past the {MAX_FILE_BYTES}-byte limit"
                        )
                    out.write(block)
    except zipfile.BadZipFile as exc:
        raise FetchError(f"{label}: download is not a valid zip archive ({exc})") from exc


def _from_http(
    client: HttpClient, release: Release, tmp: Path, url: str | None, member: str | None, previous: LandedFile | None
) -> tuple[str, Validators] | None:
    """Download into ``tmp``; None when the server says the landed copy is current (304)."""
    label = str(release.relative_path)
    if not url:
        raise NotLocated(
            f"{label}: no download location: discovery did not find this file and the catalogue records "
            f"no fixed link (publisher page: {release.page}); configure a mirror with --mirror or CSC_SOURCE_MIRROR"
        )
    validators = Validators()
    # ask conditionally only about a copy that is what the catalogue wants (a changed pin must see the bytes)
    if (
        previous is not None
        and previous.url == url
        and (not release.sha256 or previous.sha256 == release.sha256.lower())
    ):
        validators = Validators(previous.etag, previous.last_modified)
    if member:
        zipped = tmp.with_name(tmp.name + ".zip")
        try:
            answer = client.download(url, zipped, label=label, validators=validators, max_bytes=MAX_FILE_BYTES)
            if answer.not_modified:
                return None
            _extract_member(zipped, member, tmp, label)
        finally:
            zipped.unlink(missing_ok=True)
    else:
        answer = client.download(url, tmp, label=label, validators=validators, max_bytes=MAX_FILE_BYTES)
        if answer.not_modified:
            return None
    return url, Validators(answer.etag, answer.last_modified)


def _landed(
    release: Release,
    dest: Path,
    sha256: str,
    *,
    origin: str,
    fetched_at: str,
    url: str | None,
    validators: Validators | None = None,
) -> LandedFile:
    """The provenance of ``release``'s bytes now at ``dest``."""
    validators = validators or Validators()
    return LandedFile(
        source=release.source,
        family=release.family,
        release=release.release,
        file=release.file,
        path=str(dest),
        sha256=sha256,
        bytes=dest.stat().st_size,
        origin=origin,
        fetched_at=fetched_at,
        url=url,
        etag=validators.etag,
        last_modified=validators.last_modified,
    )


def _fallback(settings: Settings, release: Release, dest: Path, why: str, error: FetchError) -> LandedFile:
    """The copy already landed, else the archived one, standing in for a file that is not fetched
    now (``why``: its publisher is down, has withdrawn it, or was not asked); ``error`` when the
    warehouse has no copy either."""
    previous = read_provenance(dest) if dest.exists() else None
    if previous is not None and (not release.sha256 or previous.sha256 == release.sha256.lower()):
        return replace(previous, note=f"kept the copy landed {previous.fetched_at}: {why}")
    entry = archive.restore(settings, release.relative_path, dest, release.sha256)
    if entry is None:
        raise error
    landed = _landed(
        release,
        dest,
        entry["sha256"],
        origin=f"archive:{entry['sha256']}",
        fetched_at=entry["fetched_at"],
        url=entry.get("url"),
    )
    write_provenance(landed)
    return replace(landed, note=f"restored the archived copy fetched {entry['fetched_at']}: {why}")


def keep_landed(settings: Settings, release: Release, why: str) -> LandedFile:
    """The copy of ``release`` already landed or archived, without asking the publisher (``why``
    says why not)."""
    missing = NotLocated(
        f"{release.relative_path}: {why}; no copy of it is landed or archived here (a catalogue `url` to an "
        "archived copy would let this warehouse rebuild it)"
    )
    return _fallback(settings, release, landing_path(settings, release), why, missing)


def fetch(
    settings: Settings,
    release: Release,
    *,
    url: str | None = None,
    archive_member: str | None = None,
    client: HttpClient | None = None,
    revision: Callable[[str], Release] | None = None,
) -> LandedFile:
    """Land one file and return its provenance. ``url`` (with ``archive_member`` for a zip) is
    where discovery found it; without one, the catalogue's fixed link is used.

    ``revision``: bytes that differ from the release's pinned sha256 are refused, unless this
    names the release they are instead (the publisher's revision of a pinned file on its page):
    they land as the release it returns for their sha256, and the returned record says so (its
    ``release``)."""
    dest = landing_path(settings, release)
    if url is None:
        url, archive_member = release.url, release.archive_member
    previous = read_provenance(dest) if dest.exists() else None
    tmp = _temp_beside(dest)
    validators = Validators()
    try:
        if settings.mirror_dir is not None:
            origin = _from_mirror(settings.mirror_dir, release, tmp)
            url = None
        else:
            own = client is None
            client = client or HttpClient(settings)
            try:
                got = _from_http(client, release, tmp, url, archive_member, previous)
            except (PublisherUnreachable, FileGone) as exc:
                return _fallback(settings, release, dest, str(exc), exc)
            finally:
                if own:
                    client.close()
            if got is None:  # 304: the landed copy is the publisher's current file
                if previous is None:
                    raise FetchError(
                        f"{release.relative_path}: {url} answered 304 Not Modified, but nothing is "
                        "landed here to keep; expected the file"
                    )
                return previous
            origin, validators = got
        digest = files.sha256_file(tmp)
        if release.sha256 and digest != release.sha256.lower():
            if revision is None:
                raise ChecksumMismatch(
                    f"{release.relative_path}: sha256 {digest} differs from the catalogue's pinned {release.sha256}",
                    digest,
                )
            release = revision(digest)
            dest = landing_path(settings, release)
            previous = read_provenance(dest) if dest.exists() else None
            dest.parent.mkdir(parents=True, exist_ok=True)
        size = tmp.stat().st_size
        if size == 0:
            raise FetchError(f"{release.relative_path}: the fetched file is empty (0 bytes)")
        if dest.exists() and previous is not None and previous.sha256 == digest and files.sha256_file(dest) == digest:
            tmp.unlink()  # same bytes already landed: keep the file and its first fetch time
            if not archive.blob_path(settings, digest).exists():  # landed before the archive existed
                archive.put(settings, dest, previous)
            if (previous.url, previous.etag, previous.last_modified) != (
                url,
                validators.etag,
                validators.last_modified,
            ):
                previous = replace(previous, url=url, etag=validators.etag, last_modified=validators.last_modified)
                write_provenance(previous)
            return previous
        files.install(tmp, dest, durable=True)
    finally:
        tmp.unlink(missing_ok=True)
    landed = _landed(
        release,
        dest,
        digest,
        origin=origin if settings.mirror_dir is not None else (url or origin),
        fetched_at=datetime.now(UTC).isoformat(timespec="seconds"),
        url=url,
        validators=validators,
    )
    write_provenance(landed)
    archive.put(settings, dest, landed)
    return landed
