"""Gate on marts.fct_population: the DfE-format series agrees with ONS's own MYE2 workbooks.

The DfE file (2012-2024) carries ONS's later revision of mid-2022 and mid-2023 (revised
international migration), so the two differ a little. Measured on the mirror (2026-11):
median relative difference per LA 0.22% (mid-2022) and 0.51% (mid-2023); the largest, outside
the two smallest LAs, under 3%. City of London and the Isles of Scilly (under 2,000 children)
differ by up to 40% in relative terms and are left out of the maximum. A unit or age-band
error would move every LA by far more.
"""

from __future__ import annotations

from orchestration.lib.ingest.catalogue import load_catalogue
from orchestration.lib.quality import rules
from orchestration.lib.quality.rules import agreement_suite
from orchestration.lib.quality.suites import SuiteSpec, gx

COMPARISON = """
    with pairs as (
        select o.mid_year, o.la_code, o.release as _release, o.source_file as _source_file, o.source_row as _row_number,
               o.population_0_17 as ons, p.population_0_17 as dfe,
               abs(o.population_0_17 - p.population_0_17) / p.population_0_17 as relative_difference
        from intermediate.int_population_ons_mye2_coded as o
        inner join marts.fct_population as p using (la_code, mid_year)
        where o.geographic_level = 'Local authority'
    )
    select mid_year, count(*) as las, median(relative_difference) as median_relative_difference,
           max(relative_difference) filter (where dfe >= 2000) as max_relative_difference
    from pairs group by mid_year
"""

# Every rate the warehouse computes divides by this: a zero, an empty cell or a value the
# publisher did not mark as unavailable must never get that far.
DENOMINATORS = """
    select la_code, mid_year, population_0_17, population_0_17_status, release as _release,
           coalesce(population_0_17 > 0, false)
               or population_0_17_status in ('not_available', 'not_applicable', 'suppressed') as agrees
    from marts.fct_population
"""


def suites() -> list[SuiteSpec]:
    # one comparison row per ONS workbook catalogued (each is one mid-year the DfE file covers too)
    workbooks = len(load_catalogue().family("ons_mye2_persons").releases)
    return [
        agreement_suite(
            "fct_population__denominators",
            ("marts", "fct_population"),
            "Every LA-year population is a positive number, or a value the publisher marked unavailable: never 0 or empty.",
            DENOMINATORS,
            "A positive child population (or the publisher's own unavailable mark)",
            rules.FEWEST_LAS,
            "one per LA and mid-year: at least every LA for one mid-year",
        ),
        SuiteSpec(
            name="fct_population__matches_ons_workbooks",
            asset=("marts", "fct_population"),
            description="Children aged 0-17 per LA agree with ONS's MYE2 workbooks (one row per catalogued workbook: mid-2022, mid-2023 today): median within 1%, every LA of 2,000+ children within 5%.",
            query=COMPARISON,
            expectations=lambda: [
                gx.expectations.ExpectTableRowCountToEqual(value=workbooks),
                gx.expectations.ExpectColumnValuesToBeBetween(column="las", min_value=150),
                gx.expectations.ExpectColumnValuesToBeBetween(column="median_relative_difference", max_value=0.01),
                gx.expectations.ExpectColumnValuesToBeBetween(column="max_relative_difference", max_value=0.05),
            ],
        ),
    ]
