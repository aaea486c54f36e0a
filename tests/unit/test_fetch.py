import io
import json
import threading
import time
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from orchestration.lib.core.files import sha256_file as sha256_of
from orchestration.lib.ingest.catalogue import Release, load_catalogue
from orchestration.lib.ingest.http import FetchError
from orchestration.lib.ingest.landing import fetch, landing_path
from orchestration.settings import get_settings
from tests.support.helpers import FIXTURE_MIRROR, SERVER_POLL

BODY = b"a,b\n1,2\n"


class Script:
    """path -> list of responses served in order (the last one repeats)."""

    def __init__(self):
        self.routes: dict[str, list[dict]] = {}
        self.hits: dict[str, int] = {}


@pytest.fixture
def server():
    script = Script()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            n = script.hits.get(self.path, 0)
            script.hits[self.path] = n + 1
            responses = script.routes.get(self.path) or [{"status": 404, "body": b"not found"}]
            r = responses[min(n, len(responses) - 1)]
            if r.get("sleep"):
                time.sleep(r["sleep"])
            if r.get("reset"):  # drop the connection with a TCP reset, no response
                import socket
                import struct

                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.connection.close()
                self.close_connection = True
                return
            if r.get("redirect"):
                self.send_response(302)
                self.send_header("Location", r["redirect"])
                self.end_headers()
                return
            body = r.get("body", BODY)
            self.send_response(r.get("status", 200))
            self.send_header("Content-Type", r.get("type", "text/csv"))
            self.send_header("Content-Length", str(r.get("length", len(body))))
            if r.get("encoding"):
                self.send_header("Content-Encoding", r["encoding"])
            self.end_headers()
            if r.get("trickle"):  # one byte at a time, each inside the read timeout
                try:
                    for i in range(len(body)):
                        self.wfile.write(body[i : i + 1])
                        self.wfile.flush()
                        time.sleep(r["trickle"])
                except OSError:  # the client gave up
                    pass
                return
            self.wfile.write(body)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs=SERVER_POLL, daemon=True)
    thread.start()
    script.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    yield script
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def http_settings(warehouse, monkeypatch):
    monkeypatch.setenv("CSC_HTTP_TIMEOUT", "1")
    monkeypatch.setenv("CSC_HTTP_RETRIES", "2")
    return get_settings()


def release(url: str, **kw) -> Release:
    return Release(
        source="cla", family="fam", release="ees_2099", file="data.csv", page="https://example.invalid", url=url, **kw
    )


def landed_files(settings):
    return sorted(p.name for p in settings.landing_dir.rglob("*") if p.is_file())


def test_mirror_fetch_lands_atomically_with_provenance(fixture_mirror):
    r = load_catalogue().family("cla_number_and_rate_per_10k").releases[2]  # ees_2024
    landed = fetch(fixture_mirror, r)
    dest = landing_path(fixture_mirror, r)
    assert dest == fixture_mirror.landing_dir / "cla" / "ees_2024" / "cla_number_and_rate_per_10k_children.csv"
    assert dest.read_bytes() == (FIXTURE_MIRROR / r.relative_path).read_bytes()
    assert landed.sha256 == sha256_of(dest) and landed.bytes == dest.stat().st_size
    assert landed.origin.startswith("mirror:")
    record = json.loads(landed.provenance_path.read_text())
    assert record["sha256"] == landed.sha256 and record["fetched_at"] == landed.fetched_at
    assert landed_files(fixture_mirror) == [dest.name, dest.name + ".provenance.json"]  # no temp files left


def test_unchanged_refetch_keeps_the_first_fetch(fixture_mirror):
    r = load_catalogue().family("cla_number_and_rate_per_10k").releases[2]
    first = fetch(fixture_mirror, r)
    time.sleep(1.1)
    again = fetch(fixture_mirror, r)
    assert again == first


def test_file_missing_from_mirror_is_named(fixture_mirror):
    r = load_catalogue().family("cla_number_and_rate_per_10k").releases[0]  # no ees_2022 fixture
    with pytest.raises(
        FetchError, match=r"cla/ees_2022/cla_number_and_rate_per_10k_children.csv: not found in the mirror"
    ):
        fetch(fixture_mirror, r)
    assert landed_files(fixture_mirror) == []


