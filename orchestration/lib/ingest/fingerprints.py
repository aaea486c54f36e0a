"""What each family's publisher lists now, as a fingerprint per family: the release sensor
(orchestration/defs/ingest/sensors.py) keeps them in its cursor and ingests the families whose
fingerprint changed.

A fingerprint covers each file's address, publication and update dates and size, as the
publisher's interface gives them (conditional requests, so an unchanged answer costs a 304).
"""

from __future__ import annotations

import json

from orchestration.lib.core.files import short_digest
from orchestration.lib.ingest.catalogue import Catalogue
from orchestration.lib.ingest.discovery import discover
from orchestration.lib.ingest.http import FetchError, HttpClient
from orchestration.lib.ingest.releases import locate_family
from orchestration.settings import Settings


def family_fingerprints(settings: Settings, catalogue: Catalogue) -> tuple[dict[str, str], list[str]]:
    """family -> fingerprint of what its publisher lists now; and the sources that did not answer."""
    prints: dict[str, str] = {}
    problems: list[str] = []
    with HttpClient(settings) as client:
        for source in catalogue.sources:
            if source.discovery.via == "links":
                continue
            try:
                found = discover(settings, source, client)
                # GOV.UK's update date is the page's, shared by all its attachments: an attachment's
                # own address (a new one when it is replaced) says whether that file changed
                per_file_date = source.discovery.via != "govuk"
                for family in source.families:
                    wanted, _ = locate_family(source, family, found)
                    files = sorted(
                        (
                            w.release.release,
                            w.release.file,
                            w.found.url,
                            w.found.published or "",
                            (w.found.updated or "") if per_file_date else "",
                            str(w.found.size or ""),
                        )
                        for w in wanted
                        if w.found is not None
                    )
                    prints[family.name] = short_digest(json.dumps(files))
            except (FetchError, ValueError) as exc:
                problems.append(f"{source.name}: {exc}")
    return prints, problems


def changed_families(previous: dict[str, str], current: dict[str, str]) -> list[str]:
    return sorted(name for name, fingerprint in current.items() if previous.get(name) != fingerprint)


def run_key(previous: dict[str, str], current: dict[str, str], changed: list[str]) -> str:
    """A run key from what changed and what it changed from: a file going back to earlier bytes
    is a change too."""
    return "new-releases-" + short_digest(json.dumps([[n, previous.get(n), current[n]] for n in changed]))
