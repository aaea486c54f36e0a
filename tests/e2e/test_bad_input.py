"""The bad-input corpus (tests/support/bad_input.py), each case run through a real `csc refresh` on a
copy of a published warehouse, with the real mirror's files and one of them broken.

For every kind: the refresh stops at the stage the design says, the message names the file
and the row or column and what was expected, the published warehouse is byte-identical
afterwards, `csc status` shows the failure, and the run's offline HTML validation report
(linked from status) says why it stopped. The cases of a batch (tests/support/bad_input.py) break
files of different families and share one refresh; batches run on two warehouses at once
(this machine has two cores); results are collected once for the module and asserted per case.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import os
import queue
import re
import shutil
import subprocess
import threading
import time
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from orchestration.lib.ingest.catalogue import load_catalogue
from orchestration.settings import get_settings
from tests.support.bad_input import CASES, BadInput, slug
from tests.support.helpers import clean_env, clone_warehouse, csc_command, csc_status

pytestmark = pytest.mark.e2e

WORKERS = 2


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def link_or_copy(src: Path, dest: Path) -> None:
    if dest.exists():  # one file can feed two families (IoD2019 File 11)
        return
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dest)
    except OSError:
        shutil.copyfile(src, dest)


def build_mirror(good: Path, dest: Path, cases: list[BadInput]) -> Path:
    """The good mirror with the cases' files broken (written anew: the good files are untouched)."""
    broken = {c.path for c in cases}
    for release in load_catalogue().releases:
        rel = str(release.relative_path)
        if rel not in broken:
            link_or_copy(good / rel, dest / rel)
    for path in broken:
        target = dest / path
        target.parent.mkdir(parents=True, exist_ok=True)
        here = [c for c in cases if c.path == path]  # two cases may break one file
        if any(c.sparse_bytes for c in here):
            with open(target, "wb") as fh:
                fh.truncate(max(c.sparse_bytes for c in here))  # a hole: nothing is written to disk
            continue
        data = (good / path).read_bytes()
        for case in here:
            data = case.mutate(data)
        target.write_bytes(data)
    return dest


