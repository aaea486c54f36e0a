"""The publisher-facing HTTP client's manners, and the archive that outlives a publisher's links."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from orchestration.lib.ingest import archive
from orchestration.lib.ingest.catalogue import Release
from orchestration.lib.ingest.http import (
    USER_AGENT,
    FetchError,
    HttpClient,
    parse_rewrites,
    retry_after_seconds,
    rewrite,
)
from orchestration.lib.ingest.landing import fetch, landing_path
from orchestration.settings import get_settings
from tests.support.helpers import SERVER_POLL


class Publisher:
    """A server that counts requests in flight, honours If-None-Match and can answer 503 first."""

    def __init__(self):
        self.bodies: dict[str, bytes] = {}
        self.busy: dict[str, int] = {}  # path -> 503 answers still to give (with Retry-After: 1)
        self.gone: set[str] = set()
        self.delay = 0.0
        self.in_flight = 0
        self.max_in_flight = 0
        self.lock = threading.Lock()
        self.log: list[tuple[str, int, str | None, float]] = []  # path, status, user agent, time


@pytest.fixture
def publisher(warehouse, monkeypatch):
    pub = Publisher()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            with pub.lock:
                pub.in_flight += 1
                pub.max_in_flight = max(pub.max_in_flight, pub.in_flight)
            try:
                time.sleep(pub.delay)
                status, body, headers = self.answer()
                pub.log.append((self.path, status, self.headers.get("User-Agent"), time.monotonic()))
            finally:
                # counted out before the answer leaves: a client that has its answer may start
                # its next request at once, before this thread would get past wfile.write
                with pub.lock:
                    pub.in_flight -= 1
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def answer(self):
            if pub.busy.get(self.path, 0) > 0:
                pub.busy[self.path] -= 1
                return 503, b"busy", {"Retry-After": "1"}
            if self.path in pub.gone:
                return 404, b"gone", {}
            body = pub.bodies.get(self.path)
            if body is None:
                return 404, b"not found", {}
            etag = f'"{hash(body) & 0xFFFFFFFF:x}"'
            if self.headers.get("If-None-Match") == etag:
                return 304, b"", {"ETag": etag}
            ctype = "application/json" if self.path.endswith(".json") else "text/csv"
            return 200, body, {"ETag": etag, "Content-Type": ctype}

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, kwargs=SERVER_POLL, daemon=True).start()
    pub.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    monkeypatch.setenv("CSC_HTTP_TIMEOUT", "5")
    monkeypatch.setenv("CSC_HTTP_RETRIES", "2")
    monkeypatch.setenv("CSC_URL_REWRITE", f"https://files.publisher.example={pub.base}")
    yield pub
    httpd.shutdown()
    httpd.server_close()


def test_rewrites_take_the_longest_matching_prefix():
    rules = parse_rewrites("https://a.example=http://127.0.0.1:1/a, https://a.example/deep=http://127.0.0.1:1/deep")
    assert rewrite("https://a.example/deep/x.csv", rules) == "http://127.0.0.1:1/deep/x.csv"
    assert rewrite("https://a.example/x.csv", rules) == "http://127.0.0.1:1/a/x.csv"
    assert rewrite("https://b.example/x.csv", rules) == "https://b.example/x.csv"
    with pytest.raises(ValueError, match="'nonsense' is not 'from=to'"):
        parse_rewrites("nonsense")


def test_retry_after_in_seconds_or_as_a_date():
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == pytest.approx(10.0)
    assert retry_after_seconds("soon") is None


def test_a_busy_server_s_retry_after_is_honoured_and_the_user_agent_names_the_project(publisher):
    publisher.bodies["/f.csv"] = b"a,b\n1,2\n"
    publisher.busy["/f.csv"] = 1
    r = Release(source="s", family="f", release="r1", file="f.csv", url="https://files.publisher.example/f.csv")
    landed = fetch(get_settings(), r)
    (_first, status1, agent, t1), (_, status2, _, t2) = publisher.log
    assert (status1, status2) == (503, 200) and t2 - t1 >= 0.95  # waited the second the server asked for
    assert agent == USER_AGENT and "csc-warehouse" in agent and "report problems" in agent
    assert landed.url == "https://files.publisher.example/f.csv"  # recorded as the publisher gave it, not rewritten


def test_at_most_two_requests_in_flight_per_host(publisher):
    publisher.delay = 0.3
    for n in range(6):
        publisher.bodies[f"/{n}.json"] = json.dumps({"n": n}).encode()
    settings = get_settings()
    answers = {}
    with HttpClient(settings) as client:

        def ask(n):
            answers[n] = client.get_json(f"https://files.publisher.example/{n}.json", label="t")

        threads = [threading.Thread(target=ask, args=(n,)) for n in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert answers == {n: {"n": n} for n in range(6)}
    assert len(publisher.log) == 6 and publisher.max_in_flight == 2


def test_an_unchanged_file_or_answer_costs_a_304(publisher):
    publisher.bodies["/data.csv"] = b"a,b\n1,2\n"
    publisher.bodies["/api.json"] = b'{"release": "2025"}'
    settings = get_settings()
    r = Release(source="s", family="f", release="r1", file="data.csv", url="https://files.publisher.example/data.csv")
    first = fetch(settings, r)
    again = fetch(settings, r)
    assert again == first and [s for _, s, _, _ in publisher.log] == [200, 304]
    with HttpClient(settings) as client:
        assert client.get_json("https://files.publisher.example/api.json", label="t") == {"release": "2025"}
        assert client.get_json("https://files.publisher.example/api.json", label="t") == {"release": "2025"}
        assert (client.requests, client.not_modified) == (2, 1)
    publisher.bodies["/data.csv"] = b"a,b\n1,3\n"  # the publisher corrects the file: a 200 with the new bytes
    changed = fetch(settings, r)
    assert changed.sha256 != first.sha256 and landing_path(settings, r).read_bytes() == b"a,b\n1,3\n"


def test_a_withdrawn_file_rebuilds_from_the_archive_and_exports_in_the_mirror_layout(publisher, tmp_path):
    publisher.bodies["/old.csv"] = b"a,b\n1,2\n"
    settings = get_settings()
    r = Release(
        source="cla", family="f", release="sfr_2011", file="old.csv", url="https://files.publisher.example/old.csv"
    )
    first = fetch(settings, r)
    assert archive.blob_path(settings, first.sha256).read_bytes() == b"a,b\n1,2\n"
    # the landing area is lost and the publisher has withdrawn the file: the archive still has it
    landing_path(settings, r).unlink()
    publisher.gone.add("/old.csv")
    restored = fetch(settings, r)
    assert restored.sha256 == first.sha256 and "restored the archived copy" in restored.note
    assert landing_path(settings, r).read_bytes() == b"a,b\n1,2\n"
    written = archive.export(settings, tmp_path / "mirror")
    assert written == ["cla/sfr_2011/old.csv"]
    assert (tmp_path / "mirror" / "cla" / "sfr_2011" / "old.csv").read_bytes() == b"a,b\n1,2\n"
    # a file neither landed nor archived cannot be conjured up: the error names it and why
    other = Release(
        source="cla", family="f", release="sfr_2012", file="new.csv", url="https://files.publisher.example/new.csv"
    )
    with pytest.raises(FetchError, match=r"cla/sfr_2012/new.csv: .*/new.csv answered HTTP 404"):
        fetch(settings, other)


def test_a_changed_pin_is_checked_against_the_bytes_not_answered_by_a_304(publisher):
    from orchestration.lib.ingest.landing import ChecksumMismatch

    publisher.bodies["/p.csv"] = b"a,b\n1,2\n"
    settings = get_settings()
    r = Release(source="s", family="f", release="r1", file="p.csv", url="https://files.publisher.example/p.csv")
    fetch(settings, r)
    pinned = Release(source="s", family="f", release="r1", file="p.csv", url=r.url, sha256="0" * 64)
    with pytest.raises(ChecksumMismatch, match="differs from the catalogue's pinned"):
        fetch(settings, pinned)
    assert [s for _, s, _, _ in publisher.log] == [200, 200]  # asked without validators: the bytes were checked


def test_a_redirect_loop_is_refused_by_name(publisher):
    import http.server

    class Loop(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            self.send_response(302)
            self.send_header("Location", self.path)
            self.end_headers()

    loop = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Loop)
    threading.Thread(target=loop.serve_forever, kwargs=SERVER_POLL, daemon=True).start()
    try:
        r = Release(
            source="s", family="f", release="r1", file="x.csv", url=f"http://127.0.0.1:{loop.server_address[1]}/x.csv"
        )
        with pytest.raises(FetchError, match="s/r1/x.csv: .* redirected too many times"):
            fetch(get_settings(), r)
    finally:
        loop.shutdown()
        loop.server_close()
