"""Discovery against hand-written answers in the publishers' own shapes (see the contract each
adapter cites), the plan that turns found files into releases, and the release calendar."""

import json
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import yaml

from orchestration.lib.ingest.catalogue import CatalogueError, parse_catalogue
from orchestration.lib.ingest.discovery import Found, SourceDiscovery, discover, ees, ons
from orchestration.lib.ingest.http import FetchError
from orchestration.lib.ingest.release_index import freshness
from orchestration.lib.ingest.releases import locate_family
from orchestration.settings import get_settings
from tests.support.helpers import SERVER_POLL


@pytest.fixture
def api(warehouse, monkeypatch):
    """path (with query) -> (status, JSON body or bytes, content type); every request counted."""
    routes: dict[str, tuple] = {}
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            hits.append(self.path)
            status, body, ctype = routes.get(self.path, (404, {"status": 404}, "application/json"))
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, kwargs=SERVER_POLL, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    monkeypatch.setenv("CSC_EES_CONTENT_API_URL", base + "/api")
    monkeypatch.setenv("CSC_GOVUK_API_URL", base + "/govuk")
    monkeypatch.setenv("CSC_ONS_URL", base + "/ons")
    monkeypatch.setenv("CSC_HTTP_RETRIES", "0")

    def add(path, body, status=200, ctype="application/json; charset=utf-8"):
        routes[path] = (status, body, ctype)

    yield type("Api", (), {"add": staticmethod(add), "hits": hits, "base": base})
    httpd.shutdown()
    httpd.server_close()


CATALOGUE = yaml.safe_load("""
sources:
  cla:
    discovery: {via: ees, publication: children-looked-after, release_label: "ees_{slug}"}
    published: {ees_2024: 2024-11-21, ees_2025: 2025-11-20}
    families:
      cla_rates:
        format: ees_tidy_csv
        columns: {time_period: {}}
        recognise: {file: 'cla_rates_\\d{4}_to_\\d{4}\\.csv'}
        releases:
          - {release: ees_2024, file: cla_rates_2020_to_2024.csv, page: "https://explore.example/2024"}
          - {release: ees_2025, file: cla_rates_2021_to_2025.csv, page: "https://explore.example/2025"}
  ofsted:
    discovery: {via: govuk, usual_month: 7}
    published: {outcomes_2025-03: 2025-07-10}
    families:
      outcomes:
        format: ods
        columns: {time_period: {}}
        recognise:
          file: 'Outcomes_March_(?P<year>\\d{4})\\.ods'
          release: 'outcomes_{year}-03'
          constants: {time_period: '{year}'}
        releases:
          - release: outcomes_2025-03
            file: Outcomes_March_2025.ods
            page: https://www.gov.uk/government/statistics/outcomes
            sheet: Outcomes
            header_row: 2
            constants: {time_period: "2025"}
  population:
    discovery: {via: ons}
    published: {mye_2023: 2024-07-15}
    families:
      mye:
        format: xlsx
        columns: {time_period: {}}
        releases:
          - {release: mye_2023, file: mye23tablesew.xlsx, page: "https://www.ons.gov.uk/pop/datasets/mye", sheet: MYE2}
""")


def release_entry(slug, published, latest=False):
    # PublicationReleaseEntryDto: every field the DTO has
    return {
        "title": f"Reporting year {slug}",
        "releaseId": f"r-{slug}",
        "isLatestRelease": latest,
        "label": None,
        "lastUpdated": published,
        "published": published,
        "slug": slug,
        "coverageTitle": "Reporting year",
        "yearTitle": slug,
        "type": "AccreditedOfficialStatistics",
    }