class MirrorServer:
    """The good mirror over HTTP on 127.0.0.1; ``override`` answers one path differently."""

    def __init__(self, root: Path):
        self.root, self.override = root, {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                response = server.override.get(self.path)
                if response is None:
                    path = (server.root / self.path.lstrip("/")).resolve()
                    if not path.is_relative_to(server.root) or not path.is_file():
                        self.send_error(404)
                        return
                    response = {"body": path.read_bytes(), "type": "application/octet-stream"}
                self.send_response(200)
                self.send_header("Content-Type", response.get("type", "application/octet-stream"))
                self.send_header("Content-Length", str(len(response["body"])))
                if response.get("encoding"):
                    self.send_header("Content-Encoding", response["encoding"])
                self.end_headers()
                self.wfile.write(response["body"])

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def zip_body(good: Path, case: BadInput) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in case.http["zip"].items():
            if content is None:
                zf.writestr(name, (good / case.path).read_bytes())
            elif isinstance(content, int):  # a member that inflates to `content` bytes of zeros
                with zf.open(name, "w", force_zip64=True) as member:
                    block = bytes(1 << 20)
                    for _ in range(content >> 20):
                        member.write(block)
            else:
                zf.writestr(name, content)
    return out.getvalue()


def http_catalogue(server: MirrorServer, good: Path, cases: list[BadInput], dest: Path) -> Path:
    """The project's catalogue with every download location on the local server, the cases'
    files answered as each case says (a zip, an HTML page, a corrupt gzip body)."""
    spec = yaml.safe_load(get_settings().catalogue_path.read_text(encoding="utf-8"))
    by_path = {c.path: c for c in cases}
    for source, publication in spec["sources"].items():
        publication["discovery"] = {"via": "links"}  # every file has a link on the local server: nothing to discover
        for family in publication["families"].values():
            for release in family["releases"]:
                rel = f"{source}/{release['release']}/{release['file']}"
                release["url"] = f"{server.base}/{rel}"
                release.pop("archive_member", None)
                case = by_path.get(rel)
                if case is not None and "zip" in case.http:
                    release["url"] = f"{server.base}/zip/{rel}"
                    release["archive_member"] = next(iter(case.http["zip"]))
                    server.override[f"/zip/{rel}"] = {"body": zip_body(good, case), "type": "application/zip"}
                elif case is not None:
                    server.override[f"/{rel}"] = dict(case.http)
    dest.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return dest


def unpinned_catalogue(cases: list[BadInput], dest: Path) -> Path | None:
    """The project's catalogue without the sha256 pins of the files that cases past the fetch
    stage break: a pinned file with other bytes stops at fetch (a case of its own), and these
    cases are about the checks behind it (a workbook whose sheet went missing, say)."""
    paths = {c.path for c in cases if c.stage != "fetch"}
    spec = yaml.safe_load(get_settings().catalogue_path.read_text(encoding="utf-8"))
    dropped = 0
    for source, publication in spec["sources"].items():
        for family in publication["families"].values():
            for release in family["releases"]:
                if f"{source}/{release['release']}/{release['file']}" in paths and release.pop("sha256", None):
                    dropped += 1
    if not dropped:
        return None
    dest.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return dest


def run_batch(cases: list[BadInput], warehouse: Path, good: Path, work: Path) -> dict:
    before = digest(warehouse / "csc.duckdb")
    args = ["refresh", "--warehouse-dir", str(warehouse)]
    env = clean_env()
    server = None
    try:
        if any(c.http for c in cases):
            server = MirrorServer(good)
            env["CSC_CATALOGUE"] = str(http_catalogue(server, good, cases, work / "sources.yml"))
            env["CSC_HTTP_TIMEOUT"], env["CSC_HTTP_RETRIES"] = "10", "1"
        else:
            args += ["--mirror", str(build_mirror(good, work / "mirror", cases))]
            catalogue = unpinned_catalogue(cases, work / "sources.yml")
            if catalogue is not None:
                env["CSC_CATALOGUE"] = str(catalogue)
        started = time.monotonic()
        run = subprocess.run(csc_command(*args), capture_output=True, text=True, timeout=900, env=env)
        took = time.monotonic() - started
    finally:
        if server is not None:
            server.close()
        shutil.rmtree(work / "mirror", ignore_errors=True)
    status = csc_status(warehouse)
    report_lines = [
        line.split("validation report:", 1)[1].strip()
        for line in status.stdout.splitlines()
        if "validation report:" in line
    ]
    report = (
        Path(report_lines[0]).read_text(encoding="utf-8") if report_lines and Path(report_lines[0]).exists() else ""
    )
    return {
        "returncode": run.returncode,
        "stderr": run.stderr,
        "seconds": round(took, 1),
        "unchanged": digest(warehouse / "csc.duckdb") == before,
        "leftovers": sorted(p.name for p in warehouse.glob("csc*") if p.name != "csc.duckdb"),
        "status": status.stdout,
        "report": report,
    }


@pytest.fixture(scope="module")
def corpus(published_warehouse, mirror_dir, tmp_path_factory):
    root = tmp_path_factory.mktemp("bad_input")
    good = root / "good_mirror"
    for release in load_catalogue().releases:
        link_or_copy(mirror_dir / release.relative_path, good / release.relative_path)
    batches: dict[str, list[BadInput]] = {}
    for case in CASES:
        batches.setdefault(case.batch, []).append(case)
    todo: queue.Queue[str] = queue.Queue()
    for name in batches:
        todo.put(name)
    results: dict[str, dict] = {}

    def worker(n: int) -> None:
        warehouse = clone_warehouse(published_warehouse, root / f"warehouse_{n}")
        while True:
            try:
                name = todo.get_nowait()
            except queue.Empty:
                return
            work = root / f"work_{name}"
            work.mkdir()
            try:
                results[name] = run_batch(batches[name], warehouse, good, work)
            except Exception as exc:  # reported by each case's own test
                results[name] = {"error": f"{type(exc).__name__}: {exc}"}

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    by_case = {slug(c): results[c.batch] for c in CASES}
    figures = {
        "kinds": len(CASES),
        "refreshes": len(batches),
        "stopped": sum(1 for r in by_case.values() if r.get("returncode") == 1),
        "publication_unchanged": sum(1 for r in by_case.values() if r.get("unchanged")),
        "seconds": {k: r.get("seconds") for k, r in results.items()},
    }
    report = Path(os.environ.get("CSC_BAD_INPUT_REPORT") or root / "bad_input.json")
    report.write_text(json.dumps(figures, indent=1), encoding="utf-8")
    return {"results": by_case, "good": good}


def test_the_corpus_has_at_least_30_kinds_and_batches_keep_them_apart():
    assert len({c.kind for c in CASES}) == len(CASES) >= 30
    assert {c.stage for c in CASES} == {"fetch", "parse", "raw gate", "dbt test", "mart gate"}
    for batch in {c.batch for c in CASES}:
        cases = [c for c in CASES if c.batch == batch]
        # one stage per batch (fetch and parse are both the ingest step): a failure that stops
        # the refresh earlier cannot hide a later one
        assert len({"ingest" if c.stage in ("fetch", "parse") else c.stage for c in cases}) == 1
        if cases[0].stage != "mart gate":  # fetch, parse and raw gates run per family: one case each
            assert len({family_of(c) for c in cases}) == len(cases), batch


def family_of(case: BadInput) -> str:
    return next(r.family for r in load_catalogue().releases if str(r.relative_path) == case.path)


@pytest.mark.parametrize("case", CASES, ids=slug)
def test_bad_input_stops_the_refresh_and_keeps_the_publication(corpus, case):
    result = corpus["results"][slug(case)]
    assert "error" not in result, result.get("error")
    out = result["stderr"]
    expected = case.expected((corpus["good"] / case.path).read_bytes())
    assert result["returncode"] == 1, out[-3000:]
    assert "refresh failed" in out and "the published warehouse was not changed" in out
    for fragment in expected:
        assert fragment in out, f"{fragment!r} not in the refresh's message:\n{out[-6000:]}"
    # it stopped where the design says, before anything was published
    assert "▶ published__csc_duckdb" not in out
    family = family_of(case)
    if case.stage in ("fetch", "parse"):
        assert re.search(rf"✗ ingest__\w+: .*raw\.{family}: ", out) and "▶ csc_dbt_models" not in out
    elif case.stage == "raw gate":
        assert f"✗ check raw/{family}:" in out and "▶ csc_dbt_models" not in out
    elif case.stage == "dbt test":  # a failed dbt test fails the dbt build: no mart gate runs
        assert "✗ csc_dbt_models:" in out and "✗ check marts/" in out
    else:
        assert "✓ csc_dbt_models" in out and "✗ check marts/" in out
    # byte-identical publication, nothing half-written beside it
    assert result["unchanged"] and result["leftovers"] == []
    # csc status names the failure; the run's report (linked from status) says why it stopped
    assert "FAILURE" in result["status"]
    assert expected[0] in result["status"], result["status"][-3000:]
    assert "The refresh stopped: nothing was published" in result["report"]
    assert html.escape(expected[-1]) in result["report"]
