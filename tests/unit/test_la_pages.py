"""The LA pages' pure parts: formatting, JSON safe inside a page, and the charts' data and tables."""

import json
from datetime import date

from orchestration.lib.publish.la_charts import funnel_chart, spine_chart, timeline_chart, trend_chart
from orchestration.lib.publish.pages import fmt
from orchestration.lib.publish.pages import script_json as _json_for_script

LA = {"la_code": "E06000010", "la_name": "Kingston upon Hull, City of", "region_name": "Yorkshire and The Humber"}


def test_values_read_as_their_unit():
    assert fmt(1234.5, "GBP per child aged 0 to 17") == "£1,234"
    assert fmt(12.345, "percent") == "12.3%"
    assert fmt(None, "percent") == "–" and fmt(float("nan")) == "–"
    assert fmt(98.76, "rate per 10,000 children aged under 18") == "98.8"


def test_json_cannot_close_its_script_element():
    text = _json_for_script({"name": "</script><script>alert(1)</script>", "when": date(2024, 3, 31)})
    assert "</" not in text
    assert json.loads(text)["name"].startswith("</script>") and json.loads(text)["when"] == "2024-03-31"


def _bench(indicator, value, lo, hi, significance):
    return {
        "indicator_id": indicator,
        "period_label": "2023-24",
        "period_short": "2023-24",
        "value": value,
        "la_min": lo,
        "la_max": hi,
        "band_lower_quartile": lo + (hi - lo) / 4,
        "band_median": (lo + hi) / 2,
        "band_upper_quartile": hi - (hi - lo) / 4,
        "england_value": (lo + hi) / 2,
        "region_value": None,
        "neighbour_mean": None,
        "quartile_band": "B",
        "band_meaning": "A best",
        "rank": 40,
        "las_ranked": 150,
        "rank_meaning": "1 = best",
        "significance_vs_england": significance,
    }


def test_spine_puts_the_best_on_the_right_whatever_the_polarity():
    indicators = {
        "good": {"label": "Good thing", "unit": "percent", "polarity": "higher_is_better"},
        "bad": {"label": "Bad thing", "unit": "percent", "polarity": "lower_is_better"},
    }
    chart = spine_chart(
        LA,
        {k: {**v, "indicator_id": k} for k, v in indicators.items()},
        [_bench("good", 90, 0, 100, "higher"), _bench("bad", 10, 0, 100, None)],
    )
    points = {
        t["name"]: t["x"]
        for t in chart["data"]
        if t["type"] == "scatter" and t["name"] != "England" and t["name"] != "Median LA"
    }
    assert points["Significantly higher than England"] == [0.9]
    assert points["No interval: quartile band only"] == [0.9]  # 10% of a bad thing is near the best
    assert len(chart["table"]["rows"]) == 2 and chart["table"]["rows"][0][2] == "90.0%"
    assert chart["aria"]


def test_funnel_highlights_the_la_and_draws_limits_as_ratios():
    rows = [
        {
            "la_code": code,
            "la_name": code,
            "value": v,
            "expected_value": 50.0,
            "observed_to_expected": v / 50,
            "expected_count": n,
            "funnel_denominator": n * 200,
            "funnel_lower_99_8": 40.0,
            "funnel_lower_95": 45.0,
            "funnel_upper_95": 55.0,
            "funnel_upper_99_8": 60.0,
            "funnel_position": "within",
            "r_squared": 0.42,
            "las_in_model": 3,
            "deprivation_score": 0.2,
            "period_label": "2023-24",
        }
        for code, v, n in (("E06000010", 70.0, 100.0), ("E06000011", 50.0, 200.0), ("E06000012", 40.0, 50.0))
    ]
    chart = funnel_chart(LA, {"indicator_id": "cla_rate_per_10k", "label": "CLA rate", "unit": "rate"}, rows)
    highlighted = [t for t in chart["data"] if t["name"] == LA["la_name"]]
    assert highlighted and highlighted[0]["y"] == [1.4]
    upper = next(t for t in chart["data"] if t["name"] == "95% limits")
    assert upper["y"] == [1.1, 1.1, 1.1] and upper["x"] == [50.0, 100.0, 200.0]
    assert "42%" in chart["summary"] and chart["table"]["rows"][0][3] == "1.40"


