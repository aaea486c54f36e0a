"""The LA pages' pure parts: formatting, JSON safe inside a page, and the charts' data and tables."""

import json
import math
import re
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


# A snapshot by hand: one LA (Hull) with just what the pages read, and, unless told not to, a few rows
# of each projection mart (their columns as the projections asset writes them).
BASE_TABLES = {
    "marts.dim_local_authority": "la_code varchar, la_code_dfe varchar, la_name varchar, la_type varchar, "
    "region_code varchar, region_name varchar, is_current boolean",
    "marts.dim_indicator": "indicator_id varchar, label varchar, unit varchar, polarity varchar, description varchar, "
    "period_type varchar",
    "marts.dim_period": "period_type varchar, time_period integer, period_label varchar",
    "marts.fct_la_benchmark": "la_code varchar, indicator_id varchar, period_type varchar, time_period integer, "
    "reporting_year integer, value double, status varchar, neighbour_mean double, neighbours_with_value integer, "
    "neighbour_model_year integer, region_value double, england_value double, rank integer, las_ranked integer, "
    "rank_meaning varchar, quartile_band varchar, band_meaning varchar, band_lower_quartile double, "
    "band_median double, band_upper_quartile double, significance_vs_england varchar, ci_lower_95 double, "
    "ci_upper_95 double, is_default_model boolean",
    "marts.mart_la_year_profile": "la_code varchar, reporting_year integer, ofsted_overall_effectiveness varchar, "
    "ofsted_grade integer, ofsted_inspection_date date, delivery_model_id varchar, delivery_model_kind varchar, "
    "idaci_avg_score_rank integer, imd_avg_score_rank integer, population_0_17 integer",
    "marts.fct_ofsted_inspection": "la_code varchar, effective_date date, inspection_date date, publication_date date, "
    "framework varchar, inspection_type varchar, overall_effectiveness varchar, overall_effectiveness_grade integer",
    "marts.fct_la_delivery_model": "la_code varchar, delivery_model_id varchar, model_kind varchar, "
    "effective_from date, effective_from_precision varchar, effective_to date, end_basis varchar, source_url varchar",
    "marts.dim_delivery_model": "delivery_model_id varchar, delivery_model_name varchar",
    "marts.fct_la_indicator": "la_code varchar, time_period integer, period_type varchar, indicator_id varchar, "
    "value double, release varchar, is_published boolean, is_latest boolean",
    "marts.fct_england_region_indicator": "area_code varchar, time_period integer, indicator_id varchar, "
    "value double, release varchar, is_latest boolean",
}
BAND = "point double, lo_80 double, hi_80 double, lo_95 double, hi_95 double"
PROJECTION_TABLES = {
    "marts.fct_projection": "indicator_id varchar, area_level varchar, area_code varchar, area_name varchar, "
    "origin_year integer, origin_date date, method varchar, method_run varchar, is_chosen boolean, horizon integer, "
    f"time_period integer, {BAND}, last_period integer, last_value double",
    "marts.fct_projection_backtest": "indicator_id varchar, area_level varchar, area_code varchar, area_name varchar, "
    "method varchar, method_run varchar, origin_year integer, origin_date date, horizon integer, time_period integer, "
    f"is_as_published boolean, is_held_out boolean, {BAND}, actual_first double, actual_first_release varchar, "
    "actual_latest double, actual_latest_release varchar, revision double, error_first double, error_latest double, "
    "scale double",
    "marts.mart_projection_accuracy": "indicator_id varchar, method varchar, area_level varchar, sample varchar, "
    "inputs varchar, against varchar, horizon integer, n_forecasts integer, n_areas integer, n_origins integer, "
    "mase double, mase_naive double, mase_ratio double, mae double, bias double, coverage_80 double, "
    "coverage_95 double, share_beating_naive double, dm_statistic double, dm_p_value double, "
    "mean_abs_revision double, is_chosen boolean",
    "marts.fct_projection_input": "indicator_id varchar, area_level varchar, area_code varchar, origin_year integer, "
    "origin_date date, time_period integer, value double, release varchar, published_on date, is_fallback boolean",
}
HULL = "E06000010"


def _insert(con, table: str, rows: list[dict]) -> None:
    for row in rows:
        con.execute(f"insert into {table} by name select {', '.join(f'? as {k}' for k in row)}", list(row.values()))


