"""The release index's publication dates (orchestration/lib/ingest/release_index.py, the rows
step.py writes): the publisher's date where discovery found one, else the catalogue's, and a
note where the two disagree."""

from datetime import date
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pytest

from orchestration.lib.ingest import release_index
from orchestration.lib.ingest.catalogue import parse_catalogue
from orchestration.lib.ingest.discovery import Found, SourceDiscovery
from orchestration.lib.ingest.meta_tables import DDL
from orchestration.lib.ingest.provenance import LandedFile
from orchestration.lib.ingest.releases import FamilyLanding, LocatedFile, new_release, revised_release
from orchestration.lib.ingest.step import _index_rows

CATALOGUE = parse_catalogue(
    {
        "sources": {
            "cla": {
                "discovery": {"via": "ees", "publication": "cla", "release_label": "ees_{slug}"},
                "published": {"ees_2023": "2023-11-16", "ees_2024": "2024-11-14"},
                "families": {
                    "cla_rates": {
                        "format": "ees_tidy_csv",
                        "columns": {"time_period": {}},
                        "releases": [
                            {"release": "ees_2023", "file": "rates.csv", "page": "https://explore.example/2023"},
                            {"release": "ees_2024", "file": "rates.csv", "page": "https://explore.example/2024"},
                        ],
                    }
                },
            }
        }
    }
)
SOURCE, FAMILY = CATALOGUE.source("cla"), CATALOGUE.family("cla_rates")
EES_2023, EES_2024 = FAMILY.releases


def found(slug: str, published: str | None) -> Found:
    return Found(
        "cla",
        "rates.csv",
        f"https://api.example/{slug}",
        "cla",
        slug,
        slug,
        f"https://explore.example/{slug}",
        published,
    )


def landed(release: str, note: str | None = None) -> LandedFile:
    return LandedFile(
        "cla", "cla_rates", release, "rates.csv", "/x", "0" * 64, 10, "o", "2026-01-01T00:00:00+00:00", note=note
    )


def rows(items, *, mirror: bool, before: list[dict] | None = None) -> dict[str, dict]:
    """The release-index rows of a family whose files landed as ``items`` ((LocatedFile, note))."""
    discovery = SourceDiscovery("cla", "mirror /m" if mirror else "EES content API https://api.example", "now")
    landing = FamilyLanding(
        files=[(item, landed(item.release.release, note)) for item, note in items],
        discovery=discovery,
        error=None,
        notes=[],
    )
    settings = SimpleNamespace(mirror_dir=Path("/m") if mirror else None)
    written, _ = _index_rows(SOURCE, FAMILY, landing, before or [], settings)
    return {row["release"]: row for row in written}


def test_a_mirror_refresh_dates_every_catalogued_release_from_the_catalogue():
    got = rows([(LocatedFile(EES_2023), None), (LocatedFile(EES_2024), None)], mirror=True)
    assert {r: (row["published_at"], row["published_from"], row["note"]) for r, row in got.items()} == {
        "ees_2023": ("2023-11-16", "catalogue", None),
        "ees_2024": ("2024-11-14", "catalogue", None),
    }


def test_the_publisher_s_date_wins_and_a_disagreement_is_noted_for_the_catalogue():
    got = rows(
        [
            (LocatedFile(EES_2023, found("2023", "2023-11-16T09:30:00Z")), None),  # the same day: nothing to note
            (LocatedFile(EES_2024, found("2024", "2024-11-21T09:30:00Z")), "kept the copy landed before"),
        ],
        mirror=False,
    )
    assert (got["ees_2023"]["published_at"], got["ees_2023"]["published_from"], got["ees_2023"]["note"]) == (
        "2023-11-16T09:30:00Z",
        "publisher",
        None,
    )
    assert (got["ees_2024"]["published_at"], got["ees_2024"]["published_from"]) == ("2024-11-21T09:30:00Z", "publisher")
    assert got["ees_2024"]["note"] == (
        "kept the copy landed before; published 2024-11-21 by the publisher; the catalogue says 2024-11-14"
    )


