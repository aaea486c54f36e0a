"""The publication: after every gate has passed, swap in a new read-only snapshot for BI tools."""

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource

from orchestration.lib.dbt import load_manifest, mart_asset_keys
from orchestration.lib.open_data import keys_from_manifest
from orchestration.lib.plan import REBUILD_WHEN, check_problem, latest_evaluations
from orchestration.lib.publish import CheckRecord, PublishError, RefreshRecord, publish
from orchestration.lib.warehouse import RefreshLockResource, WarehouseResource
from orchestration.settings import get_settings

METRICS_TEMPLATE = "metrics.html.j2"
LIB = Path(__file__).parents[2] / "lib"
TEMPLATES = Path(__file__).parents[2] / "templates"


def files_digest(*paths: Path) -> str:
    """A code version: the digest of the files that write an asset."""
    return hashlib.sha256(b"".join(p.read_bytes() for p in paths)).hexdigest()[:16]


def upstream_checks(context: dg.AssetExecutionContext) -> tuple[list[str], list[CheckRecord]]:
    """Every check on the publication's upstream, by its latest evaluation: the blocking ones
    that do not vouch for the data now in the work database (failed, never evaluated, or passed
    on an earlier materialization), cause first; and the record of each latest evaluation.

    A refresh builds only what changed (orchestration/lib/plan.py), so the checks that vouch for
    a publication ran in this run or in earlier ones; and a run that publishes on its own
    (materialising only the publication, from the UI) must not put out what a gate refused."""
    # the whole graph: a run of a subset (the publication alone) sees only its own assets and no checks
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    upstream = graph.get_ancestor_asset_keys(context.asset_key)
    keys = sorted(
        (k for k in graph.asset_check_keys if k.asset_key in upstream),
        key=lambda k: (k.asset_key.to_user_string(), k.name),
    )
    # two batched reads of the event log, not two queries per check (3.1 s -> 0.1 s for 470 checks)
    evaluations = latest_evaluations(context.instance, keys, current_run=context.run_id)
    latest = {
        r.asset_entry.asset_key: r.asset_entry.last_materialization_record
        for r in context.instance.get_asset_records(list(upstream))
    }
    failed, unevaluated, stale, records = [], [], [], []
    for check_key in keys:
        record, evaluation = evaluations[check_key]
        if evaluation is not None:
            records.append(
                CheckRecord(
                    asset_key=check_key.asset_key.to_user_string(),
                    check_name=check_key.name,
                    passed=evaluation.passed,
                    severity=evaluation.severity.value if evaluation.severity else None,
                    description=evaluation.description,
                    refresh_id=record.run_id,
                )
            )
        if not graph.get_check_spec(check_key).blocking:
            continue
        problem = check_problem(graph, check_key, record, evaluation, latest)
        if problem:
            name = f"{check_key.asset_key.to_user_string()}:{check_key.name} {problem}"
            (unevaluated if evaluation is None else failed if not evaluation.passed else stale).append(name)
    return failed + stale + unevaluated, records  # the cause first


