"""A return that cannot be read as the SSDA903 layout says stops that LA and year with
``ReturnFileError``: the message names the file, the row and column where there is one, and what
was expected, and never the value (it may be a child's date of birth). It is refused when added
to the inbox (nothing is copied) and when landed from a file put there by hand (nothing lands),
and what other LAs and the LA's earlier return landed stays as it was."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from orchestration.lib.returns import adding, inbox, landing, private
from orchestration.lib.returns.ssda903 import ReturnFileError
from orchestration.settings import Settings, get_settings

LA, OTHER_LA, YEAR = "E06000009", "E06000010", 2025
HEADER = """CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB
802001,1,14/03/2013,WBRI,A100000000001,,
802002,2,02/09/2010,WBRI,A100000000002,,
"""
EPISODES = """CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN
802001,01/05/2024,S,C2,N1,U1,PR1,01/09/2024,X1,,EG19 7TT,EG21 3AB,
802001,01/09/2024,P,C2,N1,U4,PR1,,,,EG19 7TT,EG21 3AB,
802002,01/06/2024,S,V2,N1,U1,PR1,,,,EG20 9ZZ,EG20 1AA,
"""
SW_EPISODES = "CHILD,DOB,SW_ID,SW_DECOM,SW_DEC,SW_REASON\n802001,14/03/2013,SW01,01/05/2021,,\n"
DOLO = "CHILD,DOB,DOLO_START,DOLO_END\n802001,14/03/2013,01/05/2024,\n"
# what no message may carry: the children's ids, UPNs, dates of birth and postcodes
CHILD_DATA = ("802001", "802002", "A100000000001", "14/03/2013", "02/09/2010", "EG19 7TT", "EG20 9ZZ")


def without_column(text: str, column: str) -> str:
    lines = [line.split(",") for line in text.splitlines()]
    drop = lines[0].index(column)
    return "".join(",".join(v for i, v in enumerate(line) if i != drop) + "\n" for line in lines)


def write(folder: Path, files: dict[str, str | bytes]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, content in files.items():
        path = folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        paths.append(path)
    return paths


@pytest.fixture
def settings(warehouse, monkeypatch) -> Settings:
    monkeypatch.delenv("CSC_RETURNS_DIR", raising=False)
    return get_settings()


def landed_rows(settings: Settings, table: str = "ssda903_episodes") -> dict[str, int]:
    """Rows in the private database by LA (none before anything has landed)."""
    with private.connect(settings, read_only=True) as con:
        if not con.execute("select count(*) from information_schema.tables where table_name = ?", [table]).fetchone()[
            0
        ]:
            return {}
        return dict(con.execute(f"select la_code, count(*) from {table} group by all").fetchall())


def assert_says(error: pytest.ExceptionInfo, fragments: tuple[str, ...], value: str | None) -> None:
    message = str(error.value)
    for fragment in fragments:
        assert fragment in message, message
    assert value is None or value not in message, message
    assert not [d for d in CHILD_DATA if d in message], message


CASES = [
    pytest.param(
        {"header.csv": HEADER.replace("MC_DOB", "MC_DOB,child"), "episodes.csv": EPISODES},
        YEAR,
        ("header.csv", "CHILD more than once in the header row", "expected each column once"),
        None,
        True,
        id="a column twice, in two cases",
    ),
    pytest.param(
        {"header.csv": HEADER, "episodes.csv": without_column(EPISODES, "DECOM")},
        YEAR,
        ("episodes.csv", "closest to episodes", "needs DECOM"),
        None,
        True,
        id="a table missing a column",
    ),
    pytest.param(
        {"header.csv": HEADER.replace("02/09/2010", "31/02/2015"), "episodes.csv": EPISODES},
        YEAR,
        ("header.csv", "row 3, column DOB", "expected a date as dd/mm/YYYY"),
        "31/02/2015",
        True,
        id="a date of birth that is no date",
    ),
    pytest.param(
        {"header.csv": HEADER.replace("02/09/2010", "02/09/10"), "episodes.csv": EPISODES},
        YEAR,
        ("header.csv", "row 3, column DOB", "expected a date as dd/mm/YYYY"),
        "02/09/10",
        True,
        id="a date of birth with a two-digit year",  # read as the year 10, a child 2014 years old
    ),
    pytest.param(
        {"header.csv": HEADER, "episodes.csv": EPISODES.replace("01/09/2024,P", "yesterday,P")},
        YEAR,
        ("episodes.csv", "row 3, column DECOM", "expected a date as dd/mm/YYYY"),
        "yesterday",
        True,
        id="a date that is a word",
    ),
    pytest.param(
        {"header.csv": HEADER, "episodes.csv": EPISODES},
        2016,
        ("collection year 2016", "no known SSDA903 layout", "2017 to 2027"),
        None,
        True,
        id="a year before the layouts known",
    ),
    pytest.param(
        {"header.csv": HEADER, "episodes.csv": EPISODES},
        2031,
        ("collection year 2031", "no known SSDA903 layout", "2017 to 2027"),
        None,
        True,
        id="a year after the layouts known",
    ),
    pytest.param(
        {"header.csv": HEADER, "episodes.csv": EPISODES, "sw_episodes.csv": SW_EPISODES},
        2022,
        ("sw_episodes.csv", "the sw_episodes table is collected from 2024", "a 2022 return has none"),
        None,
        True,
        id="social worker episodes before they were collected",
    ),
    pytest.param(
        {"header.csv": HEADER, "episodes.csv": EPISODES, "dolo.csv": DOLO},
        YEAR,
        ("dolo.csv", "the DoLo table is collected from 2027", "a 2025 return has none"),
        None,
        True,
        id="deprivation of liberty before it is collected",
    ),
    pytest.param(
        {"header.csv": HEADER, "episodes.csv": ""},
        YEAR,
        ("episodes.csv", "blank", "expected an SSDA903 table with a header row"),
        None,
        True,
        id="a blank file",
    ),
    pytest.param(
        {"header.csv": HEADER.encode("utf-16"), "episodes.csv": EPISODES},
        YEAR,
        ("header.csv", "UTF-16", "expected UTF-8"),
        None,
        True,
        id="a UTF-16 file",
    ),
    pytest.param(
        {"header.csv": HEADER, "header_2.csv": HEADER, "episodes.csv": EPISODES},
        YEAR,
        ("header_2.csv", "holds the header table, as header.csv does", "one file per table"),
        None,
        False,  # each file is readable: the return is refused when landed whole
        id="two files holding one table",
    ),
    pytest.param(
        {"header.csv": HEADER},
        YEAR,
        ("no episodes table among header.csv", "counting needs header and episodes"),
        None,
        False,  # the episodes may be added after the header
        id="no episodes",
    ),
]


@pytest.mark.parametrize(("files", "year", "fragments", "value", "refused_when_added"), CASES)
def test_an_unreadable_return_stops_its_la_and_year_and_says_why_without_the_value(
    settings, tmp_path, files, year, fragments, value, refused_when_added
):
    sent = write(tmp_path / "sent", files)
    folder = settings.inbox_dir / LA / str(year)
    if refused_when_added:
        with pytest.raises(ReturnFileError) as refused:
            adding.add_files(settings, sent, LA, year)
        assert_says(refused, fragments, value)
        assert not folder.exists()
        for path in sent:  # put in the inbox by hand: landing refuses it the same way
            folder.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, folder / path.name)
        ret = inbox.Return(LA, year, folder, tuple(sorted(folder / p.name for p in sent)))
    else:
        ret, _ = adding.add_files(settings, sent, LA, year)
    with pytest.raises(ReturnFileError) as refused:
        landing.land_return(settings, ret)
    assert_says(refused, fragments, value)
    assert landed_rows(settings) == {} and landed_rows(settings, "ssda903_returns") == {}


def test_a_bad_file_stops_its_own_la_and_loses_nothing_landed_before(settings, tmp_path):
    for la, episodes in ((LA, EPISODES), (OTHER_LA, EPISODES + "802002,01/12/2024,S,C2,N1,U1,PR1,,,,,,\n")):
        ret, _ = adding.add_files(
            settings, write(tmp_path / la, {"header.csv": HEADER, "episodes.csv": episodes}), la, YEAR
        )
        landing.land_return(settings, ret)
    before = {t: landed_rows(settings, t) for t in ("ssda903_episodes", "ssda903_header")}
    with private.connect(settings, read_only=True) as con:
        digests = dict(con.execute("select la_code, digest from ssda903_returns").fetchall())
    assert before["ssda903_episodes"] == {LA: 3, OTHER_LA: 4}

    (settings.inbox_dir / OTHER_LA / str(YEAR) / "episodes.csv").write_text(
        EPISODES.replace("01/06/2024", "31/02/2025"), encoding="utf-8"
    )
    ret = inbox.find(settings, inbox.partition_key(OTHER_LA, YEAR))
    with pytest.raises(ReturnFileError) as refused:
        landing.land_return(settings, ret)
    assert_says(refused, ("episodes.csv", "row 4, column DECOM", "expected a date"), "31/02/2025")

    assert {t: landed_rows(settings, t) for t in before} == before
    with private.connect(settings, read_only=True) as con:
        assert dict(con.execute("select la_code, digest from ssda903_returns").fetchall()) == digests


def test_adding_a_good_file_with_a_bad_one_copies_neither(settings, tmp_path):
    sent = write(
        tmp_path / "sent", {"header.csv": HEADER, "episodes.csv": EPISODES.replace("01/06/2024", "31/02/2025")}
    )
    with pytest.raises(ReturnFileError, match="episodes.csv: row 4, column DECOM"):
        adding.add_files(settings, sent, LA, YEAR)
    folder = settings.inbox_dir / LA / str(YEAR)
    assert not folder.exists() or not any(folder.iterdir())

    # with a return already in the inbox, its files stay as they were
    ret, _ = adding.add_files(
        settings, write(tmp_path / "first", {"header.csv": HEADER, "episodes.csv": EPISODES}), LA, YEAR
    )
    changed = write(tmp_path / "second", {"header.csv": HEADER.replace("WBRI", "WIRI"), "episodes.csv": ""})
    with pytest.raises(ReturnFileError, match="episodes.csv: the file is blank"):
        adding.add_files(settings, changed, LA, YEAR)
    assert {p.name: p.read_text() for p in folder.iterdir()} == {"header.csv": HEADER, "episodes.csv": EPISODES}
    assert inbox.find(settings, ret.partition).digest() == ret.digest()
