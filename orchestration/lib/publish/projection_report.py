"""``reports/projections.html``: every method's track record, per indicator.

For each indicator the method chosen, England's past forecasts by it against what happened, and
the accuracy tables of ``marts.mart_projection_accuracy`` (LAs, scored against the first published
figures; the latest-vintage scores are in the mart): held-out origins with as-published inputs
first, then held-out with later releases standing in, then the selection origins.
"""

from __future__ import annotations

from collections import defaultdict

from orchestration.lib.publish import pages
from orchestration.lib.publish.projection_charts import backtest_chart
from orchestration.lib.publish.projection_pages import FAN_INDICATORS, METHOD_LABELS, method_label

# The accuracy tables, in the order the page shows them: (sample, inputs, heading). The selection
# origins' record over all their inputs is the one each method was chosen on; as published and with
# later releases standing in apart only where the mart has no such record.
SAMPLES = [
    ("held_out", "as_published", "Held-out origins, inputs as first published"),
    ("held_out", "fallback", "Held-out origins with a later release standing in for a figure not yet published"),
    ("selection", "all", "Selection origins (the methods were chosen on these), all inputs"),
    ("selection", "as_published", "Selection origins (the methods were chosen on these), inputs as first published"),
    ("selection", "fallback", "Selection origins with a later release standing in"),
]


def _cell(value, kind: str, unit: str | None = None) -> str:
    value = pages.number(value)
    if value is None:
        return "–"
    if kind == "p" and value < 0.001:
        return "<0.001"
    if kind == "value":  # an error in children is worth its decimal: an LA's is often a handful
        return ("-" if value < 0 else "") + (f"{abs(value):,.1f}" if unit == "count" else pages.fmt(abs(value), unit))
    return {"ratio": f"{value:.2f}", "share": f"{value:.0%}", "p": f"{value:.3f}"}[kind]


def accuracy_tables(data: dict, indicator_id: str, chosen: str | None) -> list[dict]:
    unit = data["indicators"].get(indicator_id, {}).get("unit")
    mine = [r for r in data["accuracy"] if r["indicator_id"] == indicator_id]
    kinds = {(r["sample"], r["inputs"]) for r in mine}
    out = []
    for sample, inputs, heading in SAMPLES:
        if (sample, inputs) not in kinds or (
            sample == "selection" and inputs != "all" and ("selection", "all") in kinds
        ):
            continue
        these = [r for r in mine if (r["sample"], r["inputs"]) == (sample, inputs)]
        by_method = defaultdict(dict)
        for r in these:
            by_method[r["method"]][r["horizon"]] = r
        rows = []
        for method, h in by_method.items():
            pooled = h.get(0, {})
            rows.append(
                {
                    "method": method,
                    "label": method_label(method),
                    "chosen": method == chosen or (chosen is None and bool(pooled.get("is_chosen"))),
                    "sort": pooled.get("mase_ratio") if pooled.get("mase_ratio") is not None else float("inf"),
                    "cells": [_cell(h.get(k, {}).get("mase_ratio"), "ratio") for k in (1, 2, 3, 0)]
                    + [
                        _cell(pooled.get("mae"), "value", unit),
                        _cell(pooled.get("bias"), "value", unit),
                        _cell(pooled.get("coverage_80"), "share"),
                        _cell(pooled.get("coverage_95"), "share"),
                        _cell(pooled.get("share_beating_naive") if method != "naive" else None, "share"),
                        _cell(pooled.get("dm_p_value"), "p"),
                        pooled.get("n_forecasts") or "–",
                    ],
                }
            )
        out.append({"heading": heading, "rows": sorted(rows, key=lambda r: (r["sort"], r["label"]))})
    return out


def page_context(data: dict) -> dict:
    """The projections page: per indicator, the chosen method, England's past forecasts and the accuracy tables."""
    if not data["has"]:
        return {"has_projections": False, "sections": [], "methods": METHOD_LABELS, "charts": []}
    sections = []
    ids = [i for i in FAN_INDICATORS if i in data["indicators"]]
    ids += sorted({r["indicator_id"] for r in data["accuracy"]} - set(ids))
    for indicator_id in ids:
        indicator = data["indicators"].get(
            indicator_id, {"indicator_id": indicator_id, "label": indicator_id, "unit": ""}
        )
        la_level = data["chosen"].get((indicator_id, "la")) or {}
        chosen = la_level.get("method")
        shown = data["chosen"].get((indicator_id, "england"), {}).get("method") or chosen
        chart = backtest_chart(
            indicator,
            data["backtest"].get((indicator_id, shown), []),
            {**data["england"].get(indicator_id, {}), **_actuals(data, indicator_id, shown)},
            data["starts"].get(indicator_id, {}),
            method_label(shown),
        )
        sections.append(
            {
                "indicator": indicator,
                "chosen": chosen,
                "chosen_label": method_label(chosen),
                "origin_date": la_level.get("origin_date"),
                "england_method": method_label(shown),
                "chart": chart,
                "tables": accuracy_tables(data, indicator_id, chosen),
            }
        )
    charts = [s["chart"] for s in sections if s["chart"]]
    return {
        "has_projections": True,
        "sections": sections,
        "methods": METHOD_LABELS,
        "charts": [{k: c[k] for k in ("id", "data", "layout")} for c in charts],
    }


def _actuals(data: dict, indicator_id: str, method: str | None) -> dict[int, float]:
    return {
        r["time_period"]: r["actual_latest"]
        for r in data["backtest"].get((indicator_id, method), [])
        if r["actual_latest"] is not None
    }