@dg.definitions
def publish_assets() -> dg.Definitions:
    @dg.asset(
        key=["published", "csc_duckdb"],
        group_name="publish",
        kinds={"duckdb"},
        deps=mart_asset_keys(),
        # what writes the snapshot and its export: a change to it publishes again, even when no mart changed
        code_version=files_digest(Path(__file__), LIB / "publish.py", LIB / "open_data.py", LIB / "datapackage.py"),
        description="warehouse/csc.duckdb: the read-only snapshot BI tools open (marts and meta); and "
        "warehouse/open-data/: every mart as Parquet and CSV with a Frictionless datapackage.json, "
        "swapped in with it.",
    )
    def published_warehouse(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource, refresh_lock: RefreshLockResource
    ) -> dg.MaterializeResult:
        refused, checks = upstream_checks(context)
        if refused:
            raise PublishError(
                f"not publishing: {len(refused)} blocking check(s) on what the publication is built from "
                "have not passed for the data now in the work database: "
                + "; ".join(refused[:10])
                + ("" if len(refused) <= 10 else f"; and {len(refused) - 10} more")
            )
        run = context.instance.get_run_record_by_id(context.run_id)
        started_at = datetime.fromtimestamp(run.start_time, UTC) if run.start_time else run.create_timestamp
        refresh = RefreshRecord(refresh_id=context.run_id, started_at=started_at, checks=checks)
        result = publish(warehouse.settings(), refresh, keys=keys_from_manifest(load_manifest()))
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
                "checks": len(refresh.checks),
                "open_data": dg.MetadataValue.path(str(export.path)),
                "open_data_bytes": export.bytes,
                "open_data_tables_rewritten": len(export.tables) - len(export.reused),
                "open_data_seconds": round(export.seconds, 2),
            }
        )

    @dg.asset(
        key=["published", "la_profiles"],
        group_name="publish",
        kinds={"html"},
        deps=[published_warehouse.key],
        # the pages' code and templates: a change to them writes the pages again (not the metric catalogue's)
        code_version=files_digest(
            LIB / "la_pages.py", *sorted(t for t in TEMPLATES.glob("*.j2") if t.name != METRICS_TEMPLATE)
        ),
        description="warehouse/reports/: a static HTML profile of every LA (trends against neighbours, region and "
        "England; spine chart; observed against expected given deprivation; Ofsted and delivery model "
        "timeline) and an index, from the published snapshot; they open offline (csc report).",
    )
    def la_profiles(warehouse: WarehouseResource) -> dg.MaterializeResult:
        from orchestration.lib.la_pages import write_reports

        result = write_reports(warehouse.settings())
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
        # the dbt project (models, YAML, sources, exposures, macros, tests, seeds) and the code that writes
        # the page; the page shows the project and its relations' columns, not their rows, so a build that
        # only publishes new data does not write it again (plan.py), and one whose dbt project changed
        # writes it after the publication (deps)
        code_version=docs_site_code_version(),
        metadata={REBUILD_WHEN: "code_changes"},
        description="warehouse/docs/index.html: the dbt documentation site in one self-contained page (dbt docs "
        "generate --static): every source with its publisher's pages, model, column, test, exposure and "
        "lineage edge; opens offline (csc docs). Written again when the dbt project changes.",
    )
    def docs_site(
        warehouse: WarehouseResource, dbt: DbtCliResource, refresh_lock: RefreshLockResource
    ) -> dg.MaterializeResult:
        # dbt reads the catalog (columns and types) from the work database: the refresh lock is held
        from orchestration.lib.docs_site import generate_docs_site

        result = generate_docs_site(warehouse.settings(), dbt)
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
        code_version=files_digest(
            LIB / "metric_page.py", LIB / "la_pages.py", TEMPLATES / METRICS_TEMPLATE, TEMPLATES / "_base.html.j2"
        ),
        description="warehouse/docs/metrics.html: every indicator of dim_indicator with its label, unit, polarity, "
        "period type, source, formula, first and last period and the release of its latest figures, from "
        "the published snapshot (linked from the docs site).",
    )
    def metric_catalogue(warehouse: WarehouseResource) -> dg.MaterializeResult:
        from orchestration.lib.metric_page import write_metric_page

        result = write_metric_page(warehouse.settings())
        return dg.MaterializeResult(
            metadata={
                "path": dg.MetadataValue.path(str(result.path)),
                "indicators": result.indicators,
                "bytes": result.bytes,
                "seconds": round(result.seconds, 2),
            }
        )

    return dg.Definitions(assets=[published_warehouse, la_profiles, docs_site, metric_catalogue])


def docs_site_code_version() -> str:
    from orchestration.lib.docs_site import code_version

    return code_version(get_settings().dbt_project_dir)
