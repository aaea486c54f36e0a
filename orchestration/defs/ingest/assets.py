"""One asset per file family in the source catalogue: discover the family's releases at its
publisher, land every vintage, and load what changed into ``raw.<family>``. Adding a family to
the catalogue adds an asset; a publisher adding a release of a known family needs nothing.

Each asset also reports whether its source's next release is overdue (``release_on_time``, a
warning check: it never blocks the refresh) and writes its rows of the release index
(``meta.release_index``, ``meta.source_status``).
"""

from datetime import date

import dagster as dg

from orchestration.lib import release_index
from orchestration.lib.catalogue import Family, Source, load_catalogue
from orchestration.lib.load import load_family
from orchestration.lib.releases import land_family
from orchestration.lib.warehouse import WarehouseResource

FRESHNESS_CHECK = "release_on_time"


def _landed_before(warehouse: WarehouseResource, family: str) -> list[dict]:
    with warehouse.connect() as con:
        con.execute(release_index.DDL)
        cursor = con.execute("select * from meta.release_index where family = ?", [family])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]


def build_ingest_asset(source: Source, family: Family) -> dg.AssetsDefinition:
    key = dg.AssetKey(["raw", family.raw_table])

    @dg.asset(
        key=key,
        group_name="ingest",
        kinds={"duckdb", "python"},
        description=family.description,
        metadata={
            "source": family.source,
            "format": family.format,
            "discovered_via": source.discovery.via,
            "releases": dg.MetadataValue.json([r.release for r in family.releases]),
        },
        check_specs=[dg.AssetCheckSpec(
            FRESHNESS_CHECK, asset=key,
            description="The source's next release is not overdue (the publisher's own next release date, or the "
                        "catalogue's usual month). A warning: a late publisher never blocks a refresh.",
        )],
    )
    def _ingest(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
        settings = warehouse.settings()
        before = _landed_before(warehouse, family.name)
        landing = land_family(settings, source, family, landed_before=before, scope=context.run_id)
        if landing.error:
            context.log.warning(f"{source.name}: the publisher could not be asked, carrying on with the files already "
                                f"landed (nothing new from it this time): {landing.error}")
        for note in landing.notes:
            context.log.warning(note)
        for plan, landed in landing.files:
            context.log.info(f"landed {plan.release.relative_path} ({landed.bytes} bytes, sha256 {landed.sha256[:12]})"
                             + (" [new release]" if plan.is_new else ""))
        # a mirror has no release calendar: freshness is judged on the publishers' own answers
        fresh = release_index.freshness(source, None if settings.mirror_dir else landing.discovery, date.today())
        rows = []
        checked_at = landing.discovery.checked_at if landing.discovery else release_index.now_iso()
        earlier = {row["release"]: row for row in before}
        for plan, landed in landing.files:
            found = plan.found
            prior = earlier.get(plan.release.release, {}) if found is None else {}  # kept as landed: as it was
            rows.append({
                "source": source.name, "family": family.name, "release": plan.release.release,
                "file": plan.release.file, "is_new": plan.is_new,
                "located_by": release_index.located_by(plan, landed, settings.mirror_dir is not None, landing.discovery),
                "publication": found.publication if found else prior.get("publication"),
                "publisher_release": found.release if found else prior.get("publisher_release"),
                "release_title": found.release_title if found else prior.get("release_title"),
                "page": found.page if found else (prior.get("page") or plan.release.page),
                "published_at": found.published if found else prior.get("published_at"),
                "updated_at": found.updated if found else prior.get("updated_at"),
                "url": landed.url or (found.url if found else plan.release.url),
                "etag": landed.etag, "last_modified": landed.last_modified, "bytes": landed.bytes,
                "sha256": landed.sha256, "fetched_at": landed.fetched_at, "checked_at": checked_at,
                "note": landed.note,
            })
        with warehouse.connect() as con:
            result = load_family(con, family, landing.landed, landing.releases)
            release_index.write(con, source, family.name, rows, landing.discovery, checked_at, landing.error, fresh)
        context.log.info(
            f"raw.{family.raw_table}: loaded {len(result.loaded)}, unchanged {len(result.unchanged)}, "
            f"removed {len(result.removed)}; {result.row_count} rows"
        )
        new = [p.release.release for p, _ in landing.files if p.is_new]
        return dg.MaterializeResult(
            metadata={
                "dagster/row_count": result.row_count,
                "loaded": dg.MetadataValue.json(result.loaded),
                "unchanged": dg.MetadataValue.json(result.unchanged),
                "removed": dg.MetadataValue.json(result.removed),
                "new_releases": dg.MetadataValue.json(new),
                "publisher_unreachable": landing.error or "",
                "sha256": dg.MetadataValue.json({f"{f.release}/{f.file}": f.sha256 for f in landing.landed}),
            },
            check_results=[dg.AssetCheckResult(
                check_name=FRESHNESS_CHECK,
                passed=fresh.overdue is not True,
                severity=dg.AssetCheckSeverity.WARN,
                description=fresh.text,
                metadata={"next_release_due": fresh.due or "", "evaluated": fresh.overdue is not None},
            )],
        )

    return _ingest


@dg.definitions
def ingest_assets() -> dg.Definitions:
    catalogue = load_catalogue()
    return dg.Definitions(assets=[build_ingest_asset(s, f) for s in catalogue.sources for f in s.families])
