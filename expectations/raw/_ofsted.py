"""What the landed Ofsted workbooks share: the four-point judgement scale, dates as dates,
and the contract of an inspection-outcomes table (ILACS history, the 31 March tables)."""

from __future__ import annotations

from orchestration.lib.core.conventions import conventions
from orchestration.lib.quality import rules
from orchestration.lib.quality.suites import SuiteSpec, gx

JUDGEMENTS = list(conventions().ofsted_judgements)
SUB_JUDGEMENTS = ["impact_of_leaders", "help_and_protection", "children_in_care", "care_leavers"]
ISO_DATE = r"^[12][0-9]{3}-[01][0-9]-[0-3][0-9](?:T00:00:00)?$"
# March 2024 lists the two LAs created in April 2023 as not yet inspected, without judgements.
NOT_INSPECTED = "Not yet inspected"


def inspection_outcomes(table: str, with_code_regex: bool) -> list[SuiteSpec]:
    e = gx.expectations
    return [
        SuiteSpec(
            name=f"raw_{table}",
            asset=("raw", table),
            description="Judgements on Ofsted's four-point scale, dates as dates, LA names filled, codes well formed.",
            query=f"select * from raw.{table} where inspection_date is distinct from '{NOT_INSPECTED}'",
            prefilter=True,  # DuckDB selects the rows breaking a rule; GX names them
            expectations=lambda: [
                *rules.cells(["la_name", "inspection_date", "overall_effectiveness"], "not_null"),
                e.ExpectColumnValuesToBeInSet(column="overall_effectiveness", value_set=JUDGEMENTS),
                *[e.ExpectColumnValuesToBeInSet(column=c, value_set=JUDGEMENTS) for c in SUB_JUDGEMENTS],
                *rules.cells(["inspection_date", "publication_date"], "match_regex", regex=ISO_DATE),
                *(
                    [e.ExpectColumnValuesToMatchRegex(column="la_code", regex=conventions().la_code_regex)]
                    if with_code_regex
                    else []
                ),
            ],
        )
    ]