def test_http_retries_5xx_then_succeeds(server, http_settings):
    server.routes["/f.csv"] = [{"status": 500}, {"status": 503}, {"body": BODY}]
    landed = fetch(http_settings, release(server.base + "/f.csv"))
    assert server.hits["/f.csv"] == 3
    assert landing_path(http_settings, release("x")).read_bytes() == BODY
    assert landed.origin == server.base + "/f.csv"


def test_http_404_is_not_retried(server, http_settings):
    with pytest.raises(FetchError, match=r"cla/ees_2099/data.csv: .* answered HTTP 404; not retried"):
        fetch(http_settings, release(server.base + "/missing.csv"))
    assert server.hits["/missing.csv"] == 1
    assert landed_files(http_settings) == []


def test_http_retries_are_bounded(server, http_settings):
    server.routes["/down.csv"] = [{"status": 503}]
    with pytest.raises(FetchError, match=r"failed after 3 attempt\(s\): HTTP 503"):
        fetch(http_settings, release(server.base + "/down.csv"))
    assert server.hits["/down.csv"] == 3


def test_truncated_body_never_lands(server, http_settings):
    server.routes["/short.csv"] = [{"body": BODY, "length": len(BODY) + 100}]
    with pytest.raises(FetchError):
        fetch(http_settings, release(server.base + "/short.csv"))
    assert landed_files(http_settings) == []


def test_timeout_is_bounded(server, http_settings):
    server.routes["/slow.csv"] = [{"sleep": 3}]
    started = time.monotonic()
    with pytest.raises(FetchError, match="failed after"):
        fetch(http_settings, release(server.base + "/slow.csv"))
    assert time.monotonic() - started < 10


def test_redirect_is_followed(server, http_settings):
    server.routes["/old.csv"] = [{"redirect": "/new.csv"}]
    server.routes["/new.csv"] = [{"body": BODY}]
    fetch(http_settings, release(server.base + "/old.csv"))
    assert landing_path(http_settings, release("x")).read_bytes() == BODY


def test_html_page_is_refused(server, http_settings):
    server.routes["/page"] = [{"body": b"<html>sign in</html>", "type": "text/html; charset=utf-8"}]
    with pytest.raises(FetchError, match="returned an HTML page"):
        fetch(http_settings, release(server.base + "/page"))


def test_zip_member_is_extracted_and_an_archive_with_traversal_entries_is_refused(server, http_settings):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("data/data.csv", BODY)
        zf.writestr("data/other.csv", b"x,y\n")
    server.routes["/all.zip"] = [{"body": buf.getvalue(), "type": "application/zip"}]
    fetch(http_settings, release(server.base + "/all.zip", archive_member="data/data.csv"))
    assert landing_path(http_settings, release("x")).read_bytes() == BODY
    with pytest.raises(FetchError, match="archive has no member 'data/missing.csv'"):
        fetch(http_settings, release(server.base + "/all.zip", archive_member="data/missing.csv"))
    for entry in ("../../escape.csv", "/etc/escape.csv", "data/../../escape.csv"):
        evil = io.BytesIO()
        with zipfile.ZipFile(evil, "w") as zf:
            zf.writestr("data/data.csv", b"a,b\n3,4\n")
            zf.writestr(entry, b"evil")
        server.routes["/evil.zip"] = [{"body": evil.getvalue(), "type": "application/zip"}]
        with pytest.raises(FetchError, match=f"archive entry '{entry}' points outside the archive"):
            fetch(http_settings, release(server.base + "/evil.zip", archive_member="data/data.csv"))
        assert landing_path(http_settings, release("x")).read_bytes() == BODY  # the earlier file stays
    assert not list(http_settings.warehouse_dir.parent.rglob("escape.csv"))


def test_a_body_that_does_not_decode_as_its_content_encoding_is_refused(server, http_settings):
    server.routes["/gz.csv"] = [{"body": b"\x1f\x8b\x08\x00 this is not gzip", "encoding": "gzip"}]
    with pytest.raises(FetchError, match="does not decode as its Content-Encoding 'gzip'"):
        fetch(http_settings, release(server.base + "/gz.csv"))
    assert landed_files(http_settings) == []
    import gzip

    server.routes["/good.csv"] = [{"body": gzip.compress(BODY), "encoding": "gzip"}]
    fetch(http_settings, release(server.base + "/good.csv"))  # a whole gzip body is decoded, not taken as truncated
    assert landing_path(http_settings, release("x")).read_bytes() == BODY


