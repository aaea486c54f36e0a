"""The publication: after every gate has passed, swap in a new read-only snapshot for BI tools
and its open-data export; then the LA pages, the docs site and the metric catalogue.

Each asset's code version is what its library module imports (orchestration/lib/core/versions.py)
and the files it reads: a change to any of them writes it again, even when no mart changed.
"""

import dagster as dg
from dagster_dbt import DbtCliResource

from orchestration.lib.core import versions
from orchestration.lib.core.warehouse import RefreshLockResource, WarehouseResource
from orchestration.lib.dbt.translator import mart_asset_keys
from orchestration.lib.ingest.catalogue import load_catalogue
from orchestration.lib.ingest.step import status_key
from orchestration.lib.projections.step import KEYS as PROJECTION_KEYS
from orchestration.lib.publish import docs_site, la_profiles, metric_catalogue
from orchestration.lib.publish.pages import template_files
from orchestration.lib.refresh import publication, publication_gate
from orchestration.lib.refresh.build_plan import REBUILD_WHEN
from orchestration.settings import get_settings


@dg.definitions
def publish_assets() -> dg.Definitions:
    @dg.asset(
        key=publication.PUBLICATION,
        group_name="publish",
        kinds={"duckdb"},
        # the marts, and what each publisher answered (meta.source_status is published with them)
        deps=[*mart_asset_keys(), *PROJECTION_KEYS.values(), *(status_key(s) for s in load_catalogue().sources)],
        code_version=versions.code_version(publication),
        description="warehouse/csc.duckdb: the read-only snapshot BI tools open (marts and meta); and "
        "warehouse/open-data/: every mart as Parquet and CSV with a Frictionless datapackage.json, "
        "swapped in with it.",
    )
    def published_warehouse(
        context: dg.AssetExecutionContext,
        warehouse: WarehouseResource,
        refresh_lock: RefreshLockResource,
        code_location: dg.ResourceParam[publication_gate.CodeLocation],
    ) -> dg.MaterializeResult:
        result, checks = publication.publish_run(
            warehouse.settings(), context.instance, code_location.asset_graph(), context.run_id
        )
        export = result.export
        context.log.info(
            f"published {result.path} ({result.bytes} bytes, {len(result.tables)} tables); open data "
            f"{export.path} ({export.bytes} bytes, {len(export.reused)} of {len(export.tables)} tables "
            f"unchanged, {export.seconds:.1f} s)"
        )
        return dg.MaterializeResult(
            metadata={
                "path": dg.MetadataValue.path(str(result.path)),
                "bytes": result.bytes,
                "tables": dg.MetadataValue.json(result.tables),
                "source_files": result.source_files,
                "checks": checks,
                "open_data": dg.MetadataValue.path(str(export.path)),
                "open_data_bytes": export.bytes,
                "open_data_tables_rewritten": len(export.tables) - len(export.reused),
                "open_data_seconds": round(export.seconds, 2),
            }
        )

    @dg.asset(
        key=publication.LA_PAGES,
        group_name="publish",
        kinds={"html"},
        deps=[published_warehouse.key],
        code_version=versions.code_version(la_profiles, files=template_files(*la_profiles.TEMPLATES)),
        description="warehouse/reports/: a static HTML profile of every LA (trends against neighbours, region and "
        "England; spine chart; observed against expected given deprivation; Ofsted and delivery model "
        "timeline) and an index, from the published snapshot; they open offline (csc report).",
    )
    def la_pages(warehouse: WarehouseResource) -> dg.MaterializeResult:
        result = la_profiles.write_reports(warehouse.settings())
        return dg.MaterializeResult(
            metadata={
                "index": dg.MetadataValue.path(str(result.index)),
                "pages": result.pages,
                "bytes": result.bytes,
                "seconds": round(result.seconds, 1),
                "deprivation_funnels": result.has_variation,
            }
        )

    @dg.asset(
        key=["published", "docs_site"],
        group_name="publish",
        kinds={"dbt", "html"},
        deps=[published_warehouse.key],
        # the page shows the dbt project and its relations' columns, not their rows: a build that only
        # publishes new data does not write it again (build_plan.REBUILD_WHEN), and one whose dbt
        # project changed writes it after the publication (deps)
        code_version=docs_site.code_version(get_settings().dbt_project_dir),
        metadata={REBUILD_WHEN: "code_changes"},
        description="warehouse/docs/index.html: the dbt documentation site in one self-contained page (dbt docs "
        "generate --static): every source with its publisher's pages, model, column, test, exposure and "
        "lineage edge; opens offline (csc docs). Written again when the dbt project changes.",
    )
    def dbt_docs_site(
        warehouse: WarehouseResource, dbt: DbtCliResource, refresh_lock: RefreshLockResource
    ) -> dg.MaterializeResult:
        # dbt reads the catalog (columns and types) from the work database: the refresh lock is held
        result = docs_site.generate_docs_site(warehouse.settings(), dbt)
        return dg.MaterializeResult(
            metadata={
                "path": dg.MetadataValue.path(str(result.path)),
                "bytes": result.bytes,
                "seconds": round(result.seconds, 1),
                # dbt compiled the project again (and why), or the page inlines the build's manifest
                "compiled": result.compiled or "no: the last build compiled every node of the project as it is now",
            }
        )

    @dg.asset(
        key=["published", "metric_catalogue"],
        group_name="publish",
        kinds={"html"},
        deps=[published_warehouse.key],
        code_version=versions.code_version(metric_catalogue, files=template_files(metric_catalogue.TEMPLATE)),
        description="warehouse/docs/metrics.html: every indicator of dim_indicator with its label, unit, polarity, "
        "period type, source, formula, first and last period and the release of its latest figures, from "
        "the published snapshot (linked from the docs site).",
    )
    def metric_page(warehouse: WarehouseResource) -> dg.MaterializeResult:
        result = metric_catalogue.write_metric_page(warehouse.settings())
        return dg.MaterializeResult(
            metadata={
                "path": dg.MetadataValue.path(str(result.path)),
                "indicators": result.indicators,
                "bytes": result.bytes,
                "seconds": round(result.seconds, 2),
            }
        )

    return dg.Definitions(assets=[published_warehouse, la_pages, dbt_docs_site, metric_page])
