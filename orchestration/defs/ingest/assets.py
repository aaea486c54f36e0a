"""One asset per file family in the source catalogue: fetch every release vintage, land it,
and load what changed into ``raw.<family>``. Adding a family to the catalogue adds an asset."""


import dagster as dg

from orchestration.lib.catalogue import Family, load_catalogue
from orchestration.lib.fetch import fetch
from orchestration.lib.load import load_family
from orchestration.lib.warehouse import WarehouseResource


def build_ingest_asset(family: Family) -> dg.AssetsDefinition:
    @dg.asset(
        key=["raw", family.raw_table],
        group_name="ingest",
        kinds={"duckdb", "python"},
        description=family.description,
        metadata={
            "source": family.source,
            "format": family.format,
            "releases": dg.MetadataValue.json([r.release for r in family.releases]),
        },
    )
    def _ingest(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
        settings = warehouse.settings()
        landed = []
        for release in family.releases:
            landed.append(fetch(settings, release))
            context.log.info(f"landed {release.relative_path} ({landed[-1].bytes} bytes, sha256 {landed[-1].sha256[:12]})")
        with warehouse.connect() as con:
            result = load_family(con, family, landed)
        context.log.info(
            f"raw.{family.raw_table}: loaded {len(result.loaded)}, unchanged {len(result.unchanged)}, "
            f"removed {len(result.removed)}; {result.row_count} rows"
        )
        return dg.MaterializeResult(
            metadata={
                "dagster/row_count": result.row_count,
                "loaded": dg.MetadataValue.json(result.loaded),
                "unchanged": dg.MetadataValue.json(result.unchanged),
                "removed": dg.MetadataValue.json(result.removed),
                "sha256": dg.MetadataValue.json({f"{f.release}/{f.file}": f.sha256 for f in landed}),
            }
        )

    return _ingest


@dg.definitions
def ingest_assets() -> dg.Definitions:
    return dg.Definitions(assets=[build_ingest_asset(f) for f in load_catalogue().families])
