"""Gate on marts.fct_ofsted_inspection: every ILACS inspection in Data to Insight's scrapes is in
the warehouse with the same date and judgement."""

from __future__ import annotations

from orchestration.lib.quality import rules
from orchestration.lib.quality.suites import SuiteSpec

# Every inspection the third-party scrape lists whose report was published by the last
# publication in Ofsted's ILACS history must be in the warehouse, on the same date, with the
# same overall judgement. (Ofsted's March 2025 history includes some reports published in April
# 2025 but not all: Wakefield, inspected 24 March 2025, is not in it, so inspection dates alone
# cannot bound the comparison.) Measured: every dated, graded row of both scrapes agrees.
MATCHES_D2I_SCRAPE = """
    select d.release as _release, d.source_file as _source_file, d.source_row as _row_number, d.la_code,
           d.inspection_start_date, d.overall_effectiveness as d2i_says, i.overall_effectiveness as warehouse_says,
           coalesce(i.overall_effectiveness = d.overall_effectiveness, false) as agrees
    from intermediate.int_ofsted_d2i_ilacs_scrape_coded as d
    left join marts.fct_ofsted_inspection as i
        on i.la_code = d.la_code and i.framework = 'ILACS' and i.inspection_date = d.inspection_start_date
    where d.publication_date <= (select max(publication_date) from staging.stg_ofsted__ilacs_history)
      and d.overall_effectiveness is not null and d.inspection_start_date is not null
"""


def suites() -> list[SuiteSpec]:
    return [
        SuiteSpec(
            name="fct_ofsted_inspection__matches_d2i_scrape",
            asset=("marts", "fct_ofsted_inspection"),
            description="Every ILACS inspection in Data to Insight's scrapes up to the end of Ofsted's history is in the warehouse with the same date and judgement.",
            query=MATCHES_D2I_SCRAPE,
            # every LA has had an ILACS inspection since the framework began (2018), and each scrape
            # lists an LA's latest
            expectations=lambda: rules.all_agree(
                rules.FEWEST_LAS, "one per graded inspection a scrape lists: at least every LA once"
            ),
        ),
    ]
