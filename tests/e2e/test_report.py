"""`csc report` on a published warehouse: a page per LA and an index that render in a real browser.

Headless Chromium (Debian's `chromium` package; Playwright's browsers come from a CDN this
project cannot rely on) opens the index and a few LA pages from file://, offline: every chart
container must hold a plotly-drawn SVG, the console must stay silent, and a screenshot of each
page is saved under the test's tmp dir and under the test warehouse's ``reports/screenshots/``
(both paths printed: ``pytest -s`` shows them).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

from tests.support.helpers import clean_env, clone_warehouse, csc_command

pytestmark = pytest.mark.e2e

# a trust (Birmingham), a shared arrangement (Kingston), an ordinary council (Hull), the two smallest LAs
PAGES = ["E08000025", "E09000021", "E06000010", "E09000001", "E06000053"]


def chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    pytest.fail(
        "headless Chromium is needed to check the LA pages render: install Debian's package "
        "(apt-get install -y --no-install-recommends chromium; .ci/run does it when run as root)"
    )


@pytest.fixture(scope="module")
def reports(published_warehouse, tmp_path_factory) -> Path:
    warehouse = clone_warehouse(published_warehouse, tmp_path_factory.mktemp("report") / "warehouse")
    run = subprocess.run(
        csc_command("report", "--warehouse-dir", str(warehouse)),
        capture_output=True,
        text=True,
        timeout=600,
        env=clean_env(),
    )
    assert run.returncode == 0, run.stderr[-3000:]
    index = Path(run.stdout.strip().splitlines()[-1])
    assert index == warehouse / "reports" / "index.html" and index.exists(), run.stdout
    print(run.stderr.strip())
    return index.parent


def browse(url: str, *flags: str, timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            chromium(),
            "--headless",
            "--disable-gpu",
            "--no-sandbox",
            "--no-first-run",
            "--disable-extensions",
            "--disable-dev-shm-usage",
            "--virtual-time-budget=10000",
            "--enable-logging=stderr",
            "--v=0",
            *flags,
            url,
        ],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def console_problems(stderr: str) -> list[str]:
    """Console output of the page (Chromium logs each message as a CONSOLE line) and uncaught errors."""
    return [line for line in stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]


def test_a_page_for_every_current_la_and_an_index_linking_them(reports):
    warehouse = reports.parent
    with duckdb.connect(str(warehouse / "csc.duckdb"), read_only=True) as con:
        current = {
            r[0] for r in con.execute("select la_code from marts.dim_local_authority where is_current").fetchall()
        }
        has_variation = bool(
            con.execute(
                "select count(*) from information_schema.tables "
                "where table_schema = 'marts' and table_name = 'mart_variation'"
            ).fetchone()[0]
        )
    pages = {p.stem: p for p in (reports / "la").glob("*.html")}
    assert set(pages) == current
    index = (reports / "index.html").read_text(encoding="utf-8")
    assert set(re.findall(r'href="la/(E\d{8})\.html"', index)) == current
    assert (reports / "assets" / "plotly.min.js").stat().st_size > 1_000_000
    sizes = sorted(p.stat().st_size for p in pages.values())
    print(
        f"LA pages: {len(sizes)}, smallest {sizes[0] // 1024} KiB, median {sizes[len(sizes) // 2] // 1024} KiB, "
        f"largest {sizes[-1] // 1024} KiB, plus plotly.min.js once"
    )
    assert sizes[-1] < 1_000_000
    for code in PAGES:
        html = pages[code].read_text(encoding="utf-8")
        charts = re.findall(r'<div class="chart" id="([^"]+)" data-chart="[^"]+" role="img" aria-label="[^"]+"', html)
        assert len(charts) >= 10, (
            code
        )  # eight trends at most, a spine, a timeline (funnels when mart_variation is there)
        assert html.count("<details>") == len(charts), "every chart has its table"
        assert not re.search(r'(src|href)="(https?:)?//', html), "nothing is fetched from the network"
        assert 'src="../assets/plotly.min.js"' in html
        if not has_variation:
            assert "not available in this warehouse" in html
        else:
            assert any(c.startswith("chart-funnel-") for c in charts), code
    birmingham = pages["E08000025"].read_text(encoding="utf-8")
    assert "Birmingham Children" in birmingham and 'id="chart-timeline"' in birmingham


def test_pages_render_in_headless_chromium_with_a_silent_console(reports, tmp_path):
    stable = reports / "screenshots"
    stable.mkdir(exist_ok=True)
    targets = [("index", reports / "index.html")] + [(code, reports / "la" / f"{code}.html") for code in PAGES]
    for name, page in targets:
        url = page.as_uri()
        html = page.read_text(encoding="utf-8")
        expected = len(re.findall(r'<div class="chart" ', html))
        dom = browse(url, "--dump-dom")
        assert dom.returncode == 0, dom.stderr[-2000:]
        assert not console_problems(dom.stderr), f"{name}: console says {console_problems(dom.stderr)}"
        rendered = dom.stdout.count('data-rendered="true"')
        drawn = len(
            re.findall(
                r'<div class="chart[^"]*"[^>]*data-chart="[^"]+"[^>]*>\s*<div class="plot-container plotly"', dom.stdout
            )
        )
        svgs = dom.stdout.count('class="main-svg"')
        assert rendered == expected and drawn == expected, f"{name}: {rendered}/{drawn} of {expected} charts drawn"
        assert svgs >= expected, f"{name}: {svgs} plotly SVG layers for {expected} charts"
        shot = tmp_path / f"{name}.png"
        run = browse(url, f"--screenshot={shot}", "--window-size=1280,2400", "--hide-scrollbars")
        assert run.returncode == 0 and shot.stat().st_size > 10_000, run.stderr[-2000:]
        shutil.copy2(shot, stable / shot.name)
    print(f"screenshots: {tmp_path} and {stable}")


def test_a_refresh_that_publishes_writes_the_pages(published_warehouse):
    """The asset published/la_profiles runs after the publication, so the nightly refresh keeps them current."""
    index = published_warehouse / "reports" / "index.html"
    assert index.exists() and index.stat().st_mtime >= (published_warehouse / "csc.duckdb").stat().st_mtime
    assert len(list((published_warehouse / "reports" / "la").glob("*.html"))) > 150
