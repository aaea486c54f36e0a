"""One asset per file family in the source catalogue, in one step per source: discover the
source's releases at its publisher, land every vintage, and load what changed into
``raw.<family>``. Adding a family to the catalogue adds an asset; a publisher adding a release
of a known family needs nothing.

A family is materialized only when what its raw table holds changed (its data version, a
digest of the loaded files' sha256s and parse versions, which cover the parser's and loader's
code) or its catalogue entry did (its code version): an unchanged family records nothing, so nothing downstream of it is
rebuilt (orchestration/lib/plan.py reads these versions). The step lands every family it was
asked for and reports every family that failed, then fails. It logs one line for what it landed
and loaded (none when nothing changed; every Dagster event costs a write), each family's files in
its materialization's metadata; warnings and errors are logged one by one.

Each source reports whether its next release is overdue (``release_on_time``, a warning check
on its first family: it never blocks the refresh; a source's families are published together,
so one verdict per source, not one per family) and each family writes its rows of the release
index (``meta.release_index``, ``meta.source_status``).
"""

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import date

import dagster as dg

from orchestration.lib import release_index
from orchestration.lib.catalogue import Family, Source, load_catalogue
from orchestration.lib.load import LoadResult, load_family
from orchestration.lib.releases import land_family
from orchestration.lib.warehouse import RefreshLockResource, WarehouseResource

FRESHNESS_CHECK = "release_on_time"


class IngestError(RuntimeError):
    pass


def code_version(source: Source, family: Family) -> str:
    """The family's catalogue entry (columns, releases, parse settings, discovery). A change to
    the parser or loader changes every loaded file's parse version (orchestration/lib/load.py),
    so it shows in the data version instead."""
    entry = json.dumps([asdict(family), asdict(source.discovery)], sort_keys=True, default=str)
    return hashlib.sha256(entry.encode()).hexdigest()[:16]


def data_version(con, family: Family) -> str:
    """What raw.<family> holds: each loaded file's release, name, sha256 and parse spec."""
    rows = con.execute(
        "select release, file, sha256, parse_spec from meta.source_files where family = ? order by release, file",
        [family.name],
    ).fetchall()
    return hashlib.sha256(json.dumps(rows).encode()).hexdigest()[:16]


def _landed_before(con, family: str) -> list[dict]:
    cursor = con.execute("select * from meta.release_index where family = ?", [family])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


@dataclass
class FamilyOutcome:
    """What one family's ingest did, for the step's summary line."""

    files: int
    first_landed: dict[str, int]  # release/file -> bytes, landed by this refresh
    new_releases: list[str]
    load: LoadResult
    recorded: bool = False  # a materialization was recorded