def make_snapshot(path, projections: bool = True) -> None:
    import duckdb

    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    con.execute("create schema marts")
    for table, columns in {**BASE_TABLES, **(PROJECTION_TABLES if projections else {})}.items():
        con.execute(f"create table {table} ({columns})")
    _insert(con, "marts.dim_local_authority", [{**LA, "la_code_dfe": "810", "la_type": "UA", "is_current": True}])
    _insert(
        con,
        "marts.dim_indicator",
        [
            {"indicator_id": i, "label": label, "unit": unit, "polarity": "neutral", "period_type": kind}
            for i, label, unit, kind in (
                ("cla_count", "Children looked after at 31 March", "count", "reporting_year_31_march"),
                ("cin_count", "Children in need at 31 March", "count", "reporting_year_31_march"),
                ("cpp_count", "Children on a plan at 31 March", "count", "reporting_year_31_march"),
            )
        ],
    )
    history = [(y, 1000.0 + 20 * (y - 2020), "ees_2025", True, True) for y in range(2020, 2026)]
    history += [(2024, 5.0, "ees_2024", True, False), (2026, 9999.0, "la_return_2026", False, False)]
    history += [(2012, 700.0, "sfr_2012", True, True)]  # more than ten years before the origin: not drawn
    _insert(
        con,
        "marts.fct_la_indicator",
        [
            {"la_code": HULL, "time_period": y, "period_type": "reporting_year_31_march", "indicator_id": i,
             "value": v, "release": rel, "is_published": pub, "is_latest": latest}
            for y, v, rel, pub, latest in history
            for i in ("cla_count", "cin_count", "cpp_count")
        ],
    )  # fmt: skip
    _insert(
        con,
        "marts.fct_england_region_indicator",
        [
            {"area_code": "E92000001", "time_period": y, "indicator_id": "cla_count", "value": 80000.0 + 1000 * (y - 2020),
             "release": "ees_2025", "is_latest": True}
            for y in range(2020, 2026)
        ],
    )  # fmt: skip
    if projections:
        _insert(con, "marts.fct_projection", [
            {"indicator_id": i, "area_level": "la", "area_code": HULL, "area_name": LA["la_name"], "origin_year": 2026,
             "origin_date": date(2026, 2, 1), "method": method, "method_run": run, "is_chosen": chosen, "horizon": h,
             "time_period": 2025 + h, "point": 1100.0 + 20 * h + shift, "lo_80": 1100.0 - 50 * h,
             "hi_80": 1100.0 + 90 * h, "lo_95": 1100.0 - 80 * h, "hi_95": 1100.0 + 120 * h,
             "last_period": 2025, "last_value": 1100.0}
            for i, method, run, chosen, shift in (
                ("cla_count", "ets_damped", "ets_damped", True, 0.0),
                ("cla_count", "naive", "naive", False, -500.0),
                ("cin_count", "theta", "naive", True, 0.0),
                ("cpp_count", "drift", "drift", True, 0.0),
            )
            for h in (1, 2, 3)
        ])  # fmt: skip
        _insert(con, "marts.fct_projection_input", [
            {"indicator_id": "cla_count", "area_level": "la", "area_code": HULL, "origin_year": 2026,
             "time_period": y, "value": 1000.0, "release": "ees_2025", "is_fallback": y == 2020}
            for y in range(2020, 2026)
        ] + [
            {"indicator_id": "cla_count", "area_level": "england", "area_code": "E92000001", "origin_year": o,
             "time_period": o - 1, "value": 80000.0 + 1000 * (o - 2021), "release": "ees", "is_fallback": False}
            for o in (2023, 2024)
        ])  # fmt: skip
        backtest = [
            {
                "indicator_id": "cla_count",
                "area_level": "la",
                "area_code": HULL,
                "method": "ets_damped",
                "origin_year": o,
                "horizon": 1,
                "time_period": o,
                "is_as_published": o != 2013,
                "is_held_out": o >= 2022,
                "point": 1.0,
            }
            for o in (2013, 2021, 2022, 2025)
        ]
        backtest += [
            {
                "indicator_id": "cla_count",
                "area_level": "england",
                "area_code": "E92000001",
                "method": "ets_damped",
                "origin_year": o,
                "horizon": h,
                "time_period": o + h - 1,
                "is_as_published": True,
                "is_held_out": True,
                "point": 70000.0 + 1000 * o - 2_000_000 + 111 * h,
                "actual_first": 1.0,
                "actual_latest": 82000.0,
            }
            for o in (2023, 2024)
            for h in (1, 2, 3)
            if o + h - 1 <= 2025
        ]
        _insert(con, "marts.fct_projection_backtest", backtest)
        accuracy = []
        for i, method, sample, inputs, ratio, chosen in (
            ("cla_count", "ets_damped", "held_out", "as_published", 0.8367, True),
            ("cla_count", "naive", "held_out", "as_published", 1.0, False),
            ("cla_count", "ets_damped", "held_out", "fallback", 0.7, True),
            ("cla_count", "ets_damped", "selection", "all", 0.9, True),
            ("cla_count", "ets_damped", "selection", "as_published", 0.5, True),  # shown only without "all"
            ("cin_count", "theta", "held_out", "fallback", 0.95, True),
        ):
            for h in (0, 1, 2, 3):
                accuracy.append(
                    {"indicator_id": i, "method": method, "area_level": "la", "sample": sample, "inputs": inputs,
                     "against": "first", "horizon": h, "n_forecasts": 120, "mase_ratio": ratio + h / 100,
                     "mae": 12.345, "bias": -3.2, "coverage_80": 0.78, "coverage_95": 0.93,
                     "share_beating_naive": None if method == "naive" else 0.61,
                     "dm_p_value": math.nan if method == "naive" else 0.0321, "is_chosen": chosen}
                )  # fmt: skip
        _insert(con, "marts.mart_projection_accuracy", accuracy)
    con.close()


