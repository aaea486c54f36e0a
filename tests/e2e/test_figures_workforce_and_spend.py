"""The social work workforce and children's services spending, as the files print them: York's
looked-after spend from the section 251 outturn and from MHCLG's RO3, exact to the penny as
DECIMAL, with a revision between the two 2024-25 releases and every financial year covered;
spend per child over the mid-year population; Hull's social workers at 30 September 2025, a joint
return (North and West Northamptonshire) counted once and carried to each member LA, the LA totals
matching England's published FTE; and unit costs that divide a financial year's spend by the
children counted at the 31 March that ends it. Reads this module's copy of the session's
published warehouse and changes nothing in it.
"""

from decimal import Decimal

import pytest

from tests.support.published import latest, query

pytestmark = pytest.mark.e2e


def test_expenditure_figures_across_both_sources(published):
    rows = query(
        published,
        "select financial_year, cla_spend_gbp, cla_spend_gbp_status, release from marts.fct_expenditure "
        "where la_code = 'E06000014' and time_period in (2014, 2025) order by time_period",
    )
    # York: expenditure/s251_outturn_2013-14/outturn_1314.csv line 16 "Total Children Looked After",
    # NetCurrentExpenditure 6243970 (GBP); RO3 2024-25 second release, Children Looked After 14980 (GBP thousand)
    assert rows == [
        ("2013-14", 6243970.0, "published", "s251_outturn_2013-14"),
        ("2024-25", 14980000.0, "published", "mhclg_ro_2024-25_second_release"),
    ]
    # Somerset's CLA spend revised between the two 2024-25 releases: 91498 -> 91551 (GBP thousand)
    assert query(
        published,
        "select earlier_release, earlier_value, later_release, later_value, difference from marts.fct_la_indicator_revision "
        "where la_code = 'E06000066' and indicator_id = 'cla_spend_gbp' and time_period = 2025",
    ) == [("mhclg_ro_2024-25_first_release", 91498000.0, "mhclg_ro_2024-25_second_release", 91551000.0, 53000.0)]
    # Bedfordshire's last year (outturn_0809.csv, DfE 820) under its ONS code
    assert query(
        published, "select count(*) from marts.fct_expenditure where la_code = 'E10000001' and time_period = 2009"
    ) == [(1,)]
    # spend per child: the conformed total over the mid-year population inside the financial year
    per_child = query(
        published,
        """
        select e.csc_spend_per_child_gbp, e.csc_spend_per_child_gbp_status, e.csc_spend_total_gbp / p.population_0_17
        from marts.fct_expenditure as e
        inner join marts.fct_population as p on p.la_code = e.la_code and p.mid_year = e.time_period - 1
        where e.la_code = 'E06000014' and e.time_period = 2025""",
    )
    # Changed on purpose (issue 8): money is DECIMAL to the penny, so the per-child figure is the quotient rounded
    assert per_child[0][1] == "recomputed" and per_child[0][0] == round(Decimal(str(per_child[0][2])), 2)
    # Changed on purpose (issue 8): money is exact. Gateshead, expenditure/mhclg_ro_2024-25_second_release/
    # RO3_LA_Data_2024-25_data_by_LA.ods row 138, Children Looked After 39182.99959 (GBP thousand): 39,182,999.59
    # pounds to the penny (the double product was 39182999.589999996); the GBP columns are DECIMAL(18,2)
    assert query(
        published,
        "select cla_spend_gbp, typeof(cla_spend_gbp) from marts.fct_expenditure "
        "where la_code = 'E08000037' and time_period = 2025",
    ) == [(Decimal("39182999.59"), "DECIMAL(18,2)")]
    assert latest(published, "E08000037", 2025, "cla_spend_gbp") == (
        39182999.59,
        "published",
        "mhclg_ro_2024-25_second_release",
    )
    # years covered, all nine financial years, with the suppressed/not-returned LAs kept as rows
    years = query(published, "select financial_year, count(*) from marts.fct_expenditure group by 1 order by 1")
    assert [y for y, _ in years] == [
        "2008-09",
        "2009-10",
        "2010-11",
        "2011-12",
        "2012-13",
        "2013-14",
        "2022-23",
        "2023-24",
        "2024-25",
    ]
    assert dict(years)["2024-25"] == 153 and dict(years)["2008-09"] == 150


