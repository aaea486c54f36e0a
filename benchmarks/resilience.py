"""Resilience figures: bad-input kinds tried, kills survived, reader queries during
publishes, errors, fetch faults.

    uv run python benchmarks/resilience.py [--mirror DIR]

Runs the resilience tests (tests/e2e/test_bad_input.py: every kind of bad source input in
tests/support/bad_input.py through a real refresh; tests/e2e/test_resilience.py: SIGKILL at fetch,
load, dbt build, gates and publish of a real refresh on the mirror, then a recovery refresh
with 8 read-only reader processes and a second, refused refresh; tests/unit/test_fetch.py: HTTP
faults against a server on 127.0.0.1) and prints what they measured. Prints figures; a
failing test is printed as such and the script exits non-zero.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FETCH_FAULTS = {
    "test_http_retries_5xx_then_succeeds": "500 and 503, then success (retried)",
    "test_http_404_is_not_retried": "404 (one request, no retry)",
    "test_http_retries_are_bounded": "503 forever (3 attempts, then a clear error)",
    "test_truncated_body_never_lands": "truncated body (Content-Length mismatch)",
    "test_timeout_is_bounded": "timeout",
    "test_connection_reset_is_retried_then_bounded": "connection reset",
    "test_redirect_is_followed": "redirect",
    "test_a_trickling_server_is_cut_off_at_the_overall_limit": "very slow server",
    "test_html_page_is_refused": "HTML page instead of data",
    "test_pinned_checksum_mismatch_is_refused": "checksum differs from the pinned one",
    "test_a_file_over_the_size_limit_never_lands": "file and zip member over the size limit",
    "test_zip_member_is_extracted_and_an_archive_with_traversal_entries_is_refused": "zip with a path-traversal entry",
    "test_a_body_that_does_not_decode_as_its_content_encoding_is_refused": "corrupt gzip body",
}


def run_pytest(args: list[str], env: dict) -> tuple[int, dict[str, str]]:
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-rA", "-q", "-p", "no:cacheprovider", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
    )
    outcomes = {}
    for line in proc.stdout.splitlines():
        m = re.match(r"^(PASSED|FAILED|ERROR) \S+::(\w+)(\[[^\]]*\])?", line)
        if m:
            outcomes[m.group(2) + (m.group(3) or "")] = m.group(1)
    if proc.returncode not in (0, 1):
        sys.stdout.write(proc.stdout[-3000:] + proc.stderr[-3000:])
    return proc.returncode, outcomes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror", type=Path, default=REPO.parent / "shared" / "releases")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        report, bad_report = Path(tmp) / "resilience.json", Path(tmp) / "bad_input.json"
        env = {
            **os.environ,
            "CSC_RESILIENCE_REPORT": str(report),
            "CSC_BAD_INPUT_REPORT": str(bad_report),
            "CSC_SOURCE_MIRROR": str(args.mirror.resolve()),
        }
        code_e2e, e2e = run_pytest(["-m", "e2e", "tests/e2e/test_bad_input.py", "tests/e2e/test_resilience.py"], env)
        code_fetch, fetch = run_pytest(["tests/unit/test_fetch.py"], env)
        figures = json.loads(report.read_text()) if report.exists() else {}
        bad = json.loads(bad_report.read_text()) if bad_report.exists() else {}
    kills = sorted(k.removeprefix("killed_at_") for k in figures if k.startswith("killed_at_"))
    faults = [(label, fetch.get(name, "not run")) for name, label in FETCH_FAULTS.items()]
    cases = [n for n in e2e if n.startswith("test_bad_input_stops_the_refresh_and_keeps_the_publication")]
    print(
        f"bad-input kinds tried:       {bad.get('kinds', 0)} (refresh stopped: {bad.get('stopped', 0)}, "
        f"publication byte-identical: {bad.get('publication_unchanged', 0)}, every check passed: "
        f"{sum(e2e[n] == 'PASSED' for n in cases)} of {len(cases)})"
    )
    print(f"kills survived:              {len(kills)} ({', '.join(kills) or 'none'})")
    print(f"reader processes:            {figures.get('readers', 0)}")
    print(f"reader queries during a refresh and publish: {figures.get('reader_queries', 0)}")
    print(f"reader errors:               {figures.get('reader_errors', 'not measured')}")
    print(f"second refresh refused:      {figures.get('second_refresh_refused', False)}")
    print(f"fetch faults survived:       {sum(o == 'PASSED' for _, o in faults)} of {len(faults)}")
    for label, outcome in faults:
        print(f"  {outcome:8} {label}")
    failed = [n for n, o in {**e2e, **fetch}.items() if o != "PASSED"]
    if failed:
        print("failed:", ", ".join(failed))
    return 0 if code_e2e == 0 and code_fetch == 0 and not failed else 1


if __name__ == "__main__":
    sys.exit(main())
