"""The release index: what discovery found for every family, and how each publisher answered.

``meta.release_index``: one row per (family, release, file): where the publisher lists it,
its publication date, address, validators, size and sha256 once landed, and when it was last
checked. Its publication date (``published_at``) is the publisher's where discovery found one,
else the catalogue's (``published_from`` says which), so a refresh from a mirror dates every
catalogued release too; where the two disagree the publisher's stands and the row's ``note``
says so, for a maintainer to correct the catalogue. ``meta.source_status``: one row per
source: which interface was asked, whether it answered, when the next release is due and
whether it is overdue. Both are published with the marts (``csc status`` prints them). Release
order in the index comes from publication dates.
"""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import duckdb
import pyarrow as pa

from orchestration.lib.ingest.catalogue import Release, Source
from orchestration.lib.ingest.discovery.found import Found, SourceDiscovery
from orchestration.lib.ingest.meta_tables import DDL
from orchestration.lib.ingest.provenance import LandedFile
from orchestration.lib.ingest.releases import LocatedFile

COMMENTS = {
    "release_index": "What discovery found for every family: publisher release, publication date, address, "
    "ETag / Last-Modified, size, sha256 once landed, when last checked; is_new marks a release "
    "the catalogue did not list; published_from says whether published_at is the publisher's date "
    "or the catalogue's.",
    "source_status": "Per source: the interface asked, whether it answered, the next release due and whether it "
    "is overdue.",
}


ON_TIME_WINDOW_DAYS = 45


@dataclass(frozen=True)
class Freshness:
    overdue: bool | None  # None: not evaluated (no calendar known)
    due: str | None
    text: str


def _month_end(year: int, month: int) -> date:
    return date(year, month, monthrange(year, month)[1])


def freshness(source: Source, discovery: SourceDiscovery | None, today: date) -> Freshness:
    """Is the source's next release overdue? From the publisher's own next release date where
    it gives one (EES, ONS), else from the catalogue's usual month after the latest release."""
    if discovery is None:
        return Freshness(None, None, "not evaluated: the files came from a mirror or the publisher was not reached")
    latest = max((f.published or "" for f in discovery.files), default="")[:10] or None
    if discovery.next_release:
        due = date.fromisoformat(discovery.next_release)
        # a release within the weeks before the date due is the one that was due (publishers
        # announce a month, and move the date on only after publishing)
        if latest and date.fromisoformat(latest) >= due - timedelta(days=ON_TIME_WINDOW_DAYS):
            return Freshness(False, due.isoformat(), f"published {latest}, the release due by {due}")
        if today > due:
            return Freshness(
                True,
                due.isoformat(),
                f"overdue: the publisher said the next release would come by "
                f"{discovery.next_release_text or due}; the latest is of {latest}",
            )
        return Freshness(False, due.isoformat(), f"next release due by {discovery.next_release_text or due}")
    month = source.discovery.usual_month
    if month is None or latest is None:
        return Freshness(None, None, "not evaluated: no release calendar for this source")
    last = date.fromisoformat(latest)
    # the first usual month at least (cadence - 3) months after the latest release
    year, zero_based = divmod(last.year * 12 + last.month - 1 + max(1, source.discovery.cadence_months - 3), 12)
    due = _month_end(year if month >= zero_based + 1 else year + 1, month)
    if today > due:
        return Freshness(
            True,
            due.isoformat(),
            f"overdue: releases usually come in month {month}; nothing since {latest}, one was expected by {due}",
        )
    return Freshness(False, due.isoformat(), f"next release expected by {due} (usual month {month})")


def interface_address(interface: str) -> tuple[str, str]:
    """'EES content API https://...' -> ('EES content API', 'https://...'): which kind of
    interface was asked, and where (a mirror's path likewise; ('fixed links in the catalogue', '')
    when there is no address)."""
    kind, _, last = interface.rpartition(" ")
    return (kind, last) if kind and last.startswith(("http://", "https://", "/")) else (interface, "")


# Publishers' days are days in England: a timestamp is read on the London calendar (ONS gives
# midnight BST as 23:00 UTC the day before).
PUBLISHERS_TIME = ZoneInfo("Europe/London")


def publisher_day(published: str | None) -> date | None:
    """The calendar day of a publisher's date or timestamp ('2024-11-14', '2024-11-14T09:30:00Z')."""
    if not published:
        return None
    try:
        when = datetime.fromisoformat(published.strip())
    except ValueError:
        return None
    return (when.astimezone(PUBLISHERS_TIME) if when.tzinfo else when).date()