def data_set_file(name, version, slug):
    # DataSetFileSummaryViewModel
    return {
        "id": f"ds-{name}",
        "fileId": f"f-{name}",
        "filename": name,
        "fileSize": "12 Kb",
        "fileExtension": "csv",
        "title": name,
        "content": "",
        "theme": {"id": "t", "title": "Children's social care"},
        "publication": {"id": "p", "title": "CLA", "slug": "children-looked-after"},
        "release": {"id": version, "title": f"Reporting year {slug}", "slug": slug},
        "latestData": True,
        "isSuperseded": False,
        "published": "2025-11-20T09:30:00Z",
        "lastUpdated": "2025-11-20T09:30:00Z",
        "meta": {
            "numDataFileRows": 3,
            "geographicLevels": [],
            "timePeriodRange": {"from": "", "to": ""},
            "filters": [],
            "indicators": [],
        },
        "api": None,
    }


def paged(results, page=1, size=40, total=None):
    total = len(results) if total is None else total
    return {
        "results": results,
        "paging": {
            "page": page,
            "pageSize": size,
            "totalResults": total,
            "totalPages": max(1, (total - 1) // size + 1),
        },
    }


def serve_ees(api, next_release=None):
    api.add(
        "/api/publications/children-looked-after",
        {
            "id": "p",
            "slug": "children-looked-after",
            "summary": "",
            "title": "CLA",
            "contact": {
                "id": "c",
                "contactName": "x",
                "contactTelNo": None,
                "teamEmail": "x@example.gov.uk",
                "teamName": "x",
            },
            "latestRelease": {"id": "r-2026", "slug": "2026", "title": "Reporting year 2026"},
            "nextReleaseDate": next_release,
            "supersededByPublication": None,
            "theme": {"id": "t", "summary": "", "title": "t"},
        },
    )
    entries = [
        release_entry("2026", "2026-11-19T09:30:00Z", True),
        release_entry("2025", "2025-11-20T09:30:00Z"),
        release_entry("2024", "2024-11-21T09:30:00Z"),
        release_entry("2019", "2019-12-05T09:30:00Z"),
        {"title": "Children looked after 2018 (archived)", "url": "https://www.gov.uk/old"},
    ]
    api.add("/api/publications/children-looked-after/release-entries?page=1&pageSize=100", paged(entries, size=100))
    for slug in ("2024", "2025", "2026", "2019"):
        api.add(
            f"/api/publications/children-looked-after/releases/{slug}/version-summary",
            {
                "id": f"v-{slug}",
                "releaseId": f"r-{slug}",
                "isLatestRelease": slug == "2026",
                "label": None,
                "lastUpdated": f"{slug}-11-20T09:30:00Z",
                "published": f"{slug}-11-20T09:30:00Z",
                "publishingOrganisations": [],
                "slug": slug,
                "title": f"Reporting year {slug}",
                "coverageTitle": "Reporting year",
                "yearTitle": slug,
                "type": "AccreditedOfficialStatistics",
                "preReleaseAccessList": "",
                "updateCount": 0,
                "publication": {"id": "p", "slug": "children-looked-after", "title": "CLA"},
            },
        )
    for slug in ("2024", "2025"):
        start = int(slug) - 4
        files = [
            data_set_file(f"cla_rates_{start}_to_{slug}.csv", f"v-{slug}", slug),
            data_set_file(f"placements_{slug}.csv", f"v-{slug}", slug),
        ]
        api.add(f"/api/data-set-files?releaseId=v-{slug}&page=1&pageSize=40", paged(files))
    # the newest release lists more files than fit a page: the adapter follows the paging
    api.add(
        "/api/data-set-files?releaseId=v-2026&page=1&pageSize=40",
        paged([data_set_file("placements_2026.csv", "v-2026", "2026")], total=41),
    )
    api.add(
        "/api/data-set-files?releaseId=v-2026&page=2&pageSize=40",
        paged([data_set_file("cla_rates_2022_to_2026.csv", "v-2026", "2026")], page=2, total=41),
    )


def test_ees_discovery_reads_the_release_list_and_each_release_s_data_files(api):
    catalogue = parse_catalogue(CATALOGUE)
    serve_ees(api, {"year": 2027, "month": 11, "day": None})
    found = discover(get_settings(), catalogue.source("cla"))
    by_release = {(f.release, f.file): f for f in found.files}
    assert set(by_release) == {
        ("2024", "cla_rates_2020_to_2024.csv"),
        ("2024", "placements_2024.csv"),
        ("2025", "cla_rates_2021_to_2025.csv"),
        ("2025", "placements_2025.csv"),
        ("2026", "placements_2026.csv"),
        ("2026", "cla_rates_2022_to_2026.csv"),
    }
    rates_2026 = by_release[("2026", "cla_rates_2022_to_2026.csv")]
    assert rates_2026.url == f"{api.base}/api/releases/v-2026/files/f-cla_rates_2022_to_2026.csv"
    assert rates_2026.published == "2026-11-20T09:30:00Z"
    # a release older than the catalogue's newest is history the warehouse does not take: never read
    assert not any("releases/2019" in h or "v-2019" in h for h in api.hits)
    assert (found.next_release, found.next_release_text) == ("2027-11-30", "2027-11")


@pytest.mark.parametrize(
    ("partial", "expected"),
    [
        ({"year": 2026, "month": 3, "day": 12}, "2026-03-12"),
        ({"year": "2026", "month": "3", "day": ""}, "2026-03-31"),  # the legacy PartialDate holds strings
        ({"year": 2026, "month": None, "day": None}, "2026-12-31"),
        (None, None),
    ],
)
def test_ees_next_release_date_is_the_last_day_it_may_fall_on(partial, expected):
    assert ees.next_release_date(partial)[0] == expected


def test_a_new_ees_release_plans_as_a_new_vintage_with_the_latest_release_s_settings(api):
    catalogue = parse_catalogue(CATALOGUE)
    serve_ees(api)
    source = catalogue.source("cla")
    planned, notes = locate_family(source, catalogue.family("cla_rates"), discover(get_settings(), source))
    assert [(p.release.release, p.release.file, p.is_new) for p in planned] == [
        ("ees_2024", "cla_rates_2020_to_2024.csv", False),
        ("ees_2025", "cla_rates_2021_to_2025.csv", False),
        ("ees_2026", "cla_rates_2022_to_2026.csv", True),
    ]
    assert planned[0].url == f"{api.base}/api/releases/v-2024/files/f-cla_rates_2020_to_2024.csv"
    assert (
        planned[2].release.page
        == "https://explore-education-statistics.service.gov.uk/find-statistics/children-looked-after/2026"
    )
    assert notes == []


def govuk_item(attachments, body="", documents=()):
    # the publication schema's required fields, plus first_published_at
    return {
        "base_path": "/government/statistics/outcomes",
        "content_id": "c",
        "title": "Outcomes",
        "description": "",
        "document_type": "official_statistics",
        "schema_name": "publication",
        "locale": "en",
        "first_published_at": "2025-07-10T09:30:00Z",
        "public_updated_at": "2026-07-09T09:30:00Z",
        "updated_at": "2026-07-09T09:31:00Z",
        "links": {},
        "details": {"body": body, "documents": list(documents), "political": False, "attachments": attachments},
    }


def file_attachment(name, media):
    return {
        "attachment_type": "file",
        "id": media,
        "title": name,
        "content_type": "application/vnd.oasis.opendocument.spreadsheet",
        "filename": name,
        "file_size": 1234,
        "accessible": False,
        "url": f"https://assets.publishing.service.gov.uk/media/{media}/{name}",
    }


def test_govuk_discovery_reads_a_page_s_file_attachments_and_templates_name_new_releases(api):
    catalogue = parse_catalogue(CATALOGUE)
    api.add(
        "/govuk/content/government/statistics/outcomes",
        govuk_item(
            [
                file_attachment("Outcomes_March_2025.ods", "aa11"),
                file_attachment("Outcomes_March_2026.ods", "bb22"),
                {
                    "attachment_type": "html",
                    "id": "h",
                    "title": "Commentary",
                    "url": "/government/statistics/outcomes/commentary",
                },
            ]
        ),
    )
    source = catalogue.source("ofsted")
    found = discover(get_settings(), source)
    assert [(f.file, f.url, f.updated) for f in found.files] == [
        (
            "Outcomes_March_2025.ods",
            "https://assets.publishing.service.gov.uk/media/aa11/Outcomes_March_2025.ods",
            "2026-07-09T09:30:00Z",
        ),
        (
            "Outcomes_March_2026.ods",
            "https://assets.publishing.service.gov.uk/media/bb22/Outcomes_March_2026.ods",
            "2026-07-09T09:30:00Z",
        ),
    ]
    planned, _ = locate_family(source, catalogue.family("outcomes"), found)
    new = planned[-1]
    assert new.is_new and new.release.release == "outcomes_2026-03"
    assert (new.release.sheet, new.release.header_rows, new.release.constants) == (
        "Outcomes",
        (2,),
        {"time_period": "2026"},
    )
    assert new.release.sha256 is None and new.release.url is None


def test_govuk_pages_without_structured_attachments_are_read_from_their_html(api):
    catalogue = parse_catalogue(CATALOGUE)
    # a rendered attachment links its thumbnail and its title to the same file
    link = "https://assets.publishing.service.gov.uk/media/cc33/Outcomes_March_2025.ods"
    html = (
        f'<section class="attachment embedded"><a href="{link}"><img src="thumb.png"></a>'
        f'<h3><a href="{link}">Outcomes</a></h3></section>'
    )
    api.add("/govuk/content/government/statistics/outcomes", govuk_item([], body=html))
    found = discover(get_settings(), catalogue.source("ofsted"))
    assert [(f.file, f.url) for f in found.files] == [
        ("Outcomes_March_2025.ods", "https://assets.publishing.service.gov.uk/media/cc33/Outcomes_March_2025.ods")
    ]


def test_two_files_for_one_release_are_refused_by_name(api):
    catalogue = parse_catalogue(CATALOGUE)
    source = catalogue.source("ofsted")
    twice = SourceDiscovery(
        "ofsted",
        "GOV.UK",
        "now",
        files=[
            Found(
                "ofsted",
                "Outcomes_March_2026.ods",
                f"https://x/{n}/Outcomes_March_2026.ods",
                "/p",
                "/p",
                "t",
                "https://www.gov.uk/p",
            )
            for n in (1, 2)
        ],
    )
    with pytest.raises(CatalogueError, match="release outcomes_2026-03 matches two files"):
        locate_family(source, catalogue.family("outcomes"), twice)


def test_ons_discovery_reads_editions_and_the_next_release(api):
    catalogue = parse_catalogue(CATALOGUE)
    # the landing page is served as text/plain at times: the body is JSON all the same
    api.add(
        "/ons/pop/datasets/mye/data",
        {
            "type": "dataset_landing_page",
            "uri": "/pop/datasets/mye",
            "section": {},
            "relatedDatasets": [],
            "relatedDocuments": [],
            "datasets": [{"uri": "/pop/datasets/mye/mid2023"}, {"uri": "/pop/datasets/mye/mid2024"}],
            "timeseries": False,
            "links": [],
            "alerts": [],
            "description": {
                "title": "Population estimates",
                "summary": "",
                "nationalStatistic": True,
                "releaseDate": "2025-09-24T23:00:00.000Z",
                "nextRelease": "14 July 2026",
                "datasetId": "",
                "unit": "",
                "preUnit": "",
                "source": "",
            },
        },
        ctype="text/plain; charset=utf-8",
    )
    for edition, name, day in (
        ("mid2023", "mye23tablesew.xlsx", "2024-07-15"),
        ("mid2024", "mye24tablesew.xlsx", "2025-09-24"),
    ):
        api.add(
            f"/ons/pop/datasets/mye/{edition}/data",
            {
                "type": "dataset",
                "uri": f"/pop/datasets/mye/{edition}",
                "downloads": [{"file": name}],
                "supplementaryFiles": [],
                "versions": [
                    {
                        "uri": f"/pop/datasets/mye/{edition}/previous/v1",
                        "updateDate": f"{day}T08:00:00.000Z",
                        "correctionNotice": "",
                        "label": "",
                    }
                ],
                "description": {
                    "edition": edition,
                    "releaseDate": f"{day}T23:00:00.000Z",
                    "unit": "",
                    "preUnit": "",
                    "source": "",
                    "versionLabel": "",
                },
            },
        )
    found = discover(get_settings(), catalogue.source("population"))
    assert [(f.file, f.url) for f in found.files] == [
        ("mye23tablesew.xlsx", f"{api.base}/ons/file?uri=/pop/datasets/mye/mid2023/mye23tablesew.xlsx"),
        ("mye24tablesew.xlsx", f"{api.base}/ons/file?uri=/pop/datasets/mye/mid2024/mye24tablesew.xlsx"),
    ]
    assert found.next_release == "2026-07-14"
    # the catalogued file is located on its dataset page; the family recognises only that name, so
    # the next edition's file is not its file until the catalogue says how to recognise it
    planned, notes = locate_family(catalogue.source("population"), catalogue.family("mye"), found)
    assert [(p.release.release, p.url) for p in planned] == [
        ("mye_2023", f"{api.base}/ons/file?uri=/pop/datasets/mye/mid2023/mye23tablesew.xlsx")
    ]
    assert notes == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [("14 July 2026", "2026-07-14"), ("July 2026", "2026-07-31"), ("To be announced", None), ("", None)],
)
def test_ons_next_release_text(text, expected):
    assert ons.next_release_date(text) == expected


