"""Files written whole or not at all, and their digests: the one helper for each.

A file is written beside its final name under a hidden temporary name of its own and renamed
over it (``os.replace``, atomic on one filesystem), so a reader sees the old file or the new one,
never half of one, and two writers of one file never write into the same temporary file; a
writer killed part-way leaves only a hidden temporary file (:func:`clear_leftovers` removes them
where one writer at a time is certain, as landing a file under the refresh lock is). ``durable=True`` also syncs the bytes and the rename to disk before
returning, for files that must survive a power cut once a refresh says they are there (landed
source files, the published snapshot). A file written or copied gets the permissions a newly
created file gets (the process's umask); a hard link shares its source's.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import secrets
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

_CHUNK = 1 << 20
TEMP_SUFFIX = ".tmp"


def clear_leftovers(target: Path) -> None:
    """Temporary files a killed writer of ``target`` left; only for a file one writer at a time
    writes (another's temporary file would go too)."""
    for leftover in target.parent.glob(f".{glob.escape(target.name)}.*{TEMP_SUFFIX}"):
        leftover.unlink(missing_ok=True)


def sync(path: Path) -> None:
    """Flush a file's or a directory's entries to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def temp_beside(target: Path) -> Path:
    """A new hidden name beside ``target`` that nothing holds yet."""
    return target.with_name(f".{target.name}.{secrets.token_hex(6)}{TEMP_SUFFIX}")


def install(tmp: Path, target: Path, *, durable: bool = False) -> None:
    """Rename a fully written temporary file over ``target`` (synced first when ``durable``)."""
    if durable:
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
    os.replace(tmp, target)
    if durable:
        sync(target.parent)


@contextmanager
def replacing(target: Path, *, durable: bool = False, create: bool = True) -> Iterator[Path]:
    """A temporary path beside ``target`` to write to (created empty, or with ``create=False``
    left for the writer to create, as DuckDB creates its database file). Leaving the block
    without an error renames it over ``target``; an error removes it and leaves ``target`` as
    it was."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_beside(target)
    if create:
        os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    try:
        yield tmp
        install(tmp, target, durable=durable)
    finally:
        tmp.unlink(missing_ok=True)


def write_bytes(target: Path, data: bytes, *, durable: bool = False) -> int:
    """Write ``data`` to ``target`` whole; the number of bytes written."""
    with replacing(target, durable=durable) as tmp:
        tmp.write_bytes(data)
    return len(data)


def write_text(target: Path, text: str, *, durable: bool = False) -> int:
    return write_bytes(target, text.encode("utf-8"), durable=durable)


def write_json(target: Path, payload, *, indent: int | None = 1, durable: bool = False) -> int:
    return write_text(target, json.dumps(payload, indent=indent, sort_keys=True, default=str), durable=durable)


def copy(source: Path, target: Path, *, link: bool = False, durable: bool = False) -> None:
    """Put ``source``'s bytes at ``target`` whole: a hard link when ``link`` asks for one and the
    filesystem allows it (the bytes are then stored once), else a copy."""
    with replacing(target, durable=durable, create=False) as tmp:
        if link:
            try:
                os.link(source, tmp)
                return
            except OSError:
                pass
        shutil.copyfile(source, tmp)


def point_link(link: Path, target: Path) -> None:
    """Point the symlink ``link`` at ``target`` (relative to the link's folder, so the folder can
    move) in one ``os.replace`` of a new link made beside it, synced to disk."""
    tmp = temp_beside(link)
    os.symlink(os.path.relpath(target, link.parent), tmp)
    try:
        os.replace(tmp, link)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    sync(link.parent)


def swap_directory(staging: Path, target: Path) -> None:
    """Put the finished directory ``staging`` at ``target``. A directory cannot be renamed over
    a non-empty one, so the old one is renamed away first and removed after: between the two
    renames (microseconds) there is no ``target``, but never a half-written one."""
    old = None
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}-old-", dir=target.parent))
        os.rename(target, old / target.name)
    os.rename(staging, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def remove_stale(parent: Path, pattern: str, older_than: float = 3600) -> None:
    """Remove what killed writers left in ``parent`` (names matching ``pattern``), but nothing a
    running writer may still be filling (younger than ``older_than`` seconds)."""
    for leftover in parent.glob(pattern):
        try:
            if time.time() - leftover.stat().st_mtime > older_than:
                if leftover.is_dir() and not leftover.is_symlink():
                    shutil.rmtree(leftover, ignore_errors=True)
                else:
                    leftover.unlink(missing_ok=True)
        except OSError:
            continue


def sha256_file(path: Path) -> str:
    """The sha256 of a file's bytes, as a full hex digest (the identity of a landed file)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(_CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def short_digest(*parts: bytes | str | Iterable[bytes | str]) -> str:
    """A 16-character digest of ``parts`` in order (a version, a fingerprint). Parts are kept
    apart, so ("ab", "c") and ("a", "bc") differ; an iterable part adds each of its items."""
    digest = hashlib.sha256()
    for part in parts:
        for piece in [part] if isinstance(part, bytes | str) else part:
            digest.update(piece.encode("utf-8") if isinstance(piece, str) else piece)
            digest.update(b"\0")
    return digest.hexdigest()[:16]


def json_digest(value) -> str:
    """:func:`short_digest` of a JSON-serialisable value, keys sorted."""
    return short_digest(json.dumps(value, sort_keys=True, default=str))
