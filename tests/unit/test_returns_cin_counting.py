"""Counting CIN census returns the way DfE publishes them, on hand-built returns as they stand in
the private database: each test is a case where one of the rules in
orchestration/lib/returns/sql/cin_census_figures.sql changes the answer from what a naive count
of the return gives; then the published tables' identities on a mix of LAs and years, and the
breakdowns."""

from __future__ import annotations

import random
from datetime import date, timedelta

import polars as pl
import pytest

from tests.support.cin_fixtures import CinReturns

LA, OTHER_LA, YEAR = "E06000009", "E06000010", 2025
COUNTS = (
    "referrals_count",
    "referrals_nfa_count",
    "assessed_not_in_need_count",
    "rereferrals_count",
    "cin_episodes_started_count",
    "cin_episodes_ended_count",
    "cin_episodes_count",
    "cin_count",
    "assessments_count",
    "s47_enquiries_count",
    "icpc_count",
    "cpp_started_count",
    "cpp_subsequent_count",
    "cpp_count",
)


def figure(
    figures: pl.DataFrame,
    measure: str,
    breakdown: str = "Total",
    category: str = "Total",
    la: str = LA,
    year: int = YEAR,
) -> float:
    """A figure as counted; a breakdown's category with no row is none."""
    found = figures.filter(
        (pl.col("la_code") == la)
        & (pl.col("collection_year") == year)
        & (pl.col("measure") == measure)
        & (pl.col("breakdown") == breakdown)
        & (pl.col("category") == category)
    )
    assert found.height <= 1
    return found["number"][0] if found.height else 0


def note(figures: pl.DataFrame, la: str = LA, year: int = YEAR) -> str:
    return figures.filter(
        (pl.col("la_code") == la) & (pl.col("collection_year") == year) & (pl.col("measure") == "rereferrals_count")
    )["note"][0]


# --- episodes of need -----------------------------------------------------------------------


def test_an_nfa_referral_left_open_at_31_march_is_never_in_need():
    # counting open episodes gives 2 children in need; the NFA referral is a referral, never in need
    r = CinReturns()
    r.episode(LA, YEAR, "nfa", "2024-06-03", referralnfa=True)
    r.episode(LA, YEAR, "assessed", "2024-06-03")
    figures = r.figures()
    assert figure(figures, "referrals_count") == 2
    assert figure(figures, "referrals_nfa_count") == 1
    assert figure(figures, "cin_count") == 1
    assert figure(figures, "cin_episodes_started_count") == 1
    assert figure(figures, "cin_episodes_count") == 1


def test_a_child_with_two_referrals_in_the_year_is_two_referrals_and_one_child_in_need():
    r = CinReturns()
    r.episode(LA, YEAR, "twice", "2024-05-01", cinclosuredate="2024-08-01", reasonforclosure="RC7")
    r.episode(LA, YEAR, "twice", "2024-10-01")
    figures = r.figures()
    assert figure(figures, "referrals_count") == 2
    assert figure(figures, "cin_episodes_started_count") == 2
    assert figure(figures, "cin_episodes_ended_count") == 1
    assert figure(figures, "cin_episodes_count") == 2
    assert figure(figures, "cin_count") == 1
    # the second referral is within 12 months of the first
    assert figure(figures, "rereferrals_count") == 1


def test_children_in_need_at_31_march_are_the_episodes_open_then_as_dfe_counts_them():
    # DfE's b1 counts episodes at 31 March (At31_episodes); its rules allow a child one open
    # episode, and a return with two is flagged by them and counted as it stands
    r = CinReturns()
    r.episode(LA, YEAR, "twice", "2024-05-01", primaryneedcode="N1")
    r.episode(LA, YEAR, "twice", "2024-11-01", primaryneedcode="N1")
    r.episode(LA, YEAR, "once", "2024-11-01", primaryneedcode="N1")
    figures = r.figures()
    assert figure(figures, "cin_count") == 3
    assert figure(figures, "cin_count", "Primary need", "Abuse or neglect") == 3


@pytest.mark.parametrize("reason", ["RC8", "RC9"])
def test_assessed_not_in_need_is_a_referral_but_no_episode_of_need(reason):
    # RC8 (no further action) and RC9 (referred to early help) after assessment: not in need
    r = CinReturns()
    r.episode(LA, YEAR, "not in need", "2024-06-03", cinclosuredate="2024-07-15", reasonforclosure=reason)
    r.episode(LA, YEAR, "in need", "2024-06-03", cinclosuredate="2024-12-15", reasonforclosure="RC7")
    figures = r.figures()
    assert figure(figures, "referrals_count") == 2
    assert figure(figures, "assessed_not_in_need_count") == 1
    assert figure(figures, "cin_episodes_started_count") == 1
    assert figure(figures, "cin_episodes_ended_count") == 1
    assert figure(figures, "cin_episodes_count") == 1