def ingest_family(
    context: dg.AssetExecutionContext,
    con,
    settings,
    source: Source,
    family: Family,
    last: dict[dg.AssetKey, dict],
    index: dict,
    outcomes: list[FamilyOutcome],
):
    """Land and load one family; yield its materialization if its raw table or its code changed
    since the last one (``last``: tags of the latest materialization). Its release-index rows
    and the source's freshness go into ``index``, which the step writes for all its families;
    what it did goes into ``outcomes``, which the step sums up in one log line."""
    key = dg.AssetKey(["raw", family.raw_table])
    before = _landed_before(con, family.name)
    landing = land_family(settings, source, family, landed_before=before, scope=context.run_id)
    if landing.error:
        context.log.warning(
            f"{source.name}: the publisher could not be asked, carrying on with the files already "
            f"landed (nothing new from it this time): {landing.error}"
        )
    for note in landing.notes:
        context.log.warning(note)
    landed_releases = {row["release"] for row in before}
    first_landed = {
        f"{landed.release}/{landed.file}": landed.bytes
        for plan, landed in landing.files
        if plan.is_new or plan.release.release not in landed_releases
    }
    # a mirror has no release calendar: freshness is judged on the publishers' own answers
    fresh = release_index.freshness(source, None if settings.mirror_dir else landing.discovery, date.today())
    rows = []
    checked_at = landing.discovery.checked_at if landing.discovery else release_index.now_iso()
    earlier = {row["release"]: row for row in before}
    for plan, landed in landing.files:
        found = plan.found
        prior = earlier.get(plan.release.release, {}) if found is None else {}  # kept as landed: as it was
        rows.append(
            {
                "source": source.name,
                "family": family.name,
                "release": plan.release.release,
                "file": plan.release.file,
                "is_new": plan.is_new,
                "located_by": release_index.located_by(
                    plan, landed, settings.mirror_dir is not None, landing.discovery
                ),
                "publication": found.publication if found else prior.get("publication"),
                "publisher_release": found.release if found else prior.get("publisher_release"),
                "release_title": found.release_title if found else prior.get("release_title"),
                "page": found.page if found else (prior.get("page") or plan.release.page),
                "published_at": found.published if found else prior.get("published_at"),
                "updated_at": found.updated if found else prior.get("updated_at"),
                "url": landed.url or (found.url if found else plan.release.url),
                "etag": landed.etag,
                "last_modified": landed.last_modified,
                "bytes": landed.bytes,
                "sha256": landed.sha256,
                "fetched_at": landed.fetched_at,
                "checked_at": checked_at,
                "note": landed.note,
            }
        )
    result = load_family(con, family, landing.landed, landing.releases)
    new = [p.release.release for p, _ in landing.files if p.is_new]
    outcome = FamilyOutcome(files=len(landing.files), first_landed=first_landed, new_releases=new, load=result)
    outcomes.append(outcome)
    index["families"][family.name] = rows
    index["source"] = (landing.discovery, checked_at, landing.error, fresh)
    version = data_version(con, family)
    previous = last.get(key, {})
    code = code_version(source, family)
    # only the ingest job records just what changed (the build after it is planned); any other run
    # (csc refresh --full, "Materialize all" in the UI) rebuilds what is downstream, so every table is recorded
    full = context.job_def.name != "ingest"
    if not full and previous.get("dagster/data_version") == version and previous.get("dagster/code_version") == code:
        return  # unchanged: nothing recorded, nothing downstream rebuilt
    outcome.recorded = True
    yield dg.MaterializeResult(
        asset_key=key,
        data_version=dg.DataVersion(version),
        metadata={
            "dagster/row_count": result.row_count,
            "loaded": dg.MetadataValue.json(result.loaded),
            "unchanged": dg.MetadataValue.json(result.unchanged),
            "removed": dg.MetadataValue.json(result.removed),
            "new_releases": dg.MetadataValue.json(new),
            "publisher_unreachable": landing.error or "",
            "sha256": dg.MetadataValue.json({f"{f.release}/{f.file}": f.sha256 for f in landing.landed}),
            "first_landed": dg.MetadataValue.json(first_landed),  # landed by this refresh: file -> bytes
        },
    )


def step_summary(source: Source, outcomes: list["FamilyOutcome"]) -> str | None:
    """The step's one log line: what it landed and loaded over all its families (each family's
    detail is in its materialization's metadata). None when nothing was landed, loaded or recorded."""
    if not any(o.recorded or o.first_landed or o.load.loaded or o.load.removed for o in outcomes):
        return None
    first = sum(len(o.first_landed) for o in outcomes)
    megabytes = sum(sum(o.first_landed.values()) for o in outcomes) / 1e6
    new = sum(len(o.new_releases) for o in outcomes)
    recorded = [o for o in outcomes if o.recorded]
    line = f"{source.name}: {_count(len(outcomes), 'family', 'families')}, {_count(sum(o.files for o in outcomes), 'file')}"
    if first:
        line += f", {first} landed for the first time ({megabytes:.1f} MB" + (
            f"; {_count(new, 'new release')})" if new else ")"
        )
    line += (
        f"; loaded {_count(sum(len(o.load.loaded) for o in outcomes), 'file')}, removed "
        f"{sum(len(o.load.removed) for o in outcomes)}; {_count(len(recorded), 'raw table')} recorded "
        f"({sum(o.load.row_count for o in recorded)} rows), {len(outcomes) - len(recorded)} unchanged"
    )
    return line


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"


