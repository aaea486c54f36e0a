import dagster as dg

refresh_job = dg.define_asset_job(
    name="refresh",
    selection=dg.AssetSelection.all(include_sources=False),
    description="Full refresh: fetch and land every source, load raw, dbt build, expectation gates, publish.",
)

nightly_refresh = dg.ScheduleDefinition(
    name="nightly_refresh",
    job=refresh_job,
    cron_schedule="30 2 * * *",
    execution_timezone="Europe/London",
    description="Rebuild the warehouse from the publishers' files every night at 02:30 UK time.",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
