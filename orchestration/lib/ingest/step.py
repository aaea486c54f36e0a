"""One source's ingest step: discover its releases at the publisher, land every vintage, load
what changed into ``raw.<family>``, index what was found, and say how the publisher answered.

A family is materialized only when what its raw table holds changed (its data version, a
digest of the loaded files' sha256s and parse versions, which cover the parser's and loader's
code) or its code did (its code version: its catalogue entry and the ingest code): an unchanged
family records nothing, so nothing downstream of it is rebuilt (orchestration/lib/refresh/
build_plan.py reads these versions). Likewise the source's row of ``meta.source_status`` is an
asset, ``meta/source_status/<source>``, materialized when what the publisher answered changed
(reachable or not, latest release, next release due, overdue): the publication depends on it,
so a publisher going down or coming back republishes what ``meta.source_status`` says.

The step lands every family it was asked for and reports every family that failed, then fails.
It logs one line for what it landed and loaded (none when nothing changed; every Dagster event
costs a write), each family's files in its materialization's metadata; warnings and errors are
logged one by one. The source's ``release_on_time`` check (a warning on its first family, one
verdict per source: its families are published together) says whether its next release is
overdue.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import date
from functools import cache

import dagster as dg

from orchestration.lib.core import versions
from orchestration.lib.core.files import json_digest, short_digest
from orchestration.lib.ingest import meta_tables, release_index
from orchestration.lib.ingest.catalogue import Family, Source
from orchestration.lib.ingest.discovery.found import now_iso
from orchestration.lib.ingest.load import LoadResult, load_family
from orchestration.lib.ingest.releases import land_family

FRESHNESS_CHECK = "release_on_time"
# what a publisher's answer is, for whether it changed: not when or where it was asked (a mirror
# or an address moved is not a new answer), nor how many requests it took
STATUS_FIELDS = ("source", "reachable", "latest_published_at", "next_release_due", "overdue")


class IngestError(RuntimeError):
    pass


def raw_key(family: Family) -> dg.AssetKey:
    return dg.AssetKey(["raw", family.raw_table])


def status_key(source: Source) -> dg.AssetKey:
    """The source's row of meta.source_status, as an asset the publication depends on."""
    return dg.AssetKey(["meta", "source_status", source.name])


def freshness_check_key(source: Source) -> dg.AssetCheckKey:
    """The source's ``release_on_time`` check, on its first family."""
    return dg.AssetCheckKey(raw_key(source.families[0]), FRESHNESS_CHECK)


@cache
def ingest_code_version() -> str:
    """The code that ingests a family: this step and everything it imports (discovery, fetch,
    parse, load)."""
    return versions.code_version(__name__)


def code_version(source: Source, family: Family) -> str:
    """The family's catalogue entry (columns, releases, parse settings, discovery) and the ingest
    code. A change to the parser or loader also changes every loaded file's parse version
    (orchestration/lib/ingest/load.py), so it shows in the data version too."""
    entry = json.dumps([asdict(family), asdict(source.discovery)], sort_keys=True, default=str)
    return short_digest(entry, ingest_code_version())


def data_version(con, family: Family) -> str:
    """What raw.<family> holds: each loaded file's release, name, sha256 and parse spec."""
    rows = con.execute(
        "select release, file, sha256, parse_spec from meta.source_files where family = ? order by release, file",
        [family.name],
    ).fetchall()
    return json_digest(rows)