def test_social_work_workforce_and_joint_returns(published):
    # workforce/ees_2025/csww_indicators_2017_to_2025.csv, 30 September 2025
    assert query(
        published,
        "select sw_fte, sw_vacancy_rate_pct, is_joint_return, release from marts.fct_social_work_workforce "
        "where reporting_unit_code = 'E06000010' and time_period = 2025",
    ) == [(328.0, 2.4, False, "ees_2025")]  # Hull
    # North and West Northamptonshire return jointly: one row in the fact, the figure on each member LA
    assert query(
        published,
        "select sw_fte, member_la_codes from marts.fct_social_work_workforce "
        "where reporting_unit_code = 'E06000061 / E06000062' and time_period = 2025",
    ) == [(421.5, "E06000061,E06000062")]
    members = query(
        published,
        "select la_code, value, is_joint_return from marts.fct_la_indicator where indicator_id = 'sw_fte' "
        "and time_period = 2025 and is_latest and reporting_unit_code = 'E06000061 / E06000062' order by 1",
    )
    assert members == [("E06000061", 421.5, True), ("E06000062", 421.5, True)]
    # the September 2021 return, after Northamptonshire's split, is kept (not lost to the LA lifetime filter)
    assert latest(published, "E06000061", 2021, "sw_fte") == (329.9, "published", "ees_2025")
    # counted once per reporting unit, LA totals match England's published FTE to rounding (2024;
    # in 2025 Westminster and Kensington and Chelsea did not return: 'x')
    (total,) = query(published, "select sum(sw_fte) from marts.fct_social_work_workforce where time_period = 2024")[0]
    assert abs(total - 34328.2) < 1
    # the 2022 release's %-suffixed headers feed the same indicators; England 2020 revised since
    assert query(
        published,
        "select release, value from marts.fct_england_region_indicator where area_code = 'E92000001' "
        "and indicator_id = 'sw_fte' and time_period = 2020 and release in ('ees_2022', 'ees_2025') order by 1",
    ) == [("ees_2022", 31854.3), ("ees_2025", 31852.3)]


def test_unit_costs_divide_spend_by_the_activity_of_the_same_year(published):
    """Spend per child in need and per child looked after: the financial year's spend over the
    children counted at the 31 March that ends it (Hull, 2024-25: RO3 2024-25 over CIN and CLA at 31 March 2025)."""
    (cla_spend, per_cla, csc_spend, per_cin) = query(
        published,
        "select cla_spend_gbp, cla_spend_per_child_looked_after_gbp, csc_spend_total_gbp, csc_spend_per_child_in_need_gbp "
        "from marts.fct_expenditure where la_code = 'E06000010' and time_period = 2025",
    )[0]
    cla_count = latest(published, "E06000010", 2025, "cla_count")
    cin_count = latest(published, "E06000010", 2025, "cin_count")
    assert cla_count[1] == cin_count[1] == "published"
    assert float(per_cla) == pytest.approx(float(cla_spend) / cla_count[0], abs=0.005)
    assert float(per_cin) == pytest.approx(float(csc_spend) / cin_count[0], abs=0.005)
    assert latest(published, "E06000010", 2025, "cla_spend_per_child_looked_after_gbp")[1] == "recomputed"
    # the catalogue says what each divides by, and where it comes from
    assert query(
        published,
        "select source_family from marts.dim_indicator where indicator_id = 'csc_spend_per_child_in_need_gbp'",
    ) == [("cin_b1_children_in_need,mhclg_ro3_social_care,s251_outturn",)]