def freshness_check_key(source: Source) -> dg.AssetCheckKey:
    """The source's ``release_on_time`` check, on its first family."""
    return dg.AssetCheckKey(dg.AssetKey(["raw", source.families[0].raw_table]), FRESHNESS_CHECK)


def build_source_assets(source: Source) -> dg.AssetsDefinition:
    keys = {family.name: dg.AssetKey(["raw", family.raw_table]) for family in source.families}
    specs = [
        dg.AssetSpec(
            key=keys[family.name],
            group_name="ingest",
            kinds={"duckdb", "python"},
            description=family.description,
            code_version=code_version(source, family),
            skippable=True,  # unchanged: no materialization, nothing downstream rebuilt
            metadata={
                "source": family.source,
                "format": family.format,
                "discovered_via": source.discovery.via,
                "releases": dg.MetadataValue.json([r.release for r in family.releases]),
            },
        )
        for family in source.families
    ]
    freshness = freshness_check_key(source)
    checks = [
        dg.AssetCheckSpec(
            FRESHNESS_CHECK,
            asset=freshness.asset_key,
            description=f"{source.publication}: the next release is not overdue (the publisher's own next release "
            "date, or the catalogue's usual month). One verdict for the source's "
            f"{len(source.families)} families, which are published together. A warning: a late "
            "publisher never blocks a refresh.",
        )
    ]

    @dg.multi_asset(
        name=f"ingest__{source.name}",
        specs=specs,
        check_specs=checks,
        can_subset=True,
        description=f"{source.publisher}: {source.publication}",
    )
    def _ingest(context: dg.AssetExecutionContext, warehouse: WarehouseResource, refresh_lock: RefreshLockResource):
        selected = [f for f in source.families if keys[f.name] in context.selected_asset_keys]
        records = context.instance.get_asset_records([keys[f.name] for f in selected])
        last = {
            r.asset_entry.asset_key: r.asset_entry.last_materialization_record.asset_materialization.tags or {}
            for r in records
            if r.asset_entry.last_materialization_record is not None
        }
        failed = []
        settings = warehouse.settings()
        index: dict = {"families": {}, "source": None}
        outcomes: list[FamilyOutcome] = []
        with warehouse.connect() as con:  # one connection for the step: opening the file costs ~20 ms
            con.execute(release_index.DDL)
            for family in selected:  # every family is tried: one bad file does not hide another
                try:
                    yield from ingest_family(context, con, settings, source, family, last, index, outcomes)
                except Exception as exc:  # reported below, with every other family that failed
                    context.log.error(f"raw.{family.raw_table}: {exc}")
                    failed.append(f"raw.{family.raw_table}: {exc}")
            if index["source"] is not None:
                release_index.write(con, source, index["families"], *index["source"])
        summary = step_summary(source, outcomes)
        if summary:
            context.log.info(summary)
        if index["source"] is not None and freshness in context.selected_asset_check_keys:
            fresh = index["source"][3]
            yield dg.AssetCheckResult(
                asset_key=freshness.asset_key,
                check_name=FRESHNESS_CHECK,
                passed=fresh.overdue is not True,
                severity=dg.AssetCheckSeverity.WARN,
                description=fresh.text,
                metadata={"next_release_due": fresh.due or "", "evaluated": fresh.overdue is not None},
            )
        if failed:
            raise IngestError("; ".join(failed))

    return _ingest


@dg.definitions
def ingest_assets() -> dg.Definitions:
    return dg.Definitions(assets=[build_source_assets(s) for s in load_catalogue().sources])