def test_timeline_runs_an_open_arrangement_to_today():
    inspections = [
        {
            "effective_date": date(2019, 5, 1),
            "overall_effectiveness_grade": 4,
            "overall_effectiveness": "Inadequate",
            "inspection_type": "ILACS Standard Inspection",
            "framework": "ILACS",
        }
    ]
    arrangements = [
        {
            "delivery_model_name": "A Trust",
            "model_kind": "trust_or_company",
            "effective_from": date(2020, 4, 1),
            "effective_to": None,
            "end_basis": "open",
            "source_url": "https://example.org",
        }
    ]
    chart = timeline_chart(LA, inspections, arrangements, today=date(2026, 1, 1))
    bar = next(t for t in chart["data"] if t["name"] == "A Trust")
    assert bar["x"] == [date(2020, 4, 1), date(2026, 1, 1)]
    assert chart["table2"]["rows"][0][3] == "(open)"
    assert timeline_chart(LA, [], [], today=date(2026, 1, 1)) is None


def _year(year: int, value: float) -> dict:
    return {
        "period_type": "financial_year",
        "time_period": year,
        "period_label": f"{year - 1}-{year % 100:02d}",
        "period_short": f"{year - 1}-{year % 100:02d}",
        "value": value,
        "neighbour_mean": value + 1,
        "neighbours_with_value": 10,
        "region_value": None,
        "england_value": value + 2,
        "status": "published",
    }


def test_a_trend_breaks_where_years_are_missing_as_its_table_does():
    """Spend per child is held for 2013-14 and 2022-23 to 2024-25: the chart shows the eight years
    between as a gap in every line, named on the axis, not one straight line across them."""
    indicator = {"indicator_id": "csc_spend_per_child_gbp", "label": "Spend per child", "unit": "GBP per child"}
    rows = [_year(2014, 900), _year(2023, 1500), _year(2024, 1600), _year(2025, 1700)]
    labels = {("financial_year", y): f"{y - 1}-{y % 100:02d}" for y in range(2005, 2031)}
    chart = trend_chart(LA, indicator, rows, labels)
    la, neighbours, region, england = chart["data"]
    assert la["x"] == [f"{y - 1}-{y % 100:02d}" for y in range(2014, 2026)]  # every year from first to last
    assert la["y"] == [900, *[None] * 8, 1500, 1600, 1700]
    assert neighbours["y"][1:9] == [None] * 8 and england["y"][1:9] == [None] * 8
    assert region["y"] == [None] * 12  # a series with no value at all draws nothing
    assert all(trace["connectgaps"] is False for trace in chart["data"])
    # the table beside the chart lists the years there are figures for
    assert [row[0] for row in chart["table"]["rows"]] == ["2013-14", "2022-23", "2023-24", "2024-25"]


def test_a_provisional_figure_is_a_marker_of_its_own_in_its_collection_year():
    """An LA's own return for 2025-26, before DfE publishes it: the published lines stop at
    2024-25, and the provisional figure is one open diamond a year later, named as provisional in
    the legend and the table; a suppressed one (no value) draws nothing."""
    indicator = {"indicator_id": "cla_rate_per_10k", "label": "CLA rate", "unit": "rate per 10,000 children"}
    rows = [_year(2024, 180), _year(2025, 184)]
    provisional = {"time_period": 2026, "provisional_value": 191.0}
    chart = trend_chart(LA, indicator, rows, {}, provisional)
    la, _neighbours, _region, _england, own = chart["data"]
    assert la["x"] == ["2023-24", "2024-25", "2025-26"] and la["y"] == [180, 184, None]
    assert own["mode"] == "markers" and own["marker"]["symbol"] == "diamond-open"
    assert own["x"] == ["2025-26"] and own["y"] == [191.0] and "provisional" in own["name"]
    assert chart["table"]["rows"][-1][:2] == ["2025-26", "191.0"] and "provisional" in chart["table"]["rows"][-1][-1]
    suppressed = trend_chart(LA, indicator, rows, {}, {"time_period": 2026, "provisional_value": None})
    assert len(suppressed["data"]) == 4 and suppressed["data"][0]["x"] == ["2023-24", "2024-25"]
