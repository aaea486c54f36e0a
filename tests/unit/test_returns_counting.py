"""Counting an LA's SSDA903 return the way DfE publishes it, on hand-made returns: each test is a
case where one of the rules in orchestration/lib/returns/sql/ssda903_figures.sql changes the
answer from what a naive count of the file gives; then suppression, two LAs side by side, and
what landing keeps of a child (nothing that names them)."""

from __future__ import annotations

import stat
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from orchestration.lib.returns import adding, counting, landing, private
from orchestration.settings import Settings, get_settings

LA, OTHER_LA, YEAR = "E06000009", "E06000010", 2025
COLUMNS = {
    "header": "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB",
    "episodes": "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN",
    "uasc": "CHILD,SEX,DOB,DUC",
}
CARE_ORDERS, VOLUNTARY = "Care orders", "Voluntary agreements under S20 CA 1989"
SECURE_AND_HOMES = "Secure units, children's homes and semi-independent living accommodation"


def child(child_id: str, dob: str, sex: str = "1", upn: str = "", mother: str = "", mc_dob: str = "") -> tuple:
    return (child_id, sex, dob, "WBRI", upn, mother, mc_dob)


def episode(
    child_id: str,
    decom: str,
    dec: str = "",
    rec: str = "",
    *,
    rne: str = "S",
    ls: str = "C2",
    place: str = "U1",
    home: str = "",
    placed: str = "",
) -> tuple:
    return (child_id, decom, rne, ls, "N1", place, "PR1", dec, rec, "", home, placed, "")


