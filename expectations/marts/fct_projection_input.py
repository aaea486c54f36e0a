"""Gate on marts.fct_projection_input: no forecast sees the future.

Every input of a forecast was published on or before its origin, unless it is marked as a
fallback (the bundle holds no vintage published by then with that period, so a later one stands
in); and every forecast scored as published rests on no fallback. One row per indicator, origin
and release, so a failure names the release that leaked and the origin it leaked into.
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

# a forecast marked as published whose series had a fallback input at that origin
AS_PUBLISHED = """
    with fallback as (
        select distinct indicator_id, area_level, area_code, origin_year
        from marts.fct_projection_input where is_fallback
    )
    select b.indicator_id, b.origin_year as time_period, b.method, count(*) as forecasts,
           count(*) filter (where f.indicator_id is not null) = 0 as agrees
    from marts.fct_projection_backtest as b
    left join fallback as f using (indicator_id, area_level, area_code, origin_year)
    where b.is_as_published
    group by all
"""


def suites() -> list[SuiteSpec]:
    return [
        agreement_suite(
            "fct_projection_input__no_look_ahead",
            ASSET,
            "Every input of a forecast was published on or before its origin (1 February), or is marked as a "
            "fallback from a later vintage; a forecast marked as published has no fallback input.",
            NO_LOOK_AHEAD,
            "Published by the origin, or marked as a fallback",
            1,
            "one per indicator, origin and release: at least one",
        ),
        agreement_suite(
            "fct_projection_backtest__as_published",
            ("marts", "fct_projection_backtest"),
            "A forecast scored as published rests on nothing published after its origin.",
            AS_PUBLISHED,
            "No fallback input under a forecast marked as published",
            1,
            "one per indicator, origin and method scored as published: at least one",
        ),
    ]
