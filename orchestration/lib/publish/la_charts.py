"""The charts of an LA's profile page, as plotly.js figures drawn from data inside the page.

Each chart is ``{"id", "title", "aria", "data", "layout", "table": {"columns", "rows"}}``: the
page draws ``data`` and ``layout`` with ``Plotly.newPlot`` and prints ``table`` as the text
alternative; every chart also has an ``aria-label``.
"""

from __future__ import annotations

import json
from datetime import date

from orchestration.lib.publish.pages import fmt, number, short_unit

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


_BASE_LAYOUT = {
    "margin": {"l": 60, "r": 20, "t": 40, "b": 50},
    "font": {"family": "system-ui, sans-serif", "size": 12},
    "paper_bgcolor": "#fff",
    "plot_bgcolor": "#fff",
    "hovermode": "closest",
}


def chart_layout(**extra) -> dict:
    layout = json.loads(json.dumps(_BASE_LAYOUT))
    layout.update(extra)
    return layout


def provisional_label(time_period: int) -> str:
    """A collection year as the trend charts' axis shows a reporting year: 2024-25."""
    return f"{time_period - 1}-{time_period % 100:02d}"


def trend_chart(
    la: dict,
    indicator: dict,
    rows: list[dict],
    period_labels: dict | None = None,
    provisional: dict | None = None,
) -> dict | None:
    """The LA, its neighbours' mean, its region and England over every period from the first
    with a value to the last; a period with none is a gap in every line (named on the axis from
    ``period_labels``, (period_type, time_period) -> label), never a line drawn across it. A
    ``provisional`` figure from the LA's own return (mart_la_return_comparison's row) is a marker
    of its own beside the published lines, in its collection year."""
    rows = [
        r for r in rows if any(r[k] is not None for k in ("value", "neighbour_mean", "region_value", "england_value"))
    ]
    if provisional is not None and provisional.get("provisional_value") is None:
        provisional = None
    if not rows:
        return None
    by_period = {r["time_period"]: r for r in rows}
    first = min(min(by_period), provisional["time_period"] if provisional else min(by_period))
    last = max(max(by_period), provisional["time_period"] if provisional else 0)
    periods = range(first, last + 1)
    kind = rows[0].get("period_type")
    x = [
        by_period[p]["period_short"]
        if p in by_period
        else (period_labels or {}).get((kind, p), provisional_label(p) if provisional else str(p))
        for p in periods
    ]
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
            "y": [number(by_period[p][col]) if p in by_period else None for p in periods],
            "line": {"color": COLOURS[key], "width": width, "dash": "solid" if key == "la" else "dot"},
            "marker": {"size": 6 if key == "la" else 4},
            "connectgaps": False,
        }
        for key, name, col, width in series
    ]
    if provisional:
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": f"{la['la_name']}, own return (provisional)",
                "x": [x[provisional["time_period"] - periods.start]],
                "y": [number(provisional["provisional_value"])],
                "marker": {"symbol": "diamond-open", "size": 13, "color": COLOURS["la"], "line": {"width": 2}},
            }
        )
    table_rows = [
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
    ]
    if provisional:
        table_rows.append(
            [
                provisional_label(provisional["time_period"]),
                fmt(provisional["provisional_value"], unit),
                "",
                "",
                "",
                "",
                "provisional: the LA's own return",
            ]
        )
    return {
        "id": f"chart-trend-{indicator['indicator_id']}",
        "title": indicator["label"],
        "kind": "trend",
        "aria": f"Line chart: {indicator['label']} in {la['la_name']} by year, against its statistical neighbours' "
        f"mean, {la['region_name']} and England ({unit}).",
        "data": traces,
        "layout": chart_layout(
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
            "rows": table_rows,
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
        "layout": chart_layout(
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
                "y": [number(r[col]) / float(r["expected_value"]) if r[col] is not None else None for r in limits],
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
                f"{number(mine['deprivation_score']):.3f}" if mine["deprivation_score"] is not None else "–",
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
        "layout": chart_layout(
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
        "layout": chart_layout(
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