def _write(warehouse, projections: bool = True):
    import html as html_lib

    from orchestration.lib.publish.la_profiles import write_reports

    make_snapshot(warehouse.published_path, projections)
    result = write_reports(warehouse, today=date(2026, 3, 1))
    reports = result.index.parent
    read = {name: (reports / name).read_text(encoding="utf-8") for name in ("index.html", "projections.html")}
    read["la"] = (reports / "la" / f"{HULL}.html").read_text(encoding="utf-8")
    return read, {k: html_lib.unescape(re.sub(r"<[^>]+>", "", v)) for k, v in read.items()}


def _charts(page: str) -> dict[str, dict]:
    import re

    specs = json.loads(re.search(r'<script type="application/json" id="chart-data">(.*?)</script>', page, re.S)[1])
    return {spec["id"]: spec for spec in specs}


def test_the_la_page_shows_where_each_count_is_heading_with_its_methods_track_record(warehouse):
    raw, text = _write(warehouse)
    page = text["la"]
    assert '<h2 id="heading">Where it is heading</h2>' in raw["la"]
    assert (
        "Damped exponential smoothing, chosen on 2013-2021 origins. On held-out origins 2022-2025 (as published): "
        "scaled error 0.84 of naive's, 80% intervals held the outcome 78% of the time; beat naive in 61% of LAs. "
        "Accuracy of every method →" in page
    )
    assert '<a href="../projections.html#cla_count">Accuracy of every method →</a>' in raw["la"]
    assert "Projected from 1 February 2026 with figures to 2024-25." in page
    assert "Its inputs are not all as first published: 1 of the 6 figures it rests on was not yet published" in page
    # theta was chosen for children in need, naive ran for Hull; its record is on later releases only
    assert "The chosen method could not run on this series: Last value (naive) stands in" in page
    assert (
        "Theta, chosen on the selection origins. On the held-out origins (not all as published: a later release "
        "stands in for a figure not yet published): scaled error 0.95 of naive's" in page
    )
    assert "Drift, chosen on the selection origins. No held-out track record." in page
    fan = _charts(raw["la"])["chart-fan-cla_count"]
    band95, band80, published, projection = fan["data"]
    # the published history, never the LA's own provisional return nor a superseded release
    assert published["x"] == ["2019-20", "2020-21", "2021-22", "2022-23", "2023-24", "2024-25"]
    assert published["y"] == [1000, 1020, 1040, 1060, 1080, 1100]
    assert projection["x"] == ["2024-25", "2025-26", "2026-27", "2027-28"] and projection["y"] == [
        1100,
        1120,
        1140,
        1160,
    ]
    assert projection["name"] == "Projection" and "(Damped exponential smoothing)" in projection["hovertemplate"]
    # each band is one closed shape from the last value: up the upper bound and back down the lower
    assert band80["y"] == [1100, 1190, 1280, 1370, 950, 1000, 1050, 1100] and band80["fill"] == "toself"
    assert band95["x"] == [*projection["x"], *reversed(projection["x"])]
    assert "<td>2025-26</td><td></td><td>1,120</td><td>1,050 to 1,190</td><td>1,020 to 1,220</td>" in raw["la"]
    assert "(Last value (naive))" in _charts(raw["la"])["chart-fan-cin_count"]["data"][3]["hovertemplate"]
    assert '<a href="projections.html">the projections page</a>' in raw["index.html"]


