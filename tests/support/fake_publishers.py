"""Loopback fakes of the publishers' interfaces, serving the real files of a mirror.

One HTTP server on 127.0.0.1 plays every host the live path talks to, each under a prefix:

- ``/ees/api``: the EES content API (routes and shapes as in orchestration/lib/ingest/discovery/ees.py,
  taken from the EES repository's controllers and DTOs);
- ``/govuk/api``: the GOV.UK Content API (``/content<base_path>``), and ``/assets`` for
  ``assets.publishing.service.gov.uk``, where attachments live;
- ``/ons``: the ONS website's page JSON (``<page>/data``) and ``/file?uri=``;
- ``/github``: ``raw.githubusercontent.com``, for the catalogue's fixed links, answered from the
  mirror's MANIFEST.csv (which says which repository, commit and path each file came from).

Releases are built from the catalogue and the files actually in the mirror folder (a release
lists every data file its folder holds, not only those the catalogue uses). Every answer
carries an ETag and honours If-None-Match, as the real services do, and every request is
counted, so tests can see what a refresh asked. Tests change what is published through
:meth:`FakePublishers.add_ees_release`, :meth:`replace_govuk_attachment` and the attributes.
"""

from __future__ import annotations

import csv
import hashlib
import json
import threading
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

from orchestration.lib.ingest.catalogue import Catalogue
from tests.support.helpers import SERVER_POLL

ASSETS = "https://assets.publishing.service.gov.uk"
GITHUB = "https://raw.githubusercontent.com"


def _id(*parts: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "/".join(parts)))


@dataclass
class EesRelease:
    slug: str
    title: str
    published: str
    files: dict[str, bytes]  # file name -> bytes
    version: int = 0

    def version_id(self, publication: str) -> str:
        return _id("ees", publication, self.slug, "version", str(self.version))


@dataclass
class EesPublication:
    slug: str
    title: str
    releases: list[EesRelease] = field(default_factory=list)  # oldest first
    next_release: dict | None = None  # PartialDate {year, month, day}


@dataclass
class GovukPage:
    base_path: str
    title: str
    first_published_at: str
    public_updated_at: str
    attachments: dict[str, bytes] = field(default_factory=dict)  # file name -> bytes
    revisions: Counter = field(default_factory=Counter)  # file name -> times replaced (a new asset address each time)


@dataclass
class OnsDataset:
    path: str  # the dataset landing page
    title: str
    editions: dict[str, dict[str, bytes]] = field(default_factory=dict)  # edition -> {file: bytes}
    release_dates: dict[str, str] = field(default_factory=dict)
    next_release: str = "To be announced"


def _iso(day: date) -> str:
    return f"{day.isoformat()}T09:30:00Z"


def _year(label: str) -> int:
    years = [int(p) for p in label.replace("-", "_").split("_") if p.isdigit() and len(p) == 4]
    return max(years) if years else 2000


def _release_date(label: str, newest: int) -> str:
    """Dates relative to today, so nothing is overdue unless a test makes it so: the newest
    release a month ago, each year before it a year earlier."""
    return _iso(date.today() - timedelta(days=30 + 365 * (newest - _year(label))))


