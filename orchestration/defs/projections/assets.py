"""Projections (orchestration/lib/projections/): every method backtested on what had been
published at each origin, the chosen one projected one to three years ahead, all reconciled
from LAs to regions and England; four marts, rebuilt when a vintage they read changes."""

from importlib.metadata import version

import dagster as dg

from orchestration.lib.core import versions
from orchestration.lib.core.warehouse import RefreshLockResource, WarehouseResource
from orchestration.lib.ingest.catalogue import load_catalogue
from orchestration.lib.ingest.step import status_key
from orchestration.lib.projections import step, tables

# the sources whose release days (meta.release_index) place each vintage in time
DATED_SOURCES = ("cla", "cin", "expenditure", "population")


@dg.definitions
def projection_assets() -> dg.Definitions:
    sources = [s for s in load_catalogue().sources if s.name in DATED_SOURCES]

    @dg.multi_asset(
        name="projections",
        specs=[
            dg.AssetSpec(
                key=step.KEYS[t.name],
                group_name="projections",
                kinds={"duckdb", "python"},
                deps=[*step.UPSTREAM, *(status_key(s) for s in sources)],
                # the forecasting libraries' versions decide the forecasts as much as the code does
                code_version=versions.code_version(
                    step, extra=[f"{p} {version(p)}" for p in ("statsforecast", "utilsforecast")]
                ),
                description=t.description,
            )
            for t in tables.TABLES
        ],
    )
    def projections(context: dg.AssetExecutionContext, warehouse: WarehouseResource, refresh_lock: RefreshLockResource):
        with warehouse.connect() as con:
            summary = step.project(con)
        context.log.info(
            f"projections from origin {summary.projection_origin}: "
            + "; ".join(f"{name} {rows} rows" for name, (rows, _) in summary.written.items())
            + f"; {summary.seconds['total']:.1f} s"
        )
        for name, (rows, digest) in summary.written.items():
            metadata = {"rows": rows}
            if name == tables.PROJECTION.name:
                metadata |= {"origin": summary.projection_origin, "chosen": dg.MetadataValue.json(summary.chosen)}
            if name == tables.ACCURACY.name:
                metadata |= {
                    "held_out_chosen": dg.MetadataValue.json(summary.held_out),
                    "seconds": dg.MetadataValue.json({k: round(v, 2) for k, v in summary.seconds.items()}),
                }
            yield dg.MaterializeResult(
                asset_key=step.KEYS[name], data_version=dg.DataVersion(digest), metadata=metadata
            )

    return dg.Definitions(assets=[projections])
