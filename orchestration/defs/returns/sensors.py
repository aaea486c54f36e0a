"""The inbox sensor: a return put in the inbox (``csc returns add``, or copied there) is landed,
checked and counted in its own partition's run; ``collect_return_figures``
(orchestration/defs/refresh/sensors.py) then collects its figures and the build follows."""

import dagster as dg

from orchestration.lib.refresh.sequence import RETURNS_JOB, TRIGGER
from orchestration.lib.returns import step
from orchestration.settings import get_settings


@dg.definitions
def returns_sensors() -> dg.Definitions:
    @dg.sensor(
        name="returns_inbox",
        job_name=RETURNS_JOB,
        minimum_interval_seconds=60,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Watches the returns inbox (CSC_RETURNS_DIR): an LA return whose files (or whose code) "
        "changed runs in its own partition.",
    )
    def returns_inbox(context: dg.SensorEvaluationContext):
        settings = get_settings()
        todo = step.stale(context.instance, settings)
        if not todo:
            problems = step.inbox.survey(settings)[1]  # said, not skipped silently
            unreadable = f"; cannot be read: {'; '.join(map(str, problems))}" if problems else ""
            return dg.SkipReason(f"no new or changed return in the inbox{unreadable}")
        known = set(context.instance.get_dynamic_partitions(step.PARTITIONS.name))
        new = sorted({r.partition for r, _ in todo} - known)
        return dg.SensorResult(
            run_requests=[
                dg.RunRequest(
                    run_key=f"{ret.kind}:{ret.partition}:{ret.digest()}:{step.landing_code_version(ret.kind)}",
                    partition_key=ret.partition,
                    asset_selection=[step.ASSETS[ret.kind]],
                    tags={TRIGGER: "sensor", "csc/reason": why},
                )
                for ret, why in todo
            ],
            dynamic_partitions_requests=[step.PARTITIONS.build_add_request(new)] if new else [],
        )

    return dg.Definitions(sensors=[returns_inbox])
