"""What the warehouse knows about a landed file: its provenance record.

Beside every file at ``<warehouse>/landing/<source>/<release>/<file>`` a
``<file>.provenance.json`` records its sha256, size, origin (mirror path or address), fetch time
and the server's validators (ETag, Last-Modified), which the next fetch asks conditionally with.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from orchestration.lib.core import files


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
    url: str | None = None  # the address as the publisher gave it (before CSC_URL_REWRITE)
    etag: str | None = None
    last_modified: str | None = None
    # Why an earlier copy stands in for a fresh fetch (publisher down, file withdrawn); not saved.
    note: str | None = field(default=None, compare=False)

    @property
    def provenance_path(self) -> Path:
        return provenance_path(Path(self.path))

    @property
    def relative_path(self) -> str:
        """``<source>/<release>/<file>``, as a mirror and the landing area lay it out."""
        return f"{self.source}/{self.release}/{self.file}"


def provenance_path(path: Path) -> Path:
    return path.with_name(path.name + ".provenance.json")


def write_provenance(landed: LandedFile) -> None:
    record = asdict(landed)
    record.pop("note", None)
    files.write_json(provenance_path(Path(landed.path)), record, indent=2)


def read_provenance(path: Path) -> LandedFile | None:
    """The provenance of the file landed at ``path``, or None when it has none (or an unreadable one)."""
    record = provenance_path(path)
    if not record.exists():
        return None
    try:
        data = json.loads(record.read_text(encoding="utf-8"))
        known = {f.name for f in fields(LandedFile)}
        return LandedFile(**{k: v for k, v in data.items() if k in known})
    except (ValueError, TypeError):
        return None
