"""Vintages and revisions: every release's figure for a year is kept and the latest wins
(Birmingham's 2022 count in four releases, City of London's rate after the population was
rebased, England's count as each release published it); fct_la_indicator_revision records each
change between consecutive releases and nothing a release did not publish, and bridge_la_lineage
each LA's successors; a release that no longer prints a rate does not revise it, so the latest
rate is the last one published, with the warehouse's recomputation kept beside it. Reads this
module's copy of the session's published warehouse and changes nothing in it.
"""

import pytest

from tests.support.published import latest, query

pytestmark = pytest.mark.e2e


def test_latest_vintage_wins_and_earlier_vintages_are_kept(published):
    # Birmingham 2022: 2,094 in the 2022 release, 2,100 in 2023, 2,104 since 2024.
    vintages = query(
        published,
        "select release, value from marts.fct_la_indicator where la_code = 'E08000025' "
        "and time_period = 2022 and indicator_id = 'cla_count' order by release",
    )
    assert vintages == [("ees_2022", 2094), ("ees_2023", 2100), ("ees_2024", 2104), ("ees_2025", 2104)]
    assert query(
        published,
        "select cla_count, release from marts.fct_children_looked_after where la_code = 'E08000025' and time_period = 2022",
    ) == [(2104, "ees_2025")]
    # City of London 2021 rate: 110 in 2022's release, 306 after the population was rebased.
    assert query(
        published,
        "select release, value from marts.fct_la_indicator where la_code = 'E09000001' and time_period = 2021 "
        "and indicator_id = 'cla_rate_per_10k' and release in ('ees_2022', 'ees_2025') order by 1",
    ) == [("ees_2022", 110), ("ees_2025", 306)]
    # North Northamptonshire 2022 across four vintages.
    assert query(
        published,
        "select release, value from marts.fct_la_indicator where la_code = 'E06000061' and time_period = 2022 "
        "and indicator_id = 'cla_count' order by 1",
    ) == [("ees_2022", 524), ("ees_2023", 523), ("ees_2024", 525), ("ees_2025", 525)]


def test_revisions_and_lineage_marts(published):
    # Birmingham's 2022 count, revised twice (files: 2,094 in 2022, 2,100 in 2023, 2,104 in 2024)
    rows = query(
        published,
        "select earlier_release, earlier_value, later_release, later_value, difference from marts.fct_la_indicator_revision "
        "where la_code = 'E08000025' and time_period = 2022 and indicator_id = 'cla_count' order by later_release",
    )
    assert rows == [("ees_2022", 2094, "ees_2023", 2100, 6), ("ees_2023", 2100, "ees_2024", 2104, 4)]
    # the 2025 CIN release prints no rates: it revises none (its counts' statuses are not revisions)
    assert query(
        published,
        "select count(*) from marts.fct_la_indicator_revision where later_release = 'ees_2025' "
        "and indicator_id in ('s47_enquiries_rate_per_10k', 'icpc_rate_per_10k', 'cin_rate_per_10k')",
    ) == [(0,)]
    assert query(
        published,
        "select count(*) from marts.fct_la_indicator_revision as r join marts.fct_la_indicator as f "
        "on f.la_code = r.la_code and f.time_period = r.time_period and f.indicator_id = r.indicator_id "
        "and f.release in (r.earlier_release, r.later_release) where not f.is_published",
    ) == [(0,)]
    lineage = query(
        published,
        "select successor_la_code, change_kind, first_reporting_year_of_successor from marts.bridge_la_lineage "
        "where predecessor_la_code = 'E10000021' order by 1",
    )
    assert lineage == [("E06000061", "split", 2022), ("E06000062", "split", 2022)]


def test_england_as_published(published):
    rows = query(
        published,
        "select time_period, release, value from marts.fct_england_region_indicator where area_code = 'E92000001' "
        "and indicator_id = 'cla_count' and time_period in (2022, 2025) order by 1, 2",
    )
    assert rows == [
        (2022, "ees_2022", 82170),
        (2022, "ees_2023", 82080),
        (2022, "ees_2024", 82090),
        (2022, "ees_2025", 82090),
        (2025, "ees_2025", 81770),
    ]


def test_a_vintage_that_does_not_publish_a_rate_does_not_revise_it(published):
    """Changed on purpose (issue 8): the 2025 CIN release dropped its rate columns, so the latest
    rate of an earlier year is the last published one, not the warehouse's recomputation."""
    # cin/ees_2024 c1/b1 files: Birmingham 2024 CIN rate 318.1, still the latest value after 2025
    assert latest(published, "E08000025", 2024, "cin_rate_per_10k") == (318.1, "published", "ees_2024")
    assert query(
        published,
        "select cin_rate_per_10k, cin_rate_per_10k_status from marts.fct_children_in_need "
        "where la_code = 'E08000025' and time_period = 2024",
    ) == [(318.1, "published")]
    # cin/ees_2022 c4 file: City of London 2022, 21 section 47 enquiries, rate 115.1. DfE divided by the
    # mid-2021 estimate before Census 2021 (1,825 children: the 2022 CLA release's child population);
    # ONS has since rebased it to 654, so the warehouse's recomputation (21 / 654) is 321.1: kept beside it.
    (row,) = query(
        published,
        "select value, status, release, recomputed_value from marts.fct_la_indicator "
        "where la_code = 'E09000001' and time_period = 2022 and indicator_id = 's47_enquiries_rate_per_10k' and is_latest",
    )
    assert row[:3] == (115.1, "published", "ees_2022") and row[3] == pytest.approx(21 / 654 * 10000)
    # no latest rate is a recomputation where some release published the figure
    assert query(
        published,
        """
        select count(*) from marts.fct_la_indicator as latest
        where latest.is_latest and latest.status = 'recomputed'
          and exists (select 1 from marts.fct_la_indicator as other
                      where other.la_code = latest.la_code and other.time_period = latest.time_period
                        and other.indicator_id = latest.indicator_id and other.status = 'published')""",
    ) == [(0,)]
