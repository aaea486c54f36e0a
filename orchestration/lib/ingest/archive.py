"""The content-addressed archive: every file ever landed, kept by its sha256.

``<warehouse>/archive/sha256/<ab>/<sha256>`` holds the bytes (a hard link to the landed file
where the filesystem allows, a copy otherwise); ``<warehouse>/archive/index.jsonl`` says which
``<source>/<release>/<file>`` each was, from where and when. A file a publisher later
withdraws, moves or replaces can still rebuild history, and ``csc mirror export DIR`` writes
the archive out in the mirror layout so a connected machine can feed an air-gapped one.
"""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath

from orchestration.lib.core import files
from orchestration.lib.ingest.provenance import LandedFile
from orchestration.settings import Settings


def blob_path(settings: Settings, sha256: str) -> Path:
    return settings.archive_dir / "sha256" / sha256[:2] / sha256


def _index(settings: Settings) -> Path:
    return settings.archive_dir / "index.jsonl"


def put(settings: Settings, path: Path, landed: LandedFile) -> Path:
    """Keep ``path``'s bytes under their sha256 and record which file they were."""
    blob = blob_path(settings, landed.sha256)
    if not blob.exists():
        files.copy(path, blob, link=True)
    entry = {
        "path": landed.relative_path,
        "family": landed.family,
        "sha256": landed.sha256,
        "bytes": landed.bytes,
        "url": landed.url,
        "fetched_at": landed.fetched_at,
    }
    with open(_index(settings), "a", encoding="utf-8") as fh:  # one short line: appended whole
        fh.write(json.dumps(entry, sort_keys=True) + "\n")
    return blob


def entries(settings: Settings) -> list[dict]:
    index = _index(settings)
    if not index.exists():
        return []
    out = []
    for line in index.read_text(encoding="utf-8").splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            continue  # a line cut short by a kill: the blob it names is still whole
    return out


def latest(settings: Settings) -> dict[str, dict]:
    """``source/release/file`` -> its most recently archived entry whose bytes are present."""
    found: dict[str, dict] = {}
    for entry in entries(settings):
        if blob_path(settings, entry["sha256"]).exists():
            found[entry["path"]] = entry
    return found


def restore(settings: Settings, relative: PurePosixPath, dest: Path, sha256: str | None = None) -> dict | None:
    """Put the archived bytes of ``relative`` back at ``dest`` (the pinned version, if pinned)."""
    candidates = [
        e
        for e in entries(settings)
        if e["path"] == str(relative)
        and (sha256 is None or e["sha256"] == sha256.lower())
        and blob_path(settings, e["sha256"]).exists()
    ]
    if not candidates:
        return None
    entry = candidates[-1]
    files.copy(blob_path(settings, entry["sha256"]), dest)
    return entry


def export(settings: Settings, target: Path) -> list[str]:
    """Write the latest archived version of every file in the mirror layout; returns the paths."""
    written = []
    root = target.resolve()
    for path, entry in sorted(latest(settings).items()):
        dest = (root / path).resolve()
        if not dest.is_relative_to(root):
            continue
        files.copy(blob_path(settings, entry["sha256"]), dest)
        written.append(path)
    return written
