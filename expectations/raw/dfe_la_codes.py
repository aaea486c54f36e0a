"""Contracts on DfE's landed LA code list, as used by its Local Authority Interactive Tool
(raw.dfe_la_codes): the DfE numbers every other DfE file prints.

Measured on the mirror (2026-11): 171 rows, 158 LAs with a type (three of them retired
"(Pre LG)" Dorset authorities) and 13 England, region and discontinued rows numbered 970 and
above, whose region and type are "NA".
"""

from __future__ import annotations

from orchestration.lib.quality import rules
from orchestration.lib.quality.suites import SuiteSpec, gx

LA_TYPES = ("UA", "SC", "MD", "ILB", "OLB")
# workbook cells may come through as 301 or 301.0
DFE_NUMBER = r"^[0-9]{3}(?:\.0)?$"
LOCAL_AUTHORITY = "try_cast(la_number as double) < 970"


def suites() -> list[SuiteSpec]:
    e = gx.expectations
    return [
        SuiteSpec(
            name="raw_dfe_la_codes",
            asset=("raw", "dfe_la_codes"),
            description="Each LA once by its three-digit DfE number, named, in one of DfE's regions, of a known LA type; "
            "at least every LA of one year.",
            query=f"select *, count(*) over (partition by la_number) as rows_of_number from raw.dfe_la_codes "
            f"where {LOCAL_AUTHORITY} or try_cast(la_number as double) is null",
            expectations=lambda: [
                e.ExpectColumnValuesToMatchRegex(column="la_number", regex=DFE_NUMBER),
                e.ExpectColumnValuesToNotBeNull(column="la_number"),
                e.ExpectColumnValuesToBeBetween(
                    column="rows_of_number", min_value=1, max_value=1, description="Each DfE number once"
                ),
                e.ExpectColumnValuesToNotBeNull(column="la_name"),
                e.ExpectColumnValuesToBeInSet(column="region", value_set=list(rules.DFE_REGIONS)),
                e.ExpectColumnValuesToNotBeNull(column="region"),
                e.ExpectColumnValuesToBeInSet(column="la_type", value_set=list(LA_TYPES)),
                rules.row_floor(rules.FEWEST_LAS, "one per LA: at least every LA of one year"),
            ],
        ),
    ]