def test_an_episode_from_before_the_year_is_in_need_at_some_point_but_not_started():
    r = CinReturns()
    r.episode(LA, YEAR, "long", "2022-09-01")
    r.episode(LA, YEAR, "closed", "2023-11-01", cinclosuredate="2024-05-01", reasonforclosure="RC7")
    figures = r.figures()
    assert figure(figures, "referrals_count") == 0
    assert figure(figures, "cin_episodes_started_count") == 0
    assert figure(figures, "cin_episodes_count") == 2
    assert figure(figures, "cin_episodes_ended_count") == 1
    assert figure(figures, "cin_count") == 1


# --- re-referrals ---------------------------------------------------------------------------


def test_a_rereferral_is_within_12_months_of_the_previous_referral_date_to_date():
    # previous referrals held in the same return (episodes open at 1 April, closed in the year)
    r = CinReturns()
    cases = {
        "eleven months": "2023-06-01",
        "exactly twelve months": "2023-05-01",
        "twelve months and a day": "2023-04-30",
        "thirteen months": "2023-04-01",
    }
    for child, previous in cases.items():
        r.episode(LA, YEAR, child, previous, cinclosuredate="2024-04-20", reasonforclosure="RC7")
        r.episode(LA, YEAR, child, "2024-05-01")
    figures = r.figures()
    assert figure(figures, "referrals_count") == 4
    assert figure(figures, "rereferrals_count") == 2
    assert note(figures) == (
        "look-back: referrals before 1 April 2024 as held in this census (no earlier census of this LA in the inbox)"
    )


def test_a_previous_referral_only_in_last_years_return_makes_a_rereferral():
    r = CinReturns()
    r.episode(LA, 2024, "back", "2023-10-02", cinclosuredate="2024-01-15", reasonforclosure="RC7")
    r.episode(LA, YEAR, "back", "2024-08-01")
    # the same child id in another LA is another child: its earlier referral is not looked at
    r.episode(OTHER_LA, 2024, "back", "2023-10-02", cinclosuredate="2024-01-15", reasonforclosure="RC7")
    r.add_return(OTHER_LA, YEAR)
    r.episode(LA, YEAR, "new", "2024-08-01")
    figures = r.figures()
    assert figure(figures, "referrals_count") == 2
    assert figure(figures, "rereferrals_count") == 1
    assert figure(figures, "rereferrals_count", la=OTHER_LA) == 0
    assert figure(figures, "rereferrals_count", year=2024) == 0
    assert note(figures) == (
        "look-back: referrals before 1 April 2024 as held in this census and the LA's census for 2024"
    )
    assert note(figures, year=2024) == (
        "look-back: referrals before 1 April 2023 as held in this census (no earlier census of this LA in the "
        "inbox); none was found"
    )


def test_a_referral_held_in_two_years_returns_is_one_referral():
    # an episode open across 31 March is in both years' returns: it is not its own previous
    # referral, and next year's return never changes this year's figure
    r = CinReturns()
    r.episode(LA, 2024, "open across", "2023-12-01", cinclosuredate="2024-02-01", reasonforclosure="RC7")
    r.episode(LA, 2024, "open across", "2024-03-20")
    r.episode(LA, YEAR, "open across", "2024-03-20", cinclosuredate="2024-06-01", reasonforclosure="RC7")
    r.episode(LA, YEAR, "open across", "2024-09-01")
    r.episode(LA, 2026, "later", "2024-01-10", cinclosuredate="2025-05-01", reasonforclosure="RC7")
    r.episode(LA, YEAR, "later", "2024-06-01")
    figures = r.figures()
    assert figure(figures, "referrals_count", year=2024) == 2
    assert figure(figures, "rereferrals_count", year=2024) == 1
    assert figure(figures, "referrals_count") == 2
    # the 2026 return's January 2024 referral is not looked back to from 2025
    assert figure(figures, "rereferrals_count") == 1


# --- section 47 enquiries, conferences and plans ---------------------------------------------


def test_an_enquiry_started_before_the_year_counts_only_its_conference():
    r = CinReturns()
    r.episode(LA, YEAR, "s47", "2024-03-10")
    r.add("section47", LA, YEAR, "s47", episode_index=1, s47actualstartdate="2024-03-20", dateofinitialcpc="2024-04-10")
    r.add("section47", LA, YEAR, "s47", episode_index=1, s47actualstartdate="2024-09-02", icpcnotrequired=True)
    figures = r.figures()
    assert figure(figures, "s47_enquiries_count") == 1
    assert figure(figures, "icpc_count") == 1


