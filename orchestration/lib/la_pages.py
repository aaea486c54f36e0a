"""Static HTML profiles, one per LA, and an index: ``warehouse/reports/``.

Read from the published snapshot (read-only, like any BI tool), so the pages show exactly
what was published. Each LA page has four sections:

- trends of the headline indicators against the LA's statistical neighbours (mean, the DfE
  model in force for each period), its region and England (``marts.fct_la_benchmark``);
- a spine chart of the headline indicators in their latest period: the range of all LAs, its
  interquartile range and median, England, and the LA coloured by its significance against
  England (or its quartile band where no interval can be computed);
- observed against expected given deprivation, a funnel plot with the LA highlighted
  (``marts.mart_variation`` when the snapshot has it; the section says so when it does not);
- the Ofsted history and the delivery model on one timeline (``marts.fct_ofsted_inspection``,
  ``marts.fct_la_delivery_model``).

Charts are plotly.js, drawn in the browser from data inside each page (a JSON block). The
library itself (~4.8 MB) is one file beside the pages, ``reports/assets/plotly.min.js``,
referenced relatively: inlined it would make 150 pages weigh 700 MB; as it is, the folder
works offline from ``file://`` or any static web server. Every chart has an ``aria-label`` and
a text alternative: a table of the same numbers under it.

The whole folder is written into a temporary directory beside ``reports/`` and renamed into
place (the old one renamed away first, then deleted), so a reader never sees half a set.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from orchestration.settings import Settings

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
REPORTS_DIR_NAME = "reports"
PLOTLY_JS = "plotly.min.js"

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

COLOURS = {
    "la": "#d4351c",
    "neighbours": "#1d70b8",
    "region": "#00703c",
    "england": "#505a5f",
    "higher": "#1d70b8",
    "similar": "#ffdd00",
    "lower": "#f47738",
    "band": "#6f72af",
    "none": "#b1b4b6",
}
GRADE_NAMES = {1: "Outstanding", 2: "Good", 3: "Requires improvement", 4: "Inadequate"}
GRADE_COLOURS = {1: "#00703c", 2: "#85994b", 3: "#f47738", 4: "#d4351c"}


@dataclass(frozen=True)
class ReportResult:
    index: Path
    pages: int
    bytes: int
    seconds: float
    has_variation: bool


# ----------------------------------------------------------------------------- formatting


def fmt(value, unit: str | None = None) -> str:
    """A value as a reader expects it: GBP with a pound sign, percentages with %, rates to 1 dp."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    unit = (unit or "").lower()
    value = float(value)
    if unit.startswith("gbp"):
        return f"£{value:,.0f}"
    if unit.startswith("percent"):
        return f"{value:.1f}%"
    if unit == "count":
        return f"{value:,.0f}"
    return f"{value:,.1f}"


def short_unit(unit: str | None) -> str:
    """An axis title that fits: 'rate per 10,000 children aged under 18' -> 'per 10,000 children'."""
    unit = unit or ""
    if unit.startswith("rate per 10,000"):
        return "per 10,000 children"
    if unit.startswith("GBP per "):
        return "£ per " + unit[len("GBP per ") :].replace(" aged 0 to 17", "")
    return unit


def _json_for_script(data) -> str:
    """JSON safe inside a <script> element (no '</' to close it early)."""
    return json.dumps(data, separators=(",", ":"), default=_default).replace("</", "<\\/")


def _default(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    try:
        return float(value)  # Decimal
    except (TypeError, ValueError):
        return str(value)


def _num(value):
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value


# ----------------------------------------------------------------------------- reading


def _rows(con, sql: str, params=()) -> list[dict]:
    cursor = con.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def _has_table(con, schema: str, name: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ?", [schema, name]
        ).fetchone()[0]
    )


