"""A mirror directory as a publisher: the release folders it holds that the catalogue does not
list (what ``csc mirror export`` wrote on a connected machine: new vintages, revisions).

A folder is a release of a family when its name is the label the family would give a file in
it: the source's EES label template (``ees_{slug}``), the family's ``recognise.release``
template, or ``<catalogued release>_revised_<day>`` for a publisher's revision of a pinned file.
Folders that fit no family (a mirror may hold other files) are left alone.
"""

from __future__ import annotations

from pathlib import Path

from orchestration.lib.ingest.catalogue import Source
from orchestration.lib.ingest.discovery.found import Found, SourceDiscovery, now_iso


def discover(mirror: Path, source: Source) -> SourceDiscovery:
    result = SourceDiscovery(source=source.name, interface=f"mirror {mirror}", checked_at=now_iso())
    catalogued = {r.release for f in source.families for r in f.releases}
    root = mirror / source.name
    if not root.is_dir():
        return result
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and p.name not in catalogued):
        slug = source.discovery.slug_of(folder.name) if source.discovery.via == "ees" else None
        for path in sorted(p for p in folder.iterdir() if p.is_file()):
            result.files.append(
                Found(
                    source=source.name,
                    file=path.name,
                    url="",
                    publication=str(root),
                    release=slug or folder.name,
                    release_title=folder.name,
                    page="",
                )
            )
    return result
