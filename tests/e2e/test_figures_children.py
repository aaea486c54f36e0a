"""Children looked after, children in need and child protection, as DfE's files print them: a
`csc refresh` of the real release mirror publishes each LA's figures from the files (Birmingham's
2,317 children looked after at 31 March 2025 and its rate of 79, a suppressed count kept NULL with
its status, never 0); the looked-after series runs 2010 to 2025 across the SFR and EES formats
with no gap; placement stability, missing children, care leavers and starters and leavers by
characteristic come from their own files; the children in need census tables (referrals,
assessments, assessment factors, section 47 enquiries, child protection plans and the 2022
breakdowns) reach their facts, and every indicator id BI documents rely on has values. Reads
this module's copy of the session's published warehouse and changes nothing in it.
"""

import pytest

from tests.support.published import latest, query

pytestmark = pytest.mark.e2e


def test_published_la_figures_match_the_files(published):
    # cla/ees_2025/cla_number_and_rate_per_10k_children.csv
    assert latest(published, "E08000025", 2025) == (2317, "published", "ees_2025")  # Birmingham
    assert latest(published, "E08000025", 2025, "cla_rate_per_10k")[0] == 79
    assert query(
        published,
        "select cla_count, cla_rate_per_10k, child_population from marts.fct_children_looked_after "
        "where la_code = 'E10000017' and time_period = 2025",
    ) == [(1699, 65.0, 261392)]  # Lancashire
    assert latest(published, "E09000002", 2023) == (428, "published", "ees_2025")  # Barking and Dagenham
    # suppressed stays NULL with its status, never 0
    assert query(
        published,
        "select cla_count, cla_count_status from marts.fct_children_looked_after "
        "where la_code = 'E09000001' and time_period = 2025",
    ) == [(None, "suppressed")]


def test_cla_series_runs_2010_to_2025_across_both_formats(published):
    # every year from the SFR files (2010-2017) and the EES files (2018-2025), no gap
    years = [
        r[0] for r in query(published, "select distinct time_period from marts.fct_children_looked_after order by 1")
    ]
    assert years == list(range(2010, 2026))
    # cla/sfr_2010/SFR27_2010_March.csv (no ONS codes: found from the DfE number) and SFR36_CLA2014.csv
    assert latest(published, "E08000025", 2010) == (2033, "published", "sfr_2010")  # Birmingham
    assert latest(published, "E08000025", 2018) == (1921, "published", "ees_2022")
    assert latest(published, "E06000057", 2010) == (286, "published", "sfr_2010")  # Northumberland, DfE 929
    assert query(
        published,
        "select value, release from marts.fct_england_region_indicator where area_code = 'E92000001' "
        "and indicator_id = 'cla_count' and time_period = 2010",
    ) == [(64400, "sfr_2010")]
    assert query(
        published,
        "select cla_started_count, cla_ceased_count from marts.fct_children_looked_after "
        "where la_code = 'E08000025' and time_period = 2010",
    ) == [(714, 805)]
    # Changed on purpose (issue 8): the SFR files' `x` is a count of one to five, suppressed (their
    # metadata, cla/sfr_2013/Meta Data Document.txt), not EES's "not available". City of London,
    # cla/sfr_2013/SFR36_ADM2013.csv row 14, CLA_started2013 = x; SFR36_CEA2013.csv row 14, CLA_cease = x.
    assert query(
        published,
        "select cla_started_count, cla_started_count_status, cla_ceased_count_status "
        "from marts.fct_children_looked_after where la_code = 'E09000001' and time_period = 2013",
    ) == [(None, "suppressed", "suppressed")]


