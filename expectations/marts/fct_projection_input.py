"""Gate on marts.fct_projection_input: no forecast sees the future.

Every input of a forecast was published on or before its origin, unless it is marked as a
fallback (the bundle holds no vintage published by then with that period, so a later one stands
in); and every forecast scored as published read nothing published after its origin. One row per
indicator, origin and release, so a failure names the release that leaked and the origin it
leaked into.
"""

from __future__ import annotations

from orchestration.lib.quality.rules import agreement_suite
from orchestration.lib.quality.suites import SuiteSpec

ASSET = ("marts", "fct_projection_input")

NO_LOOK_AHEAD = """
    select indicator_id, origin_year as time_period, release as _release, min(published_on) as published_on,
           any_value(origin_date) as origin_date, count(*) as rows,
           bool_and((published_on <= origin_date) = not is_fallback) as agrees
    from marts.fct_projection_input
    group by indicator_id, origin_year, release
"""

# a forecast marked as published that read something published after its origin, or one marked
# otherwise that did not; and a forecast whose own series had an input later than it says it read
AS_PUBLISHED = """
    with newest as (
        select indicator_id, area_level, area_code, origin_year, max(published_on) as own_by
        from marts.fct_projection_input group by all
    )
    select b.indicator_id, b.origin_year as time_period, b.method, b.area_level, count(*) as forecasts,
           bool_and(b.is_as_published = coalesce(b.inputs_published_by <= b.origin_date, false)
                    and coalesce(n.own_by <= b.inputs_published_by, true)) as agrees
    from marts.fct_projection_backtest as b
    left join newest as n using (indicator_id, area_level, area_code, origin_year)
    group by all
"""


def suites() -> list[SuiteSpec]:
    return [
        agreement_suite(
            "fct_projection_input__no_look_ahead",
            ASSET,
            "Every input of a forecast was published on or before its origin (1 February), or is marked as a "
            "fallback from a later vintage.",
            NO_LOOK_AHEAD,
            "Published by the origin, or marked as a fallback",
            1,
            "one per indicator, origin and release: at least one",
        ),
        agreement_suite(
            "fct_projection_backtest__as_published",
            ("marts", "fct_projection_backtest"),
            "A forecast scored as published read nothing published after its origin (its series, the population "
            "or flows it used, the pool of a pooled method, the LAs of a sum), and what it says it read is no "
            "older than its own series' newest input.",
            AS_PUBLISHED,
            "is_as_published = (inputs_published_by <= origin), no older than the series' own inputs",
            1,
            "one per indicator, origin, method and area level: at least one",
        ),
    ]