def read_snapshot(path: Path) -> dict:
    """Everything the pages show, in a few queries over the whole snapshot (grouped by LA in Python)."""
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        wanted = sorted(set(TREND_INDICATORS) | set(SPINE_INDICATORS))
        marks = ",".join("?" * len(wanted))
        data = {
            "las": _rows(
                con,
                "select la_code, la_code_dfe, la_name, la_type, region_code, region_name "
                "from marts.dim_local_authority where is_current order by la_name",
            ),
            "indicators": {
                r["indicator_id"]: r
                for r in _rows(
                    con,
                    f"select indicator_id, label, unit, polarity, description from marts.dim_indicator "
                    f"where indicator_id in ({marks})",
                    wanted,
                )
            },
            "benchmark": _rows(
                con,
                f"""
                select b.la_code, b.indicator_id, b.time_period, b.reporting_year, p.period_label, b.value, b.status,
                       case b.period_type
                           when 'reporting_year_31_march' then (b.time_period - 1) || '-' || right(b.time_period::varchar, 2)
                           when 'workforce_30_september' then 'Sep ' || b.time_period
                           else p.period_label end as period_short,
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
                for r in _rows(
                    con,
                    """
                select la_code, reporting_year, ofsted_overall_effectiveness, ofsted_grade, ofsted_inspection_date,
                       delivery_model_id, delivery_model_kind, idaci_avg_score_rank, imd_avg_score_rank, population_0_17
                from marts.mart_la_year_profile
                qualify row_number() over (partition by la_code order by (ofsted_grade is null), reporting_year desc) = 1""",
                )
            },
            "ofsted": _rows(
                con,
                """
                select la_code, effective_date, inspection_date, publication_date, framework, inspection_type,
                       overall_effectiveness, overall_effectiveness_grade
                from marts.fct_ofsted_inspection where effective_date is not null
                order by la_code, effective_date""",
            ),
            "delivery": _rows(
                con,
                """
                select f.la_code, f.delivery_model_id, d.delivery_model_name, f.model_kind, f.effective_from,
                       f.effective_from_precision, f.effective_to, f.end_basis, f.source_url
                from marts.fct_la_delivery_model f join marts.dim_delivery_model d using (delivery_model_id)
                order by f.la_code, f.effective_from""",
            ),
            "refresh": _rows(con, "select * from meta.refresh")[0] if _has_table(con, "meta", "refresh") else {},
            "has_variation": _has_table(con, "marts", "mart_variation"),
            "variation": [],
        }
        if data["has_variation"]:
            fmarks = ",".join("?" * len(FUNNEL_INDICATORS))
            data["variation"] = _rows(
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


# ----------------------------------------------------------------------------- charts
# Each chart: {"id", "title", "aria", "data", "layout", "table": {"columns", "rows"}}; the page
# draws "data" and "layout" with Plotly.newPlot and prints "table" as the text alternative.

_BASE_LAYOUT = {
    "margin": {"l": 60, "r": 20, "t": 40, "b": 50},
    "font": {"family": "system-ui, sans-serif", "size": 12},
    "paper_bgcolor": "#fff",
    "plot_bgcolor": "#fff",
    "hovermode": "closest",
}


def _layout(**extra) -> dict:
    layout = json.loads(json.dumps(_BASE_LAYOUT))
    layout.update(extra)
    return layout


def trend_chart(la: dict, indicator: dict, rows: list[dict]) -> dict | None:
    rows = [
        r for r in rows if any(r[k] is not None for k in ("value", "neighbour_mean", "region_value", "england_value"))
    ]
    if not rows:
        return None
    x = [r["period_short"] for r in rows]
    unit = indicator["unit"]
    series = [
        ("la", la["la_name"], "value", 3),
        ("neighbours", "Statistical neighbours (mean)", "neighbour_mean", 2),
        ("region", la["region_name"] or "Region", "region_value", 2),
        ("england", "England", "england_value", 2),
    ]
    traces = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": name,
            "x": x,
            "y": [_num(r[col]) for r in rows],
            "line": {"color": COLOURS[key], "width": width, "dash": "solid" if key == "la" else "dot"},
            "marker": {"size": 6 if key == "la" else 4},
            "connectgaps": False,
        }
        for key, name, col, width in series
    ]
    return {
        "id": f"chart-trend-{indicator['indicator_id']}",
        "title": indicator["label"],
        "kind": "trend",
        "aria": f"Line chart: {indicator['label']} in {la['la_name']} by year, against its statistical neighbours' "
        f"mean, {la['region_name']} and England ({unit}).",
        "data": traces,
        "layout": _layout(
            height=320,
            title={"text": indicator["label"], "font": {"size": 13}, "x": 0.01, "xanchor": "left"},
            legend={"orientation": "h", "y": -0.25},
            yaxis={"title": {"text": short_unit(unit)}, "rangemode": "tozero"},
            xaxis={"type": "category"},
        ),
        "table": {
            "columns": [
                "Period",
                la["la_name"],
                "Neighbours (mean)",
                "Neighbours with a value",
                la["region_name"] or "Region",
                "England",
                "Status",
            ],
            "rows": [
                [
                    r["period_label"],
                    fmt(r["value"], unit),
                    fmt(r["neighbour_mean"], unit),
                    r["neighbours_with_value"],
                    fmt(r["region_value"], unit),
                    fmt(r["england_value"], unit),
                    r["status"] or "",
                ]
                for r in rows
            ],
        },
    }


def spine_chart(la: dict, indicators: dict, latest: list[dict]) -> dict | None:
    """Fingertips' spine: each indicator scaled so the worst LA is at 0 and the best at 1 (lowest and
    highest for a neutral one), the LA as a dot coloured by significance against England."""
    rows = [r for r in latest if r["la_min"] is not None and r["la_max"] is not None and r["la_max"] > r["la_min"]]
    if not rows:
        return None

    def scale(r, v):
        if v is None:
            return None
        s = (float(v) - float(r["la_min"])) / (float(r["la_max"]) - float(r["la_min"]))
        return 1 - s if indicators[r["indicator_id"]]["polarity"] == "lower_is_better" else s

    labels = [f"{indicators[r['indicator_id']]['label']} ({r['period_short']})" for r in rows]
    labels = [lab if len(lab) <= 75 else lab[:72] + "…" for lab in labels]
    traces = []
    # background bars: the range of all LAs, and the middle half (25th to 75th centile)
    traces.append(
        {
            "type": "bar",
            "orientation": "h",
            "y": labels,
            "x": [1] * len(rows),
            "base": [0] * len(rows),
            "marker": {"color": "#e8e8e8"},
            "name": "Range of all LAs",
            "hoverinfo": "skip",
        }
    )
    q_lo = [scale(r, r["band_lower_quartile"]) for r in rows]
    q_hi = [scale(r, r["band_upper_quartile"]) for r in rows]
    traces.append(
        {
            "type": "bar",
            "orientation": "h",
            "y": labels,
            "x": [abs((b or 0) - (a or 0)) for a, b in zip(q_lo, q_hi)],
            "base": [min(a or 0, b or 0) for a, b in zip(q_lo, q_hi)],
            "marker": {"color": "#b1b4b6"},
            "name": "25th to 75th centile",
            "hoverinfo": "skip",
        }
    )
    traces.append(
        {
            "type": "scatter",
            "mode": "markers",
            "y": labels,
            "x": [scale(r, r["band_median"]) for r in rows],
            "marker": {"symbol": "line-ns-open", "size": 16, "color": "#0b0c0c", "line": {"width": 2}},
            "name": "Median LA",
            "hoverinfo": "skip",
        }
    )
    traces.append(
        {
            "type": "scatter",
            "mode": "markers",
            "y": labels,
            "x": [scale(r, r["england_value"]) for r in rows],
            "marker": {
                "symbol": "diamond",
                "size": 9,
                "color": "#fff",
                "line": {"color": COLOURS["england"], "width": 2},
            },
            "name": "England",
            "text": [fmt(r["england_value"], indicators[r["indicator_id"]]["unit"]) for r in rows],
            "hovertemplate": "England: %{text}<extra></extra>",
        }
    )
    for sig, name in (
        ("higher", "Significantly higher than England"),
        ("similar", "Similar to England"),
        ("lower", "Significantly lower than England"),
        (None, "No interval: quartile band only"),
    ):
        chosen = [r for r in rows if (r["significance_vs_england"] or None) == sig]
        if not chosen:
            continue
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": name,
                "y": [labels[rows.index(r)] for r in chosen],
                "x": [scale(r, r["value"]) for r in chosen],
                "marker": {"size": 13, "color": COLOURS[sig or "none"], "line": {"color": "#0b0c0c", "width": 1}},
                "text": [
                    f"{fmt(r['value'], indicators[r['indicator_id']]['unit'])}, band {r['quartile_band'] or '–'} "
                    f"({r['band_meaning'] or ''}), rank {r['rank'] or '–'} of {r['las_ranked'] or '–'}"
                    for r in chosen
                ],
                "hovertemplate": f"{la['la_name']}: %{{text}}<extra></extra>",
            }
        )
    height = 90 + 28 * len(rows)
    return {
        "id": "chart-spine",
        "title": "Spine chart: the latest year of each headline indicator",
        "kind": "spine",
        "aria": f"Spine chart of {len(rows)} headline indicators: for each, the range of all LAs (worst or lowest on "
        f"the left), the middle half, the median LA, England, and {la['la_name']} coloured by significance "
        "against England. The table below gives every value.",
        "data": traces,
        "layout": _layout(
            height=height,
            barmode="overlay",
            showlegend=True,
            legend={"orientation": "h", "y": -0.08},
            margin={"l": 400, "r": 20, "t": 20, "b": 60},
            xaxis={
                "range": [-0.02, 1.02],
                "showticklabels": False,
                "zeroline": False,
                "title": {"text": "worse (or lower, for neutral indicators)  ←  all LAs  →  better (or higher)"},
            },
            yaxis={"autorange": "reversed", "automargin": True},
        ),
        "table": {
            "columns": [
                "Indicator",
                "Period",
                la["la_name"],
                "Band",
                "Rank",
                "Significance vs England",
                "England",
                "Region",
                "Neighbours (mean)",
                "Lowest LA",
                "Highest LA",
            ],
            "rows": [
                [
                    indicators[r["indicator_id"]]["label"],
                    r["period_label"],
                    fmt(r["value"], indicators[r["indicator_id"]]["unit"]),
                    f"{r['quartile_band'] or '–'} ({r['band_meaning'] or ''})",
                    f"{r['rank'] or '–'} of {r['las_ranked'] or '–'} ({r['rank_meaning'] or ''})",
                    r["significance_vs_england"] or "no interval",
                    *(
                        fmt(r[c], indicators[r["indicator_id"]]["unit"])
                        for c in ("england_value", "region_value", "neighbour_mean", "la_min", "la_max")
                    ),
                ]
                for r in rows
            ],
        },
    }


def funnel_chart(la: dict, indicator: dict, rows: list[dict]) -> dict | None:
    rows = [r for r in rows if r["observed_to_expected"] is not None and r["expected_count"] is not None]
    if not rows:
        return None
    mine = next((r for r in rows if r["la_code"] == la["la_code"]), None)
    others = [r for r in rows if r is not mine]
    limits = sorted(
        (r for r in rows if r["funnel_upper_95"] is not None and r["expected_value"]), key=lambda r: r["expected_count"]
    )
    period = rows[0]["period_label"]
    traces = [
        {
            "type": "scatter",
            "mode": "markers",
            "name": "Other LAs",
            "x": [r["expected_count"] for r in others],
            "y": [r["observed_to_expected"] for r in others],
            "text": [r["la_name"] for r in others],
            "marker": {"color": "#8eb8dc", "size": 6},
            "hovertemplate": "%{text}: %{y:.2f}× expected<extra></extra>",
        }
    ]
    for col, name, dash in (
        ("funnel_upper_99_8", "99.8% limits", "dash"),
        ("funnel_upper_95", "95% limits", "dot"),
        ("funnel_lower_95", None, "dot"),
        ("funnel_lower_99_8", None, "dash"),
    ):
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": name or "",
                "showlegend": name is not None,
                "legendgroup": dash,
                "x": [r["expected_count"] for r in limits],
                "y": [_num(r[col]) / float(r["expected_value"]) if r[col] is not None else None for r in limits],
                "line": {"color": "#505a5f", "dash": dash, "width": 1, "shape": "spline"},
                "hoverinfo": "skip",
            }
        )
    traces.append(
        {
            "type": "scatter",
            "mode": "lines",
            "name": "As expected",
            "x": [limits[0]["expected_count"], limits[-1]["expected_count"]] if limits else [],
            "y": [1, 1],
            "line": {"color": "#0b0c0c", "width": 1},
            "hoverinfo": "skip",
        }
    )
    if mine:
        traces.append(
            {
                "type": "scatter",
                "mode": "markers+text",
                "name": la["la_name"],
                "x": [mine["expected_count"]],
                "y": [mine["observed_to_expected"]],
                "text": [la["la_name"]],
                "textposition": "top center",
                "marker": {"color": COLOURS["la"], "size": 14, "line": {"color": "#0b0c0c", "width": 1}},
                "hovertemplate": f"{la['la_name']}: %{{y:.2f}}× expected<extra></extra>",
            }
        )
    unit = indicator["unit"]
    r2 = rows[0]["r_squared"]
    table_rows = []
    if mine:
        table_rows.append(
            [
                la["la_name"],
                fmt(mine["value"], unit),
                fmt(mine["expected_value"], unit),
                f"{mine['observed_to_expected']:.2f}",
                mine["funnel_position"] or "no limits",
                f"{_num(mine['deprivation_score']):.3f}" if mine["deprivation_score"] is not None else "–",
            ]
        )
    return {
        "id": f"chart-funnel-{indicator['indicator_id']}",
        "title": f"{indicator['label']}, {period}",
        "kind": "funnel",
        "aria": f"Funnel plot: {indicator['label']} in {period}, each LA's value as a ratio to what its deprivation "
        f"(IDACI) predicts, against the expected count, with 95% and 99.8% control limits; {la['la_name']} "
        "highlighted. The table below gives its figures.",
        "data": traces,
        "layout": _layout(
            height=380,
            title={"text": f"{indicator['label']}, {period}", "font": {"size": 13}, "x": 0.01, "xanchor": "left"},
            xaxis={"title": {"text": "expected count (size of the LA)"}, "type": "log"},
            yaxis={"title": {"text": "observed ÷ expected given deprivation"}},
            legend={"orientation": "h", "y": -0.25},
        ),
        "summary": f"Deprivation (IDACI) explains {r2 * 100:.0f}% of the variation between the {rows[0]['las_in_model']} "
        f"LAs in the model."
        if r2 is not None
        else "",
        "table": {
            "columns": [
                "LA",
                "Observed",
                "Expected given deprivation",
                "Observed ÷ expected",
                "Against the funnel limits",
                "IDACI score",
            ],
            "rows": table_rows or [[la["la_name"], "not in the model", "", "", "", ""]],
        },
    }


def timeline_chart(la: dict, inspections: list[dict], arrangements: list[dict], today: date) -> dict | None:
    if not inspections and not arrangements:
        return None
    grades = ["Outstanding", "Good", "Requires improvement", "Inadequate"]
    traces = []
    if inspections:
        points = [i for i in inspections if i["overall_effectiveness_grade"] in GRADE_NAMES]
        # the judgement in effect, as a step line from each inspection to the next
        xs, ys = [], []
        for i in points:
            xs.append(i["effective_date"])
            ys.append(GRADE_NAMES[i["overall_effectiveness_grade"]])
        if xs:
            traces.append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "name": "Judgement in effect",
                    "x": [*xs, today],
                    "y": [*ys, ys[-1]],
                    "line": {"shape": "hv", "color": "#b1b4b6", "width": 2},
                    "hoverinfo": "skip",
                }
            )
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": "Ofsted inspection",
                "x": [i["effective_date"] for i in points],
                "y": [GRADE_NAMES[i["overall_effectiveness_grade"]] for i in points],
                "text": [f"{i['inspection_type'] or i['framework']}: {i['overall_effectiveness']}" for i in points],
                "marker": {
                    "size": 13,
                    "color": [GRADE_COLOURS[i["overall_effectiveness_grade"]] for i in points],
                    "line": {"color": "#0b0c0c", "width": 1},
                },
                "hovertemplate": "%{x|%d %b %Y}: %{text}<extra></extra>",
            }
        )
    rows_y = []
    for a in arrangements:
        label = f"{a['delivery_model_name']}"
        rows_y.append(label)
        end = a["effective_to"] or today
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": label,
                "x": [a["effective_from"], end],
                "y": [label, label],
                "line": {"width": 14, "color": COLOURS["band"]},
                "hovertemplate": f"{label}: %{{x|%b %Y}}<extra></extra>",
                "showlegend": False,
            }
        )
    start = min([i["effective_date"] for i in inspections] + [a["effective_from"] for a in arrangements])
    return {
        "id": "chart-timeline",
        "title": "Ofsted judgements and delivery model over time",
        "kind": "timeline",
        "aria": f"Timeline for {la['la_name']}: each Ofsted inspection at its overall effectiveness judgement, the "
        "judgement in effect between inspections, and each delivery arrangement (trust, company, shared "
        "service or commissioner) as a bar from start to end. The tables below list them.",
        "data": traces,
        "layout": _layout(
            height=260 + 30 * len(rows_y),
            showlegend=False,
            margin={"l": 260, "r": 20, "t": 20, "b": 40},
            xaxis={
                "type": "date",
                "range": [date(start.year - 1, 1, 1).isoformat(), date(today.year + 1, 1, 1).isoformat()],
            },
            yaxis={
                "type": "category",
                "categoryorder": "array",
                "categoryarray": list(reversed(grades + rows_y)),
                "range": [-0.5, len(grades) + len(rows_y) - 0.5],
            },
        ),
        "table": {
            "columns": ["Date", "Framework", "Inspection", "Overall effectiveness"],
            "rows": [
                [
                    str(i["effective_date"]),
                    i["framework"] or "",
                    i["inspection_type"] or "",
                    i["overall_effectiveness"] or "",
                ]
                for i in inspections
            ],
        },
        "table2": {
            "columns": ["Delivery arrangement", "Kind", "From", "To", "Source"],
            "rows": [
                [
                    a["delivery_model_name"],
                    (a["model_kind"] or "").replace("_", " "),
                    str(a["effective_from"]),
                    str(a["effective_to"]) if a["effective_to"] else f"({a['end_basis']})",
                    a["source_url"] or "",
                ]
                for a in arrangements
            ],
        },
    }


# ----------------------------------------------------------------------------- pages


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["fmt"] = fmt
    env.filters["script_json"] = _json_for_script
    return env


def la_page_context(la: dict, data: dict, grouped: dict, today: date) -> dict:
    indicators = data["indicators"]
    bench = grouped["benchmark"].get(la["la_code"], [])
    by_indicator = _group(bench, "indicator_id")
    trends = [
        c
        for c in (trend_chart(la, indicators[i], by_indicator.get(i, [])) for i in TREND_INDICATORS if i in indicators)
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
    charts = [*trends, *([spine] if spine else []), *funnels, *([timeline] if timeline else [])]
    return {
        "la": la,
        "profile": data["profile"].get(la["la_code"], {}),
        "trends": trends,
        "spine": spine,
        "funnels": funnels,
        "has_variation": data["has_variation"],
        "timeline": timeline,
        "arrangements": grouped["delivery"].get(la["la_code"], []),
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
    }
    env = _environment()
    page, index = env.get_template("la_profile.html.j2"), env.get_template("index.html.j2")
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    common = {"refresh": data["refresh"], "generated": generated}

    target = settings.warehouse_dir / REPORTS_DIR_NAME
    settings.warehouse_dir.mkdir(parents=True, exist_ok=True)
    _remove_stale_staging(settings.warehouse_dir)
    staging = Path(tempfile.mkdtemp(prefix=".reports-", dir=settings.warehouse_dir))
    try:
        (staging / "la").mkdir()
        (staging / "assets").mkdir()
        from plotly.offline import get_plotlyjs

        (staging / "assets" / PLOTLY_JS).write_text(get_plotlyjs(), encoding="utf-8")
        total = 0
        entries = []
        for la in data["las"]:
            context = la_page_context(la, data, grouped, today)
            html = page.render(**context, **common, plotly_src=f"../assets/{PLOTLY_JS}", index_href="../index.html")
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
            index.render(entries=entries, has_variation=data["has_variation"], **common), encoding="utf-8"
        )
        os.chmod(staging, 0o755)
        _swap_into_place(staging, target)
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


def _remove_stale_staging(warehouse_dir: Path, older_than: float = 3600) -> None:
    """Folders a killed writer left (``.reports-*``); not one a running writer may still be filling."""
    for leftover in warehouse_dir.glob(".reports-*"):
        try:
            if time.time() - leftover.stat().st_mtime > older_than:
                shutil.rmtree(leftover, ignore_errors=True)
        except OSError:
            continue


def _swap_into_place(staging: Path, target: Path) -> None:
    """Rename the finished folder into place. A directory cannot be renamed over a non-empty one,
    so the old folder is renamed away first: between the two renames (microseconds) there is no
    ``reports/``, but never a half-written one."""
    old = None
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=".reports-old-", dir=target.parent))
        os.rename(target, old / "reports")
    os.rename(staging, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