def test_an_answer_that_is_not_the_interface_s_is_refused_by_name(api):
    catalogue = parse_catalogue(CATALOGUE)
    api.add("/govuk/content/government/statistics/outcomes", b"<html>sign in</html>", ctype="text/html")
    with pytest.raises(FetchError, match="GOV.UK page /government/statistics/outcomes: .* did not answer JSON"):
        discover(get_settings(), catalogue.source("ofsted"))
    api.add("/ons/pop/datasets/mye/data", {"type": "bulletin"})
    with pytest.raises(FetchError, match="answered a page of type 'bulletin'; expected 'dataset_landing_page'"):
        discover(get_settings(), catalogue.source("population"))


def _found(published):
    return Found("s", "f.csv", "u", "p", "r", "t", "page", published=published)


@pytest.mark.parametrize(
    ("next_release", "latest", "usual", "overdue", "due"),
    [
        ("2026-03-31", "2025-03-20T09:30:00Z", None, True, "2026-03-31"),  # the date the publisher gave has passed
        ("2026-12-31", "2025-12-04T09:30:00Z", None, False, "2026-12-31"),
        ("2026-03-31", "2026-03-19T09:30:00Z", None, False, "2026-03-31"),  # published on time
        (None, "2025-07-10T09:30:00Z", 7, False, "2026-07-31"),  # usual month still to come
        (None, "2024-07-10T09:30:00Z", 7, True, "2025-07-31"),  # a year without a release
        (None, "2025-12-04T09:30:00Z", 10, False, "2026-10-31"),  # a late release moves the next year's
        (None, None, 7, None, None),  # nothing to go on
    ],
)
def test_freshness_from_the_publisher_s_date_or_the_usual_month(next_release, latest, usual, overdue, due):
    source = parse_catalogue(
        {"sources": {"s": {"discovery": {"via": "govuk", **({"usual_month": usual} if usual else {})}, "families": {}}}}
    ).source("s")
    discovery = SourceDiscovery("s", "x", "now", files=[_found(latest)] if latest else [], next_release=next_release)
    result = freshness(source, discovery, date(2026, 4, 30))
    assert (result.overdue, result.due) == (overdue, due)
    assert freshness(source, None, date(2026, 4, 30)).overdue is None  # a mirror: no calendar to judge by