def test_placement_stability_missing_and_care_leavers(published):
    # cla/ees_2025/la_cla_placement_stability.csv (children_count/children_percent headers) and the
    # 2022 file's older labels feed the same indicators
    years = query(
        published,
        "select time_period, release from marts.fct_la_indicator where la_code = 'E08000025' "
        "and indicator_id = 'cla_placements_3plus_pct' and is_latest order by 1",
    )
    assert years[0] == (2018, "ees_2022") and years[-1] == (2025, "ees_2025") and len(years) == 8
    # Birmingham 2024: cla/ees_2024/la_children_who_were_missing_or_away_from_placement_without_authorisation.csv
    facts = query(
        published,
        "select cla_missing_count, cla_missing_pct, cla_adopted_count, cla_sgo_count "
        "from marts.fct_children_looked_after where la_code = 'E08000025' and time_period = 2024",
    )
    assert facts[0][:2] == (281, 10.0) and facts[0][2] > 0 and facts[0][3] > 0
    # cla/ees_2025/la_care_leavers_activity.csv and ..._accommodation_suitability.csv (care_leaver_* headers)
    leavers = query(
        published,
        "select eet_19_21_pct, suitable_accommodation_19_21_pct, release from marts.fct_care_leavers "
        "where la_code = 'E08000025' and time_period = 2024",
    )
    assert leavers == [(56.0, 83.0, "ees_2025")]
    # starters and leavers by characteristic: York, la_cla_who_started_to_be_looked_after.csv (2022 release) and
    # la_children_who_ceased_during_the_year.csv (2024 release; adopted suppressed as c in 2024)
    rows = query(
        published,
        "select flow, time_period, number, percentage, number_status, release from marts.fct_cla_characteristics "
        "where la_code = 'E06000014' and ((characteristic = 'N1. Abuse or neglect' and time_period = 2022) "
        "or (characteristic = 'Adopted' and time_period = 2024)) order by 1",
    )
    assert rows == [
        ("ceased", 2024, None, None, "suppressed", "ees_2024"),
        ("started", 2022, 47, 76.0, "published", "ees_2022"),
    ]
    # cla/ees_2024/la_cla_on_31_march_la_of_placement_netgain.csv, York 2024: 129 placed outside, net gain -85
    assert query(
        published,
        "select cla_placed_outside_la_count, cla_placement_net_gain from marts.fct_children_looked_after "
        "where la_code = 'E06000014' and time_period = 2024",
    ) == [(129, -85)]


