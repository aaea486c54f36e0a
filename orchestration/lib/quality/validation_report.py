"""A validation report a person can read offline: ``runs/<run>/validations/index.html``.

One self-contained HTML page (inline styles, no scripts, nothing fetched from the network)
listing every expectation suite run in the refresh: the asset it guards, what it checks,
pass or fail, and for failures what was expected and the rows (release, file, row number)
that broke it. ``csc status`` prints its path.

A refresh that stops early still leaves a report of what ran: each suite's outcome is written
beside its GX result as the suite ends, and a gate step (:class:`ReportWriter`) rewrites the
page as soon as a suite fails, at most every ``RENDER_EVERY`` seconds while suites pass, and
when the step ends, however it ends; ``csc refresh`` rewrites it once more with why the run
stopped (rewriting it after every suite would re-read every outcome each time).
"""

from __future__ import annotations

import json
import math
import time
from datetime import UTC, datetime
from html import escape
from pathlib import Path

from orchestration.lib.core import files

REPORT_NAME = "index.html"
OUTCOME_SUFFIX = ".outcome.json"

_STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:2rem;color:#1b1b1b;max-width:72rem}
h1{font-size:1.4rem}table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #ddd;padding:.4rem .5rem;
text-align:left;vertical-align:top;font-size:.9rem}th{background:#f3f3f3}.pass{color:#0b6b2b;font-weight:600}
.fail{color:#b00020;font-weight:600}ul{margin:.2rem 0;padding-left:1.1rem}code{font-size:.85rem}.summary{margin:1rem 0}
"""


# A passing suite waits at most this long to appear on the page (a failing one appears at once).
RENDER_EVERY = 5.0


def write_outcome(directory: Path, outcome: dict) -> None:
    """Record one suite's outcome beside its GX result, then rewrite the report."""
    _record(directory, outcome)
    render(directory)


def _record(directory: Path, outcome: dict) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{outcome['suite']}{OUTCOME_SUFFIX}"
    files.write_text(path, json.dumps(outcome, indent=1, default=str))


class ReportWriter:
    """The report as one gate step writes it: every outcome recorded as its suite ends, the
    page rewritten when a suite fails, when ``every`` seconds have passed since the last
    rewrite (the first outcome rewrites it at once), and on leaving the ``with`` block."""

    def __init__(self, directory: Path, every: float = RENDER_EVERY, clock=time.monotonic) -> None:
        self.directory, self.every, self._clock = directory, every, clock
        self._rendered_at = -math.inf
        self._pending = False

    def record(self, outcome: dict) -> None:
        _record(self.directory, outcome)
        self._pending = True
        if not outcome.get("success") or self._clock() - self._rendered_at >= self.every:
            self.flush()

    def flush(self) -> None:
        if self._pending:
            render(self.directory)
            self._pending, self._rendered_at = False, self._clock()

    def __enter__(self) -> ReportWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.flush()


RUN_FAILURES = "_refresh.failures.json"


def write_run_failures(directory: Path, failures: list[str]) -> Path:
    """Record why a refresh stopped (a file that could not be fetched or parsed, a failed
    check) so the report shows it above the suites, then rewrite the report."""
    directory.mkdir(parents=True, exist_ok=True)
    files.write_text(directory / RUN_FAILURES, json.dumps(failures, indent=1))
    return render(directory)


def render(directory: Path) -> Path:
    try:
        run_failures = json.loads((directory / RUN_FAILURES).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        run_failures = []
    outcomes = []
    for path in sorted(directory.glob(f"*{OUTCOME_SUFFIX}")):
        try:
            outcomes.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, json.JSONDecodeError):  # a file being replaced: the next render has it
            continue
    outcomes.sort(key=lambda o: (o.get("success", False), o.get("asset", ""), o["suite"]))
    failed = [o for o in outcomes if not o.get("success")]
    run_id = directory.parent.name
    rows = []
    for o in outcomes:
        status = '<span class="pass">passed</span>' if o.get("success") else '<span class="fail">FAILED</span>'
        detail = ""
        if o.get("failures"):
            detail = "<ul>" + "".join(f"<li><code>{escape(f)}</code></li>" for f in o["failures"]) + "</ul>"
        rows.append(
            f"<tr><td>{status}</td><td><code>{escape(o.get('asset', ''))}</code></td><td><code>{escape(o['suite'])}</code>"
            f"<br>{escape(o.get('description', ''))}</td><td>{o.get('evaluated', 0)} expectations on {o.get('rows', 0)} rows"
            f'{detail}</td><td><a href="{escape(o["suite"])}.json">result JSON</a></td></tr>'
        )
    html = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>Validation report {escape(run_id)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>Validation report: refresh {escape(run_id)}</h1>"
        + (
            '<h2 class="fail">The refresh stopped: nothing was published</h2><ul>'
            + "".join(f"<li><code>{escape(f)}</code></li>" for f in run_failures)
            + "</ul>"
            if run_failures
            else ""
        )
        + f'<p class="summary">{len(outcomes) - len(failed)} of {len(outcomes)} suites passed'
        f"{'' if not failed else f'; <span class=fail>{len(failed)} failed</span>: the refresh did not publish'}."
        f" Written {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC.</p>"
        "<table><thead><tr><th>result</th><th>asset</th><th>suite</th><th>details</th><th></th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table></body></html>"
    )
    path = directory / REPORT_NAME
    files.write_text(path, html)
    return path
