"""Boundary changes: dim_local_authority knows every LA from the first year any source shows it
to its last, with its successors and predecessors and how it was retired (Cumbria's and
Northamptonshire's splits, Bournemouth into BCP, North Yorkshire's recode, Bedfordshire and
Cheshire in 2009); a retired LA's figures stop in its last year, and LA codes recoded since are
found in older CIN years under today's code. Reads this module's copy of the session's published
warehouse and changes nothing in it.
"""

import pytest

from tests.support.published import latest, query

pytestmark = pytest.mark.e2e


def test_boundary_changes(published):
    dim = {
        r[0]: r[1:]
        for r in query(
            published,
            "select la_code, la_name, first_year, last_year, is_current, successor_la_codes, "
            "predecessor_la_codes, retirement_kind from marts.dim_local_authority",
        )
    }
    assert len(dim) == 167 and sum(r[3] for r in dim.values()) == 153
    # first_year is the first year any source shows: the section 251 outturn 2008-09 (time_period 2009)
    assert dim["E10000006"] == ("Cumbria", 2009, 2023, False, "E06000063,E06000064", None, "split")
    assert dim["E06000063"][:4] == ("Cumberland", 2024, None, True)
    assert dim["E10000021"][2:] == (2021, False, "E06000061,E06000062", None, "split")
    assert dim["E06000028"][2] == 2019 and dim["E06000058"][1] == 2020  # Bournemouth -> BCP
    assert dim["E06000058"][5] == "E06000028,E06000029,E10000009"
    assert dim["E10000023"][3:] == (False, "E06000065", None, "recode")
    # North Yorkshire's series runs on under its new code, back to its first year.
    assert dim["E06000065"][1:3] == (2009, None)
    # 2009: Bedfordshire and Cheshire, seen only in the section 251 outturn 2008-09 (DfE 820, 875)
    assert dim["E10000001"] == ("Bedfordshire", 2009, 2009, False, "E06000055,E06000056", None, "split")
    assert dim["E10000004"][3:5] == (False, "E06000049,E06000050")
    assert dim["E06000055"][1] == 2010
    assert latest(published, "E06000065", 2018) == (437, "published", "ees_2022")
    assert latest(published, "E10000006", 2023) == (740, "published", "ees_2025")
    assert query(
        published,
        "select count(*) from marts.fct_children_looked_after where la_code = 'E10000006' and time_period > 2023",
    ) == [(0,)]
    assert query(
        published, "select max(time_period) from marts.fct_children_looked_after where la_code = 'E10000021'"
    ) == [(2021,)]


def test_recodes_found_in_older_cin_years(published):
    # Buckinghamshire: the 2025 CIN release prints E10000002 up to 2020 and E06000060 after.
    rows = query(
        published,
        "select time_period, value from marts.fct_la_indicator where la_code = 'E06000060' "
        "and indicator_id = 'cin_count' and release = 'ees_2025' and time_period between 2019 and 2021 order by 1",
    )
    assert rows == [(2019, 3338), (2020, 3328), (2021, 3453)]
    assert query(
        published,
        "select count(*) from marts.fct_la_indicator where la_code in ('E10000002', 'E08000020', 'E06000048')",
    ) == [(0,)]
