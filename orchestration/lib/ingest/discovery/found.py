"""What a publisher's interface lists: files (:class:`Found`) and how the source answered
(:class:`SourceDiscovery`), as every discovery adapter returns them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from orchestration.lib.ingest.catalogue import Source


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