def test_plans_from_before_the_year_and_plans_ended_in_it_do_not_leak():
    r = CinReturns()
    r.episode(LA, YEAR, "still open", "2023-01-10")
    r.add(
        "cp_plans",
        LA,
        YEAR,
        "still open",
        episode_index=1,
        plan_index=1,
        cppstartdate="2023-02-01",
        initialcategoryofabuse="NEG",
        numberofpreviouscpp=2,
    )
    r.episode(LA, YEAR, "ended", "2024-04-10")
    r.add(
        "cp_plans",
        LA,
        YEAR,
        "ended",
        episode_index=1,
        plan_index=1,
        cppstartdate="2024-05-01",
        cppenddate="2025-01-20",
        initialcategoryofabuse="EMO",
        numberofpreviouscpp=0,
    )
    r.episode(LA, YEAR, "second plan", "2024-06-10")
    r.add(
        "cp_plans",
        LA,
        YEAR,
        "second plan",
        episode_index=1,
        plan_index=1,
        cppstartdate="2024-07-01",
        cppenddate="2025-03-31",
        initialcategoryofabuse="PHY",
        numberofpreviouscpp=1,
    )
    figures = r.figures()
    assert figure(figures, "cpp_started_count") == 2
    assert figure(figures, "cpp_subsequent_count") == 1
    # a plan ending on 31 March is not open at it
    assert figure(figures, "cpp_count") == 1
    assert figure(figures, "cpp_count", "Initial category of abuse", "Neglect") == 1
    assert figure(figures, "cpp_started_count", "Initial category of abuse", "Emotional abuse") == 1
    assert figure(figures, "cpp_started_count", "Initial category of abuse", "Neglect") == 0


# --- assessments ----------------------------------------------------------------------------


def test_assessment_duration_is_a_median_of_working_days():
    # Spring bank holiday Monday 27 May 2024; Christmas, Boxing Day and New Year's Day 2024-25
    r = CinReturns()
    spans = [
        ("2024-06-03", "2024-06-03"),  # same day: 0
        ("2024-05-24", "2024-05-28"),  # Friday to Tuesday over the bank holiday weekend: 1 (4 calendar days)
        ("2024-12-19", "2025-01-03"),  # over Christmas and New Year: 8 (15 calendar days)
        ("2024-03-01", "2024-03-25"),  # authorised before the year: not counted
        ("2025-03-20", None),  # not yet authorised: not counted
    ]
    for i, (start, end) in enumerate(spans):
        r.episode(LA, YEAR, f"child {i}", "2024-03-01")
        r.add(
            "assessments",
            LA,
            YEAR,
            f"child {i}",
            episode_index=1,
            assessmentactualstartdate=start,
            assessmentauthorisationdate=end,
        )
    figures = r.figures()
    assert figure(figures, "assessments_count") == 3
    assert figure(figures, "assessment_duration_median_days") == 1
    median = figures.filter(pl.col("measure") == "assessment_duration_median_days")
    assert median["is_count"].to_list() == [False] and median["based_on"].to_list() == [3]


def test_enquiry_to_conference_is_a_median_of_working_days_for_the_years_conferences():
    r = CinReturns()
    spans = [
        ("2024-05-01", "2024-05-22"),  # 15 working days: Wednesday to Wednesday three weeks on
        ("2024-05-24", "2024-06-07"),  # over the Spring bank holiday: 9
        ("2024-12-16", "2025-01-08"),  # over Christmas and New Year: 14
        ("2024-03-20", "2024-04-10"),  # an enquiry from before the year, its conference inside it, over Easter: 13
        ("2024-03-01", "2024-03-22"),  # a conference before the year: not counted
        ("2025-03-25", None),  # no conference (yet): not counted
    ]
    for i, (start, conference) in enumerate(spans):
        r.episode(LA, YEAR, f"child {i}", "2024-03-01")
        r.add(
            "section47", LA, YEAR, f"child {i}", episode_index=1, s47actualstartdate=start, dateofinitialcpc=conference
        )
    figures = r.figures()
    assert figure(figures, "icpc_count") == 4
    assert figure(figures, "icpc_duration_median_days") == 13.5  # of 9, 13, 14, 15
    median = figures.filter(pl.col("measure") == "icpc_duration_median_days")
    assert median["is_count"].to_list() == [False] and median["based_on"].to_list() == [4]


# --- identities, breakdowns, shape ------------------------------------------------------------


