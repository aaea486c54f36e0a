"""Contracts on every landed EES tidy file family in the source catalogue (raw.<family>).

One set of suites per family, built from its catalogue entry: known geographic levels and
codes, every value cell a number or a known suppression symbol, every required column filled
in every vintage, and per release and year a plausible number of LAs and all nine regions.
"""

from __future__ import annotations

import great_expectations as gx

from expectations.rules import ExpectPublishedCell
from expectations.spec import SuiteSpec
from orchestration.lib.catalogue import Family, load_catalogue

GEOGRAPHY = ["time_period", "time_identifier", "geographic_level", "country_code", "country_name",
             "region_code", "region_name", "old_la_code", "new_la_code", "la_name"]
LINEAGE = ["_release", "_source_file", "_sha256", "_loaded_at", "_row_number"]
# England had 152 LAs before 2019 and 153 since; releases keep retired LAs (often as 'z' rows).
LA_COUNT_RANGE = (150, 160)
# Columns that label what a row measures rather than holding a value.
LABEL_COLUMNS = {"measure", "category", "age_group", "cla_group", "characteristic", "placement_stability", "age", "activity",
                 "accommodation_suitability", "in_touch"}


def _value_columns(family: Family) -> list[str]:
    return [c for c in family.column_names if c not in GEOGRAPHY and c not in LABEL_COLUMNS]


def suites_for(family: Family) -> list[SuiteSpec]:
    table = f"raw.{family.raw_table}"
    asset = ("raw", family.raw_table)
    values = _value_columns(family)
    required = [c.name for c in family.columns if not c.optional and c.name not in ("region_code", "region_name",
                "old_la_code", "new_la_code", "la_name")]
    e = gx.expectations

    def rows():
        return [
            e.ExpectTableColumnsToMatchSet(column_set=family.column_names + LINEAGE, exact_match=True),
            *[e.ExpectColumnValuesToNotBeNull(column=c) for c in ("time_period", "geographic_level", "_release")],
            e.ExpectColumnValuesToMatchRegex(column="time_period", regex=r"^(?:19|20)[0-9]{2}$"),
            e.ExpectColumnValuesToBeInSet(column="time_identifier", value_set=["Reporting year"]),
            e.ExpectColumnValuesToBeInSet(column="geographic_level", value_set=["National", "Regional", "Local authority"]),
            e.ExpectColumnValuesToBeInSet(column="country_code", value_set=["E92000001"]),
            *[ExpectPublishedCell(column=c) for c in values],
        ]

    def la_rows():
        return [
            *[e.ExpectColumnValuesToNotBeNull(column=c) for c in ("old_la_code", "new_la_code", "la_name", "region_code")],
            # a joint return lists its members' codes: "940 / 941", "E06000061 / E06000062"
            e.ExpectColumnValuesToMatchRegex(column="new_la_code", regex=r"^E(?:06|08|09|10)[0-9]{6}(?: / E(?:06|08|09|10)[0-9]{6})*$"),
            e.ExpectColumnValuesToMatchRegex(column="old_la_code", regex=r"^[0-9]{3}(?: / [0-9]{3})*$"),
            # London boroughs sit in the Inner (E13000001) or Outer (E13000002) London sub-region.
            e.ExpectColumnValuesToMatchRegex(column="region_code", regex=r"^E1[23][0-9]{6}$"),
        ]

    def vintage_columns():
        # A required column empty throughout a vintage means its header drifted unmapped.
        return [e.ExpectColumnValuesToBeBetween(column=f"filled_{c}", min_value=1) for c in required]

    def counts():
        return [
            e.ExpectColumnValuesToBeBetween(column="la_count", min_value=LA_COUNT_RANGE[0], max_value=LA_COUNT_RANGE[1]),
            e.ExpectColumnValuesToBeBetween(column="region_count", min_value=9, max_value=9),
            e.ExpectColumnValuesToBeBetween(column="london_subregion_count", min_value=0, max_value=2),
            e.ExpectColumnValuesToBeBetween(column="has_england", min_value=1, max_value=1),
        ]

    return [
        SuiteSpec(
            name=f"raw_{family.raw_table}",
            asset=asset,
            description="Every landed row: known levels and country; every value cell a number or a known symbol.",
            query=f"select * from {table}",
            expectations=rows,
        ),
        SuiteSpec(
            name=f"raw_{family.raw_table}__la_rows",
            asset=asset,
            description="LA rows carry well-formed DfE and ONS codes, a name and a region.",
            query=f"select * from {table} where geographic_level = 'Local authority'",
            expectations=la_rows,
        ),
        SuiteSpec(
            name=f"raw_{family.raw_table}__vintage_columns",
            asset=asset,
            description="Each release vintage fills every required column.",
            query="select _release, " + ", ".join(f"count({c}) as filled_{c}" for c in required)
            + f" from {table} group by _release",
            expectations=vintage_columns,
        ),
        SuiteSpec(
            name=f"raw_{family.raw_table}__counts",
            asset=asset,
            description=f"Per release and year: {LA_COUNT_RANGE[0]}-{LA_COUNT_RANGE[1]} LAs, 9 regions (plus Inner and Outer London), England.",
            query=f"""
                select _release, time_period,
                       count(distinct new_la_code) filter (where geographic_level = 'Local authority') as la_count,
                       count(distinct region_code) filter (where geographic_level = 'Regional' and region_code like 'E12%') as region_count,
                       count(distinct region_code) filter (where geographic_level = 'Regional' and region_code like 'E13%') as london_subregion_count,
                       max(case when geographic_level = 'National' then 1 else 0 end) as has_england
                from {table} group by _release, time_period""",
            expectations=counts,
        ),
    ]


SUITES = [s for family in load_catalogue().families if family.format == "ees_tidy_csv" for s in suites_for(family)]
