"""Every release vintage of the projected series, with the day each was published, and what a
forecaster could have seen on an origin.

An origin is 1 February of a year, when LAs set their budgets for the year from April. The
warehouse keeps every vintage of every figure (``marts.fct_la_indicator``,
``marts.fct_england_region_indicator``) and the publication day of each release
(``meta.release_index.published_at``: the publisher's date where discovery found one, else the
catalogue's). On an origin, each period takes the latest vintage published on or before it. A
period that no such vintage holds, though a forecaster would have had it (the bundle lacks that
year's release), takes the first vintage that does hold it, published later: that row is a
*fallback*, and a forecast resting on one is scored apart from the truly as-published ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import polars as pl

# the day of the year a forecast is made: budgets are set in February for the year from April
ORIGIN_MONTH, ORIGIN_DAY = 2, 1
POPULATION = "population_0_17"
FLOWS = ("cla_started_count", "cla_ceased_count")  # the stock-flow model's starts and ceased
ENGLAND = "E92000001"


@dataclass(frozen=True)
class Projected:
    """A projected indicator: its rate per 10,000 children (from dim_indicator's rate columns),
    the flows of a stock-flow model, and the first period of a series that begins with a new
    collection (spend: MHCLG's RO3 from 2022-23; DfE's section 251 outturn before it counts
    other lines, so the two are not joined)."""

    indicator_id: str
    flows: tuple[str, str] | None = None
    first_period: int | None = None


PROJECTED = (
    Projected("cla_count", flows=FLOWS),
    Projected("cin_count"),
    Projected("cpp_count"),
    Projected("csc_spend_total_gbp", first_period=2023),
)


def origin_date(origin_year: int) -> date:
    return date(origin_year, ORIGIN_MONTH, ORIGIN_DAY)


class VintageError(ValueError):
    """A vintage the backtest cannot place in time."""


def inputs_needed() -> list[str]:
    ids = {p.indicator_id for p in PROJECTED} | {POPULATION}
    ids |= {f for p in PROJECTED if p.flows for f in p.flows}
    return sorted(ids)


VINTAGES_SQL = """
with published as (
    select source, release, min(try_cast(left(published_at, 10) as date)) as published_on
    from meta.release_index group by all
),
family_source as (select distinct family, source from meta.release_index),
indicator_source as (
    select distinct i.indicator_id, f.source, i.period_type
    from marts.dim_indicator as i
    cross join unnest(string_split(i.source_family, ',')) as t(family)
    inner join family_source as f on f.family = trim(t.family)
    where i.indicator_id in (select unnest($ids))
),
vintages as (
    select 'la' as area_level, la_code as area_code, indicator_id, time_period, value, release
    from marts.fct_la_indicator
    where indicator_id in (select unnest($ids)) and is_published and value is not null
      and release not like 'la_return_%'
    union all
    select case geographic_level when 'England' then 'england' else 'region' end, area_code, indicator_id,
           time_period, value, release
    from marts.fct_england_region_indicator
    where geographic_level in ('England', 'Region') and indicator_id in (select unnest($ids)) and value is not null
)
select v.indicator_id, s.period_type, v.area_level, v.area_code, v.time_period, v.value, v.release,
       s.source, p.published_on
from vintages as v
inner join indicator_source as s using (indicator_id)
left join published as p on p.source = s.source and p.release = v.release
"""


def read_vintages(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Every published value of the projected series and their inputs, with its release's day.
    Raises :class:`VintageError` naming a release that has no publication day."""
    frame = pl.from_arrow(con.sql(VINTAGES_SQL, params={"ids": inputs_needed()}).to_arrow_table())
    undated = frame.filter(pl.col("published_on").is_null()).select("source", "release").unique().sort("release")
    if undated.height:
        named = ", ".join(f"{r['source']}/{r['release']}" for r in undated.iter_rows(named=True))
        raise VintageError(
            f"meta.release_index has no publication day for {named}: every catalogued release needs its "
            "`published` date in orchestration/catalogue/sources.yml"
        )
    return frame.drop("source").unique(["indicator_id", "area_level", "area_code", "time_period", "release"])


def as_of(vintages: pl.DataFrame, origin_year: int) -> pl.DataFrame:
    """What a forecaster on 1 February of ``origin_year`` could see: one value per indicator,
    area and period up to the newest period due by then. Each is the latest vintage published on
    or before the origin; a period no such vintage holds takes the earliest vintage holding it,
    marked ``is_fallback``."""
    origin = origin_date(origin_year)
    due = pl.when(pl.col("period_type") == "mid_year_30_june").then(origin_year - 2).otherwise(origin_year - 1)
    days = pl.col("published_on").cast(pl.Date).cast(pl.Int32)
    rows = vintages.filter(pl.col("time_period") <= due).with_columns(
        is_fallback=pl.col("published_on") > pl.lit(origin),
    )
    # before the origin: the latest vintage first; after it: the earliest first
    rank = pl.when(pl.col("is_fallback")).then(days).otherwise(-days)
    chosen = (
        rows.sort(["is_fallback", rank, "release"], descending=[False, False, True])
        .group_by(["indicator_id", "area_level", "area_code", "time_period"], maintain_order=True)
        .first()
    )
    return chosen.with_columns(origin_year=pl.lit(origin_year, pl.Int32), origin_date=pl.lit(origin, pl.Date)).select(
        "indicator_id",
        "period_type",
        "area_level",
        "area_code",
        "origin_year",
        "origin_date",
        "time_period",
        "value",
        "release",
        "published_on",
        "is_fallback",
    )


def actuals(vintages: pl.DataFrame) -> pl.DataFrame:
    """The outcome each forecast is scored against: the first published value of a period of
    the vintages held, and the latest, with their releases; and whether that first is the
    period's own release."""
    days = pl.col("published_on").cast(pl.Int32)
    keys = ["indicator_id", "area_level", "area_code", "time_period"]
    ordered = vintages.sort([days, "release"])
    first = ordered.group_by(keys, maintain_order=True).first()
    latest = ordered.group_by(keys, maintain_order=True).last()
    own_year = release_year(pl.col("release")) == pl.col("time_period")
    return first.select(
        *keys, actual_first="value", actual_first_release="release", actual_first_is_first_print=own_year
    ).join(latest.select(*keys, actual_latest="value", actual_latest_release="release"), on=keys)


def release_year(label: pl.Expr) -> pl.Expr:
    """The year a release label is for: ``ees_2024`` 2024, ``mhclg_ro_2022-23`` 2023 (the year its
    financial year ends), as the labels name them (dbt_project/macros/releases.sql)."""
    label = label.str.replace(r"_revised_.*$", "")
    fy = label.str.extract(r"(\d{4})-(\d{2})(?:_|$)", 2)
    year = label.str.extract(r"(\d{4})", 1).cast(pl.Int32)
    return pl.when(fy.is_not_null()).then(year + 1).otherwise(year)
