"""Contracts on every landed EES tidy file family in the source catalogue (raw.<family>).

One set of suites per family, built from its catalogue entry: known geographic levels and
codes, every value cell a number or a known suppression symbol, every required column filled
in every vintage, and per release and year a plausible number of LAs and all nine regions.
"""

from __future__ import annotations

from orchestration.lib.core.conventions import conventions
from orchestration.lib.dbt.macros import release_order, release_year
from orchestration.lib.ingest.catalogue import Family, load_catalogue
from orchestration.lib.quality import rules
from orchestration.lib.quality.suites import SuiteSpec, gx

# England had 152 LAs before 2019 and 153 since; releases keep retired LAs (often as 'z' rows).
LA_COUNT_RANGE = (150, 160)
# A release reports years up to its own: the CIN census tables go back furthest (12 years).
MAX_YEARS_BEFORE_RELEASE = 15


def _value_columns(family: Family) -> list[str]:
    return [c.name for c in family.columns if c.name not in conventions().ees_geography_columns and not c.label]


def suites_for(family: Family) -> list[SuiteSpec]:
    table = f"raw.{family.raw_table}"
    asset = ("raw", family.raw_table)
    values = _value_columns(family)
    signed = {c.name for c in family.columns if c.signed}
    labels = [c.name for c in family.columns if c.label]  # what a row measures (the catalogue's label columns)
    required = [
        c.name
        for c in family.columns
        if not c.optional and c.name not in ("region_code", "region_name", "old_la_code", "new_la_code", "la_name")
    ]
    e = gx.expectations

    def rows():
        return [
            e.ExpectTableColumnsToMatchSet(
                column_set=family.column_names + list(conventions().lineage_columns), exact_match=True
            ),
            *rules.cells(["time_period", "geographic_level", "_release"], "not_null"),
            e.ExpectColumnValuesToMatchRegex(column="time_period", regex=r"^(?:19|20)[0-9]{2}$"),
            e.ExpectColumnValuesToBeInSet(column="time_identifier", value_set=["Reporting year"]),
            e.ExpectColumnValuesToBeInSet(
                column="geographic_level", value_set=["National", "Regional", "Local authority"]
            ),
            e.ExpectColumnValuesToBeInSet(column="country_code", value_set=["E92000001"]),
            # every value cell: one expectation for the signed columns, one for the rest
            *rules.cells([c for c in values if c in signed], "published"),
            *rules.cells([c for c in values if c not in signed], "unsigned_published"),
        ]

    def la_rows():
        la_code = conventions().la_code_pattern
        return [
            *rules.cells(["old_la_code", "new_la_code", "la_name", "region_code"], "not_null"),
            # a joint return lists its members' codes: "940 / 941", "E06000061 / E06000062"
            e.ExpectColumnValuesToMatchRegex(column="new_la_code", regex=rf"^(?:{la_code})(?: / (?:{la_code}))*$"),
            e.ExpectColumnValuesToMatchRegex(column="old_la_code", regex=r"^[0-9]{3}(?: / [0-9]{3})*$"),
            # London boroughs sit in the Inner (E13000001) or Outer (E13000002) London sub-region.
            e.ExpectColumnValuesToMatchRegex(column="region_code", regex=r"^E1[23][0-9]{6}$"),
        ]

    def vintage_columns():
        # A required column empty throughout a vintage means its header drifted unmapped.
        return [e.ExpectColumnValuesToBeBetween(column="filled", min_value=1)]

    def counts():
        return [
            e.ExpectColumnValuesToBeBetween(
                column="la_count", min_value=LA_COUNT_RANGE[0], max_value=LA_COUNT_RANGE[1]
            ),
            e.ExpectColumnValuesToBeBetween(column="region_count", min_value=9, max_value=9),
            e.ExpectColumnValuesToBeBetween(column="london_subregion_count", min_value=0, max_value=2),
            e.ExpectColumnValuesToBeBetween(column="has_england", min_value=1, max_value=1),
            e.ExpectColumnValuesToBeBetween(
                column="years_before_release", min_value=0, max_value=MAX_YEARS_BEFORE_RELEASE
            ),
        ]

    def keys():
        return [e.ExpectColumnValuesToBeBetween(column="rows_with_this_key", min_value=1, max_value=1)]

    # Consecutive releases share years: each pair compares at least every LA for one year. With
    # one catalogued release there is nothing to compare until a later one lands.
    pairs = len(family.releases) - 1

    def vintages():
        return rules.all_agree(
            pairs * rules.FEWEST_LAS if pairs else None,
            f"one per LA-year a release shares with the next: at least every LA for one year in each of {pairs} pairs"
            if pairs
            else "none with one catalogued release",
            "An LA-year a release published a number for is still in the next release (alone or in a joint return)",
        )

    return [
        SuiteSpec(
            name=f"raw_{family.raw_table}",
            asset=asset,
            description="Every landed row: known levels and country; every value cell a number or a known symbol.",
            query=f"select * from {table}",
            expectations=rows,
            prefilter=True,
        ),
        SuiteSpec(
            name=f"raw_{family.raw_table}__la_rows",
            asset=asset,
            description="LA rows carry well-formed DfE and ONS codes, a name and a region.",
            query=f"select * from {table} where geographic_level = 'Local authority'",
            expectations=la_rows,
            prefilter=True,
        ),
        SuiteSpec(
            name=f"raw_{family.raw_table}__vintage_columns",
            asset=asset,
            description="Each release vintage fills every required column.",
            # one row per release and required column: how many of the release's rows fill it
            query=f"""unpivot (select _release, {", ".join(f'count("{c}") as "{c}"' for c in required)}
                              from {table} group by _release)
                      on {", ".join(f'"{c}"' for c in required)} into name column_name value filled""",
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
                       max(case when geographic_level = 'National' then 1 else 0 end) as has_england,
                       {release_year("_release")} - cast(time_period as integer) as years_before_release
                from {table} group by _release, time_period""",
            expectations=counts,
        ),
        SuiteSpec(
            name=f"raw_{family.raw_table}__keys",
            asset=asset,
            description="One row per release, year, area"
            + (" and " + ", ".join(labels) if labels else "")
            + ": no duplicates.",
            # every row of a duplicated key is listed, so the failure names the file's rows
            query=f"""
                select _release, _source_file, _row_number, time_period, geographic_level, new_la_code, la_name,
                       count(*) over (partition by _release, time_period, geographic_level,
                                      coalesce(new_la_code, old_la_code, region_code, country_code)
                                      {"".join(f", {c}" for c in labels)}) as rows_with_this_key
                from {table}
                qualify rows_with_this_key > 1""",
            expectations=keys,
        ),
        SuiteSpec(
            name=f"raw_{family.raw_table}__vintages",
            asset=asset,
            description="A later release keeps every LA-year the one before it published a number for.",
            query=_vintage_query(family, values),
            expectations=vintages,
        ),
    ]


def _vintage_query(family: Family, values: list[str]) -> str:
    """One row per LA-year of each release that the next release also covers (by year), with
    ``agrees``: the next release has that LA (by DfE number, also inside a joint return such as
    "314 / 318"). LA-years whose cells were all symbols (a retired LA's 'z' rows) may go. The
    next release is the next by the project's release order (dbt_project/macros/releases.sql),
    with the publication dates the release index has."""
    has_number = " or ".join(f"regexp_matches(coalesce({c}, ''), '^-?[0-9]')" for c in values) or "false"
    return f"""
        with rows as (
            select _release, _source_file, _row_number, time_period, la_name,
                   unnest(string_split(old_la_code, ' / ')) as la_number,
                   ({has_number}) as has_number
            from raw.{family.raw_table}
            where geographic_level = 'Local authority'
        ),
        published as (
            select release as _release, min(published_at) as published_at
            from meta.release_index where family = '{family.name}' group by release
        ),
        releases as (
            select _release, {release_order("_release", "published_at")} as release_order
            from (select distinct _release from rows) left join published using (_release)
        ),
        next_release as (
            select r._release, (select arg_min(n._release, n.release_order) from releases as n
                                where n.release_order > r.release_order) as next_release
            from releases as r
        ),
        earlier as (
            select rows._release, min(rows._source_file) as _source_file, min(rows._row_number) as _row_number,
                   rows.time_period, rows.la_number, min(rows.la_name) as la_name, next_release.next_release
            from rows inner join next_release using (_release)
            where rows.has_number and next_release.next_release is not null
            group by all
        )
        select earlier.*,
               exists (select 1 from rows as later where later._release = earlier.next_release
                       and later.time_period = earlier.time_period and later.la_number = earlier.la_number) as agrees
        from earlier
        where exists (select 1 from rows as later where later._release = earlier.next_release
                      and later.time_period = earlier.time_period)"""


def suites() -> list[SuiteSpec]:
    return [s for family in load_catalogue().families if family.format == "ees_tidy_csv" for s in suites_for(family)]
