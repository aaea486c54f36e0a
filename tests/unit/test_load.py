import shutil

import duckdb
import pytest

from orchestration.lib.ingest.catalogue import load_catalogue
from orchestration.lib.ingest.landing import fetch
from orchestration.lib.ingest.load import load_family
from orchestration.lib.ingest.parse import SourceFormatError
from tests.support.helpers import FIXTURE_MIRROR

CLA = load_catalogue().family("cla_number_and_rate_per_10k")
FIXTURE_RELEASES = [r for r in CLA.releases if r.release in ("ees_2024", "ees_2025")]


def land(settings, releases=FIXTURE_RELEASES):
    return [fetch(settings, r) for r in releases]


def test_vintages_stack_with_lineage(fixture_mirror):
    with duckdb.connect(str(fixture_mirror.duckdb_path)) as con:
        result = load_family(con, CLA, land(fixture_mirror))
        assert result.row_count == 6 + 3
        rows = con.execute(
            "select _release, _source_file, _row_number, children_count, measure from raw.cla_number_and_rate_per_10k "
            "where old_la_code = '839' and time_period = '2024' order by _release"
        ).fetchall()
        assert [r[0] for r in rows] == ["ees_2024", "ees_2025"]
        assert [r[3] for r in rows] == ["546", "547"]  # the later vintage revised the value
        assert {r[4] for r in rows} == {"Children looked after at 31 March each year"}
        assert rows[0][1] == "cla_number_and_rate_per_10k_children.csv" and rows[0][2] == 4
        sha = con.execute(
            "select distinct _sha256 from raw.cla_number_and_rate_per_10k where _release = 'ees_2024'"
        ).fetchall()
        assert sha == [(land(fixture_mirror)[0].sha256,)]


def test_unchanged_files_are_not_reloaded(fixture_mirror):
    with duckdb.connect(str(fixture_mirror.duckdb_path)) as con:
        load_family(con, CLA, land(fixture_mirror))
        before = con.execute(
            "select _release, min(_loaded_at) from raw.cla_number_and_rate_per_10k group by 1 order by 1"
        ).fetchall()
        again = load_family(con, CLA, land(fixture_mirror))
        assert again.loaded == [] and len(again.unchanged) == 2
        after = con.execute(
            "select _release, min(_loaded_at) from raw.cla_number_and_rate_per_10k group by 1 order by 1"
        ).fetchall()
        assert after == before


def test_changed_file_replaces_only_its_release(fixture_mirror, tmp_path, monkeypatch):
    mirror = tmp_path / "mirror"
    shutil.copytree(FIXTURE_MIRROR, mirror)
    monkeypatch.setenv("CSC_SOURCE_MIRROR", str(mirror))
    from orchestration.settings import get_settings

    settings = get_settings()
    with duckdb.connect(str(settings.duckdb_path)) as con:
        load_family(con, CLA, land(settings))
        path = mirror / FIXTURE_RELEASES[1].relative_path
        path.write_bytes(path.read_bytes().replace(b",560,75", b",561,75"))
        result = load_family(con, CLA, land(settings))
        assert result.loaded == ["ees_2025/cla_number_and_rate_per_10k_children.csv"]
        assert con.execute("select count(*) from raw.cla_number_and_rate_per_10k").fetchone()[0] == 9
        assert con.execute(
            "select children_count from raw.cla_number_and_rate_per_10k where _release = 'ees_2025' and time_period = '2025' and old_la_code = '839'"
        ).fetchone() == ("561",)


def test_a_bad_file_changes_nothing(fixture_mirror, tmp_path, monkeypatch):
    with duckdb.connect(str(fixture_mirror.duckdb_path)) as con:
        load_family(con, CLA, land(fixture_mirror))
        before = con.execute("select * from raw.cla_number_and_rate_per_10k order by all").fetchall()
        mirror = tmp_path / "mirror"
        shutil.copytree(FIXTURE_MIRROR, mirror)
        path = mirror / FIXTURE_RELEASES[1].relative_path
        path.write_bytes(path.read_bytes().replace(b"children_count", b"kids"))
        monkeypatch.setenv("CSC_SOURCE_MIRROR", str(mirror))
        from orchestration.settings import get_settings

        with pytest.raises(SourceFormatError, match=r"cla/ees_2025/.*unexpected column\(s\) \['kids'\]"):
            load_family(con, CLA, land(get_settings()))
        assert con.execute("select * from raw.cla_number_and_rate_per_10k order by all").fetchall() == before


def test_release_dropped_from_catalogue_is_removed(fixture_mirror):
    with duckdb.connect(str(fixture_mirror.duckdb_path)) as con:
        load_family(con, CLA, land(fixture_mirror))
        result = load_family(con, CLA, land(fixture_mirror, FIXTURE_RELEASES[1:]))
        assert result.removed == ["ees_2024/cla_number_and_rate_per_10k_children.csv"]
        assert con.execute("select distinct _release from raw.cla_number_and_rate_per_10k").fetchall() == [
            ("ees_2025",)
        ]
        assert con.execute("select count(*) from meta.source_files").fetchone()[0] == 1


def test_a_catalogue_change_reparses_an_unchanged_file(fixture_mirror):
    """A new recode (say, a publisher's erratum) must reach raw without the file changing."""
    import dataclasses

    with duckdb.connect(str(fixture_mirror.duckdb_path)) as con:
        load_family(con, CLA, land(fixture_mirror))
        fixed = dataclasses.replace(
            CLA, values={**CLA.values, "la_name": {"City of London": "City of London Corporation"}}
        )
        assert fixed.parse_spec(FIXTURE_RELEASES[0]) != CLA.parse_spec(FIXTURE_RELEASES[0])
        result = load_family(con, fixed, land(fixture_mirror))
        assert len(result.loaded) == 2 and result.unchanged == []
        names = {r[0] for r in con.execute("select la_name from raw.cla_number_and_rate_per_10k").fetchall()}
        assert "City of London Corporation" in names and "City of London" not in names
        assert load_family(con, fixed, land(fixture_mirror)).loaded == []  # and then it is settled
