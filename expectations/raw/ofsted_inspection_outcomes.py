"""The contract of a landed Ofsted inspection-outcomes table, which the ILACS history and the
31 March tables share: judgements on Ofsted's four-point scale, dates as dates, LA names filled,
codes well formed. The SIF history (ofsted_sif_history.py) reads the scale and the date format
from here too."""

from __future__ import annotations

from orchestration.lib.core.conventions import conventions
from orchestration.lib.quality import rules
from orchestration.lib.quality.suites import SuiteSpec, gx

SUB_JUDGEMENTS = ["impact_of_leaders", "help_and_protection", "children_in_care", "care_leavers"]
ISO_DATE = r"^[12][0-9]{3}-[01][0-9]-[0-3][0-9](?:T00:00:00)?$"
# March 2024 lists the two LAs created in April 2023 as not yet inspected, without judgements.
NOT_INSPECTED = "Not yet inspected"
TABLES = ("ofsted_ilacs_history", "ofsted_judgements_at_31_march")


def judgements() -> list[str]:
    """Ofsted's four-point scale, best first (the project's conventions)."""
    return list(conventions().ofsted_judgements)


def inspection_outcomes(table: str) -> list[SuiteSpec]:
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
                e.ExpectColumnValuesToBeInSet(column="overall_effectiveness", value_set=judgements()),
                *[e.ExpectColumnValuesToBeInSet(column=c, value_set=judgements()) for c in SUB_JUDGEMENTS],
                *rules.cells(["inspection_date", "publication_date"], "match_regex", regex=ISO_DATE),
                e.ExpectColumnValuesToMatchRegex(column="la_code", regex=conventions().la_code_regex),
            ],
        )
    ]


def suites() -> list[SuiteSpec]:
    return [suite for table in TABLES for suite in inspection_outcomes(table)]
