"""The projections on the LA pages: "Where it is heading", a fan chart per projected indicator with
one line of its method's track record (``projection_report`` writes the page of every method's).

Read from the published snapshot's projection marts (``marts.fct_projection``,
``marts.fct_projection_backtest``, ``marts.mart_projection_accuracy``, ``marts.fct_projection_input``;
written by the projections asset, not dbt) beside the published history they continue. An older
snapshot without them still renders: the section and the page say there are no projections.
"""

from __future__ import annotations

from collections import defaultdict

from orchestration.lib.publish import pages
from orchestration.lib.publish.projection_charts import fan_chart, period

PAGE = "projections.html"
TABLES = ("fct_projection", "fct_projection_backtest", "mart_projection_accuracy", "fct_projection_input")
# The LA pages show the counts and spend; the rates are in marts.fct_projection
FAN_INDICATORS = ["cla_count", "cin_count", "cpp_count", "csc_spend_total_gbp"]
METHOD_LABELS = {
    "naive": "Last value (naive)",
    "drift": "Drift",
    "rate_population": "Latest rate × child population",
    "prevalence_3yr": "Three-year prevalence × population",
    "linear_trend_5yr": "Five-year linear trend",
    "stock_flow": "Stock and flow",
    "ets_damped": "Damped exponential smoothing",
    "theta": "Theta",
    "combination": "Equal-weight combination",
    "pooled_growth": "Growth pooled across LAs",
}
ENGLAND = "E92000001"

_IDS = ",".join(f"'{i}'" for i in FAN_INDICATORS)
INDICATORS_SQL = """
select indicator_id, label, unit, period_type from marts.dim_indicator
where indicator_id in (select indicator_id from marts.fct_projection)"""
# the method published for each indicator and level (the most common, should it differ between areas)
CHOSEN_SQL = """
select indicator_id, area_level, mode(method) as method, max(origin_date) as origin_date
from marts.fct_projection where is_chosen group by all"""
FAN_SQL = f"""
select * from marts.fct_projection where is_chosen and area_level = 'la' and indicator_id in ({_IDS})
order by area_code, indicator_id, horizon"""
ACCURACY_SQL = "select * from marts.mart_projection_accuracy where area_level = 'la' and against = 'first'"


# The published history the projections continue (never an LA's own provisional return), England's,
# and the figures each projection rests on
HISTORY_SQL = f"""
select la_code, indicator_id, time_period, value from marts.fct_la_indicator
where is_latest and is_published and release not like 'la_return_%' and value is not null
  and indicator_id in ({_IDS})
order by la_code, indicator_id, time_period"""
ENGLAND_SQL = f"""
select indicator_id, time_period, value from marts.fct_england_region_indicator
where area_code = '{ENGLAND}' and is_latest and value is not null"""
INPUTS_SQL = """
select i.indicator_id, i.area_code, count(*) as n, count(*) filter (where i.is_fallback) as n_fallback
from marts.fct_projection_input i
join (select distinct indicator_id, area_code, origin_year from marts.fct_projection where area_level = 'la' and is_chosen)
    using (indicator_id, area_code, origin_year)
where i.area_level = 'la'
group by all"""
STARTS_SQL = """
select indicator_id, origin_year, max(time_period) as time_period, arg_max(value, time_period) as value
from marts.fct_projection_input where area_level = 'england' and value is not null
group by all"""
ORIGINS_SQL = """
select indicator_id, is_held_out, is_as_published, min(origin_year) as lo, max(origin_year) as hi
from marts.fct_projection_backtest where area_level = 'la'
group by all"""
BACKTEST_SQL = """
select indicator_id, method, origin_year, horizon, time_period, point, actual_first, actual_latest,
       is_held_out, is_as_published
from marts.fct_projection_backtest where area_level = 'england'
order by origin_year, horizon"""


def method_label(method: str | None) -> str:
    return METHOD_LABELS.get(method or "", method or "–")


def _years(lo, hi) -> str:
    return "–" if lo is None else str(lo) if lo == hi else f"{lo}-{hi}"


