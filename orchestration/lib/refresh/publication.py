"""Putting out a publication, as the publication asset does in a refresh's build run: refuse
unless every blocking check on what it is built from vouches for the data now in the work
database (orchestration/lib/refresh/publication_gate.py), then swap in the new snapshot and its
open-data export (orchestration/lib/publish/snapshot.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import dagster as dg

from orchestration.lib.dbt.project import load_manifest
from orchestration.lib.publish import snapshot
from orchestration.lib.publish.datapackage import keys_from_manifest
from orchestration.lib.refresh import publication_gate
from orchestration.settings import Settings

# the publication and what is written from it, as the refresh and the CLI name them
PUBLICATION = dg.AssetKey(["published", "csc_duckdb"])
LA_PAGES = dg.AssetKey(["published", "la_profiles"])


def publish_run(
    settings: Settings, instance: dg.DagsterInstance, asset_graph, run_id: str
) -> tuple[snapshot.PublishResult, int]:
    """Publish the work database's marts for run ``run_id``; the result and how many check
    results it records. Raises :class:`~orchestration.lib.publish.snapshot.PublishError` when a
    blocking check does not vouch for what it would publish."""
    refused, checks = publication_gate.upstream_checks(instance, asset_graph, PUBLICATION, run_id)
    if refused:
        raise snapshot.PublishError(publication_gate.refusal(refused))
    run = instance.get_run_record_by_id(run_id)
    started_at = datetime.fromtimestamp(run.start_time, UTC) if run.start_time else run.create_timestamp
    refresh = snapshot.RefreshRecord(refresh_id=run_id, started_at=started_at, checks=checks)
    return snapshot.publish(settings, refresh, keys=keys_from_manifest(load_manifest())), len(checks)