def test_the_projections_page_tables_every_method_and_marks_the_chosen_one(warehouse):
    raw, text = _write(warehouse)
    assert "Chosen: Damped exponential smoothing (ets_damped)." in text["projections.html"]
    page = raw["projections.html"]
    assert '<a href="index.html">All local authorities</a>' in raw["projections.html"]
    assert '<td><a href="#cla_count">Children looked after at 31 March</a></td><td>Damped exponential smoothing</td><td>2026-02-01</td>' in raw["projections.html"]  # fmt: skip
    section = page[page.index('<h2 id="cla_count">') : page.index('<h2 id="cin_count">')]
    captions = [
        "Held-out origins, inputs as first published",
        "Held-out origins with a later release standing in",
        "Selection origins (the methods were chosen on these), all inputs",
    ]
    assert sorted(captions, key=section.index) == captions  # held-out as published first, then fallback, selection
    assert "inputs as first published" not in section.split("Selection origins")[1]  # "all" is what chose the method
    chosen = '<tr data-method="ets_damped" class="chosen"><th scope="row"><strong>Damped exponential smoothing</strong> (chosen)</th>'
    assert section.count(chosen) == 3
    first = section[section.index(chosen) :].split("</tr>")[0]
    cells = re.findall(r'<td class="num">([^<]*)</td>', first)
    # scaled error / naive's at 1, 2, 3 years and pooled; MAE, bias, coverage, beating naive, DM p, forecasts
    assert cells == ["0.85", "0.86", "0.87", "0.84", "12.3", "-3.2", "78%", "93%", "61%", "0.032", "120"]
    naive = section[section.index('<tr data-method="naive">') :].split("</tr>")[0]
    assert "Last value (naive)" in naive and re.findall(r'<td class="num">([^<]*)</td>', naive)[-3:] == [
        "–",
        "–",
        "120",
    ]
    backtest = _charts(raw["projections.html"])["chart-backtest-cla_count"]
    actual, *past = backtest["data"]
    assert actual["x"][0] == "2019-20" and actual["y"][-1] == 82000 and actual["y"][0] == 80000
    # each origin's forecasts start from the value it last saw
    assert past[0]["x"] == ["2021-22", "2022-23", "2023-24", "2024-25"] and past[0]["y"][0] == 82000
    assert [t["showlegend"] for t in past] == [True, False]
    assert 'src="assets/plotly.min.js"' in raw["projections.html"]


def test_pages_render_from_a_snapshot_without_projections(warehouse):
    raw, text = _write(warehouse, projections=False)
    assert (
        '<h2 id="heading">Where it is heading</h2>\n<p class="notice">No projections in this publication.</p>'
        in raw["la"]
    )
    assert not any(c.startswith("chart-fan-") for c in _charts(raw["la"]))
    assert "No projections in this publication." in text["projections.html"]
    assert "No projections in this publication" in text["index.html"]


def test_a_naive_track_record_gives_its_error_not_a_ratio_to_itself():
    from orchestration.lib.publish.projection_pages import track_record

    row = {"indicator_id": "csc_spend_total_gbp", "method": "naive", "sample": "held_out", "inputs": "as_published",
           "horizon": 0, "mae": 1234567.8, "mase_ratio": 1.0, "coverage_80": 0.5, "share_beating_naive": None}  # fmt: skip
    data = {
        "accuracy": [row],
        "indicators": {"csc_spend_total_gbp": {"unit": "GBP"}},
        "origins": {
            ("csc_spend_total_gbp", True, True): (2024, 2025),
            ("csc_spend_total_gbp", False, False): (2013, 2015),
        },
    }
    assert track_record(data, "csc_spend_total_gbp", "naive") == (
        "Last value (naive), chosen on 2013-2015 origins. On held-out origins 2024-2025 (as published): mean absolute "
        "error £1,234,568 (naive is what the others are scored against), 80% intervals held the outcome 50% of the time."
    )


def test_a_fan_without_interval_bounds_draws_the_projection_alone():
    from orchestration.lib.publish.projection_charts import fan_chart

    rows = [{"horizon": h, "time_period": 2025 + h, "point": 10.0 + h, "lo_80": None, "hi_80": None, "lo_95": None,
             "hi_95": None, "last_period": 2025, "last_value": 10.0} for h in (1, 2, 3)]  # fmt: skip
    chart = fan_chart(LA, {"indicator_id": "cla_count", "label": "CLA", "unit": "count"}, [(2025, 10.0)], rows, "Drift")
    assert [t["name"] for t in chart["data"]] == ["Published", "Projection"]
    assert chart["data"][1]["y"] == [10.0, 11.0, 12.0, 13.0] and chart["table"]["rows"][1][3] == "– to –"
