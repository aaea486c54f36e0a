"""The projections' charts, in the shape of ``la_charts``' (``{"id", "title", "aria", "data", "layout",
"table"}``): an LA's fan chart, and England's past forecasts against what happened.

Values are rounded before they go into a page (a count or an amount in pounds to the unit, a
smaller figure to one decimal) so the JSON each page carries stays small.
"""

from __future__ import annotations

from orchestration.lib.publish.la_charts import COLOURS, chart_layout, provisional_label
from orchestration.lib.publish.pages import fmt, number, short_unit

BAND_FILL = {"95": "rgba(212,53,28,0.12)", "80": "rgba(212,53,28,0.28)"}
HISTORY_YEARS = 10  # the published years a fan chart shows before its projection
PAST = {True: ("#f47738", "Past forecasts, held-out origins"), False: ("#1d70b8", "Past forecasts, selection origins")}


def compact(value):
    value = number(value)
    if value is None:
        return None
    return round(value) if abs(value) >= 1000 else round(value, 1)


def period(time_period: int) -> str:
    """A period as the trend charts show it: 2024-25 (the year ending 31 March 2025, or that financial year)."""
    return provisional_label(time_period)


def _interval(row: dict, level: str, unit: str) -> str:
    return f"{fmt(row[f'lo_{level}'], unit)} to {fmt(row[f'hi_{level}'], unit)}"


def fan_chart(
    la: dict, indicator: dict, history: list[tuple[int, float]], rows: list[dict], method: str
) -> dict | None:
    """The LA's published series, then the projection's points from its last value with the 80% and
    95% intervals as shaded bands; every band starts at the last value, where nothing is uncertain."""
    rows = sorted((r for r in rows if r["point"] is not None), key=lambda r: r["horizon"])
    if not rows:
        return None
    unit = indicator["unit"]
    last_period, last_value = rows[0]["last_period"], rows[0]["last_value"]
    history = [(p, v) for p, v in history if last_period - HISTORY_YEARS < p <= last_period]
    first = min([p for p, _ in history] or [last_period])
    periods = range(first, rows[-1]["time_period"] + 1)
    known = dict(history)
    ahead = [period(last_period)] + [period(r["time_period"]) for r in rows]

    def band(level: str) -> list[dict]:  # none where a bound is missing (NULL in the mart)
        if any(r[f"{side}_{level}"] is None for r in rows for side in ("lo", "hi")):
            return []
        hi = [compact(last_value)] + [compact(r[f"hi_{level}"]) for r in rows]
        lo = [compact(last_value)] + [compact(r[f"lo_{level}"]) for r in rows]
        return [
            {
                "type": "scatter",
                "mode": "lines",
                "name": f"{level}%",
                "x": ahead + ahead[::-1],
                "y": hi + lo[::-1],
                "fill": "toself",
                "fillcolor": BAND_FILL[level],
                "line": {"width": 0},
                "hoverinfo": "skip",
            }
        ]

    traces = [
        *band("95"),
        *band("80"),
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": "Published",
            "x": [period(p) for p in periods if p <= last_period],
            "y": [compact(known.get(p)) for p in periods if p <= last_period],
            "line": {"color": COLOURS["la"], "width": 3},
            "marker": {"size": 5},
            "connectgaps": False,
        },
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": "Projection",
            "hovertemplate": f"%{{x}}: %{{y:,.0f}} ({method})<extra></extra>",
            "x": ahead,
            "y": [compact(last_value)] + [compact(r["point"]) for r in rows],
            "line": {"color": COLOURS["la"], "width": 2, "dash": "dash"},
            "marker": {"size": 5, "symbol": "circle-open"},
        },
    ]
    title = f"{indicator['label']}: projected to {period(rows[-1]['time_period'])}"
    table = [[period(p), fmt(v, unit), "", "", ""] for p, v in history]
    table += [
        [period(r["time_period"]), "", fmt(r["point"], unit), _interval(r, "80", unit), _interval(r, "95", unit)]
        for r in rows
    ]
    return {
        "id": f"chart-fan-{indicator['indicator_id']}",
        "title": title,
        "kind": "fan",
        "aria": f"Fan chart: {indicator['label']} in {la['la_name']}, published to {period(last_period)} and projected "
        f"{len(rows)} years on ({method}), with 80% and 95% intervals shaded ({unit}).",
        "data": traces,
        "layout": chart_layout(
            height=300,
            title={"text": title, "font": {"size": 13}, "x": 0.01, "xanchor": "left"},
            legend={"orientation": "h", "y": -0.25},
            yaxis={"title": {"text": short_unit(unit)}, "rangemode": "tozero"},
            xaxis={"type": "category", "categoryorder": "array", "categoryarray": [period(p) for p in periods]},
        ),
        "table": {"columns": ["Period", "Published", "Projection", "80% interval", "95% interval"], "rows": table},
    }


