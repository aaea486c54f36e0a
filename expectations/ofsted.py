"""Gates on the Ofsted inspection outcomes: the landed workbooks, and the judgement in effect
the warehouse derives from the ILACS history checked against Ofsted's own 31 March tables."""

from __future__ import annotations


from expectations import rules
from expectations.spec import SuiteSpec, gx
from orchestration.lib.catalogue import load_catalogue

JUDGEMENTS = ["Outstanding", "Good", "Requires improvement to be good", "Inadequate"]
SUB_JUDGEMENTS = ["impact_of_leaders", "help_and_protection", "children_in_care", "care_leavers"]
ISO_DATE = r"^[12][0-9]{3}-[01][0-9]-[0-3][0-9](?:T00:00:00)?$"
# March 2024 lists the two LAs created in April 2023 as not yet inspected, without judgements.
NOT_INSPECTED = "Not yet inspected"


def _raw(table: str, with_code_regex: bool) -> list[SuiteSpec]:
    e = gx.expectations
    return [
        SuiteSpec(
            name=f"raw_{table}",
            asset=("raw", table),
            description="Judgements on Ofsted's four-point scale, dates as dates, LA names filled, codes well formed.",
            query=f"select * from raw.{table} where inspection_date is distinct from '{NOT_INSPECTED}'",
            prefilter=True,  # DuckDB selects the rows breaking a rule; GX names them
            expectations=lambda: [
                e.ExpectColumnValuesToNotBeNull(column="la_name"),
                e.ExpectColumnValuesToNotBeNull(column="inspection_date"),
                e.ExpectColumnValuesToNotBeNull(column="overall_effectiveness"),
                e.ExpectColumnValuesToBeInSet(column="overall_effectiveness", value_set=JUDGEMENTS),
                *[e.ExpectColumnValuesToBeInSet(column=c, value_set=JUDGEMENTS) for c in SUB_JUDGEMENTS],
                e.ExpectColumnValuesToMatchRegex(column="inspection_date", regex=ISO_DATE),
                e.ExpectColumnValuesToMatchRegex(column="publication_date", regex=ISO_DATE),
                *([e.ExpectColumnValuesToMatchRegex(column="la_code", regex=r"^E(?:06|08|09|10)[0-9]{6}$")] if with_code_regex else []),
            ],
        )
    ]


# Each 31 March table lists every LA once (raw_ofsted_judgements_at_31_march__counts).
MARCH_TABLES = len(load_catalogue().family("ofsted_judgements_at_31_march").releases)


def _every_la_of_each_table():
    return rules.all_agree(MARCH_TABLES * rules.FEWEST_LAS,
                           f"one per LA of each 31 March table: every LA of the {MARCH_TABLES} catalogued tables")


SIF_JUDGEMENTS = ["sif_overall_effectiveness", "sif_help_and_protection", "sif_children_in_care", "sif_care_leavers",
                  "sif_leadership", "resif_overall_effectiveness", "resif_help_and_protection", "resif_children_in_care",
                  "resif_care_leavers", "resif_leadership"]

IN_EFFECT_MATCHES_OFSTED = """
    select o.release as _release, o.source_file as _source_file, o.source_row as _row_number,
           o.time_period, o.la_code, o.la_name_as_published as la_name,
           o.overall_effectiveness as ofsted_says, w.overall_effectiveness as warehouse_says,
           o.inspection_date as ofsted_date, w.inspection_date as warehouse_date,
           case when not o.is_inspected then w.la_code is null
                -- the same inspection: Ofsted corrected a few dates by a day between workbooks
                else coalesce(o.overall_effectiveness = w.overall_effectiveness
                              and abs(datediff('day', o.inspection_date, w.inspection_date)) <= 7, false)
           end as agrees
    from intermediate.int_ofsted_judgements_at_31_march_coded as o
    left join marts.fct_ofsted_judgement_in_effect as w using (la_code, time_period)
"""

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

# Ofsted's region for every LA in its 31 March tables, corrected to DfE's regions, must be the
# region the LA dimension gives the code the name was matched to. A region either side lacks
# (a blank cell, a code the dimension does not know) leaves agrees NULL: not compared, a failure.
REGIONS_AGREE = """
    select o.release as _release, o.source_file as _source_file, o.source_row as _row_number, o.la_code,
           o.la_name_as_published as la_name, o.time_period,
           coalesce(fix.region_name, o.ofsted_region) as ofsted_region, dim.region_name,
           lower(case when coalesce(fix.region_name, o.ofsted_region) in ('Inner London', 'Outer London') then 'London'
                      else coalesce(fix.region_name, o.ofsted_region) end) = lower(dim.region_name) as agrees
    from intermediate.int_ofsted_judgements_at_31_march_coded as o
    left join intermediate.int_ofsted_region_fix_coded as fix using (la_code)
    left join marts.dim_local_authority as dim using (la_code)
"""

