"""Reconciliation on marts.fct_social_work_workforce: reporting units add up to England.

Each reporting unit (an LA or a joint return) is counted once, so in a year when every unit
published its FTE the sum equals England's published FTE to rounding (each unit is rounded to
0.1 FTE: tolerance 0.05 per unit). Counting a joint return once per member LA would add several
hundred FTE and fail this gate.
"""

from __future__ import annotations

from orchestration.lib.ingest.catalogue import load_catalogue
from orchestration.lib.quality import rules
from orchestration.lib.quality.suites import SuiteSpec

# Each release reports its own year and the years before it; most years every unit returned.

ENGLAND_TOTALS = """
    with units as (
        select time_period, sum(sw_fte) as units_sum, count(*) as units,
               count(*) filter (where sw_fte_status <> 'published') as unpublished
        from marts.fct_social_work_workforce
        group by time_period
    )
    select units.time_period, england.value as england, units.units_sum, units.units,
           abs(england.value - units.units_sum) - 0.05 * units.units as excess
    from units
    left join marts.fct_england_region_indicator as england  -- a year without England's figure fails as not computed
        on england.area_code = 'E92000001' and england.indicator_id = 'sw_fte'
        and england.is_latest and england.time_period = units.time_period
    where units.unpublished = 0
    order by units.time_period desc
"""


def suites() -> list[SuiteSpec]:
    releases = len(load_catalogue().family("csww_indicators").releases)
    return [
        SuiteSpec(
            name="fct_social_work_workforce__england_totals",
            asset=("marts", "fct_social_work_workforce"),
            description="Social worker FTE summed over reporting units equals England's, in years when every unit returned.",
            query=ENGLAND_TOTALS,
            expectations=lambda: rules.within_tolerance(
                releases,
                f"one per year in which every unit returned: at least one for each of the {releases} catalogued releases",
            ),
        ),
    ]