def backtest_chart(
    indicator: dict, rows: list[dict], actual: dict[int, float], starts: dict, method: str
) -> dict | None:
    """Every past origin's forecasts (thin lines, from the value that origin last saw where it is
    known: ``starts`` origin_year -> (time_period, value)) against the series as it stands now
    (``actual``, time_period -> value; thick)."""
    rows = [r for r in rows if r["point"] is not None]
    if not rows:
        return None
    unit = indicator["unit"]
    by_origin: dict[int, list[dict]] = {}
    for r in sorted(rows, key=lambda r: (r["origin_year"], r["horizon"])):
        by_origin.setdefault(r["origin_year"], []).append(r)
    xs = {p for p in actual} | {r["time_period"] for r in rows} | {s[0] for s in starts.values()}
    periods = range(min(xs), max(xs) + 1)
    traces = [
        {
            "type": "scatter",
            "mode": "lines",
            "name": "What happened (latest figures)",
            "x": [period(p) for p in periods],
            "y": [compact(actual.get(p)) for p in periods],
            "line": {"color": "#0b0c0c", "width": 4},
            "connectgaps": False,
        }
    ]
    shown = set()
    for origin, forecasts in by_origin.items():
        held_out = bool(forecasts[0]["is_held_out"])
        colour, name = PAST[held_out]
        start = starts.get(origin)
        points = ([start] if start else []) + [(r["time_period"], r["point"]) for r in forecasts]
        traces.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": name,
                "legendgroup": name,
                "showlegend": name not in shown,
                "x": [period(p) for p, _ in points],
                "y": [compact(v) for _, v in points],
                "line": {"color": colour, "width": 1},
                "marker": {"size": 3},
                "opacity": 0.8,
                "hovertemplate": f"from {origin}: %{{y}}<extra></extra>",
            }
        )
        shown.add(name)
    title = f"{indicator['label']}, England: past forecasts ({method}) against what happened"
    return {
        "id": f"chart-backtest-{indicator['indicator_id']}",
        "title": title,
        "kind": "backtest",
        "aria": f"Line chart: {indicator['label']} in England as it stands now (thick line) and, as thin lines, the "
        f"one- to three-year forecasts {method} made from each past origin ({unit}). The table below gives them.",
        "data": traces,
        "layout": chart_layout(
            height=340,
            title={"text": title, "font": {"size": 13}, "x": 0.01, "xanchor": "left"},
            legend={"orientation": "h", "y": -0.2},
            yaxis={"title": {"text": short_unit(unit)}},
            xaxis={"type": "category", "categoryorder": "array", "categoryarray": [period(p) for p in periods]},
        ),
        "table": {
            "columns": ["Origin", "Period", "Forecast", "First published", "Latest", "Inputs"],
            "rows": [
                [
                    r["origin_year"],
                    period(r["time_period"]),
                    fmt(r["point"], unit),
                    fmt(r["actual_first"], unit),
                    fmt(r["actual_latest"], unit),
                    "as published" if r["is_as_published"] else "later releases stand in",
                ]
                for r in sorted(rows, key=lambda r: (r["origin_year"], r["horizon"]))
            ],
        },
    }