class FakePublishers:
    def __init__(self, catalogue: Catalogue, mirror: Path):
        self.mirror = mirror
        self.hits: Counter[str] = Counter()
        self.sent: Counter[str] = Counter()  # paths answered 200 with a body
        self.not_modified = 0
        self.down: set[str] = set()  # prefixes that answer 503 (a publisher that is down)
        self.ees: dict[str, EesPublication] = {}
        self.govuk: dict[str, GovukPage] = {}
        self.ons: dict[str, OnsDataset] = {}
        self.github: dict[str, Path] = {}
        self._build(catalogue)
        self._server: ThreadingHTTPServer | None = None

    # -- what is published ---------------------------------------------------------------------

    def _build(self, catalogue: Catalogue) -> None:
        today = date.today()
        newest: dict[str, int] = {}
        for source, _family, r in catalogue.without_fixed_link():
            newest[source.name] = max(newest.get(source.name, 2000), _year(r.release))
        for source, _family, r in catalogue.without_fixed_link():
            via = source.discovery.via
            folder = self.mirror / r.source / r.release
            if via == "ees":
                pub = self.ees.setdefault(
                    source.discovery.publication,
                    EesPublication(
                        source.discovery.publication,
                        source.publication,
                        next_release={
                            "year": (today + timedelta(days=90)).year,
                            "month": (today + timedelta(days=90)).month,
                            "day": None,
                        },
                    ),
                )
                slug = source.discovery.slug_of(r.release)
                if not any(x.slug == slug for x in pub.releases):
                    files = {p.name: p.read_bytes() for p in sorted(folder.glob("*.csv"))}
                    pub.releases.append(
                        EesRelease(slug, f"Reporting year {slug}", _release_date(r.release, newest[source.name]), files)
                    )
            elif via == "govuk":
                path = urlsplit(r.page).path
                page = self.govuk.setdefault(
                    path,
                    GovukPage(
                        path,
                        path.rsplit("/", 1)[-1].replace("-", " ").capitalize(),
                        _release_date(r.release, newest[source.name]),
                        _release_date(r.release, newest[source.name]),
                    ),
                )
                page.attachments[r.file] = (folder / r.file).read_bytes()
            elif via == "ons":
                path = urlsplit(r.page).path.rstrip("/")
                dataset = self.ons.setdefault(
                    path,
                    OnsDataset(
                        path, path.rsplit("/", 1)[-1], next_release=(today + timedelta(days=200)).strftime("%d %B %Y")
                    ),
                )
                edition = "mid" + r.release.rsplit("_", 1)[-1]
                dataset.editions.setdefault(edition, {})[r.file] = (folder / r.file).read_bytes()
                dataset.release_dates[edition] = _release_date(r.release, newest[source.name])
        for pub in self.ees.values():
            pub.releases.sort(key=lambda x: x.published)
        with open(self.mirror / "MANIFEST.csv", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):  # by commit, and by branch name for the latest row of a path
                local = self.mirror / row["source"] / row["release_label"] / row["file"]
                self.github[f"{row['origin_repo']}/{row['origin_commit']}/{row['origin_path']}"] = local
                self.github[f"{row['origin_repo']}/main/{row['origin_path']}"] = local

    def add_ees_release(self, publication: str, slug: str, files: dict[str, bytes], published: str) -> None:
        pub = self.ees[publication]
        pub.releases.append(EesRelease(slug, f"Reporting year {slug}", published, files))

    def replace_govuk_attachment(self, base_path: str, file: str, body: bytes, updated: str) -> None:
        page = self.govuk[base_path]
        page.attachments[file] = body
        page.public_updated_at = updated
        page.revisions[file] += 1

    # -- serving ---------------------------------------------------------------------------------

    @property
    def base(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def env(self) -> dict[str, str]:
        """The settings that point the warehouse at this fake instead of the real services."""
        return {
            "CSC_EES_CONTENT_API_URL": f"{self.base}/ees/api",
            "CSC_GOVUK_API_URL": f"{self.base}/govuk/api",
            "CSC_ONS_URL": f"{self.base}/ons",
            "CSC_URL_REWRITE": f"{ASSETS}={self.base}/assets,{GITHUB}={self.base}/github",
            "CSC_HTTP_TIMEOUT": "10",
            "CSC_HTTP_RETRIES": "1",
        }

    def start(self) -> FakePublishers:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                fake.hits[urlsplit(self.path).path] += 1
                if any(self.path.startswith(p) for p in fake.down):
                    return self._send(503, b"down for maintenance", "text/plain", retry_after="0")
                try:
                    answer = fake.route(self.path)
                except KeyError:
                    answer = None
                if answer is None:
                    return self._send(404, b'{"title": "Not Found", "status": 404}', "application/json")
                body, ctype, modified = answer
                etag = '"' + hashlib.md5(body).hexdigest() + '"'
                if self.headers.get("If-None-Match") == etag:
                    fake.not_modified += 1
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                fake.sent[
                    urlsplit(self.path).path + ("?" + urlsplit(self.path).query if "/file" in self.path else "")
                ] += 1
                self._send(200, body, ctype, etag=etag, modified=modified)

            def _send(self, status, body, ctype, etag=None, modified=None, retry_after=None):
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                if etag:
                    self.send_header("ETag", etag)
                if modified:
                    self.send_header("Last-Modified", modified)
                if retry_after is not None:
                    self.send_header("Retry-After", retry_after)
                self.end_headers()
                self.wfile.write(body)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, kwargs=SERVER_POLL, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> FakePublishers:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- routes ----------------------------------------------------------------------------------

    def route(self, raw_path: str):
        parts = urlsplit(raw_path)
        path, query = unquote(parts.path), parse_qs(parts.query)
        if path.startswith("/ees/api/"):
            return self._ees(path.removeprefix("/ees/api/").split("/"), query)
        if path.startswith("/govuk/api/content/"):
            return self._govuk(path.removeprefix("/govuk/api/content"))
        if path.startswith("/assets/media/"):
            _, _, _, file_id, name = path.split("/", 4)
            for page in self.govuk.values():
                if (
                    name in page.attachments
                    and _id("govuk", page.base_path, name, str(page.revisions[name])) == file_id
                ):
                    return page.attachments[name], _ctype(name), _http_date(page.public_updated_at)
            return None
        if path.startswith("/ons/"):
            return self._ons(path.removeprefix("/ons"), query)
        if path.startswith("/github/"):
            owner, repo, ref, rest = path.removeprefix("/github/").split("/", 3)
            local = self.github.get(f"{owner}/{repo}/{ref}/{rest}")
            return (local.read_bytes(), "text/plain; charset=utf-8", None) if local and local.exists() else None
        return None

    def _paged(self, items: list, query: dict, max_size: int) -> dict:
        page = int(query.get("page", ["1"])[0])
        size = int(query.get("pageSize", ["10"])[0])
        if not 1 <= size <= max_size:
            raise KeyError(size)
        total = len(items)
        pages = max(1, (total - 1) // size + 1) if total else 1
        return {
            "results": items[(page - 1) * size : page * size],
            "paging": {"page": page, "pageSize": size, "totalResults": total, "totalPages": pages},
        }

    def _ees(self, parts: list[str], query: dict):
        if parts[0] == "publications":
            pub = self.ees[parts[1]]
            latest = pub.releases[-1]
            if len(parts) == 2:  # PublicationDto
                return _json(
                    {
                        "id": _id("ees", pub.slug),
                        "slug": pub.slug,
                        "summary": "",
                        "title": pub.title,
                        "contact": {
                            "id": _id("ees", pub.slug, "contact"),
                            "contactName": "Statistics team",
                            "contactTelNo": None,
                            "teamEmail": "stats@example.gov.uk",
                            "teamName": "Statistics",
                        },
                        "latestRelease": {
                            "id": _id("ees", pub.slug, latest.slug),
                            "slug": latest.slug,
                            "title": latest.title,
                        },
                        "nextReleaseDate": pub.next_release,
                        "supersededByPublication": None,
                        "theme": {"id": _id("ees", "theme"), "summary": "", "title": "Children's social care"},
                    }
                )
            if parts[2] == "release-entries":  # paged PublicationReleaseEntryDto
                entries = [
                    {
                        "title": r.title,
                        "releaseId": _id("ees", pub.slug, r.slug),
                        "isLatestRelease": r is latest,
                        "label": None,
                        "lastUpdated": r.published,
                        "published": r.published,
                        "slug": r.slug,
                        "coverageTitle": "Reporting year",
                        "yearTitle": r.slug,
                        "type": "AccreditedOfficialStatistics",
                    }
                    for r in reversed(pub.releases)
                ]
                return _json(self._paged(entries, query, 100))
            if parts[2] == "releases" and parts[4] == "version-summary":
                r = next(x for x in pub.releases if x.slug == parts[3])
                return _json(
                    {
                        "id": r.version_id(pub.slug),
                        "releaseId": _id("ees", pub.slug, r.slug),
                        "isLatestRelease": r is latest,
                        "label": None,
                        "lastUpdated": r.published,
                        "published": r.published,
                        "publishingOrganisations": [],
                        "slug": r.slug,
                        "title": r.title,
                        "coverageTitle": "Reporting year",
                        "yearTitle": r.slug,
                        "type": "AccreditedOfficialStatistics",
                        "preReleaseAccessList": "",
                        "updateCount": r.version,
                        "publication": {"id": _id("ees", pub.slug), "slug": pub.slug, "title": pub.title},
                    }
                )
        if parts[0] == "data-set-files":  # paged DataSetFileSummaryViewModel
            version_id = query["releaseId"][0]
            for pub in self.ees.values():
                for r in pub.releases:
                    if r.version_id(pub.slug) != version_id:
                        continue
                    items = [
                        {
                            "id": _id("ees", pub.slug, r.slug, name, "dataset"),
                            "fileId": _id("ees", pub.slug, r.slug, name),
                            "filename": name,
                            "fileSize": f"{len(body) // 1024} Kb",
                            "fileExtension": "csv",
                            "title": name.removesuffix(".csv").replace("_", " "),
                            "content": "",
                            "theme": {"id": _id("ees", "theme"), "title": "Children's social care"},
                            "publication": {"id": _id("ees", pub.slug), "title": pub.title, "slug": pub.slug},
                            "release": {"id": version_id, "title": r.title, "slug": r.slug},
                            "latestData": r is pub.releases[-1],
                            "isSuperseded": False,
                            "published": r.published,
                            "lastUpdated": r.published,
                            "meta": {
                                "numDataFileRows": body.count(b"\n") - 1,
                                "geographicLevels": [],
                                "timePeriodRange": {"from": "", "to": ""},
                                "filters": [],
                                "indicators": [],
                            },
                            "api": None,
                        }
                        for name, body in r.files.items()
                    ]
                    return _json(self._paged(items, query, 40))
            return None
        if parts[0] == "releases" and len(parts) == 4 and parts[2] == "files":
            for pub in self.ees.values():
                for r in pub.releases:
                    if r.version_id(pub.slug) == parts[1]:
                        for name, body in r.files.items():
                            if _id("ees", pub.slug, r.slug, name) == parts[3]:
                                return body, "text/csv", _http_date(r.published)
        return None

    def _govuk(self, base_path: str):
        page = self.govuk.get(base_path)
        if page is None:
            return None
        attachments = [
            {
                "attachment_type": "file",
                "id": str(n),
                "title": name.rsplit(".", 1)[0].replace("_", " "),
                "url": f"{ASSETS}/media/{_id('govuk', page.base_path, name, str(page.revisions[name]))}/{quote(name)}",
                "content_type": _ctype(name),
                "filename": name,
                "file_size": len(body),
                "accessible": False,
            }
            for n, (name, body) in enumerate(sorted(page.attachments.items()))
        ]
        return _json(
            {
                "base_path": page.base_path,
                "content_id": _id("govuk", page.base_path),
                "title": page.title,
                "description": "",
                "document_type": "official_statistics",
                "schema_name": "publication",
                "locale": "en",
                "first_published_at": page.first_published_at,
                "public_updated_at": page.public_updated_at,
                "updated_at": page.public_updated_at,
                "links": {},
                "details": {
                    "body": "",
                    "documents": [],
                    "political": False,
                    "attachments": attachments,
                    "change_history": [{"public_timestamp": page.first_published_at, "note": "First published."}],
                },
            }
        )

    def _ons(self, path: str, query: dict):
        if path == "/file":
            uri = query["uri"][0]
            folder, name = uri.rsplit("/", 1)
            dataset_path, edition = folder.rsplit("/", 1)
            body = self.ons[dataset_path].editions[edition].get(name)
            return (body, _ctype(name), None) if body is not None else None
        if not path.endswith("/data"):
            return None
        page = path.removesuffix("/data")
        if page in self.ons:
            d = self.ons[page]
            return _json(
                {
                    "type": "dataset_landing_page",
                    "uri": d.path,
                    "section": {},
                    "relatedDatasets": [],
                    "relatedDocuments": [],
                    "timeseries": False,
                    "links": [],
                    "alerts": [],
                    "datasets": [{"uri": f"{d.path}/{e}"} for e in d.editions],
                    "description": {
                        "title": d.title,
                        "summary": "",
                        "nationalStatistic": True,
                        "releaseDate": max(d.release_dates.values()),
                        "nextRelease": d.next_release,
                        "datasetId": "",
                        "unit": "",
                        "preUnit": "",
                        "source": "",
                    },
                },
                ctype="text/plain; charset=utf-8",
            )
        dataset_path, edition = page.rsplit("/", 1)
        d = self.ons.get(dataset_path)
        if d is None or edition not in d.editions:
            return None
        return _json(
            {
                "type": "dataset",
                "uri": page,
                "downloads": [{"file": f} for f in d.editions[edition]],
                "supplementaryFiles": [],
                "versions": [],
                "description": {
                    "title": d.title,
                    "edition": edition,
                    "releaseDate": d.release_dates[edition],
                    "unit": "",
                    "preUnit": "",
                    "source": "",
                    "versionLabel": "",
                },
            }
        )


def _json(data, ctype: str = "application/json; charset=utf-8"):
    return json.dumps(data).encode(), ctype, None


def _ctype(name: str) -> str:
    return {
        "csv": "text/csv",
        "ods": "application/vnd.oasis.opendocument.spreadsheet",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }.get(name.rsplit(".", 1)[-1].lower(), "application/octet-stream")


def _http_date(iso: str | None) -> str | None:
    if not iso:
        return None
    return format_datetime(datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(UTC), usegmt=True)