def read_projections(con) -> dict:
    """What the pages show of the projections: ``{"has": False}`` when the snapshot has none."""
    present = {t for t in TABLES if pages.has_table(con, "marts", t)}
    if "fct_projection" not in present:
        return {"has": False}

    def q(sql: str, wanted: str = "fct_projection") -> list[dict]:
        return pages.rows(con, sql) if wanted in present else []

    data = {
        "has": True,
        "indicators": {r["indicator_id"]: r for r in q(INDICATORS_SQL)},
        "chosen": {(r["indicator_id"], r["area_level"]): r for r in q(CHOSEN_SQL)},
        "fan": defaultdict(list),
        "history": defaultdict(list),
        "england": defaultdict(dict),
        "inputs": {(r["area_code"], r["indicator_id"]): r for r in q(INPUTS_SQL, "fct_projection_input")},
        "starts": defaultdict(dict),
        "accuracy": q(ACCURACY_SQL, "mart_projection_accuracy"),
        "origins": {
            (r["indicator_id"], r["is_held_out"], r["is_as_published"]): (r["lo"], r["hi"])
            for r in q(ORIGINS_SQL, "fct_projection_backtest")
        },
        "backtest": defaultdict(list),
    }
    for r in q(FAN_SQL):
        data["fan"][(r["area_code"], r["indicator_id"])].append(r)
    for r in q(HISTORY_SQL):
        data["history"][(r["la_code"], r["indicator_id"])].append((r["time_period"], r["value"]))
    for r in q(ENGLAND_SQL):
        data["england"][r["indicator_id"]][r["time_period"]] = r["value"]
    for r in q(STARTS_SQL, "fct_projection_input"):
        data["starts"][r["indicator_id"]][r["origin_year"]] = (r["time_period"], r["value"])
    for r in q(BACKTEST_SQL, "fct_projection_backtest"):
        data["backtest"][(r["indicator_id"], r["method"])].append(r)
    return data


def _origin_range(data: dict, indicator: str, held_out: bool, as_published: bool | None) -> str:
    spans = [
        v for (i, h, a), v in data["origins"].items() if i == indicator and h == held_out and as_published in (None, a)
    ]
    return _years(min(lo for lo, _ in spans), max(hi for _, hi in spans)) if spans else "–"


def track_record(data: dict, indicator: str, method: str) -> str:
    """One line: how the chosen method did on the held-out origins, scored against first-published figures."""
    rows = {(r["indicator_id"], r["method"], r["sample"], r["inputs"], r["horizon"]): r for r in data["accuracy"]}
    selection = _origin_range(data, indicator, False, None)
    chosen_on = f"{method_label(method)}, chosen on {'the selection' if selection == '–' else selection} origins."
    row = rows.get((indicator, method, "held_out", "as_published", 0))
    inputs = "as published"
    if row is None:
        row = rows.get((indicator, method, "held_out", "fallback", 0))
        inputs = "not all as published: a later release stands in for a figure not yet published"
    if row is None:
        return f"{chosen_on} No held-out track record."
    row = {k: pages.number(v) if isinstance(v, float) else v for k, v in row.items()}  # NaN: not scored
    span = _origin_range(data, indicator, True, inputs == "as published")
    text = f"{chosen_on} On {'the held-out origins' if span == '–' else f'held-out origins {span}'} ({inputs}): "
    parts = []
    if method == "naive" and row["mae"] is not None:
        unit = data["indicators"].get(indicator, {}).get("unit")
        parts.append(f"mean absolute error {pages.fmt(row['mae'], unit)} (naive is what the others are scored against)")
    if method != "naive" and row["mase_ratio"] is not None:
        parts.append(f"scaled error {row['mase_ratio']:.2f} of naive's")
    if row["coverage_80"] is not None:
        parts.append(f"80% intervals held the outcome {row['coverage_80']:.0%} of the time")
    text += ", ".join(parts) or "no scored forecast"
    if method != "naive" and row["share_beating_naive"] is not None:
        text += f"; beat naive in {row['share_beating_naive']:.0%} of LAs"
    return text + "."


def la_fans(la: dict, data: dict, href: str) -> list[dict]:
    """The LA's fan charts, each with its track record (``track``), its caveats (``notes``) and the link."""
    if not data["has"]:
        return []
    out = []
    for indicator_id in FAN_INDICATORS:
        rows = data["fan"].get((la["la_code"], indicator_id))
        if not rows or indicator_id not in data["indicators"]:
            continue
        method, ran = rows[0]["method"], rows[0]["method_run"] or rows[0]["method"]
        chart = fan_chart(
            la,
            data["indicators"][indicator_id],
            data["history"].get((la["la_code"], indicator_id), []),
            rows,
            method_label(ran),
        )
        if chart is None:
            continue
        origin = rows[0]["origin_date"]
        notes = [f"Projected from {origin.day} {origin:%B %Y} with figures to {period(rows[0]['last_period'])}."]
        if ran != method:
            notes.append(
                f"The chosen method could not run on this series: {method_label(ran)} stands in; "
                "the track record above is the chosen method's."
            )
        used = data["inputs"].get((la["la_code"], indicator_id))
        if used and used["n_fallback"]:
            notes.append(
                f"Its inputs are not all as first published: {used['n_fallback']} of the {used['n']} figures it rests "
                f"on {'was' if used['n_fallback'] == 1 else 'were'} not yet published at the origin, and later releases "
                "stand in."
            )
        out.append(
            {
                **chart,
                "track": track_record(data, indicator_id, method),
                "notes": notes,
                "track_href": f"{href}#{indicator_id}",
            }
        )
    return out