def test_catalogue_refuses_a_template_its_pattern_cannot_fill():
    bad = yaml.safe_load(yaml.safe_dump(CATALOGUE))
    bad["sources"]["ofsted"]["families"]["outcomes"]["recognise"]["release"] = "outcomes_{month}"
    with pytest.raises(CatalogueError, match=r"template 'outcomes_\{month\}' names \['month'\]"):
        parse_catalogue(bad)
    bad = yaml.safe_load(yaml.safe_dump(CATALOGUE))
    bad["sources"]["ofsted"]["families"]["outcomes"]["recognise"]["file"] = r"Other_(?P<year>\d{4})\.ods"
    with pytest.raises(CatalogueError, match="does not match its own release outcomes_2025-03"):
        parse_catalogue(bad)


def _rows(landing):
    """The release-index rows a refresh writes, as the next refresh reads them."""
    return [
        {
            "release": landed.release,
            "file": landed.file,
            "url": landed.url,
            "sha256": landed.sha256,
            "publication": plan.found.publication if plan.found else None,
            "page": plan.release.page,
        }
        for plan, landed in landing.files
    ]


def test_a_publisher_s_revisions_of_a_pinned_file_are_vintages_that_keep_their_names_and_history(api, monkeypatch):
    import hashlib

    from orchestration.lib.ingest.releases import land_family

    monkeypatch.setenv("CSC_URL_REWRITE", f"https://assets.publishing.service.gov.uk={api.base}/assets")
    first = b"pinned bytes"
    spec = yaml.safe_load(yaml.safe_dump(CATALOGUE))
    spec["sources"]["ofsted"]["families"]["outcomes"]["releases"][0]["sha256"] = hashlib.sha256(first).hexdigest()
    catalogue = parse_catalogue(spec)
    source, family = catalogue.source("ofsted"), catalogue.family("outcomes")

    def publish(body, media, updated):
        item = govuk_item([file_attachment("Outcomes_March_2025.ods", media)])
        item["public_updated_at"] = updated
        api.add("/govuk/content/government/statistics/outcomes", item)
        api.add(
            f"/assets/media/{media}/Outcomes_March_2025.ods",
            body,
            ctype="application/vnd.oasis.opendocument.spreadsheet",
        )

    def night(n, before):
        settings = get_settings()
        return land_family(settings, source, family, landed_before=before, scope=f"night {n}")

    publish(first, "m1", "2025-07-10T09:30:00Z")
    one = night(1, [])
    assert [(p.release.release, p.is_new) for p, _ in one.files] == [("outcomes_2025-03", False)]
    publish(b"revised bytes", "m2", "2025-09-02T09:30:00Z")
    two = night(2, _rows(one))
    assert sorted(landed.release for landed in two.landed) == [
        "outcomes_2025-03",
        "outcomes_2025-03_revised_2025-09-02",
    ]
    assert {landed.release: landed.sha256 for landed in two.landed}["outcomes_2025-03"] == hashlib.sha256(
        first
    ).hexdigest()
    # the page is edited again (same file): the revision keeps its name, nothing new lands
    publish(b"revised bytes", "m2", "2025-10-20T09:30:00Z")
    three = night(3, _rows(two))
    assert sorted(landed.release for landed in three.landed) == sorted(landed.release for landed in two.landed)
    # a second revision: a vintage of its own, and the first stays as history
    publish(b"revised again", "m3", "2026-01-15T09:30:00Z")
    four = night(4, _rows(three))
    assert sorted(landed.release for landed in four.landed) == [
        "outcomes_2025-03",
        "outcomes_2025-03_revised_2025-09-02",
        "outcomes_2025-03_revised_2026-01-15",
    ]
    # the publisher cannot be asked: every vintage landed before stays as it is
    api.add("/govuk/content/government/statistics/outcomes", b"<html>maintenance</html>", ctype="text/html")
    five = night(5, _rows(four))
    assert five.error and "did not answer JSON" in five.error
    assert sorted(landed.release for landed in five.landed) == sorted(landed.release for landed in four.landed)


