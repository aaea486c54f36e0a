"""The context beside the activity figures, read from the files: deprivation (IoD2019 File 11)
on today's LAs, an LA created since 2019 carrying its county's value and saying so, shares as 0
to 100; Ofsted's inspections and the judgement in effect at each 31 March, LAs named without
codes resolved by name, a retired LA keeping its inspections; and the ONS child population the
2025 rates are recomputed from, beside the rates DfE published before ONS revised it. Reads this
module's copy of the session's published warehouse and changes nothing in it.
"""

import pytest

from tests.support.published import query

pytestmark = pytest.mark.e2e


def test_deprivation_on_todays_las(published):
    rows = {
        r[0]: r[1:]
        for r in query(
            published,
            "select la_code, value_basis, source_la_code, imd_avg_score, imd_avg_score_rank, "
            "idaci_avg_score from marts.fct_deprivation",
        )
    }
    # deprivation/iod2019/File_11...xlsx, sheets IMD and IDACI
    assert rows["E06000002"] == ("own", "E06000002", 40.46, 5, 0.327)  # Middlesbrough
    assert rows["E06000001"][2:] == (35.037, 9, 0.283)  # Hartlepool
    # the file prints Slough as E0600003; the catalogue's erratum restores E06000039
    assert rows["E06000039"][:2] == ("own", "E06000039")
    # created since 2019: the county's value, flagged; a recoded LA keeps its own
    assert (
        rows["E06000063"][:2] == ("carried_from_predecessor", "E10000006")
        and rows["E06000063"][2] == rows["E10000006"][2]
    )
    assert rows["E06000065"][:2] == ("recoded", "E06000065")
    assert sum(1 for r in rows.values() if r[0] == "carried_from_predecessor") == 4
    # Changed on purpose (issue 8): a _pct is 0 to 100 everywhere. File 11 prints Middlesbrough's share of LSOAs in
    # the most deprived 10 % as the proportions 0.4884 (IMD) and 0.4767 (IDACI); the warehouse holds 48.84 and 47.67
    assert query(
        published,
        "select imd_pct_lsoas_most_deprived_10, idaci_pct_lsoas_most_deprived_10 from marts.fct_deprivation "
        "where la_code = 'E06000002'",
    ) == [(pytest.approx(48.84), pytest.approx(47.67))]
    assert query(
        published, "select unit from marts.dim_indicator where indicator_id = 'imd_pct_lsoas_most_deprived_10'"
    ) == [("percentage (0 to 100)",)]


def test_ofsted_inspections_and_judgement_in_effect(published):
    # ofsted/ofsted_la_outcomes_2025-03/...ods, sheet ILACS_inspection_history, row 274 (York): inspected
    # 24 February 2025, published 15 April 2025, Outstanding -- in effect at 31 March 2025 as Ofsted counts it
    rows = query(
        published,
        "select time_period, inspection_date::varchar, publication_date::varchar, overall_effectiveness, "
        "overall_effectiveness_grade, care_leavers from marts.fct_ofsted_judgement_in_effect "
        "where la_code = 'E06000014' and time_period in (2024, 2025) order by 1",
    )
    assert rows == [
        (2024, "2022-03-07", "2022-05-04", "Requires improvement to be good", 3, None),
        (2025, "2025-02-24", "2025-04-15", "Outstanding", 1, "Outstanding"),
    ]
    # the March 2024 table names LAs without codes: "Bristol" and "Durham" resolve through the name table
    # (sheet Inspections_31_March_2024 rows 19 and 41)
    assert query(
        published,
        "select la_code, overall_effectiveness, inspection_date::varchar from marts.fct_ofsted_judgement_in_effect "
        "where la_code in ('E06000023', 'E06000047') and time_period = 2024 order by 1",
    ) == [("E06000023", "Requires improvement to be good", "2023-01-16"), ("E06000047", "Good", "2022-05-09")]
    # a retired LA keeps its inspections; every inspection once (Isles of Scilly's date corrected by a day in 2025)
    assert query(
        published,
        "select framework, effective_date::varchar, overall_effectiveness from marts.fct_ofsted_inspection "
        "where la_code = 'E10000006' order by 2",
    ) == [
        ("SIF", "2015-05-13", "Inadequate"),
        ("SIF", "2018-01-29", "Requires improvement to be good"),  # SIF and re-inspection
        ("ILACS", "2022-09-20", "Requires improvement to be good"),
    ]
    # before its first ILACS inspection (March 2022), York's SIF judgement (published 7 February 2017, Good) was in
    # effect: ofsted_csc_in_england_2023/...ods, sheet LA_inspections_2009-2023
    assert query(
        published,
        "select framework, effective_date::varchar, overall_effectiveness from marts.fct_ofsted_judgement_in_effect "
        "where la_code = 'E06000014' and time_period = 2021",
    ) == [("SIF", "2017-02-07", "Good")]
    assert query(
        published,
        "select count(*) from marts.fct_ofsted_inspection where la_code = 'E06000053' "
        "and inspection_date between '2023-07-01' and '2023-07-31'",
    ) == [(1,)]
    assert query(published, "select count(*) from marts.fct_ofsted_judgement_in_effect where time_period = 2025") == [
        (153,)
    ]


def test_2025_rates_are_recomputed_from_the_conformed_population(published):
    # population/dfe_ons_mye_2012-2024: Birmingham mid-2023 290,047 and mid-2024 292,859
    assert query(
        published,
        "select mid_year, reporting_year, population_0_17 from marts.fct_population "
        "where la_code = 'E08000025' and mid_year in (2023, 2024) order by 1",
    ) == [(2023, 2024, 290047), (2024, 2025, 292859)]
    (rate_2025,) = query(
        published,
        "select cin_rate_per_10k, cin_rate_per_10k_status from marts.fct_children_in_need "
        "where la_code = 'E08000025' and time_period = 2025",
    )
    assert rate_2025[1] == "recomputed" and rate_2025[0] == pytest.approx(9301 / 292859 * 10000)
    # 2024: published as 318.1 by the 2024 release; recomputed by the 2025 release (ONS has revised mid-2023 since)
    vintages = dict(
        query(
            published,
            "select release, value from marts.fct_la_indicator where la_code = 'E08000025' "
            "and time_period = 2024 and indicator_id = 'cin_rate_per_10k'",
        )
    )
    assert vintages["ees_2024"] == 318.1
    assert vintages["ees_2025"] == pytest.approx(9209 / 290047 * 10000)
    assert abs(vintages["ees_2024"] - vintages["ees_2025"]) < 1
    (recomputed_beside_published,) = query(
        published,
        "select recomputed_value from marts.fct_la_indicator where la_code = 'E08000025' "
        "and time_period = 2024 and indicator_id = 'cin_rate_per_10k' and release = 'ees_2024'",
    )
    assert recomputed_beside_published[0] == pytest.approx(9209 / 290047 * 10000)
