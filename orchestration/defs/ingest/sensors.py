"""The release sensor: poll every publisher's interface and ingest the families whose files
changed (orchestration/lib/ingest/fingerprints.py); ``build_what_changed``
(orchestration/defs/refresh/sensors.py) then builds what they changed. The first tick only
remembers what is there; the nightly schedule stays as the safety net.
``CSC_DISCOVERY_INTERVAL`` sets the polling interval."""

import json
from dataclasses import replace

import dagster as dg

from orchestration.lib.ingest.catalogue import load_catalogue
from orchestration.lib.ingest.fingerprints import changed_families, family_fingerprints, run_key
from orchestration.lib.ingest.step import raw_key, status_key
from orchestration.settings import get_settings

# short time-outs and one retry: a tick must end well inside Dagster's 60 s sensor limit, even
# with a publisher down (the next tick asks again)
TICK_HTTP = {"http_timeout": 8.0, "http_retries": 1}


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
        settings = replace(get_settings(), **TICK_HTTP)
        if settings.mirror_dir is not None:
            return dg.SkipReason(f"files come from the mirror {settings.mirror_dir}: no publisher to poll")
        previous = json.loads(context.cursor) if context.cursor else {}
        current, problems = family_fingerprints(settings, catalogue)
        changed = changed_families(previous, current)
        context.update_cursor(json.dumps({**previous, **current}, sort_keys=True))
        unreachable = f"; not reached: {'; '.join(problems)}" if problems else ""
        if not previous:
            return dg.SkipReason(f"first poll: remembered the files of {len(current)} families{unreachable}")
        if not changed:
            return dg.SkipReason(f"nothing new or changed at any publisher{unreachable}")
        families = [catalogue.family(n) for n in changed]
        # the changed families, and their sources' answers (the step writes those either way)
        answers = {status_key(catalogue.source(f.source)) for f in families}
        return dg.RunRequest(
            run_key=run_key(previous, current, changed),
            asset_selection=sorted({raw_key(f) for f in families} | answers),
            tags={"csc/trigger": "sensor", "csc/families": ",".join(changed)},
        )

    return dg.Definitions(sensors=[new_releases])
