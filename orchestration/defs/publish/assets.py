"""The publication: after every gate has passed, swap in a new read-only snapshot for BI tools."""


from datetime import datetime, timezone

import dagster as dg

from orchestration.lib.dbt import mart_asset_keys
from orchestration.lib.publish import CheckRecord, RefreshRecord, publish
from orchestration.lib.warehouse import WarehouseResource


def _checks_of_run(context: dg.AssetExecutionContext) -> list[CheckRecord]:
    records = context.instance.get_records_for_run(
        run_id=context.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION, limit=100_000
    ).records
    checks = []
    for record in records:
        evaluation = record.event_log_entry.dagster_event.event_specific_data
        checks.append(
            CheckRecord(
                asset_key=evaluation.asset_key.to_user_string(),
                check_name=evaluation.check_name,
                passed=evaluation.passed,
                severity=evaluation.severity.value if evaluation.severity else None,
                description=evaluation.description,
            )
        )
    return checks


@dg.definitions
def publish_assets() -> dg.Definitions:
    @dg.asset(
        key=["published", "csc_duckdb"],
        group_name="publish",
        kinds={"duckdb"},
        deps=mart_asset_keys(),
        description="warehouse/csc.duckdb: the read-only snapshot BI tools open (marts and meta).",
    )
    def published_warehouse(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
        run = context.instance.get_run_record_by_id(context.run_id)
        started_at = datetime.fromtimestamp(run.start_time, timezone.utc) if run.start_time else run.create_timestamp
        refresh = RefreshRecord(refresh_id=context.run_id, started_at=started_at, checks=_checks_of_run(context))
        result = publish(warehouse.settings(), refresh)
        context.log.info(f"published {result.path} ({result.bytes} bytes, {len(result.tables)} tables)")
        return dg.MaterializeResult(
            metadata={
                "path": dg.MetadataValue.path(str(result.path)),
                "bytes": result.bytes,
                "tables": dg.MetadataValue.json(result.tables),
                "source_files": result.source_files,
                "checks": len(refresh.checks),
            }
        )

    return dg.Definitions(assets=[published_warehouse])
