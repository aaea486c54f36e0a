"""Gates on marts.fct_ofsted_judgement_in_effect: the judgement in effect the warehouse derives
from the inspection history, checked against Ofsted's own 31 March tables, and each LA's region
against the LA dimension."""

from __future__ import annotations

from orchestration.lib.ingest.catalogue import load_catalogue
from orchestration.lib.quality import rules
from orchestration.lib.quality.suites import SuiteSpec

ASSET = ("marts", "fct_ofsted_judgement_in_effect")

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


def suites() -> list[SuiteSpec]:
    # Each 31 March table lists every LA once (raw_ofsted_judgements_at_31_march__counts).
    march_tables = len(load_catalogue().family("ofsted_judgements_at_31_march").releases)

    def every_la_of_each_table():
        return rules.all_agree(
            march_tables * rules.FEWEST_LAS,
            f"one per LA of each 31 March table: every LA of the {march_tables} catalogued tables",
        )

    return [
        SuiteSpec(
            name="fct_ofsted_judgement_in_effect__regions_agree",
            asset=ASSET,
            description="Every LA in Ofsted's 31 March tables (2024 matched by name) is in the region, after DfE's corrections, that the LA dimension gives its code.",
            query=REGIONS_AGREE,
            expectations=every_la_of_each_table,
        ),
        SuiteSpec(
            name="fct_ofsted_judgement_in_effect__matches_ofsted",
            asset=ASSET,
            description="For every LA in Ofsted's 31 March 2024 and 2025 tables (2024 matched by name), the judgement in effect "
            "derived from the inspection history is the one Ofsted lists, from the same inspection.",
            query=IN_EFFECT_MATCHES_OFSTED,
            expectations=every_la_of_each_table,
        ),
    ]
