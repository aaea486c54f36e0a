"""Static HTML profiles, one per LA, and an index: ``warehouse/reports/``.

Read from the published snapshot (read-only, like any BI tool), so the pages show exactly
what was published. Each LA page has these sections:

- trends of the headline indicators against the LA's statistical neighbours (mean, the DfE
  model in force for each period), its region and England (``marts.fct_la_benchmark``);
- where it is heading: a fan chart of each projected count and the spend (``projection_pages``), with
  one line of its method's track record linking ``projections.html``, the page of every method's
  (``projection_report``);
- a spine chart of the headline indicators in their latest period: the range of all LAs, its
  interquartile range and median, England, and the LA coloured by its significance against
  England (or its quartile band where no interval can be computed);
- observed against expected given deprivation, a funnel plot with the LA highlighted
  (``marts.mart_variation`` when the snapshot has it; the section says so when it does not);
- the Ofsted history and the delivery model on one timeline (``marts.fct_ofsted_inspection``,
  ``marts.fct_la_delivery_model``);
- where the LA has sent its own return, its provisional figures beside its own, its neighbours'
  and England's latest published ones (``marts.mart_la_return_comparison``), each also a marker
  of its own on the trend charts.

Charts are plotly.js, drawn in the browser from data inside each page (a JSON block). The
library itself is one file beside the pages, ``reports/assets/plotly.min.js``, referenced
relatively rather than inlined in every page; the folder works offline from ``file://`` or any static web server. Every chart has an ``aria-label`` and
a text alternative: a table of the same numbers under it.

The whole folder is written into a temporary directory beside ``reports/`` and renamed into
place (the old one renamed away first, then deleted), so a reader never sees half a set.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from orchestration.lib.core import files
from orchestration.lib.publish import pages, projection_pages, projection_report
from orchestration.lib.publish.la_charts import funnel_chart, spine_chart, timeline_chart, trend_chart
from orchestration.settings import Settings

REPORTS_DIR_NAME = "reports"
PLOTLY_JS = "plotly.min.js"
# the templates the pages render (with what they extend): part of the pages' code version
TEMPLATES = ("la_profile.html.j2", "index.html.j2", "projections.html.j2")

# Trends: the questions people arrive with (activity, spend, workforce)
TREND_INDICATORS = [
    "cla_rate_per_10k",
    "cin_rate_per_10k",
    "cpp_rate_per_10k",
    "referrals_rate_per_10k",
    "s47_enquiries_rate_per_10k",
    "csc_spend_per_child_gbp",
    "sw_caseload_avg",
    "sw_agency_rate_pct",
]
# The spine chart: every headline indicator LAIT and the outcomes dashboard show
SPINE_INDICATORS = [
    "cla_rate_per_10k",
    "cla_started_rate_per_10k",
    "cin_rate_per_10k",
    "referrals_rate_per_10k",
    "rereferrals_pct",
    "assessment_duration_median_days",
    "s47_enquiries_rate_per_10k",
    "cpp_rate_per_10k",
    "cpp_subsequent_pct",
    "cla_placements_3plus_pct",
    "cla_long_term_stability_pct",
    "cla_missing_pct",
    "care_leavers_19_21_eet_pct",
    "care_leavers_19_21_suitable_accommodation_pct",
    "sw_caseload_avg",
    "sw_vacancy_rate_pct",
    "sw_turnover_rate_pct",
    "sw_agency_rate_pct",
    "csc_spend_per_child_gbp",
    "cla_spend_per_child_looked_after_gbp",
]
# Observed against expected given deprivation (IDACI: the children's measure)
FUNNEL_INDICATORS = ["cla_rate_per_10k", "cin_rate_per_10k", "cpp_rate_per_10k"]
FUNNEL_MEASURE = "idaci"


# A period as a chart's axis shows it: 2023-24, Sep 2023, or dim_period's label.
PERIOD_SHORT = """case p.period_type
    when 'reporting_year_31_march' then (p.time_period - 1) || '-' || right(p.time_period::varchar, 2)
    when 'workforce_30_september' then 'Sep ' || p.time_period
    else p.period_label end"""


@dataclass(frozen=True)
class ReportResult:
    index: Path
    pages: int
    bytes: int
    seconds: float
    has_variation: bool


def read_snapshot(path: Path) -> dict:
    """Everything the pages show, in a few queries over the whole snapshot (grouped by LA in Python)."""
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        wanted = sorted(set(TREND_INDICATORS) | set(SPINE_INDICATORS))
        marks = ",".join("?" * len(wanted))
        data = {
            "las": pages.rows(
                con,
                "select la_code, la_code_dfe, la_name, la_type, region_code, region_name "
                "from marts.dim_local_authority where is_current order by la_name",
            ),
            "indicators": {
                r["indicator_id"]: r
                for r in pages.rows(
                    con,
                    f"select indicator_id, label, unit, polarity, description from marts.dim_indicator "
                    f"where indicator_id in ({marks})",
                    wanted,
                )
            },
            "benchmark": pages.rows(
                con,
                f"""
                select b.la_code, b.indicator_id, b.period_type, b.time_period, b.reporting_year, p.period_label,
                       b.value, b.status, {PERIOD_SHORT} as period_short,
                       b.neighbour_mean, b.neighbours_with_value, b.neighbour_model_year, b.region_value, b.england_value,
                       b.rank, b.las_ranked, b.rank_meaning, b.quartile_band, b.band_meaning, b.band_lower_quartile,
                       b.band_median, b.band_upper_quartile, b.significance_vs_england, b.ci_lower_95, b.ci_upper_95,
                       min(b.value) over w as la_min, max(b.value) over w as la_max
                from marts.fct_la_benchmark b
                join marts.dim_period p using (period_type, time_period)
                where b.is_default_model and b.indicator_id in ({marks})
                window w as (partition by b.indicator_id, b.time_period)
                order by b.la_code, b.indicator_id, b.time_period""",
                wanted,
            ),
            "profile": {
                r["la_code"]: r
                for r in pages.rows(
                    con,
                    """
                select la_code, reporting_year, ofsted_overall_effectiveness, ofsted_grade, ofsted_inspection_date,
                       delivery_model_id, delivery_model_kind, idaci_avg_score_rank, imd_avg_score_rank, population_0_17
                from marts.mart_la_year_profile
                qualify row_number() over (partition by la_code order by (ofsted_grade is null), reporting_year desc) = 1""",
                )
            },
            "ofsted": pages.rows(
                con,
                """
                select la_code, effective_date, inspection_date, publication_date, framework, inspection_type,
                       overall_effectiveness, overall_effectiveness_grade
                from marts.fct_ofsted_inspection where effective_date is not null
                order by la_code, effective_date""",
            ),
            "delivery": pages.rows(
                con,
                """
                select f.la_code, f.delivery_model_id, d.delivery_model_name, f.model_kind, f.effective_from,
                       f.effective_from_precision, f.effective_to, f.end_basis, f.source_url
                from marts.fct_la_delivery_model f join marts.dim_delivery_model d using (delivery_model_id)
                order by f.la_code, f.effective_from""",
            ),
            # every period's axis label, for the years a series has no value in (a chart breaks there)
            "period_labels": {
                (r["period_type"], r["time_period"]): r["period_short"]
                for r in pages.rows(
                    con, f"select p.period_type, p.time_period, {PERIOD_SHORT} as period_short from marts.dim_period p"
                )
            },
            "refresh": pages.rows(con, "select * from meta.refresh")[0]
            if pages.has_table(con, "meta", "refresh")
            else {},
            "has_variation": pages.has_table(con, "marts", "mart_variation"),
            "variation": [],
            # an LA's own return's figures, before DfE publishes them (docs/returns.md)
            "provisional": pages.rows(
                con,
                """
                select c.*, i.label, i.unit from marts.mart_la_return_comparison c
                join marts.dim_indicator i using (indicator_id)
                order by c.la_code, c.time_period desc, i.label""",
            )
            if pages.has_table(con, "marts", "mart_la_return_comparison")
            else [],
            "projections": projection_pages.read_projections(con),
        }
        if data["has_variation"]:
            fmarks = ",".join("?" * len(FUNNEL_INDICATORS))
            data["variation"] = pages.rows(
                con,
                f"""
                with latest as (
                    select indicator_id, max(time_period) as time_period from marts.mart_variation
                    where deprivation_measure = ? and indicator_id in ({fmarks}) group by indicator_id)
                select v.indicator_id, v.time_period, p.period_label, v.la_code, v.la_name, v.value, v.expected_value,
                       v.observed_to_expected, v.expected_count, v.funnel_denominator, v.funnel_lower_99_8,
                       v.funnel_lower_95, v.funnel_upper_95, v.funnel_upper_99_8, v.funnel_position, v.r_squared,
                       v.las_in_model, v.deprivation_score
                from marts.mart_variation v join latest using (indicator_id, time_period)
                join marts.dim_period p using (period_type, time_period)
                where v.deprivation_measure = ?
                order by v.indicator_id, v.la_code""",
                [FUNNEL_MEASURE, *FUNNEL_INDICATORS, FUNNEL_MEASURE],
            )
        return data
    finally:
        con.close()


def _group(rows: list[dict], key: str = "la_code") -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for row in rows:
        out.setdefault(row[key], []).append(row)
    return out


def la_page_context(la: dict, data: dict, grouped: dict, today: date) -> dict:
    indicators = data["indicators"]
    bench = grouped["benchmark"].get(la["la_code"], [])
    by_indicator = _group(bench, "indicator_id")
    provisional = grouped["provisional"].get(la["la_code"], [])
    newest = {}  # each indicator's figure from the LA's newest return
    for row in provisional:
        newest.setdefault(row["indicator_id"], row)
    trends = [
        c
        for c in (
            trend_chart(la, indicators[i], by_indicator.get(i, []), data["period_labels"], newest.get(i))
            for i in TREND_INDICATORS
            if i in indicators
        )
        if c
    ]
    latest = []  # each indicator's latest period with LA values (the LA's own may be missing: a row without a dot)
    for i in SPINE_INDICATORS:
        rows = [r for r in by_indicator.get(i, []) if r["la_max"] is not None]
        if i in indicators and rows:
            latest.append(rows[-1])
    spine = spine_chart(la, indicators, latest)
    funnels = []
    if data["has_variation"]:
        for i in FUNNEL_INDICATORS:
            chart = funnel_chart(la, indicators[i], grouped["variation"].get(i, [])) if i in indicators else None
            if chart:
                funnels.append(chart)
    timeline = timeline_chart(
        la, grouped["ofsted"].get(la["la_code"], []), grouped["delivery"].get(la["la_code"], []), today
    )
    fans = projection_pages.la_fans(la, data["projections"], f"../{projection_pages.PAGE}")
    charts = [*trends, *fans, *([spine] if spine else []), *funnels, *([timeline] if timeline else [])]
    return {
        "la": la,
        "profile": data["profile"].get(la["la_code"], {}),
        "trends": trends,
        "spine": spine,
        "funnels": funnels,
        "has_variation": data["has_variation"],
        "timeline": timeline,
        "has_projections": data["projections"]["has"],
        "fans": fans,
        "arrangements": grouped["delivery"].get(la["la_code"], []),
        "provisional": provisional,
        "charts": [{k: c[k] for k in ("id", "data", "layout")} for c in charts],
    }


def write_reports(settings: Settings, today: date | None = None) -> ReportResult:
    """Write ``reports/index.html`` and ``reports/la/<la_code>.html`` from the published snapshot."""
    started = time.monotonic()
    source = settings.published_path
    if not source.exists():
        raise FileNotFoundError(f"nothing is published at {source}: run `csc refresh` first")
    data = read_snapshot(source)
    today = today or date.today()
    grouped = {
        "benchmark": _group(data["benchmark"]),
        "ofsted": _group(data["ofsted"]),
        "delivery": _group(data["delivery"]),
        "variation": _group(data["variation"], "indicator_id"),
        "provisional": _group(data["provisional"]),
    }
    env = pages.environment()
    page, index, projections = (env.get_template(name) for name in TEMPLATES)
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    common = {"refresh": data["refresh"], "generated": generated}

    target = settings.warehouse_dir / REPORTS_DIR_NAME
    settings.warehouse_dir.mkdir(parents=True, exist_ok=True)
    files.remove_stale(settings.warehouse_dir, f".{REPORTS_DIR_NAME}-*")
    staging = Path(tempfile.mkdtemp(prefix=f".{REPORTS_DIR_NAME}-", dir=settings.warehouse_dir))
    try:
        (staging / "la").mkdir()
        (staging / "assets").mkdir()
        from plotly.offline import get_plotlyjs

        (staging / "assets" / PLOTLY_JS).write_text(get_plotlyjs(), encoding="utf-8")
        total = 0
        entries = []
        for la in data["las"]:
            context = la_page_context(la, data, grouped, today)
            html = page.render(
                **context,
                **common,
                plotly_src=f"../assets/{PLOTLY_JS}",
                index_href="../index.html",
                projections_href=f"../{projection_pages.PAGE}",
            )
            path = staging / "la" / f"{la['la_code']}.html"
            path.write_text(html, encoding="utf-8")
            total += len(html.encode("utf-8"))
            in_force = [a for a in context["arrangements"] if a["effective_to"] is None or a["effective_to"] >= today]
            entries.append(
                {
                    "la": la,
                    "profile": context["profile"],
                    "href": f"la/{la['la_code']}.html",
                    "charts": len(context["charts"]),
                    "delivery": "; ".join(a["delivery_model_name"] for a in in_force) or "the council",
                }
            )
        (staging / "index.html").write_text(
            index.render(
                entries=entries,
                has_variation=data["has_variation"],
                has_projections=data["projections"]["has"],
                projections_href=projection_pages.PAGE,
                **common,
            ),
            encoding="utf-8",
        )
        (staging / projection_pages.PAGE).write_text(
            projections.render(
                **projection_report.page_context(data["projections"]),
                **common,
                plotly_src=f"assets/{PLOTLY_JS}",
                index_href="index.html",
            ),
            encoding="utf-8",
        )
        os.chmod(staging, 0o755)
        files.swap_directory(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return ReportResult(
        index=target / "index.html",
        pages=len(entries),
        bytes=total,
        seconds=time.monotonic() - started,
        has_variation=data["has_variation"],
    )
