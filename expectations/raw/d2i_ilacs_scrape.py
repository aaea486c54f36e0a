"""Contract on the landed Data to Insight scrapes of Ofsted's ILACS outcomes
(raw.d2i_ilacs_scrape), one vintage per scrape."""

from __future__ import annotations

from orchestration.lib.quality.suites import SuiteSpec, gx


def suites() -> list[SuiteSpec]:
    e = gx.expectations
    return [
        SuiteSpec(
            name="raw_d2i_ilacs_scrape",
            asset=("raw", "d2i_ilacs_scrape"),
            description="DfE LA numbers, each once per scrape, grades on the four-point scale in lower case (or the "
            "scraper's 'nan' for none), 150-153 LAs per scrape.",
            query="""select *, count(*) over (partition by _release) as las,
                            count(*) over (partition by _release, la_code_dfe) as rows_of_la
                     from raw.d2i_ilacs_scrape""",
            expectations=lambda: [
                e.ExpectColumnValuesToMatchRegex(column="la_code_dfe", regex=r"^[0-9]{3}$"),
                e.ExpectColumnValuesToBeBetween(
                    column="rows_of_la", min_value=1, max_value=1, description="Each LA once in each scrape"
                ),
                e.ExpectColumnValuesToBeInSet(
                    column="overall_effectiveness",
                    value_set=["outstanding", "good", "requires improvement", "inadequate", "nan"],
                ),
                e.ExpectColumnValuesToBeBetween(column="las", min_value=150, max_value=153),
            ],
        ),
    ]
