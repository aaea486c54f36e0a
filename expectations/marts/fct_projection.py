"""Gates on marts.fct_projection: LA projections add up to their region and to England (with the
aggregate's unallocated part, which no LA forecast covers), and every interval holds its point
(lo_95 <= lo_80 <= point <= hi_80 <= hi_95)."""

from __future__ import annotations

from orchestration.lib.quality.rules import agreement_suite
from orchestration.lib.quality.suites import SuiteSpec

ASSET = ("marts", "fct_projection")

# counts and spend add up; a rate per 10,000 does not, and is left out
COHERENT = """
    with las as (
        select p.indicator_id, p.method, p.horizon, l.region_code, sum(p.point) as point
        from marts.fct_projection as p
        inner join marts.dim_local_authority as l on l.la_code = p.area_code
        where p.area_level = 'la' and p.indicator_id in (select indicator_id from marts.dim_indicator where unit in ('count', 'GBP'))
        group by all
    ),
    sums as (
        select indicator_id, method, horizon, 'england' as area_level, 'E92000001' as area_code, sum(point) as point
        from las group by all
        union all
        select indicator_id, method, horizon, 'region', region_code, point from las
    )
    select s.indicator_id, s.area_code as la_code, s.method, s.horizon, s.point as las, p.unallocated,
           p.point as projected,
           abs(p.point - s.point - p.unallocated) <= 1e-6 * greatest(abs(p.point), 1)
               -- what no LA forecast covers stays small: a large part means LAs missing from the sum
               and abs(p.unallocated) <= 0.1 * abs(p.point) as agrees
    from sums as s
    left join (
        select indicator_id, method, horizon, area_level, area_code, sum(point) as point,
               sum(unallocated) as unallocated
        from marts.fct_projection group by all
    ) as p using (indicator_id, method, horizon, area_level, area_code)
"""

ORDERED = """
    select indicator_id, area_code as la_code, method, horizon, time_period,
           coalesce(lo_95 <= lo_80 and lo_80 <= point and point <= hi_80 and hi_80 <= hi_95, lo_95 is null)
               as agrees
    from marts.fct_projection
"""


def suites() -> list[SuiteSpec]:
    return [
        agreement_suite(
            "fct_projection__coherent",
            ASSET,
            "Every region's and England's projected count or spend is the sum of its LAs' plus its unallocated part "
            "(bottom-up), and that part is within 10% of it.",
            COHERENT,
            "The sum of the LAs' projections",
            1,
            "one per indicator, method, horizon and aggregate: at least one",
        ),
        agreement_suite(
            "fct_projection__intervals_hold_the_point",
            ASSET,
            "Every interval holds its point, and the 95% interval holds the 80% one (or there is none).",
            ORDERED,
            "lo_95 <= lo_80 <= point <= hi_80 <= hi_95",
            1,
            "one per projection: at least one",
        ),
    ]