@dataclass(frozen=True)
class Publication:
    """A release-index row's publication date, whose it is, and a disagreement worth a note."""

    published_at: str | None  # the publisher's text as given, or the catalogue's YYYY-MM-DD
    published_from: str | None  # 'publisher' | 'catalogue'
    note: str | None = None


def revision_day(label: str) -> date | None:
    """The day a publisher's revision landed, from its label (``<release>_revised_<YYYY-MM-DD>``)."""
    _, found, day = label.partition("_revised_")
    try:
        return date.fromisoformat(day) if found else None
    except ValueError:
        return None


def publication(release: Release, found: Found | None, prior: dict) -> Publication:
    """The day the file held was published: the publisher's date where discovery found one (this
    time, or on an earlier refresh for a file kept as landed), unless the catalogue or a
    revision's label dates the file later. A publisher dates a release's first day, and a file
    added or revised on its page afterwards was not there then: the later day is kept, so a
    backtest never sees a file before it existed. Where the two differ, the note says so."""
    if found is not None and found.published:
        publisher = found.published
    elif prior.get("published_from") == "publisher":
        publisher = prior.get("published_at")
    else:
        publisher = None
    later = max((d for d in (release.published, revision_day(release.release)) if d), default=None)
    if publisher:
        day = publisher_day(publisher)
        if later is None or day is None or day >= later:
            note = None
            if release.published is not None and day is not None and day != release.published:
                note = (
                    f"published {day.isoformat()} by the publisher; the catalogue says {release.published.isoformat()}"
                )
            return Publication(publisher, "publisher", note)
        note = (
            f"the publisher dates the release {day.isoformat()}; the file held is dated {later.isoformat()} "
            "(catalogue or revision), and the later day is kept"
        )
        return Publication(later.isoformat(), "catalogue", note)
    if later is not None:
        return Publication(later.isoformat(), "catalogue")
    # a release the catalogue does not list, kept as landed: as it was
    return Publication(prior.get("published_at"), prior.get("published_from"))


def located_by(wanted: LocatedFile, landed: LandedFile, mirror: bool, discovery: SourceDiscovery | None) -> str:
    if mirror:
        return "mirror"
    if landed.note:
        return "landed copy"
    if wanted.found is not None and discovery is not None:
        return discovery.interface
    return "fixed link"


COLUMNS = (
    "source",
    "family",
    "release",
    "file",
    "is_new",
    "located_by",
    "publication",
    "publisher_release",
    "release_title",
    "page",
    "published_at",
    "updated_at",
    "url",
    "etag",
    "last_modified",
    "bytes",
    "sha256",
    "fetched_at",
    "checked_at",
    "note",
    "published_from",
)
_ARROW_SCHEMA = pa.schema(
    [(name, pa.bool_() if name == "is_new" else pa.int64() if name == "bytes" else pa.string()) for name in COLUMNS]
)


def write(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    families: dict[str, list[dict]],
    discovery: SourceDiscovery | None,
    checked_at: str,
    error: str | None,
    fresh: Freshness,
) -> dict:
    """Replace the rows of these families of ``source`` and the source's status, in one
    transaction (one commit for a source's families, not one each); the status row written."""
    con.execute(DDL)
    con.execute("begin transaction")
    try:
        columns = COLUMNS
        con.execute("delete from meta.release_index where family in (select unnest(?))", [list(families)])
        rows = [{c: row.get(c) for c in columns} for family_rows in families.values() for row in family_rows]
        if rows:
            # one insert from an Arrow table: DuckDB's executemany pays per row
            con.register("_release_index_rows", pa.Table.from_pylist(rows, schema=_ARROW_SCHEMA))
            con.execute(
                f"insert or replace into meta.release_index ({', '.join(columns)}) "
                f"select {', '.join(columns)} from _release_index_rows"
            )
            con.unregister("_release_index_rows")
        latest = max((f.published or "" for f in (discovery.files if discovery else [])), default="") or None
        status = {
            "source": source.name,
            "interface": discovery.interface if discovery else ("mirror" if error is None else "unreachable"),
            "checked_at": checked_at,
            "reachable": error is None,
            "error": error,
            "requests": discovery.requests if discovery else None,
            "not_modified": discovery.not_modified if discovery else None,
            "latest_published_at": latest,
            "next_release_due": fresh.due,
            "next_release_text": discovery.next_release_text if discovery else None,
            "overdue": fresh.overdue,
            "freshness": fresh.text,
        }
        con.execute(
            f"insert or replace into meta.source_status ({', '.join(status)}) values ({', '.join('?' * len(status))})",
            list(status.values()),
        )
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return status