def test_children_in_need_and_child_protection_figures(published):
    # cin/ees_2025: b1, c1, c4, d5 for Birmingham (330, E08000025), year ending 31 March 2025
    cin = query(
        published,
        "select cin_count, cin_count_status, referrals_count, rereferrals_pct, release "
        "from marts.fct_children_in_need where la_code = 'E08000025' and time_period = 2025",
    )
    assert cin == [(9301, "published", 16324, 20.7, "ees_2025")]
    cp = query(
        published,
        "select s47_enquiries_count, icpc_count, cpp_count from marts.fct_child_protection "
        "where la_code = 'E08000025' and time_period = 2025",
    )
    assert cp == [(6162, 2094, 1677)]
    # c4's median working days from enquiry to conference (its Duration_median column)
    assert latest(published, "E08000025", 2025, "icpc_duration_median_days") == (14, "published", "ees_2025")
    # the parts DfE's tables add up from (c1, b1, d3), which an LA's own census is counted into too
    parts = {
        indicator: latest(published, "E08000025", 2025, indicator)[0]
        for indicator in (
            "referrals_nfa_count", "assessed_not_in_need_count", "rereferrals_count", "cin_episodes_started_count",
            "cin_episodes_ended_count", "cin_episodes_count", "cpp_subsequent_count",
        )
    }  # fmt: skip
    assert parts == {
        "referrals_nfa_count": 393,
        "assessed_not_in_need_count": 5301,
        "rereferrals_count": 3382,
        "cin_episodes_started_count": 10630,
        "cin_episodes_ended_count": 9219,
        "cin_episodes_count": 18520,
        "cpp_subsequent_count": 501,
    }
    # DfE's identities hold on its own published figures: started = referrals - NFA - not in need,
    # at any point = ended + open at 31 March
    assert (
        parts["cin_episodes_started_count"]
        == 16324 - parts["referrals_nfa_count"] - parts["assessed_not_in_need_count"]
    )
    assert parts["cin_episodes_count"] == parts["cin_episodes_ended_count"] + 9301
    assert query(
        published, "select release from marts.fct_child_protection where la_code = 'E08000025' and time_period = 2025"
    ) == [("ees_2025",)]
    # spend per child is computed: its families are its numerator's and the population's
    assert query(
        published, "select source_family from marts.dim_indicator where indicator_id = 'csc_spend_per_child_gbp'"
    ) == [("mhclg_ro3_social_care,population_0_17,s251_outturn",)]
    # starts come from table D3 (every release); D1, only in 2022, has the published rate
    assert latest(published, "E08000025", 2022, "cpp_started_count") == (
        1524,
        "published",
        "ees_2025",
    )  # table D3, every release
    assert query(
        published,
        "select value from marts.fct_la_indicator where la_code = 'E08000025' and time_period = 2022 "
        "and indicator_id = 'cpp_rate_per_10k' and release = 'ees_2022'",
    ) == [(40.1,)]
    assert query(
        published,
        "select value from marts.fct_england_region_indicator where area_code = 'E92000001' "
        "and time_period = 2025 and indicator_id = 'cin_count' and is_latest",
    ) == [(402400,)]
    # table C2 (2022 release only), York row 63: 1,426 assessments, median 32 days (Median_days)
    assert query(
        published,
        "select assessments_count, assessment_duration_median_days from marts.fct_children_in_need "
        "where la_code = 'E06000014' and time_period = 2022",
    ) == [(1426, 32.0)]
    # table C3, York 2025 (cin/ees_2025/c3_...csv): 1,653 episodes with factors, domestic abuse (parent) 252
    assert query(
        published,
        "select factor, episodes, round(pct_of_episodes_with_factors, 1) from marts.fct_assessment_factors "
        "where la_code = 'E06000014' and time_period = 2025 and factor in "
        "('episodes_with_assessment_factor', 'domestic_abuse_parent') order by 2 desc",
    ) == [("episodes_with_assessment_factor", 1653, None), ("domestic_abuse_parent", 252, 15.2)]
    # the other 2022 tables, long form: D4, York 2022 (CPP_At31 126, Neglect_Initial 63, Physical_Initial c)
    rows = dict(
        (r[0], r[1:])
        for r in query(
            published,
            "select breakdown, value, status from marts.fct_cin_breakdowns "
            "where la_code = 'E06000014' and time_period = 2022 and cin_table = 'd4'",
        )
    )
    assert rows["cpp_at31"] == (126, "published") and rows["neglect_initial"] == (63, "published")
    assert rows["physical_initial"] == (None, "suppressed")
    assert {r[0] for r in query(published, "select distinct cin_table from marts.fct_cin_breakdowns")} == {
        "b2",
        "b3",
        "b4",
        "b5",
        "b6",
        "b7",
        "c5",
        "c6",
        "d2",
        "d4",
        "d6",
        "d7",
        "d8",
    }
    # every indicator id BI documents rely on has values
    required = [
        "cla_count",
        "cla_rate_per_10k",
        "cla_started_count",
        "cla_ceased_count",
        "cin_count",
        "cin_rate_per_10k",
        "referrals_count",
        "referrals_rate_per_10k",
        "rereferrals_pct",
        "assessments_count",
        "s47_enquiries_count",
        "s47_enquiries_rate_per_10k",
        "icpc_count",
        "cpp_count",
        "cpp_rate_per_10k",
        "cpp_started_count",
        "sw_fte",
        "sw_vacancy_rate_pct",
        "sw_turnover_rate_pct",
        "sw_agency_rate_pct",
        "sw_caseload_avg",
        "csc_spend_total_gbp",
        "csc_spend_per_child_gbp",
        "cla_spend_gbp",
        "population_0_17",
        "imd_avg_score",
        "idaci_avg_score",
    ]
    have = {
        r[0]
        for r in query(published, "select distinct indicator_id from marts.fct_la_indicator where value is not null")
    }
    assert sorted(set(required) - have) == []
