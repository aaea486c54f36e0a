"""Contract on DfE's corrections from Ofsted's regions to DfE's (raw.ofsted_region_fix), used to
check each LA Ofsted names sits in the region the LA dimension gives it
(marts/fct_ofsted_judgement_in_effect.py).

Measured on the mirror (2026-11): 60 LAs, every one in a DfE region.
"""

from __future__ import annotations

from orchestration.lib.quality import rules
from orchestration.lib.quality.suites import SuiteSpec, gx


def suites() -> list[SuiteSpec]:
    e = gx.expectations
    return [
        SuiteSpec(
            name="raw_ofsted_region_fix",
            asset=("raw", "ofsted_region_fix"),
            description="Each LA name once, each corrected to one of DfE's regions.",
            query="select *, count(*) over (partition by lower(trim(la_name))) as rows_of_name from raw.ofsted_region_fix",
            expectations=lambda: [
                e.ExpectColumnValuesToNotBeNull(column="la_name"),
                e.ExpectColumnValuesToBeBetween(
                    column="rows_of_name", min_value=1, max_value=1, description="Each LA name once"
                ),
                e.ExpectColumnValuesToBeInSet(column="region_name", value_set=list(rules.DFE_REGIONS)),
                e.ExpectColumnValuesToNotBeNull(column="region_name"),
                rules.row_floor(1, "one per LA whose Ofsted region DfE corrects"),
            ],
        ),
    ]
