"""The nightly refresh: the ``ingest`` job every night; ``build_what_changed`` builds the rest."""

import dagster as dg

from orchestration.defs.refresh.jobs import refresh_jobs
from orchestration.lib.refresh.sequence import TRIGGER


@dg.definitions
def schedules() -> dg.Definitions:
    nightly = dg.ScheduleDefinition(
        name="nightly_refresh",
        job=refresh_jobs().ingest,
        cron_schedule="30 2 * * *",
        execution_timezone="Europe/London",
        description="Ask every publisher for new files every night at 02:30 UK time; build_what_changed builds "
        "the rest.",
        default_status=dg.DefaultScheduleStatus.RUNNING,
        tags={TRIGGER: "nightly"},
    )
    return dg.Definitions(schedules=[nightly])
