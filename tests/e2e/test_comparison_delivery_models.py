"""Delivery models: fct_la_delivery_model and dim_delivery_model carry the cited seed's trusts
and companies with their dates, precision and sources (Birmingham's trust, Northamptonshire's
across the split, Doncaster's ended); mart_delivery_model_comparison puts a trust LA's figures
before, under and after its trust against its neighbours, recomputed here from the facts. Reads
this module's copy of the session's published warehouse and changes nothing in it.
"""

import pytest

from tests.support.published import latest, query

pytestmark = pytest.mark.e2e


def test_delivery_models_with_their_dates_and_sources(published):
    """fct_la_delivery_model and dim_delivery_model from the cited seed."""
    assert query(
        published,
        "select delivery_model_id, model_kind, effective_from::varchar, effective_from_precision, "
        "effective_to, end_basis, reporting_year_from from marts.fct_la_delivery_model "
        "where la_code = 'E08000025'",
    ) == [("birmingham_ct", "trust_or_company", "2018-04-01", "day", None, "open", 2019)]
    # the Northamptonshire trust: the county until the split, then its two successors
    assert query(
        published,
        "select la_code, effective_from::varchar, effective_to::varchar, end_basis "
        "from marts.fct_la_delivery_model where delivery_model_id = 'northamptonshire_ct' order by la_code",
    ) == [
        ("E06000061", "2021-04-01", None, "open"),
        ("E06000062", "2021-04-01", None, "open"),
        ("E10000021", "2020-11-01", "2021-03-31", "boundary_change"),
    ]
    assert query(
        published,
        "select effective_from::varchar, la_count, end_basis from marts.dim_delivery_model "
        "where delivery_model_id = 'northamptonshire_ct'",
    ) == [("2020-11-01", 3, "open")]
    # Doncaster's trust ended in September 2022 (month only): its last 31 March is 2022
    assert query(
        published,
        "select effective_to::varchar, effective_to_precision, reporting_year_to "
        "from marts.fct_la_delivery_model where delivery_model_id = 'doncaster_cst'",
    ) == [("2022-09-30", "month", 2022)]
    # every row names the page its start date was read from
    assert query(published, "select count(*) from marts.fct_la_delivery_model where source_url not like 'http%'") == [
        (0,)
    ]


def test_trust_la_before_and_after_against_its_neighbours(published):
    """mart_delivery_model_comparison: Birmingham's CLA rate against its 2021 neighbours, from the facts."""

    def independently(year):
        own = latest(published, "E08000025", year, "cla_rate_per_10k")[0]
        theirs = [
            r[0]
            for r in query(
                published,
                "select f.value from marts.dim_statistical_neighbour as n inner join marts.fct_la_indicator as f "
                "on f.la_code = n.neighbour_la_code and f.indicator_id = 'cla_rate_per_10k' and f.time_period = ? and f.is_latest "
                "where n.la_code = 'E08000025' and n.model_year = 2021 and f.value is not null",
                (year,),
            )
        ]
        return own, sum(theirs) / len(theirs), len(theirs)

    for year, years_from_start, phase in [(2017, -2, "before"), (2021, 2, "under_trust")]:
        own, neighbour_mean, neighbours = independently(year)
        row = query(
            published,
            "select value, neighbour_mean, neighbours_with_value, difference_from_neighbours, "
            "years_from_trust_start, trust_phase, trust_start_reporting_year, model_kind "
            "from marts.mart_delivery_model_comparison where la_code = 'E08000025' and reporting_year = ? "
            "and indicator_id = 'cla_rate_per_10k' and neighbour_model_year = 2021",
            (year,),
        )
        assert len(row) == 1, row
        value, mean, count, difference, relative, trust_phase, start_year, kind = row[0]
        assert (value, count, relative, trust_phase, start_year) == (own, neighbours, years_from_start, phase, 2019)
        assert mean == pytest.approx(neighbour_mean) and difference == pytest.approx(own - neighbour_mean)
        assert kind == ("none_recorded" if phase == "before" else "trust_or_company")
    # Doncaster after its trust: back with the council at 31 March 2023
    assert query(
        published,
        "select distinct trust_phase, model_kind from marts.mart_delivery_model_comparison "
        "where la_code = 'E08000017' and reporting_year = 2023",
    ) == [("after_trust", "none_recorded")]