SUITES = [
    SuiteSpec(
        name="fct_ofsted_judgement_in_effect__regions_agree",
        asset=("marts", "fct_ofsted_judgement_in_effect"),
        description="Every LA in Ofsted's 31 March tables (2024 matched by name) is in the region, after DfE's corrections, that the LA dimension gives its code.",
        query=REGIONS_AGREE,
        expectations=_every_la_of_each_table,
    ),
    SuiteSpec(
        name="raw_d2i_ilacs_scrape",
        asset=("raw", "d2i_ilacs_scrape"),
        description="DfE LA numbers, grades on the four-point scale in lower case (or the scraper's 'nan' for none), 150-153 LAs per scrape.",
        query="select *, count(*) over (partition by _release) as las from raw.d2i_ilacs_scrape",
        expectations=lambda: [
            gx.expectations.ExpectColumnValuesToMatchRegex(column="la_code_dfe", regex=r"^[0-9]{3}$"),
            gx.expectations.ExpectColumnValuesToBeUnique(column="la_code_dfe", row_condition='_release=="d2i_ilacs_scrape_2025-03-03"', condition_parser="pandas"),
            gx.expectations.ExpectColumnValuesToBeInSet(column="overall_effectiveness",
                                                        value_set=["outstanding", "good", "requires improvement", "inadequate", "nan"]),
            gx.expectations.ExpectColumnValuesToBeBetween(column="las", min_value=150, max_value=153),
        ],
    ),
    SuiteSpec(
        name="fct_ofsted_inspection__matches_d2i_scrape",
        asset=("marts", "fct_ofsted_inspection"),
        description="Every ILACS inspection in Data to Insight's scrapes up to the end of Ofsted's history is in the warehouse with the same date and judgement.",
        query=MATCHES_D2I_SCRAPE,
        # every LA has had an ILACS inspection since the framework began (2018), and each scrape
        # lists an LA's latest: measured 150 and 107 rows published by the end of Ofsted's history
        expectations=lambda: rules.all_agree(rules.FEWEST_LAS, "one per graded inspection a scrape lists: at least "
                                                               "every LA once"),
    ),
    *_raw("ofsted_ilacs_history", with_code_regex=True),
    *_raw("ofsted_judgements_at_31_march", with_code_regex=True),
    SuiteSpec(
        name="raw_ofsted_sif_history",
        asset=("raw", "ofsted_sif_history"),
        description="First table of the 2023 sheet: SIF judgements on the four-point scale, publication dates as dates, 150+ LAs.",
        query="""select * from raw.ofsted_sif_history
                 where _row_number < coalesce((select min(_row_number) from raw.ofsted_sif_history where la_name is null), 1e9)""",
        expectations=lambda: [
            *[gx.expectations.ExpectColumnValuesToBeInSet(column=c, value_set=JUDGEMENTS) for c in SIF_JUDGEMENTS],
            gx.expectations.ExpectColumnValuesToMatchRegex(column="sif_publication_date", regex=ISO_DATE),
            gx.expectations.ExpectColumnValuesToMatchRegex(column="resif_publication_date", regex=ISO_DATE),
            gx.expectations.ExpectTableRowCountToBeBetween(min_value=150, max_value=153),
        ],
    ),
    SuiteSpec(
        name="raw_ofsted_judgements_at_31_march__counts",
        asset=("raw", "ofsted_judgements_at_31_march"),
        description="Each 31 March table lists every LA once (151 to 153).",
        query="select _release, count(*) as rows, count(distinct la_name) as names from raw.ofsted_judgements_at_31_march group by 1",
        expectations=lambda: [
            gx.expectations.ExpectColumnValuesToBeBetween(column="rows", min_value=151, max_value=153),
            gx.expectations.ExpectColumnPairValuesToBeEqual(column_A="rows", column_B="names"),
        ],
    ),
    SuiteSpec(
        name="fct_ofsted_judgement_in_effect__matches_ofsted",
        asset=("marts", "fct_ofsted_judgement_in_effect"),
        description="For every LA in Ofsted's 31 March 2024 and 2025 tables (2024 matched by name), the judgement in effect "
                    "derived from the inspection history is the one Ofsted lists, from the same inspection.",
        query=IN_EFFECT_MATCHES_OFSTED,
        expectations=_every_la_of_each_table,
    ),
]
