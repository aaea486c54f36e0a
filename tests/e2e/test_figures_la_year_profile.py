"""mart_la_year_profile, one row per LA and reporting year: each figure falls in the reporting
year its period does (Birmingham's CLA rate at 31 March 2025 beside the Ofsted judgement in effect
then and the mid-2024 population; Hull's spend per child of 2024-25 to the penny; social workers
at 30 September 2025 in the year ending March 2026), and a missing return stays not available.
Reads this module's copy of the session's published warehouse and changes nothing in it.
"""

import pytest

from tests.support.published import latest, query

pytestmark = pytest.mark.e2e


def test_la_year_profile_puts_each_figure_in_its_reporting_year(published):
    """mart_la_year_profile: one row per LA and reporting year, each figure in the year its period falls in."""
    rows = query(
        published, "select count(*), count(distinct (la_code, reporting_year)) from marts.mart_la_year_profile"
    )
    assert rows[0][0] == rows[0][1] > 2000
    # Birmingham, year ending 31 March 2025: CLA rate as published (cla/ees_2025), beside the
    # judgement in effect at 31 March 2025; no spend: Birmingham made no 2024-25 RO3 return
    # (both 2024-25 revenue outturn releases print none for it)
    (rate, judgement, spend, spend_status, population) = query(
        published,
        "select cla_rate_per_10k, ofsted_overall_effectiveness, csc_spend_per_child_gbp, "
        "csc_spend_per_child_gbp_status, population_0_17 "
        "from marts.mart_la_year_profile where la_code = 'E08000025' and reporting_year = 2025",
    )[0]
    assert rate == 79
    assert (
        judgement
        == query(
            published,
            "select overall_effectiveness from marts.fct_ofsted_judgement_in_effect "
            "where la_code = 'E08000025' and time_period = 2025",
        )[0][0]
    )
    assert (spend, spend_status) == (None, "not_available")
    assert population == latest(published, "E08000025", 2024, "population_0_17")[0]  # mid-2024: the year's denominator
    # Hull, the same year: spend per child of financial year 2024-25, to the penny
    (hull_spend,) = query(
        published,
        "select csc_spend_per_child_gbp from marts.mart_la_year_profile "
        "where la_code = 'E06000010' and reporting_year = 2025",
    )[0]
    assert float(hull_spend) == pytest.approx(
        latest(published, "E06000010", 2025, "csc_spend_per_child_gbp")[0], abs=0.005
    )
    # Hull's social workers at 30 September 2025 (workforce/ees_2025) fall in the year ending March 2026
    assert query(
        published, "select sw_fte from marts.mart_la_year_profile where la_code = 'E06000010' and reporting_year = 2026"
    ) == [(328.0,)]