def asset_specs(source: Source) -> list[dg.AssetSpec]:
    """The source's raw tables and its status row, each recorded only when it changed."""
    specs = [
        dg.AssetSpec(
            key=raw_key(family),
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
    specs.append(
        dg.AssetSpec(
            key=status_key(source),
            group_name="ingest",
            kinds={"duckdb"},
            description=f"How {source.publisher} answered the latest refresh ({source.publication}): the source's row "
            "of meta.source_status (interface asked, reachable, latest release, next release due, overdue).",
            skippable=True,
        )
    )
    return specs


def freshness_check_spec(source: Source) -> dg.AssetCheckSpec:
    key = freshness_check_key(source)
    return dg.AssetCheckSpec(
        FRESHNESS_CHECK,
        asset=key.asset_key,
        description=f"{source.publication}: the next release is not overdue (the publisher's own next release "
        "date, or the catalogue's usual month). One verdict for the source's "
        f"{len(source.families)} families, which are published together. A warning: a late "
        "publisher never blocks a refresh.",
    )


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


def _index_rows(source, family, landing, before, settings) -> tuple[list[dict], str]:
    checked_at = landing.discovery.checked_at if landing.discovery else now_iso()
    earlier = {row["release"]: row for row in before}
    rows = []
    for item, landed in landing.files:
        found = item.found
        prior = earlier.get(item.release.release, {}) if found is None else {}  # kept as landed: as it was
        dated = release_index.publication(item.release, found, prior)
        rows.append(
            {
                "source": source.name,
                "family": family.name,
                "release": item.release.release,
                "file": item.release.file,
                "is_new": item.is_new,
                "located_by": release_index.located_by(
                    item, landed, settings.mirror_dir is not None, landing.discovery
                ),
                "publication": found.publication if found else prior.get("publication"),
                "publisher_release": found.release if found else prior.get("publisher_release"),
                "release_title": found.release_title if found else prior.get("release_title"),
                "page": found.page if found else (prior.get("page") or item.release.page),
                "published_at": dated.published_at,
                "published_from": dated.published_from,
                "updated_at": found.updated if found else prior.get("updated_at"),
                "url": landed.url or (found.url if found else item.release.url),
                "etag": landed.etag,
                "last_modified": landed.last_modified,
                "bytes": landed.bytes,
                "sha256": landed.sha256,
                "fetched_at": landed.fetched_at,
                "checked_at": checked_at,
                "note": "; ".join(filter(None, [landed.note, dated.note])) or None,
            }
        )
    return rows, checked_at


def ingest_family(
    context: dg.AssetExecutionContext,
    con,
    settings,
    source: Source,
    family: Family,
    last: dict[dg.AssetKey, dict],
    index: dict,
    outcomes: list[FamilyOutcome],
) -> Iterator[dg.MaterializeResult]:
    """Land and load one family; yield its materialization if its raw table or its code changed
    since the last one (``last``: tags of the latest materialization). Its release-index rows
    and the source's freshness go into ``index``, which the step writes for all its families;
    what it did goes into ``outcomes``, which the step sums up in one log line."""
    key = raw_key(family)
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
        for item, landed in landing.files
        if item.is_new or item.release.release not in landed_releases
    }
    # a mirror has no release calendar: freshness is judged on the publishers' own answers
    fresh = release_index.freshness(source, None if settings.mirror_dir else landing.discovery, date.today())
    rows, checked_at = _index_rows(source, family, landing, before, settings)
    result = load_family(con, family, landing.landed, landing.releases)
    new = [p.release.release for p, _ in landing.files if p.is_new]
    outcome = FamilyOutcome(files=len(landing.files), first_landed=first_landed, new_releases=new, load=result)
    outcomes.append(outcome)
    index["families"][family.name] = rows
    index["source"] = (landing.discovery, checked_at, landing.error, fresh)
    version = data_version(con, family)
    previous = last.get(key, {})
    code = code_version(source, family)
    if unchanged(context, previous, version, code):
        return  # nothing recorded, nothing downstream rebuilt
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


def unchanged(context, previous: dict, data: str, code: str | None) -> bool:
    """Whether an asset with these versions need not be recorded: only the ingest job records just
    what changed (the build after it is wanted); any other run (csc refresh --full, "Materialize
    all" in the UI) rebuilds what is downstream, so everything is recorded."""
    if context.job_def.name != "ingest":
        return False
    same_code = code is None or previous.get("dagster/code_version") == code
    return previous.get("dagster/data_version") == data and same_code


def step_summary(source: Source, outcomes: list[FamilyOutcome]) -> str | None:
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


def _last_tags(context, keys: list[dg.AssetKey]) -> dict[dg.AssetKey, dict]:
    records = context.instance.get_asset_records(keys)
    return {
        r.asset_entry.asset_key: r.asset_entry.last_materialization_record.asset_materialization.tags or {}
        for r in records
        if r.asset_entry.last_materialization_record is not None
    }


def ingest_source(context: dg.AssetExecutionContext, warehouse, source: Source) -> Iterator:
    """The step: every selected family of ``source`` landed and loaded (each tried: one bad file
    does not hide another), the release index and the source's status written, the freshness
    check evaluated; then the step fails naming every family that failed."""
    selected = [f for f in source.families if raw_key(f) in context.selected_asset_keys]
    last = _last_tags(context, [raw_key(f) for f in selected] + [status_key(source)])
    failed = []
    settings = warehouse.settings()
    index: dict = {"families": {}, "source": None}
    outcomes: list[FamilyOutcome] = []
    status = None
    with warehouse.connect() as con:  # one connection for the step: opening the file costs time
        con.execute(meta_tables.DDL)
        for family in selected:
            try:
                yield from ingest_family(context, con, settings, source, family, last, index, outcomes)
            except Exception as exc:  # reported below, with every other family that failed
                context.log.error(f"raw.{family.raw_table}: {exc}")
                failed.append(f"raw.{family.raw_table}: {exc}")
        if index["source"] is not None:
            status = release_index.write(con, source, index["families"], *index["source"])
    summary = step_summary(source, outcomes)
    if summary:
        context.log.info(summary)
    if status is not None and status_key(source) in context.selected_asset_keys:
        answered = {k: status[k] for k in STATUS_FIELDS}
        answered["interface"] = release_index.interface_address(status["interface"])[0]
        version = json_digest(answered)
        if not unchanged(context, last.get(status_key(source), {}), version, None):
            yield dg.MaterializeResult(
                asset_key=status_key(source),
                data_version=dg.DataVersion(version),
                metadata={k: dg.MetadataValue.text(str(v)) for k, v in status.items()},
            )
    freshness = freshness_check_key(source)
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
