"""The release sensor: poll every publisher's interface and refresh what changed.

Each tick asks discovery what every source's publisher lists now (conditional requests, so an
unchanged answer costs a 304), fingerprints each family's files (address, publication and
update dates, size), and compares with the fingerprints kept in the sensor's cursor. Families
with a new or changed file get one ``ingest`` run of just those families; the build sensor
(orchestration/defs/schedules.py) then builds what they changed. The first tick only remembers what is there; the
nightly schedule stays as the safety net. ``CSC_DISCOVERY_INTERVAL`` sets the polling interval.
"""

import hashlib
import json
from dataclasses import replace

import dagster as dg

from orchestration.lib.catalogue import load_catalogue
from orchestration.lib.discovery import discover
from orchestration.lib.http import FetchError, HttpClient
from orchestration.lib.releases import plan_family
from orchestration.settings import get_settings


def family_fingerprints(settings, catalogue) -> tuple[dict[str, str], list[str]]:
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
                    planned, _ = plan_family(source, family, found)
                    files = sorted(
                        (
                            p.release.release,
                            p.release.file,
                            p.found.url,
                            p.found.published or "",
                            (p.found.updated or "") if per_file_date else "",
                            str(p.found.size or ""),
                        )
                        for p in planned
                        if p.found is not None
                    )
                    prints[family.name] = hashlib.sha256(json.dumps(files).encode()).hexdigest()[:16]
            except (FetchError, ValueError) as exc:
                problems.append(f"{source.name}: {exc}")
    return prints, problems


@dg.definitions
def release_sensors() -> dg.Definitions:
    catalogue = load_catalogue()

    @dg.sensor(
        name="new_releases",
        job_name="ingest",
        minimum_interval_seconds=get_settings().discovery_interval,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Polls the publishers' interfaces and ingests the families with a new or changed file "
        "(build_what_changed builds what they changed).",
    )
    def new_releases(context: dg.SensorEvaluationContext):
        # short time-outs and one retry: a tick must end well inside Dagster's 60 s sensor limit,
        # even with a publisher down (the next tick asks again)
        settings = replace(get_settings(), http_timeout=8.0, http_retries=1)
        if settings.mirror_dir is not None:
            return dg.SkipReason(f"files come from the mirror {settings.mirror_dir}: no publisher to poll")
        previous = json.loads(context.cursor) if context.cursor else {}
        current, problems = family_fingerprints(settings, catalogue)
        changed = sorted(name for name, fingerprint in current.items() if previous.get(name) != fingerprint)
        context.update_cursor(json.dumps({**previous, **current}, sort_keys=True))
        unreachable = f"; not reached: {'; '.join(problems)}" if problems else ""
        if not previous:
            return dg.SkipReason(f"first poll: remembered the files of {len(current)} families{unreachable}")
        if not changed:
            return dg.SkipReason(f"nothing new or changed at any publisher{unreachable}")
        keys = [dg.AssetKey(["raw", catalogue.family(n).raw_table]) for n in changed]
        return dg.RunRequest(
            # from what changed and what it changed from: a file going back to earlier bytes is a change too
            run_key="new-releases-"
            + hashlib.sha256(json.dumps([[n, previous.get(n), current[n]] for n in changed]).encode()).hexdigest()[:16],
            asset_selection=sorted(keys),
            tags={"csc/trigger": "sensor", "csc/families": ",".join(changed)},
        )

    return dg.Definitions(sensors=[new_releases])
