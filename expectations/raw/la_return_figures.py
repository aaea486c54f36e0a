"""The contract on what leaves the private area from an LA's own returns (raw.la_return_figures):
counts each shown the way DfE shows it (and medians of counts DfE would show). A count from 1
to 5 that is shown, a figure without
its LA, year or status, or a release not named after its return would publish what DfE would not;
the gate stops the refresh before it does."""

from __future__ import annotations

from orchestration.lib.quality.suites import SuiteSpec, gx
from orchestration.lib.returns.counting import SMALLEST_SHOWN

TABLE = "raw.la_return_figures"


def suites() -> list[SuiteSpec]:
    return [
        SuiteSpec(
            name="raw_la_return_figures__shown_as_dfe_shows_them",
            asset=("raw", "la_return_figures"),
            description=f"No count from 1 to {SMALLEST_SHOWN - 1} is shown; a suppressed count has no value; every "
            "figure names its LA (an ONS code), its collection year and its return.",
            query=f"""
                select la_code, collection_year, status, is_count,
                       is_count and value between 1 and {SMALLEST_SHOWN - 1}           as small_count_shown,
                       (status = 'provisional_suppressed') = (value is null)            as value_matches_status,
                       release = 'la_return_' || collection_year                          as release_names_return
                from {TABLE}""",
            expectations=lambda: [
                gx.expectations.ExpectColumnValuesToMatchRegex(column="la_code", regex=r"^E(06|07|08|09|10)\d{6}$"),
                gx.expectations.ExpectColumnValuesToNotBeNull(column="collection_year"),
                gx.expectations.ExpectColumnValuesToNotBeNull(column="is_count"),
                gx.expectations.ExpectColumnValuesToBeInSet(
                    column="status", value_set=["provisional", "provisional_suppressed"]
                ),
                gx.expectations.ExpectColumnValuesToBeInSet(column="small_count_shown", value_set=[False]),
                gx.expectations.ExpectColumnValuesToBeInSet(column="value_matches_status", value_set=[True]),
                gx.expectations.ExpectColumnValuesToBeInSet(column="release_names_return", value_set=[True]),
            ],
        ),
    ]