def test_a_new_release_whose_file_host_is_down_waits_for_the_next_night(api, monkeypatch):
    from orchestration.lib.ingest.releases import land_family

    catalogue = parse_catalogue(CATALOGUE)
    serve_ees(api)
    for slug, start in (("2024", 2020), ("2025", 2021)):
        api.add(
            f"/api/releases/v-{slug}/files/f-cla_rates_{start}_to_{slug}.csv", b"time_period\n2024\n", ctype="text/csv"
        )
    api.add("/api/releases/v-2026/files/f-cla_rates_2022_to_2026.csv", b"busy", status=503, ctype="text/plain")
    landing = land_family(get_settings(), catalogue.source("cla"), catalogue.family("cla_rates"), landed_before=[])
    assert [landed.release for landed in landing.landed] == ["ees_2024", "ees_2025"]
    assert any("ees_2026" in note and "not landed this time" in note and "HTTP 503" in note for note in landing.notes)


def test_a_mirror_s_extra_release_folders_are_new_vintages_and_revisions(tmp_path, monkeypatch, warehouse):
    """What `csc mirror export` writes on a connected machine lands on an air-gapped one."""
    import hashlib

    from orchestration.lib.ingest.releases import land_family

    mirror = tmp_path / "mirror"
    files = {
        "cla/ees_2024/cla_rates_2020_to_2024.csv": b"time_period\n2024\n",
        "cla/ees_2025/cla_rates_2021_to_2025.csv": b"time_period\n2025\n",
        "cla/ees_2026/cla_rates_2022_to_2026.csv": b"time_period\n2026\n",
        "cla/scratch/cla_rates_2022_to_2026.csv": b"someone's copy\n",  # not a release folder: left alone
        "ofsted/outcomes_2025-03/Outcomes_March_2025.ods": b"pinned",
        "ofsted/outcomes_2025-03_revised_2025-09-02/Outcomes_March_2025.ods": b"revised",
    }
    for path, body in files.items():
        (mirror / path).parent.mkdir(parents=True, exist_ok=True)
        (mirror / path).write_bytes(body)
    monkeypatch.setenv("CSC_SOURCE_MIRROR", str(mirror))
    spec = yaml.safe_load(yaml.safe_dump(CATALOGUE))
    spec["sources"]["ofsted"]["families"]["outcomes"]["releases"][0]["sha256"] = hashlib.sha256(b"pinned").hexdigest()
    catalogue = parse_catalogue(spec)
    settings = get_settings()
    cla = land_family(settings, catalogue.source("cla"), catalogue.family("cla_rates"), landed_before=[])
    assert [(p.release.release, p.is_new) for p, _ in cla.files] == [
        ("ees_2024", False),
        ("ees_2025", False),
        ("ees_2026", True),
    ]
    ofsted = land_family(settings, catalogue.source("ofsted"), catalogue.family("outcomes"), landed_before=[])
    assert [(p.release.release, p.release.sheet, p.is_new) for p, _ in ofsted.files] == [
        ("outcomes_2025-03", "Outcomes", False),
        ("outcomes_2025-03_revised_2025-09-02", "Outcomes", True),
    ]
    # the catalogue's day is the catalogued release's only: a new vintage or a revision has none
    assert [p.release.published for p, _ in cla.files] == [date(2024, 11, 21), date(2025, 11, 20), None]
    assert [p.release.published for p, _ in ofsted.files] == [date(2025, 7, 10), None]
