"""What the CLA numbers-and-rates file adds to the generic EES contracts (raw_ees_tidy.py):
the three measures, every one present for every release and year."""

from __future__ import annotations

from orchestration.lib.quality.suites import SuiteSpec, gx

TABLE = "raw.cla_number_and_rate_per_10k"
MEASURES = [
    "Children looked after at 31 March each year",
    "Children starting to be looked after each year",
    "Children ceasing to be looked after each year",
]


def suites() -> list[SuiteSpec]:
    return [
        SuiteSpec(
            name="raw_cla_number_and_rate_per_10k__measures",
            asset=("raw", "cla_number_and_rate_per_10k"),
            description="Only the three known measure labels (after the catalogue's recodes), each in every release and year.",
            query=f"""
                select _release, time_period, measure,
                       count(distinct measure) over (partition by _release, time_period) as measure_count
                from {TABLE}""",
            expectations=lambda: [
                gx.expectations.ExpectColumnValuesToBeInSet(column="measure", value_set=MEASURES),
                gx.expectations.ExpectColumnValuesToBeBetween(
                    column="measure_count", min_value=len(MEASURES), max_value=len(MEASURES)
                ),
            ],
        ),
    ]
