"""Contract on the landed SIF inspection history, from "Children's social care in England
2023" (raw.ofsted_sif_history)."""

from __future__ import annotations

from expectations.raw.ofsted_inspection_outcomes import ISO_DATE, judgements
from orchestration.lib.quality.suites import SuiteSpec, gx

SIF_JUDGEMENTS = [
    "sif_overall_effectiveness",
    "sif_help_and_protection",
    "sif_children_in_care",
    "sif_care_leavers",
    "sif_leadership",
    "resif_overall_effectiveness",
    "resif_help_and_protection",
    "resif_children_in_care",
    "resif_care_leavers",
    "resif_leadership",
]


def suites() -> list[SuiteSpec]:
    return [
        SuiteSpec(
            name="raw_ofsted_sif_history",
            asset=("raw", "ofsted_sif_history"),
            description="First table of the 2023 sheet: SIF judgements on the four-point scale, publication dates as dates, 150+ LAs.",
            query="""select * from raw.ofsted_sif_history
                     where _row_number < coalesce((select min(_row_number) from raw.ofsted_sif_history where la_name is null), 1e9)""",
            expectations=lambda: [
                *[
                    gx.expectations.ExpectColumnValuesToBeInSet(column=c, value_set=judgements())
                    for c in SIF_JUDGEMENTS
                ],
                gx.expectations.ExpectColumnValuesToMatchRegex(column="sif_publication_date", regex=ISO_DATE),
                gx.expectations.ExpectColumnValuesToMatchRegex(column="resif_publication_date", regex=ISO_DATE),
                gx.expectations.ExpectTableRowCountToBeBetween(min_value=150, max_value=153),
            ],
        ),
    ]