def write_return(folder: Path, **tables: list[tuple]) -> list[Path]:
    """One CSV per table, as a case management system exports them."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, rows in tables.items():
        path = folder / f"{name}.csv"
        path.write_text("\n".join([COLUMNS[name], *(",".join(row) for row in rows)]) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


@pytest.fixture
def settings(warehouse, monkeypatch) -> Settings:
    monkeypatch.delenv("CSC_RETURNS_DIR", raising=False)
    return get_settings()


@pytest.fixture
def land(settings, tmp_path):
    """Send a return to the inbox, land it, and count it: the figures, as counted and shown. The
    return has a uasc table, empty unless given (test_a_return_without_a_uasc_table_is_counted)."""

    def run(la: str = LA, **tables: list[tuple]) -> pl.DataFrame:
        files = write_return(tmp_path / "sent" / la, **{"uasc": [], **tables})
        ret, _ = adding.add_files(settings, files, la, YEAR)
        landing.land_return(settings, ret)
        return counting.count_return(settings, la, YEAR)

    return run


def number(figures: pl.DataFrame, measure: str, breakdown: str = "Total", category: str = "Total") -> int:
    """A figure as counted; a category with no row is none."""
    found = figures.filter(
        (pl.col("measure") == measure) & (pl.col("breakdown") == breakdown) & (pl.col("category") == category)
    )
    assert found.height <= 1
    return found["number"][0] if found.height else 0


def totals(figures: pl.DataFrame) -> dict[str, int]:
    return {
        m: number(figures, m)
        for m in ("cla_count", "cla_started_count", "cla_ceased_count", "cla_short_term_placements_count")
    }


# --- the counting rules ---------------------------------------------------------------------


def test_a_child_moving_placements_within_one_period_of_care_counts_once(land):
    # three episodes: counting episodes gives 3 started and 2 ceased; one child started, none ceased
    figures = land(
        header=[child("704501", "10/10/2012")],
        episodes=[
            episode("704501", "01/05/2024", "01/08/2024", "X1", place="U1"),
            episode("704501", "01/08/2024", "01/11/2024", "X1", rne="P", place="U4"),
            episode("704501", "01/11/2024", rne="P", place="K2"),
        ],
    )
    assert totals(figures) == {
        "cla_count": 1,
        "cla_started_count": 1,
        "cla_ceased_count": 0,
        "cla_short_term_placements_count": 0,
    }
    # the child at 31 March is described by the placement they are in then
    assert number(figures, "cla_count", "Placement", SECURE_AND_HOMES) == 1
    assert number(figures, "cla_count", "Placement", "Foster placements") == 0


def test_two_periods_of_care_count_one_start_described_by_the_first(land):
    # two S episodes: counting starts gives 2; only the first occasion counts, as DfE's figures do
    figures = land(
        header=[child("704502", "15/06/2014")],
        episodes=[
            episode("704502", "01/05/2024", "01/06/2024", "E11", ls="V2"),  # aged 9, voluntary
            episode("704502", "01/09/2024", ls="C2"),  # aged 10, care order, open at 31 March
        ],
    )
    assert number(figures, "cla_started_count") == 1
    assert number(figures, "cla_ceased_count") == 1
    assert number(figures, "cla_count") == 1
    assert number(figures, "cla_started_count", "Legal status", VOLUNTARY) == 1
    assert number(figures, "cla_started_count", "Legal status", CARE_ORDERS) == 0
    assert number(figures, "cla_started_count", "Age group", "5 to 9 years") == 1
    assert number(figures, "cla_started_count", "Age group", "10 to 15 years") == 0
    assert number(figures, "cla_count", "Legal status", CARE_ORDERS) == 1


def test_two_periods_of_care_ending_in_one_year_count_one_cease_described_by_the_last(land):
    # two ends of care: counting them gives 2; only the last occasion counts
    figures = land(
        header=[child("704503", "15/01/2015")],
        episodes=[
            episode("704503", "01/05/2024", "01/06/2024", "E13"),  # aged 9 when it ends
            episode("704503", "01/07/2024", "01/02/2025", "E11"),  # aged 10 when it ends
        ],
    )
    assert number(figures, "cla_ceased_count") == 1
    assert number(figures, "cla_ceased_count", "Age group", "10 to 15 years") == 1
    assert number(figures, "cla_ceased_count", "Age group", "5 to 9 years") == 0
    assert number(figures, "cla_started_count", "Age group", "5 to 9 years") == 1
    assert number(figures, "cla_count") == 0


def test_a_child_only_ever_on_short_breaks_is_counted_apart(land):
    # open under V4 at 31 March, with three starts and two ends: a naive count has them in all three
    figures = land(
        header=[child("704504", "01/01/2012")],
        episodes=[
            episode("704504", "01/05/2024", "03/05/2024", "E8", ls="V3"),
            episode("704504", "01/08/2024", "04/08/2024", "E8", ls="V3"),
            episode("704504", "28/03/2025", ls="V4"),
        ],
    )
    assert totals(figures) == {
        "cla_count": 0,
        "cla_started_count": 0,
        "cla_ceased_count": 0,
        "cla_short_term_placements_count": 1,
    }


def test_a_child_on_a_short_break_then_a_care_order_is_looked_after(land):
    # leaving out every child with a V3 episode would give 0 looked after and 1 on short breaks
    figures = land(
        header=[child("704505", "01/01/2012")],
        episodes=[
            episode("704505", "01/05/2024", "03/05/2024", "E8", ls="V3"),
            episode("704505", "01/09/2024", ls="C2"),
        ],
    )
    assert totals(figures) == {
        "cla_count": 1,
        "cla_started_count": 1,
        "cla_ceased_count": 0,  # the short break's end is not care ending
        "cla_short_term_placements_count": 0,
    }
    assert number(figures, "cla_started_count", "Legal status", CARE_ORDERS) == 1


def test_the_year_runs_from_1_april_to_31_march(land):
    # every start in the file is 3; the one on 31 March 2024 belongs to the year before
    figures = land(
        header=[child("704506", "01/01/2012"), child("704507", "01/01/2012"), child("704508", "01/01/2012")],
        episodes=[
            episode("704506", "01/04/2024"),
            episode("704507", "31/03/2024"),
            episode("704508", "31/03/2025"),
        ],
    )
    assert number(figures, "cla_started_count") == 2
    assert number(figures, "cla_count") == 3  # still open on 31 March 2025, whenever it started


def test_care_ending_on_31_march_is_ceased_and_not_looked_after_at_31_march(land):
    # "no end date before 31 March" would count it looked after; a care ended a year before is neither
    figures = land(
        header=[child("704509", "01/01/2012"), child("704510", "01/01/2012")],
        episodes=[
            episode("704509", "01/06/2024", "31/03/2025", "E11"),
            episode("704510", "01/06/2023", "31/03/2024", "E11"),
        ],
    )
    assert number(figures, "cla_ceased_count") == 1
    assert number(figures, "cla_count") == 0
    assert number(figures, "cla_started_count") == 1


def test_a_child_is_uasc_at_31_march_only_until_their_uasc_status_ceased(land):
    # everyone in uasc.csv is 2; one stopped being an unaccompanied asylum seeker before 31 March
    figures = land(
        header=[child("704511", "01/01/2009"), child("704512", "01/01/2009"), child("704513", "01/01/2009")],
        episodes=[episode("704511", "01/06/2024"), episode("704512", "01/06/2024"), episode("704513", "01/06/2024")],
        uasc=[("704511", "1", "01/01/2009", "01/06/2025"), ("704512", "1", "01/01/2009", "01/01/2025")],
    )
    assert number(figures, "cla_count", "UASC", "Unaccompanied asylum-seeking children") == 1
    assert number(figures, "cla_count", "UASC", "Non-unaccompanied asylum-seeking children") == 2


def test_ages_come_from_the_full_date_of_birth_though_only_the_month_is_kept(land):
    # by year of birth both 2015 children are 10 at 31 March; by month of birth (what the private
    # database keeps) the child born 20 June 2014 would be 10 when starting on 10 June 2024
    figures = land(
        header=[child("704514", "15/04/2015"), child("704515", "31/03/2015"), child("704516", "20/06/2014")],
        episodes=[
            episode("704514", "01/01/2024"),
            episode("704515", "01/01/2024"),
            episode("704516", "10/06/2024"),
        ],
    )
    assert number(figures, "cla_count", "Age group", "5 to 9 years") == 1
    assert number(figures, "cla_count", "Age group", "10 to 15 years") == 2
    assert number(figures, "cla_started_count") == 1
    assert number(figures, "cla_started_count", "Age group", "5 to 9 years") == 1


def test_a_return_without_a_uasc_table_is_counted(settings, tmp_path):
    # uasc is not a table counting needs (ssda903.COUNTED): its children count as not UASC
    files = write_return(
        tmp_path / "sent", header=[child("704517", "01/01/2012")], episodes=[episode("704517", "01/06/2024")]
    )
    ret, _ = adding.add_files(settings, files, LA, YEAR)
    assert "uasc" in landing.land_return(settings, ret).missing
    figures = counting.count_return(settings, LA, YEAR)
    assert number(figures, "cla_count", "UASC", "Non-unaccompanied asylum-seeking children") == 1


# --- suppression ----------------------------------------------------------------------------


def suppressed(*rows: tuple[str, str, str, int]) -> dict[tuple[str, str, str], int | None]:
    """(measure, breakdown, category) -> the number shown, None where suppressed."""
    figures = pl.DataFrame(
        rows,
        schema={"measure": pl.Utf8, "breakdown": pl.Utf8, "category": pl.Utf8, "number": pl.Int64},
        orient="row",
    ).with_columns(pl.lit(LA).alias("la_code"), pl.lit(YEAR).alias("collection_year"))
    out = counting.suppress(figures)
    assert out.filter(pl.col("suppressed") != pl.col("shown").is_null()).height == 0
    return {(r["measure"], r["breakdown"], r["category"]): r["shown"] for r in out.to_dicts()}


def test_counts_of_one_to_five_are_suppressed_and_zero_and_six_are_shown():
    # "below 6" would hide the zero, which discloses no child
    shown = suppressed(
        ("m0", "Total", "Total", 0),
        ("m1", "Total", "Total", 1),
        ("m5", "Total", "Total", 5),
        ("m6", "Total", "Total", 6),
    )
    assert shown == {
        ("m0", "Total", "Total"): 0,
        ("m1", "Total", "Total"): None,
        ("m5", "Total", "Total"): None,
        ("m6", "Total", "Total"): 6,
    }


def test_a_lone_small_cell_takes_the_next_smallest_non_zero_cell_with_it():
    # shown alone, 19 - 0 - 7 - 9 would give the suppressed 3 away
    shown = suppressed(
        ("cla_count", "Total", "Total", 19),
        ("cla_count", "Age group", "Under 1 year", 3),
        ("cla_count", "Age group", "1 to 4 years", 0),
        ("cla_count", "Age group", "5 to 9 years", 7),
        ("cla_count", "Age group", "10 to 15 years", 9),
        ("cla_count", "Gender", "Male", 10),
        ("cla_count", "Gender", "Female", 9),
    )
    assert shown == {
        ("cla_count", "Total", "Total"): 19,
        ("cla_count", "Age group", "Under 1 year"): None,
        ("cla_count", "Age group", "1 to 4 years"): 0,
        ("cla_count", "Age group", "5 to 9 years"): None,
        ("cla_count", "Age group", "10 to 15 years"): 9,
        ("cla_count", "Gender", "Male"): 10,  # another breakdown loses nothing
        ("cla_count", "Gender", "Female"): 9,
    }


def test_totals_take_no_secondary_suppression():
    # taken together as one breakdown, the lone small total would take the other measure's 6 with it
    shown = suppressed(("cla_ceased_count", "Total", "Total", 4), ("cla_started_count", "Total", "Total", 6))
    assert shown == {("cla_ceased_count", "Total", "Total"): None, ("cla_started_count", "Total", "Total"): 6}


def test_two_small_cells_in_a_breakdown_need_no_more():
    # neither can be worked out from the total: suppressing the next smallest too would hide the 10
    shown = suppressed(
        ("cla_count", "Total", "Total", 16),
        ("cla_count", "Gender", "Male", 2),
        ("cla_count", "Gender", "Female", 4),
        ("cla_count", "Gender", "Unknown", 10),
    )
    assert shown == {
        ("cla_count", "Total", "Total"): 16,
        ("cla_count", "Gender", "Male"): None,
        ("cla_count", "Gender", "Female"): None,
        ("cla_count", "Gender", "Unknown"): 10,
    }


# --- two LAs --------------------------------------------------------------------------------


def landed_rows(settings: Settings) -> dict[str, int]:
    with private.connect(settings, read_only=True) as con:
        return dict(con.execute("select la_code, count(*) from ssda903_episodes group by all").fetchall())


def test_each_la_counts_its_own_children_and_relanding_one_leaves_the_other(land, settings):
    # the two LAs share child ids: counting the database's rows without the LA gives 3, then 4
    header = [child("1001", "01/01/2012"), child("1002", "01/01/2013")]
    first = land(LA, header=header, episodes=[episode("1001", "01/06/2024"), episode("1002", "01/07/2024")])
    other = land(OTHER_LA, header=header[:1], episodes=[episode("1001", "01/06/2024")])
    assert number(first, "cla_count") == 2 and number(other, "cla_count") == 1
    assert landed_rows(settings) == {LA: 2, OTHER_LA: 1}
    with private.connect(settings, read_only=True) as con:
        ids = dict(con.execute("select la_code, list(child) from ssda903_header group by all").fetchall())
    assert not set(ids[LA]) & set(ids[OTHER_LA])  # the same id in two LAs is two children

    other = land(
        OTHER_LA,
        header=[child("1001", "01/01/2012"), child("1003", "01/01/2014"), child("1004", "01/01/2015")],
        episodes=[
            episode("1001", "01/06/2024", "01/12/2024", "E13"),
            episode("1003", "01/08/2024"),
            episode("1004", "01/09/2024"),
        ],
    )
    assert (number(other, "cla_count"), number(other, "cla_ceased_count")) == (2, 1)
    assert number(other, "cla_started_count") == 3
    assert landed_rows(settings) == {LA: 2, OTHER_LA: 3}
    again = counting.count_return(settings, LA, YEAR)
    assert totals(again) == totals(first)


# --- what landing keeps of a child ----------------------------------------------------------

CHILD_IDS = ("704601", "704602", "704603")
UPNS = ("A123456789012", "B987654321098", "C555555555555")
BIRTHS = ("15/04/2015", "07/11/2012", "23/02/1994", "2015-04-15", "2012-11-07", "1994-02-23")
POSTCODES = ("EG19 7TT", "EG21 3AB", "EG193XY", "EG20 9ZZ")


def test_landing_keeps_no_name_id_birthday_or_full_postcode_and_only_its_owner_can_read_it(land, settings):
    land(
        header=[
            child("704601", "15/04/2015", upn=UPNS[0]),
            child("704602", "07/11/2012", sex="2", upn=UPNS[1]),
            child("704603", "23/02/1994", sex="2", upn=UPNS[2], mother="1", mc_dob="07/11/2012"),
        ],
        episodes=[
            episode("704601", "01/06/2024", home="EG19 7TT", placed="EG21 3AB"),
            episode("704602", "01/07/2024", home="EG193XY", placed="EG20 9ZZ"),
        ],
        uasc=[("704601", "1", "15/04/2015", "")],
    )
    with private.connect(settings, read_only=True) as con:
        columns = con.execute(
            "select table_name, column_name, data_type from information_schema.columns "
            "where table_name like 'ssda903_%'"
        ).fetchall()
        text = {
            value
            for table, column, kind in columns
            if kind == "VARCHAR"
            for (value,) in con.execute(f'select distinct "{column}" from {table}').fetchall()
            if value is not None
        }
        births = {
            value
            for table, column, kind in columns
            if column in ("dob", "mc_dob")
            for (value,) in con.execute(f"select distinct {column} from {table}").fetchall()
            if value is not None
        }
        districts = con.execute("select distinct home_post, pl_post from ssda903_episodes order by 1, 2").fetchall()
    assert {t for t, _, _ in columns} >= {"ssda903_header", "ssda903_episodes", "ssda903_uasc", "ssda903_figures"}
    assert not [c for _, c, _ in columns if c.lower() == "upn"]
    assert not text & {*CHILD_IDS, *UPNS, *BIRTHS, *POSTCODES}
    assert not [v for v in text if any(s in v for s in (*UPNS, *BIRTHS, *POSTCODES))]
    assert births == {date(2015, 4, 1), date(2012, 11, 1), date(1994, 2, 1)}
    assert districts == [("EG19", "EG20"), ("EG19", "EG21")]

    def mode(path: Path) -> int:
        return stat.S_IMODE(path.stat().st_mode)

    assert mode(settings.private_dir) == 0o700
    assert mode(settings.private_dir / private.DB_NAME) == 0o600
    assert mode(settings.private_dir / private.KEY_NAME) == 0o600
    assert {mode(f) for f in (settings.private_dir / "files").iterdir()} == {0o600}
    assert mode(settings.inbox_dir / LA / str(YEAR)) == 0o700


def test_a_child_listed_twice_in_the_header_is_one_child(land):
    # DfE's rules flag the repeated header row; a join on it would count the child twice
    figures = land(
        header=[child("704531", "01/01/2012"), child("704531", "01/01/2012"), child("704532", "01/01/2012")],
        episodes=[episode("704531", "01/06/2024"), episode("704532", "01/06/2024")],
    )
    assert number(figures, "cla_count") == 2 and number(figures, "cla_started_count") == 2
    assert number(figures, "cla_count", "Age group", "10 to 15 years") == 2


def test_child_ids_match_whatever_their_case_as_dfes_tool_reads_them(land):
    # the header's "ab01" and the episodes' "AB01" are one child: a case-sensitive join would
    # leave their age and gender unknown
    figures = land(header=[child("ab01", "01/01/2012", sex="2")], episodes=[episode("AB01", "01/06/2024")])
    assert number(figures, "cla_count", "Gender", "Female") == 1
    assert number(figures, "cla_count", "Age group", "Unknown") == 0


def test_uasc_status_ceasing_is_kept_to_the_month_and_counts_the_same(land, settings):
    # the date is usually the child's 18th birthday: kept to the month, as dates of birth are; a
    # date in March (before or on 31 March) is still before it, a date in April still after
    figures = land(
        header=[child("704541", "01/01/2008"), child("704542", "01/01/2008"), child("704543", "01/01/2008")],
        episodes=[episode(c, "01/06/2024") for c in ("704541", "704542", "704543")],
        uasc=[
            ("704541", "1", "01/01/2008", "15/03/2025"),
            ("704542", "1", "01/01/2008", "31/03/2025"),
            ("704543", "1", "01/01/2008", "02/04/2025"),
        ],
    )
    assert number(figures, "cla_count", "UASC", "Unaccompanied asylum-seeking children") == 1
    with private.connect(settings, read_only=True) as con:
        days = {r[0] for r in con.execute("select distinct day(duc) from ssda903_uasc").fetchall()}
    assert days == {1}


def test_the_xml_form_marks_a_uasc_child_by_its_flag(settings, tmp_path):
    # DfE's XML says UASC 1 in the child's header; its date status ceased may be blank while it lasts
    xml = (
        '<?xml version="1.0"?><EXPSSDA903>'
        "<CHILD><HEADER><CHILDID>704551</CHILDID><SEX>1</SEX><DOB>01/01/2009</DOB><UASC>1</UASC><DUC /></HEADER>"
        "<EPISODE><DECOM>01/06/2024</DECOM><RNE>S</RNE><LS>C2</LS><CIN>N1</CIN><PL>U1</PL></EPISODE></CHILD>"
        "<CHILD><HEADER><CHILDID>704552</CHILDID><SEX>1</SEX><DOB>01/01/2009</DOB><UASC>0</UASC></HEADER>"
        "<EPISODE><DECOM>01/06/2024</DECOM><RNE>S</RNE><LS>C2</LS><CIN>N1</CIN><PL>U1</PL></EPISODE></CHILD>"
        "</EXPSSDA903>"
    )
    (tmp_path / "return.xml").write_text(xml, encoding="utf-8")
    ret, _ = adding.add_files(settings, [tmp_path / "return.xml"], LA, YEAR)
    landing.land_return(settings, ret)
    figures = counting.count_return(settings, LA, YEAR)
    assert number(figures, "cla_count", "UASC", "Unaccompanied asylum-seeking children") == 1
    assert number(figures, "cla_count", "UASC", "Non-unaccompanied asylum-seeking children") == 1