@pytest.mark.parametrize(
    ("published", "day"),
    [
        ("2024-07-14T23:00:00.000Z", date(2024, 7, 15)),  # ONS: midnight in London, in UTC
        ("2024-08-29T09:30:00.000+01:00", date(2024, 8, 29)),  # GOV.UK
        ("2024-11-14T09:30:00Z", date(2024, 11, 14)),  # EES
        ("2024-11-14", date(2024, 11, 14)),
        ("To be announced", None),
        (None, None),
    ],
)
def test_a_publisher_s_timestamp_is_a_day_in_england(published, day):
    assert release_index.publisher_day(published) == day


def test_a_new_vintage_takes_discovery_s_date_and_a_file_kept_as_landed_keeps_the_publisher_s():
    new = new_release(FAMILY, EES_2024, "ees_2025", "rates.csv", "https://explore.example/2025", {})
    revised = revised_release(EES_2024, "ees_2024_revised_2025-01-10")
    assert (new.published, revised.published) == (None, None)  # not the template's day
    got = rows(
        [
            (LocatedFile(new, found("2025", "2025-11-20T09:30:00Z"), is_new=True), None),
            (LocatedFile(revised, found("2024", None), is_new=True), None),  # a mirror's folder: no date
            (LocatedFile(EES_2023), None),  # not found this time: the publisher's date found before stands
        ],
        mirror=False,
        before=[{"release": "ees_2023", "published_at": "2023-11-17T09:30:00Z", "published_from": "publisher"}],
    )
    assert {r: (row["published_at"], row["published_from"], row["note"]) for r, row in got.items()} == {
        "ees_2025": ("2025-11-20T09:30:00Z", "publisher", None),
        "ees_2024_revised_2025-01-10": ("2025-01-10", "catalogue", None),  # the day in its label
        "ees_2023": (
            "2023-11-17T09:30:00Z",
            "publisher",
            "published 2023-11-17 by the publisher; the catalogue says 2023-11-16",
        ),
    }


def test_the_index_gains_published_from_on_a_database_made_before_it(tmp_path):
    con = duckdb.connect(str(tmp_path / "work.duckdb"))
    con.execute(DDL.replace("    published_from  varchar,", "").replace("alter table meta.release_index", "-- "))
    assert "published_from" not in [d[0] for d in con.execute("select * from meta.release_index").description]
    got = rows([(LocatedFile(EES_2024), None)], mirror=True)
    fresh = release_index.Freshness(None, None, "not evaluated")
    release_index.write(con, SOURCE, {"cla_rates": list(got.values())}, None, "now", None, fresh)
    assert con.execute("select release, published_at, published_from from meta.release_index").fetchall() == [
        ("ees_2024", "2024-11-14", "catalogue")
    ]


def test_a_publisher_dating_the_release_before_the_file_held_does_not_make_the_file_earlier():
    # EES dates a release by its first day; the catalogue dates ees_2024's file a week later (a file
    # added to the release afterwards): the later day stands, so a backtest never sees it early
    got = rows([(LocatedFile(EES_2024, found("2024", "2024-11-07T09:30:00Z")), None)], mirror=False)
    assert (got["ees_2024"]["published_at"], got["ees_2024"]["published_from"]) == ("2024-11-14", "catalogue")
    assert "2024-11-07" in got["ees_2024"]["note"] and "the later day is kept" in got["ees_2024"]["note"]


def test_a_revision_is_dated_by_its_own_day_not_the_release_s_first():
    revised = revised_release(EES_2024, "ees_2024_revised_2025-03-02")
    assert release_index.revision_day(revised.release) == date(2025, 3, 2)
    dated = release_index.publication(revised, found("2024", "2024-11-14T09:30:00Z"), {})
    assert (dated.published_at, dated.published_from) == ("2025-03-02", "catalogue")