def random_returns(seed: int = 23) -> CinReturns:
    """Several LAs and years of random episodes: NFA referrals (some left open), closures of
    every kind, episodes from before the year, children with several episodes."""
    rng = random.Random(seed)
    r = CinReturns()
    for la in (LA, OTHER_LA, "E08000025"):
        for year in (2024, 2025):
            start = date(year - 1, 4, 1)
            for n in range(60):
                child = f"{la[-2:]}{n}"
                referral = start - timedelta(days=400) + timedelta(days=rng.randrange(760))
                for _ in range(rng.choice((1, 1, 2, 3))):
                    nfa = rng.random() < 0.15
                    closure = referral + timedelta(days=rng.randrange(300)) if rng.random() < 0.7 else None
                    reason = rng.choice(("RC1", "RC7", "RC7", "RC8", "RC9")) if closure else None
                    if closure and closure > date(year, 3, 31):
                        closure = reason = None
                    if nfa and rng.random() < 0.7:
                        closure, reason = referral, None
                    if closure is None or closure >= start:
                        r.episode(
                            la,
                            year,
                            child,
                            referral.isoformat(),
                            referralnfa=nfa,
                            cinclosuredate=closure and closure.isoformat(),
                            reasonforclosure=reason,
                        )
                    referral = (closure or referral) + timedelta(days=rng.randrange(1, 120))
    return r


def test_the_published_identities_hold_on_every_la_and_year():
    figures = random_returns().figures()
    totals = figures.filter(pl.col("breakdown") == "Total").pivot(
        on="measure", index=["la_code", "collection_year"], values="number"
    )
    assert totals.height == 6
    for row in totals.iter_rows(named=True):
        assert row["referrals_nfa_count"] > 0 and row["assessed_not_in_need_count"] > 0
        assert row["cin_episodes_started_count"] == (
            row["referrals_count"] - row["referrals_nfa_count"] - row["assessed_not_in_need_count"]
        )
        assert row["cin_episodes_count"] == row["cin_episodes_ended_count"] + row["cin_count"]


def test_breakdowns_sum_to_their_totals_and_use_dfe_labels():
    r = random_returns()
    for n, (sex, age) in enumerate([("M", 0), ("F", 3), ("U", 12), ("F", None), ("M", 17)]):
        r.child(LA, YEAR, f"{LA[-2:]}{n}", sex=sex, age_at_31_march=age)
    r.child(LA, YEAR, f"{LA[-2:]}{5}", expectedpersonbirthdate="2025-05-01")
    figures = r.figures()
    for measure, breakdown in [
        ("cin_count", "Age group"),
        ("cin_count", "Gender"),
        ("cin_count", "Primary need"),
        ("referrals_count", "Source of referral"),
    ]:
        parts = figures.filter(
            (pl.col("la_code") == LA)
            & (pl.col("collection_year") == YEAR)
            & (pl.col("measure") == measure)
            & (pl.col("breakdown") == breakdown)
        )
        assert parts["number"].sum() == figure(figures, measure), (measure, breakdown)
    ages = set(figures.filter(pl.col("breakdown") == "Age group")["category"])
    assert ages <= {
        "Unborn",
        "Under 1 year",
        "1 to 4 years",
        "5 to 9 years",
        "10 to 15 years",
        "16 years and over",
        "Unknown",
    }


def test_primary_need_and_source_of_referral_categories():
    r = CinReturns()
    r.episode(LA, YEAR, "a", "2024-06-03", primaryneedcode="N1", referralsource="2A")
    r.episode(LA, YEAR, "b", "2024-06-03", primaryneedcode="N5", referralsource="3E")
    r.episode(LA, YEAR, "c", "2024-06-03", primaryneedcode="N5", referralsource="10")
    r.child(LA, YEAR, "a", sex="F", age_at_31_march=8)
    figures = r.figures()
    assert figure(figures, "cin_count", "Primary need", "Family dysfunction") == 2
    assert figure(figures, "cin_count", "Primary need", "Abuse or neglect") == 1
    assert figure(figures, "referrals_count", "Source of referral", "Schools") == 1
    assert figure(figures, "referrals_count", "Source of referral", "Health services") == 1
    assert figure(figures, "referrals_count", "Source of referral", "Unknown") == 1
    assert figure(figures, "cin_count", "Gender", "Female") == 1
    assert figure(figures, "cin_count", "Age group", "5 to 9 years") == 1


def test_every_return_has_every_total_and_the_contracts_columns():
    r = CinReturns().add_return(LA, YEAR)
    figures = r.figures()
    assert figures.columns == [
        "la_code",
        "collection_year",
        "measure",
        "breakdown",
        "category",
        "number",
        "is_count",
        "note",
        "based_on",
    ]
    assert sorted(figures["measure"]) == sorted(COUNTS)
    assert set(figures["number"]) == {0}
    # no assessments or conferences: no median, rather than a median of nothing
    assert not {"assessment_duration_median_days", "icpc_duration_median_days"} & set(figures["measure"])
