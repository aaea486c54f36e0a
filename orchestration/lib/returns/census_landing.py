"""Landing one LA's children in need census for one year: its file read and checked against the
year's schema (cin_census.py), kept by sha256 in the private area, pseudonymised, and written to
the private database as ``cin_census_<table>`` rows of that LA and year (one table per block of
the census: children, episodes, assessments, ...), with the places the file departs from its
schema (``cin_census_schema_issues``: lines and elements, never values). Whole or not at all, in
one transaction, as landing.py lands the SSDA903.

The child's age at 31 March is worked out before the date of birth goes to the month; UPNs and
former UPNs are not kept; the LA's child id becomes the keyed pseudonym the SSDA903 uses, so the
same child of the same LA has the same pseudonym in every year's census.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from orchestration.lib.returns import cin_census, private
from orchestration.lib.returns.inbox import CIN_CENSUS, Return
from orchestration.lib.returns.landing import Landed, age_at, keep_files, record_return, replace_rows
from orchestration.settings import Settings

DROPPED = ("UPN", "FormerUPN")
MONTHS = ("PersonBirthDate", "ExpectedPersonBirthDate", "PersonDeathDate")  # to the first of the month
PSEUDONYMISED = ("LAchildID",)


def read_census(ret: Return) -> cin_census.CinCensus:
    """The return's one file read as its year's CIN census (refused whole if it is not one)."""
    return cin_census.read_file(ret.files[0], ret.year)


def pseudonymise(census: cin_census.CinCensus, ret: Return, pseudonymiser: private.Pseudonymiser) -> dict:
    """Every table of the census as it lands, lower-cased, after its LA, year and file."""
    march_31 = date(ret.year, 3, 31)
    out = {}
    for name, frame in census.tables.items():
        if name == "children":  # NULL for a child not yet born on 31 March
            age = age_at(pl.col("PersonBirthDate"), pl.lit(march_31))
            frame = frame.with_columns(
                pl.when(pl.col("PersonBirthDate") <= march_31).then(age).alias("age_at_31_march")
            )
        frame = frame.drop([c for c in DROPPED if c in frame.columns]).with_columns(
            [private.month_of(c) for c in MONTHS if c in frame.columns]
            + [pseudonymiser.children(frame[c]).alias(c) for c in PSEUDONYMISED if c in frame.columns]
        )
        out[name] = frame.select(
            pl.lit(ret.la_code).alias("la_code"),
            pl.lit(ret.year).alias("collection_year"),
            pl.lit(census.file.name).alias("source_file"),
            pl.all(),
        ).rename({c: c.lower() for c in frame.columns})
    return out


def land_census(settings: Settings, ret: Return, census: cin_census.CinCensus | None = None) -> Landed:
    """Land the CIN census ``ret`` (read here when ``census`` is not given)."""
    census = census if census is not None else read_census(ret)
    landed = keep_files(settings, ret)
    landed.rows = {name: frame.height for name, frame in census.tables.items()}
    rows = pseudonymise(census, ret, private.Pseudonymiser(private.pseudonym_key(settings), ret.la_code))
    rows["schema_issues"] = census.schema_issues.select(
        pl.lit(ret.la_code).alias("la_code"),
        pl.lit(ret.year).alias("collection_year"),
        pl.lit(census.file.name).alias("source_file"),
        pl.all(),
    )
    with private.connect(settings) as con:
        con.execute("begin")
        replace_rows(con, CIN_CENSUS, rows, ret)
        record_return(con, CIN_CENSUS, landed, "schema_issues bigint", {"schema_issues": census.schema_issues.height})
        con.execute("commit")
    return landed
