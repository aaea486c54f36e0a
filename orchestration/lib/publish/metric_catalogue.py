"""The metric catalogue: ``warehouse/docs/metrics.html``, one self-contained page.

Every indicator of ``marts.dim_indicator`` in the published snapshot (read-only, like any BI
tool): its label, unit, polarity, period type, source, the formula of a derived one (a rate or
unit cost: ``rate_numerator / rate_denominator x rate_multiplier``; a percentage: its base
count), the first and last period with a value in ``marts.fct_la_indicator`` (labelled by
``marts.dim_period``), and the release its latest figures come from (the release of the figures
in force, ``is_latest``, in the last period), with that release's page when ``meta.release_index``
names it. Written with the LA pages' Jinja2 templates (``orchestration/templates``), linked from
the docs site's overview (``models/overview.md``), beside it in ``warehouse/docs/``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from orchestration.lib.core import files
from orchestration.lib.publish import pages
from orchestration.lib.publish.docs_site import docs_dir
from orchestration.settings import Settings

PAGE = "metrics.html"
# the template the page renders (with what it extends): part of its code version
TEMPLATE = "metrics.html.j2"

INDICATORS_SQL = """
with periods as (
    select indicator_id, min(time_period) as first_period, max(time_period) as last_period,
           count(distinct la_code) as las
    from marts.fct_la_indicator
    where value is not null
    group by indicator_id
),
latest as (
    select f.indicator_id, string_agg(distinct f.release, ', ' order by f.release) as latest_release
    from marts.fct_la_indicator f
    join periods p on f.indicator_id = p.indicator_id and f.time_period = p.last_period
    where f.is_latest and f.value is not null
    group by f.indicator_id
)
select i.indicator_id, i.label, i.unit, i.polarity, i.domain, i.period_type, i.source, i.source_family,
       i.description, i.rate_numerator, i.rate_multiplier, i.rate_denominator, i.base_indicator_id,
       p.first_period, fp.period_label as first_period_label, p.last_period, lp.period_label as last_period_label,
       p.las, l.latest_release
from marts.dim_indicator i
left join periods p using (indicator_id)
left join latest l using (indicator_id)
left join marts.dim_period fp on fp.period_type = i.period_type and fp.time_period = p.first_period
left join marts.dim_period lp on lp.period_type = i.period_type and lp.time_period = p.last_period
order by i.domain, i.indicator_id
"""


@dataclass(frozen=True)
class MetricPageResult:
    path: Path
    indicators: int
    bytes: int
    seconds: float


def formula(row: dict) -> str | None:
    """How a derived indicator is computed, from its dim_indicator columns; None for one read as published."""
    if row.get("rate_numerator"):
        multiplier = row.get("rate_multiplier")
        times = "" if multiplier in (None, 1) else f" × {float(multiplier):,.0f}"
        denominator = row.get("rate_denominator") or "population_0_17"
        note = (
            " (the child population of the mid-year before the reporting year)"
            if denominator == "population_0_17"
            else " (same period)"
        )
        return f"{row['rate_numerator']} / {denominator}{note}{times}"
    if row.get("base_indicator_id"):
        return f"percentage of {row['base_indicator_id']}"
    return None


def read_indicators(con) -> list[dict]:
    rows = pages.rows(con, INDICATORS_SQL)
    release_pages: dict[tuple, str] = {}
    if pages.has_table(con, "meta", "release_index"):
        release_pages = {
            (r["family"], r["release"]): r["page"]
            for r in pages.rows(
                con,
                "select family, release, any_value(page) as page from meta.release_index where page is not null "
                "group by all",
            )
        }
    for row in rows:
        row["formula"] = formula(row)
        release = row["latest_release"]
        row["release_page"] = (
            release_pages.get((row["source_family"], release)) if release and "," not in release else None
        )
    return rows


def write_metric_page(settings: Settings) -> MetricPageResult:
    """Write ``warehouse/docs/metrics.html`` from the published snapshot (beside it, then renamed into place)."""
    import duckdb

    started = time.monotonic()
    source = settings.published_path
    if not source.exists():
        raise FileNotFoundError(f"nothing is published at {source}: run `csc refresh` first")
    con = duckdb.connect(str(source), read_only=True)
    try:
        indicators = read_indicators(con)
        refresh = pages.rows(con, "select * from meta.refresh")[0] if pages.has_table(con, "meta", "refresh") else {}
    finally:
        con.close()
    html = (
        pages.environment()
        .get_template(TEMPLATE)
        .render(indicators=indicators, refresh=refresh, generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"))
    )
    target = docs_dir(settings) / PAGE
    size = files.write_text(target, html)
    return MetricPageResult(path=target, indicators=len(indicators), bytes=size, seconds=time.monotonic() - started)
