"""Contracts on the landed CLA numbers-and-rates file, every vintage (raw.cla_number_and_rate_per_10k)."""

from __future__ import annotations

import great_expectations as gx

from expectations.rules import ExpectPublishedCell
from expectations.spec import SuiteSpec

TABLE = "raw.cla_number_and_rate_per_10k"
MEASURES = [
    "Children looked after at 31 March each year",
    "Children starting to be looked after each year",
    "Children ceasing to be looked after each year",
]
REQUIRED = ["time_period", "geographic_level", "country_code", "measure", "population_estimate",
            "children_count", "rate_per_10000"]
LA_REQUIRED = ["old_la_code", "new_la_code", "la_name", "region_code", "region_name"]
COLUMNS = [
    "time_period", "time_identifier", "geographic_level", "country_code", "country_name", "region_code",
    "region_name", "old_la_code", "la_name", "new_la_code", "measure", "population_estimate",
    "children_count", "rate_per_10000", "_release", "_source_file", "_sha256", "_loaded_at", "_row_number",
]
# England had 152 LAs before 2019 and 153 since; releases keep retired LAs with 'z' rows.
LA_COUNT_RANGE = (150, 160)


def _rows():
    e = gx.expectations
    return [
        e.ExpectTableColumnsToMatchSet(column_set=COLUMNS, exact_match=True),
        *[e.ExpectColumnValuesToNotBeNull(column=c) for c in ("time_period", "geographic_level", "measure", "_release")],
        e.ExpectColumnValuesToMatchRegex(column="time_period", regex=r"^(?:19|20)[0-9]{2}$"),
        e.ExpectColumnValuesToBeInSet(column="time_identifier", value_set=["Reporting year"]),
        e.ExpectColumnValuesToBeInSet(column="geographic_level", value_set=["National", "Regional", "Local authority"]),
        e.ExpectColumnValuesToBeInSet(column="country_code", value_set=["E92000001"]),
        e.ExpectColumnValuesToBeInSet(column="measure", value_set=MEASURES),
        *[ExpectPublishedCell(column=c) for c in ("population_estimate", "children_count", "rate_per_10000")],
    ]


def _la_rows():
    e = gx.expectations
    return [
        *[e.ExpectColumnValuesToNotBeNull(column=c) for c in LA_REQUIRED],
        e.ExpectColumnValuesToMatchRegex(column="new_la_code", regex=r"^E(?:06|08|09|10)[0-9]{6}$"),
        e.ExpectColumnValuesToMatchRegex(column="old_la_code", regex=r"^[0-9]{3}$"),
        # London boroughs sit in the Inner (E13000001) or Outer (E13000002) London sub-region.
        e.ExpectColumnValuesToMatchRegex(column="region_code", regex=r"^E1[23][0-9]{6}$"),
    ]


def _vintage_columns():
    # A required column that is empty throughout a vintage means its header drifted unmapped.
    return [gx.expectations.ExpectColumnValuesToBeBetween(column=f"filled_{c}", min_value=1) for c in REQUIRED]


def _counts():
    e = gx.expectations
    return [
        e.ExpectColumnValuesToBeBetween(column="la_count", min_value=LA_COUNT_RANGE[0], max_value=LA_COUNT_RANGE[1]),
        e.ExpectColumnValuesToBeBetween(column="region_count", min_value=9, max_value=9),
        e.ExpectColumnValuesToBeBetween(column="london_subregion_count", min_value=0, max_value=2),
        e.ExpectColumnValuesToBeBetween(column="national_count", min_value=1, max_value=1),
        e.ExpectColumnValuesToBeBetween(column="measure_count", min_value=len(MEASURES), max_value=len(MEASURES)),
    ]


ASSET = ("raw", "cla_number_and_rate_per_10k")

SUITES = [
    SuiteSpec(
        name="raw_cla_number_and_rate_per_10k",
        asset=ASSET,
        description="Every landed row: known levels, measures and codes; cells are numbers or known symbols.",
        query=f"select * from {TABLE}",
        expectations=_rows,
    ),
    SuiteSpec(
        name="raw_cla_number_and_rate_per_10k__la_rows",
        asset=ASSET,
        description="LA rows carry well-formed DfE and ONS codes, a name and a region.",
        query=f"select * from {TABLE} where geographic_level = 'Local authority'",
        expectations=_la_rows,
    ),
    SuiteSpec(
        name="raw_cla_number_and_rate_per_10k__vintage_columns",
        asset=ASSET,
        description="Each release vintage fills every required column.",
        query="select _release, " + ", ".join(f"count({c}) as filled_{c}" for c in REQUIRED)
        + f" from {TABLE} group by _release",
        expectations=_vintage_columns,
    ),
    SuiteSpec(
        name="raw_cla_number_and_rate_per_10k__counts",
        asset=ASSET,
        description=f"Per release and year: {LA_COUNT_RANGE[0]}-{LA_COUNT_RANGE[1]} LAs, 9 regions (plus Inner and Outer London), England once, every measure.",
        query=f"""
            select _release, time_period,
                   count(distinct new_la_code) filter (where geographic_level = 'Local authority') as la_count,
                   count(distinct region_code) filter (where geographic_level = 'Regional' and region_code like 'E12%') as region_count,
                   count(distinct region_code) filter (where geographic_level = 'Regional' and region_code like 'E13%') as london_subregion_count,
                   count(*) filter (where geographic_level = 'National') / count(distinct measure) as national_count,
                   count(distinct measure) as measure_count
            from {TABLE} group by _release, time_period""",
        expectations=_counts,
    ),
]