def test_pinned_checksum_mismatch_is_refused(server, http_settings):
    server.routes["/f.csv"] = [{"body": BODY}]
    with pytest.raises(FetchError, match="differs from the catalogue's pinned"):
        fetch(http_settings, release(server.base + "/f.csv", sha256="0" * 64))
    assert landed_files(http_settings) == []


def test_no_url_and_no_mirror_says_what_to_do(http_settings):
    r = Release(source="cla", family="f", release="ees_2099", file="x.csv", page="https://example.invalid/page")
    with pytest.raises(
        FetchError,
        match="no download location: discovery did not find this file.*https://example.invalid/page.*--mirror",
    ):
        fetch(http_settings, r)


@pytest.mark.slow  # waits out the retries' backoff, twice
def test_connection_reset_is_retried_then_bounded(server, http_settings):
    server.routes["/reset.csv"] = [{"reset": True}, {"body": BODY}]
    fetch(http_settings, release(server.base + "/reset.csv"))
    assert server.hits["/reset.csv"] == 2
    server.routes["/always-reset.csv"] = [{"reset": True}]
    # a publisher that is down: the copy landed before stands in, and says why
    kept = fetch(http_settings, release(server.base + "/always-reset.csv"))
    assert server.hits["/always-reset.csv"] == 3
    assert kept.sha256 == sha256_of(landing_path(http_settings, release("x"))) and "failed after 3 attempt" in kept.note
    # with nothing landed before, the refresh cannot go on: the error names the file and the reason
    fresh = Release(
        source="cla",
        family="fam",
        release="ees_2098",
        file="data.csv",
        page="https://example.invalid",
        url=server.base + "/always-reset.csv",
    )
    with pytest.raises(FetchError, match="cla/ees_2098/data.csv: .* failed after 3 attempt"):
        fetch(http_settings, fresh)


@pytest.mark.slow  # waits for the overall time limit (3 s)
def test_a_trickling_server_is_cut_off_at_the_overall_limit(server, http_settings):
    # 0.4 s per byte keeps every read under the 1 s timeout; 3 attempts x 1 s is the limit
    server.routes["/trickle.csv"] = [{"body": BODY * 50, "trickle": 0.4}]
    started = time.monotonic()
    with pytest.raises(FetchError, match="still sending after the overall time limit"):
        fetch(http_settings, release(server.base + "/trickle.csv"))
    assert time.monotonic() - started < 6
    assert landed_files(http_settings) == []


def test_a_file_over_the_size_limit_never_lands(server, http_settings, monkeypatch):
    import orchestration.lib.ingest.landing as fetch_module

    monkeypatch.setattr(fetch_module, "MAX_FILE_BYTES", 1000)
    server.routes["/big.csv"] = [{"body": b"x" * 5000}]
    with pytest.raises(FetchError, match="5000 bytes, over the 1000-byte limit"):
        fetch(http_settings, release(server.base + "/big.csv"))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("data/data.csv", b"0" * 50_000)  # a small zip that inflates past the limit
    server.routes["/bomb.zip"] = [{"body": buf.getvalue(), "type": "application/zip"}]
    with pytest.raises(FetchError, match="archive member data/data.csv is over the 1000-byte limit"):
        fetch(http_settings, release(server.base + "/bomb.zip", archive_member="data/data.csv"))
    assert landed_files(http_settings) == []


def test_a_part_left_by_a_killed_fetch_is_cleared(fixture_mirror):
    r = load_catalogue().family("cla_number_and_rate_per_10k").releases[2]
    dest = landing_path(fixture_mirror, r)
    dest.parent.mkdir(parents=True)
    left = dest.parent / f".{dest.name}.abc123.tmp"  # named as files.temp_beside names it
    left.write_bytes(b"half a file")
    fetch(fixture_mirror, r)
    assert not left.exists()
    assert landed_files(fixture_mirror) == [dest.name, dest.name + ".provenance.json"]
