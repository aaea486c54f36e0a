"""One multi-asset per source in the catalogue: its raw tables (one per file family) and its
row of meta.source_status, each recorded only when it changed, with the source's
``release_on_time`` warning (orchestration/lib/ingest/step.py). Adding a family to the catalogue
adds an asset; a publisher adding a release of a known family needs nothing."""

import dagster as dg

from orchestration.lib.core.warehouse import RefreshLockResource, WarehouseResource
from orchestration.lib.ingest.catalogue import Source, load_catalogue
from orchestration.lib.ingest.step import asset_specs, freshness_check_spec, ingest_source


def build_source_assets(source: Source) -> dg.AssetsDefinition:
    @dg.multi_asset(
        name=f"ingest__{source.name}",
        specs=asset_specs(source),
        check_specs=[freshness_check_spec(source)],
        can_subset=True,
        description=f"{source.publisher}: {source.publication}",
    )
    def _ingest(context: dg.AssetExecutionContext, warehouse: WarehouseResource, refresh_lock: RefreshLockResource):
        yield from ingest_source(context, warehouse, source)

    return _ingest


@dg.definitions
def ingest_assets() -> dg.Definitions:
    return dg.Definitions(assets=[build_source_assets(s) for s in load_catalogue().sources])
