"""Synthetic SSDA903 returns (children looked after) at the scale of England's, for benchmarks and
tests: the header, episodes and uasc tables of LAs' returns for one collection year, written as
the returns inbox lays them out (``<la_code>/<collection_year>/<table>.csv``).

Every child is one of five kinds, so what counting should find (lib/returns/counting.py and
its SQL) is known when the files are made (:func:`expected`):

- looked after all year: a period of care that started before 1 April and is open on 31 March;
- started and stayed: a period that starts in the year and is open on 31 March;
- started and ceased: a period that starts and ends in the year; some of these children come back
  into care and leave it again in the same year (two periods, counted once each way);
- ceased: a period that started before 1 April and ends in the year;
- short breaks only: a series of short-term placements (legal status V3 or V4), one episode each.

A period is one or more episodes: the first starts it (RNE S), each next one changes the placement,
the legal status or both (RNE P, L, T) and is linked to the one before by REC X1; the last ends
the period with another reason (E4A returned home, E11 adopted, ...) or is open on 31 March.
Dates of birth fit the ages counted; some children aged 14 or over on 31 March are unaccompanied
asylum-seeking children (the uasc table). Everything is drawn with a fixed seed: the same volumes
give the same files. numpy draws the numbers (it comes with Great Expectations and pandas).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

YEAR = 2025
SEED = 903
TABLES = ("header", "episodes", "uasc")
EPISODE_COLUMNS = (
    "CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC", "REASON_PLACE_CHANGE",
    "HOME_POST", "PL_POST", "URN",
)  # fmt: skip
EPOCH = date(1970, 1, 1)
DAYS_A_YEAR = 365.25

# the kinds of child above, in that order
ALL_YEAR, STARTED_STAYED, STARTED_CEASED, CEASED, SHORT_BREAKS = range(5)
STARTED_AND_CEASED = 0.3  # of the smaller of starters and leavers: children who start and cease in the year
CAME_BACK = 0.1  # of those: children with a second period in the year
UASC = 0.17  # of the children looked after on 31 March aged 14 or over (about 7% of all of them)

# (from, to) years of age and how often: at the start of care (starters), on 31 March or at the
# end of care (children in care before the year), and short-break children on 31 March
AGES_AT_START = {(0, 1): 0.2, (1, 5): 0.15, (5, 10): 0.17, (10, 16): 0.36, (16, 17.5): 0.12}
AGES_IN_CARE = {(1, 5): 0.15, (5, 10): 0.2, (10, 16): 0.4, (16, 18): 0.25}
AGES_SHORT_BREAKS = {(5, 10): 0.3, (10, 16): 0.55, (16, 18): 0.15}

LEGAL_STATUS = {"C2": 0.55, "V2": 0.2, "C1": 0.1, "E1": 0.08, "J2": 0.03, "L1": 0.02, "L2": 0.02}
PLACEMENT = {
    "U1": 0.08, "U2": 0.04, "U3": 0.05, "U4": 0.2, "U5": 0.1, "U6": 0.23, "K2": 0.11, "K3": 0.06,
    "P1": 0.06, "A4": 0.03, "R1": 0.01, "S1": 0.01, "Z1": 0.02,
}  # fmt: skip
NEXT_STATUS = {"V2": "C2", "C1": "C2", "C2": "E1", "E1": "C2", "J2": "V2", "L1": "V2", "L2": "V2"}
NEXT_PLACEMENT = dict(zip(PLACEMENT, [*list(PLACEMENT)[1:], next(iter(PLACEMENT))]))
REGISTERED = ("K1", "K2", "S1")  # placements with an Ofsted URN; the others have XXXXXXX
PROVIDER = {"PR1": 0.5, "PR4": 0.4, "PR2": 0.05, "PR5": 0.05}
CIN = {"N1": 0.65, "N2": 0.07, "N3": 0.03, "N4": 0.15, "N5": 0.03, "N6": 0.01, "N7": 0.02, "N8": 0.04}
NEW_EPISODE = {"P": 0.6, "L": 0.25, "T": 0.15}  # placement, legal status, or both changed
PLACE_CHANGE = {"CARPL": 0.4, "PLACE": 0.2, "LAREQ": 0.2, "CHILD": 0.1, "OTHER": 0.1}
CEASED_REASON = {
    "E4A": 0.25, "E13": 0.12, "E11": 0.08, "E12": 0.02, "E45": 0.06, "E46": 0.04, "E41": 0.03,
    "E3": 0.1, "E8": 0.15, "E7": 0.05, "E9": 0.05, "E2": 0.005, "E15": 0.025,
}  # fmt: skip
SHORT_BREAK_STATUS = {"V3": 0.9, "V4": 0.1}
SHORT_BREAK_PLACEMENT = {"U4": 0.4, "U6": 0.3, "K1": 0.3}
ETHNIC = {
    "WBRI": 0.68, "WOTH": 0.05, "MWBC": 0.04, "MOTH": 0.04, "BAFR": 0.04, "BCRB": 0.02, "AOTH": 0.03,
    "APKN": 0.02, "OOTH": 0.05, "WIRT": 0.01, "REFU": 0.01, "NOBT": 0.01,
}  # fmt: skip
POSTCODE_AREAS = (
    "B",
    "BD",
    "BS",
    "CB",
    "DE",
    "HU",
    "L",
    "LS",
    "M",
    "ME",
    "NE",
    "NG",
    "NR",
    "PL",
    "S",
    "SE",
    "SO",
    "TS",
)
LETTERS = np.array(list("ABDEFGHJLNPQRSTUWXYZ"))


@dataclass(frozen=True)
class Volumes:
    """Children an LA's (or the country's) return holds: looked after on 31 March, started and
    ceased to be looked after during the year, and looked after only under short breaks."""

    at_31_march: int
    started: int
    ceased: int
    short_breaks: int = 0

    def scaled(self, factor: float) -> Volumes:
        return Volumes(*(round(n * factor) for n in (self.at_31_march, self.started, self.ceased, self.short_breaks)))


# About England's in 2024-25 (DfE, "Children looked after in England including adoptions")
ENGLAND = Volumes(at_31_march=80_000, started=30_000, ceased=30_000, short_breaks=2_000)


def split(total: int, weights: Sequence[float]) -> list[int]:
    """``total`` in whole numbers in proportion to ``weights`` (largest remainders)."""
    w = np.asarray(weights, dtype=float)
    share = total * w / w.sum()
    whole = np.floor(share).astype(int)
    whole[np.argsort(whole - share, kind="stable")[: total - whole.sum()]] += 1
    return whole.tolist()


def by_la(total: Volumes, weights: dict[str, tuple[float, float, float]]) -> dict[str, Volumes]:
    """``total`` split across LAs by their weights for (looked after on 31 March, started,
    ceased); short breaks go as those looked after on 31 March do."""
    codes = list(weights)
    column = [[weights[c][i] for c in codes] for i in range(3)]
    parts = zip(
        split(total.at_31_march, column[0]),
        split(total.started, column[1]),
        split(total.ceased, column[2]),
        split(total.short_breaks, column[0]),
    )
    return {code: Volumes(*part) for code, part in zip(codes, parts)}


def kinds(volumes: Volumes) -> list[int]:
    """How many children of each kind make these volumes."""
    started, ceased = volumes.started, volumes.ceased
    both = min(started, ceased, max(round(STARTED_AND_CEASED * min(started, ceased)), started - volumes.at_31_march))
    return [max(volumes.at_31_march - started + both, 0), started - both, both, ceased - both, volumes.short_breaks]


def expected(volumes: Volumes) -> dict[str, int]:
    """What counting finds in the return made for ``volumes``: each measure's total."""
    k = kinds(volumes)
    return {
        "cla_count": k[ALL_YEAR] + k[STARTED_STAYED],
        "cla_started_count": k[STARTED_STAYED] + k[STARTED_CEASED],
        "cla_ceased_count": k[STARTED_CEASED] + k[CEASED],
        "cla_short_term_placements_count": k[SHORT_BREAKS],
    }


def _pick(rng: np.random.Generator, n: int, choices: dict[str, float]) -> np.ndarray:
    codes = np.array(list(choices))
    p = np.array(list(choices.values()), dtype=float)
    return codes[rng.choice(len(codes), n, p=p / p.sum())]


def _ages(rng: np.random.Generator, n: int, bands: dict[tuple[float, float], float]) -> np.ndarray:
    """Ages in days, drawn uniformly within bands drawn by their weights."""
    lo, hi = (np.array([b[i] for b in bands]) for i in (0, 1))
    p = np.array(list(bands.values()))
    band = rng.choice(len(p), n, p=p / p.sum())
    return ((lo[band] + rng.random(n) * (hi - lo)[band]) * DAYS_A_YEAR).astype(np.int64)


def _dates(days: np.ndarray | pl.Series, where: np.ndarray | None = None) -> pl.Series:
    """Days since 1970 as dd/mm/YYYY, the specification's format; null where ``days`` is null or
    ``where`` is false."""
    dates = pl.Series(days).cast(pl.Int32).cast(pl.Date).dt.to_string("%d/%m/%Y")
    return dates if where is None else pl.select(pl.when(pl.Series(where)).then(dates)).to_series()


def _postcodes(rng: np.random.Generator, n: int) -> pl.Series:
    return pl.DataFrame(
        {
            "area": np.array(POSTCODE_AREAS)[rng.integers(0, len(POSTCODE_AREAS), n)],
            "district": rng.integers(1, 30, n),
            "sector": rng.integers(0, 10, n),
            "unit": np.char.add(LETTERS[rng.integers(0, 20, n)], LETTERS[rng.integers(0, 20, n)]),
        }
    ).select(pl.format("{}{} {}{}", "area", "district", "sector", "unit").alias("postcode"))["postcode"]


def generate(volumes: dict[str, Volumes], year: int = YEAR, seed: int = SEED) -> dict[str, dict[str, pl.DataFrame]]:
    """Every LA's return: LA code -> table (header, episodes, uasc) -> rows, all text, as the
    CSV files hold them."""
    rng = np.random.default_rng(seed)
    year_start, year_end = ((d - EPOCH).days for d in (date(year - 1, 4, 1), date(year, 3, 31)))
    codes = list(volumes)
    counts = np.array([kinds(volumes[c]) for c in codes], dtype=np.int64).reshape(len(codes), 5)
    per_la = counts.sum(axis=1)
    la = np.repeat(np.arange(len(codes)), per_la)
    kind = np.concatenate([np.repeat(np.arange(5), row) for row in counts]) if len(codes) else np.array([], int)
    n = len(kind)
    child = 100_000 + np.arange(n) - np.repeat(np.cumsum(per_la) - per_la, per_la)  # ids within an LA
    u = rng.random((4, n))

    # periods of care: start, end (-1: open on 31 March); dates of birth to fit
    start = np.zeros(n, np.int64)
    end = np.full(n, -1, np.int64)
    dob = np.zeros(n, np.int64)
    starters = (kind == STARTED_STAYED) | (kind == STARTED_CEASED)
    start[starters] = year_start + (u[0][starters] * 364).astype(np.int64)
    ceasing = kind == STARTED_CEASED
    end[ceasing] = start[ceasing] + 1 + (u[1][ceasing] * (year_end - start[ceasing])).astype(np.int64)
    end[kind == CEASED] = year_start + (u[1][kind == CEASED] * 365).astype(np.int64)
    at_start = _ages(rng, n, AGES_AT_START)
    at_start = np.minimum(at_start, int(18 * DAYS_A_YEAR) - 1 - (np.where(end >= 0, end, year_end) - start))
    dob[starters] = start[starters] - at_start[starters]
    before = (kind == ALL_YEAR) | (kind == CEASED)  # in care on 1 April
    age = _ages(rng, n, AGES_IN_CARE)  # on 31 March, or when care ends
    dob[before] = np.where(end >= 0, end, year_end)[before] - age[before]
    earliest = np.maximum(dob, year_start - int(8 * DAYS_A_YEAR))
    start[before] = earliest[before] + (u[2][before] * (year_start - 1 - earliest[before])).astype(np.int64)
    short = kind == SHORT_BREAKS
    dob[short] = year_end - _ages(rng, int(short.sum()), AGES_SHORT_BREAKS)
    periods = pl.DataFrame({"child": np.arange(n)[~short], "start": start[~short], "end": end[~short]})

    # some who started and ceased come back, and cease again: their period splits in two
    again = np.flatnonzero(ceasing & (u[3] < CAME_BACK))
    if len(again):
        days = np.sort(rng.integers(0, 361, (len(again), 4)), axis=1) + np.arange(4) + year_start
        periods = pl.concat(
            [
                periods.filter(~pl.col("child").is_in(again)),
                pl.DataFrame(
                    {"child": np.repeat(again, 2), "start": days[:, [0, 2]].ravel(), "end": days[:, [1, 3]].ravel()}
                ),
            ]
        )
        dob[again] = days[:, 0] - np.minimum(at_start[again], int(17 * DAYS_A_YEAR))
    periods = periods.with_row_index("period").with_columns(
        pl.Series("reason", _pick(rng, periods.height, CEASED_REASON)),
        pl.lit(False).alias("short_break"),
    )

    # short breaks: 2 to 6 in the year, 1 to 4 days each, a period each
    breaks = rng.integers(2, 7, int(short.sum()))
    owner = np.repeat(np.flatnonzero(short), breaks)
    nth = np.arange(len(owner)) - np.repeat(np.cumsum(breaks) - breaks, breaks)
    first = year_start + np.repeat(rng.integers(0, 364 - 7 * breaks), breaks) + 7 * nth
    short_periods = pl.DataFrame(
        {"child": owner, "start": first, "end": first + rng.integers(1, 5, len(owner))}
    ).with_columns(pl.lit("E13").alias("reason"), pl.lit(True).alias("short_break"))
    periods = pl.concat(
        [periods, short_periods.with_row_index("period", offset=periods.height).select(periods.columns)]
    ).with_columns(pl.when(pl.col("end") >= 0).then("end").alias("end"))

    # episodes: the first starts the period; the others change it within the year
    long = periods.filter(~pl.col("short_break"))
    extra = np.minimum(rng.poisson(1.3, long.height), 5)
    lo = np.maximum(long["start"].to_numpy(), year_start) + 1
    hi = long["end"].fill_null(year_end + 1).to_numpy() - 1
    rows = np.repeat(np.arange(long.height), extra)
    changes = pl.DataFrame(
        {
            "period": long["period"].to_numpy()[rows],
            "decom": lo[rows] + (rng.random(len(rows)) * (hi - lo + 1)[rows]).astype(np.int64),
            "ok": (hi >= lo)[rows],
        }
    ).filter("ok")
    episodes = (
        pl.concat(
            [
                periods.select("period", pl.col("start").alias("decom"), pl.lit(True).alias("first")),
                changes.select("period", "decom", pl.lit(False).alias("first")),
            ]
        )
        .sort("period", "decom", "first", descending=[False, False, True])
        .unique(["period", "decom"], keep="first", maintain_order=True)
        .join(periods, on="period")
        .sort("period", "decom")
    )
    m = episodes.height
    episodes = episodes.with_columns(
        pl.Series("rne", _pick(rng, m, NEW_EPISODE)),
        pl.Series("ls", _pick(rng, m, LEGAL_STATUS)),
        pl.Series("ls_short", _pick(rng, m, SHORT_BREAK_STATUS)),
        pl.Series("place", _pick(rng, m, PLACEMENT)),
        pl.Series("place_short", _pick(rng, m, SHORT_BREAK_PLACEMENT)),
        pl.Series("provider", _pick(rng, m, PROVIDER)),
        pl.Series("place_change", _pick(rng, m, PLACE_CHANGE)),
        pl.Series("cin", _pick(rng, m, CIN)),
        pl.Series("urn", rng.integers(100_000, 1_000_000, m)),
        _postcodes(rng, m).alias("home_post"),
        _postcodes(rng, m).alias("pl_post"),
        pl.col("decom").shift(-1).over("period").alias("next"),
    ).with_columns(
        rne=pl.when("first").then(pl.lit("S")).otherwise("rne"),
        ls=pl.when("short_break").then("ls_short").when(pl.col("first") | pl.col("rne").is_in(["L", "T"])).then("ls"),
        place=pl.when("short_break")
        .then("place_short")
        .when(pl.col("first") | pl.col("rne").is_in(["P", "T"]))
        .then("place"),
        dec=pl.coalesce("next", "end"),
        rec=pl.when(pl.col("next").is_not_null()).then(pl.lit("X1")).when(pl.col("end").is_not_null()).then("reason"),
    )
    # what an episode changes differs from the episode before: a status or placement drawn the
    # same as the last one becomes the usual next one
    for column, other in (("ls", NEXT_STATUS), ("place", NEXT_PLACEMENT)):
        before = pl.col(column).forward_fill().shift(1).over("period")
        drawn_again = pl.col(column).is_not_null() & (pl.col(column) == before)
        episodes = episodes.with_columns(
            pl.when(drawn_again).then(pl.col(column).replace_strict(other, default=pl.col(column))).otherwise(column)
        )
    episodes = episodes.with_columns(pl.col("ls", "place").forward_fill().over("period"))
    episodes = episodes.select(
        pl.col("child"),
        pl.col("decom").alias("DECOM"),
        pl.col("rne").alias("RNE"),
        pl.col("ls").alias("LS"),
        pl.col("cin").first().over("period").alias("CIN"),  # the category of need holds for a period
        pl.col("place").alias("PLACE"),
        pl.when(pl.col("place") == "P1").then(pl.lit("PR0")).otherwise("provider").alias("PLACE_PROVIDER"),
        pl.col("dec").alias("DEC"),
        pl.col("rec").alias("REC"),
        pl.when(pl.col("rne").is_in(["P", "T"])).then("place_change").alias("REASON_PLACE_CHANGE"),
        pl.col("home_post").alias("HOME_POST"),
        pl.col("pl_post").alias("PL_POST"),
        pl.when(pl.col("place").is_in(REGISTERED))
        .then(pl.format("SC{}", "urn"))
        .otherwise(pl.lit("XXXXXXX"))
        .alias("URN"),
    ).sort("child", "DECOM")
    episodes = episodes.with_columns(
        pl.Series(child)[episodes["child"]].cast(pl.Utf8).alias("CHILD"),
        _dates(episodes["DECOM"]).alias("DECOM"),
        _dates(episodes["DEC"]).alias("DEC"),
    ).select("child", *EPISODE_COLUMNS)

    # the children: one header row each; girls of 12 and over say whether they are mothers
    sex = np.where(rng.random(n) < 0.56, "M", "F")
    age_at_end = year_end - dob
    girl = (sex == "F") & (age_at_end >= 12 * DAYS_A_YEAR)
    mother = np.where(girl, np.where(rng.random(n) < 0.02, "1", "0"), None)
    header = pl.DataFrame(
        {
            "child": np.arange(n),
            "CHILD": child.astype(str),
            "SEX": sex,
            "DOB": _dates(dob),
            "ETHNIC": _pick(rng, n, ETHNIC),
            "UPN": np.char.add(LETTERS[rng.integers(0, 20, n)], rng.integers(10**11, 10**12, n).astype(str)),
            "MOTHER": pl.Series(mother.tolist(), dtype=pl.Utf8),
            "MC_DOB": _dates(year_end - rng.integers(30, 700, n), where=mother == "1"),
        }
    )
    in_care = (kind == ALL_YEAR) | (kind == STARTED_STAYED)
    sought_asylum = in_care & (age_at_end >= 14 * DAYS_A_YEAR) & (rng.random(n) < UASC)
    uasc = header.filter(pl.Series(sought_asylum)).select(
        "child",
        "CHILD",
        "SEX",
        "DOB",
        pl.col("DOB").str.to_date("%d/%m/%Y").dt.offset_by("18y").dt.to_string("%d/%m/%Y").alias("DUC"),
    )

    out: dict[str, dict[str, pl.DataFrame]] = {code: {} for code in codes}  # every table, if empty
    la_of = pl.Series("la", np.array(codes, dtype=object)[la] if n else [], dtype=pl.Utf8)
    for name, frame in (("header", header), ("episodes", episodes), ("uasc", uasc)):
        frame = frame.with_columns(la_of[frame["child"]].alias("la")).drop("child")
        parts = frame.partition_by("la", as_dict=True, include_key=False, maintain_order=True)
        for code in codes:
            out[code][name] = parts.get((code,), frame.drop("la").clear())
    return out


def write_inbox(inbox: Path, returns: dict[str, dict[str, pl.DataFrame]], year: int = YEAR) -> list[Path]:
    """Every LA's return as CSV files in an inbox (``<la_code>/<year>/<table>.csv``), owner-only
    as the inbox is; returns the files written."""
    written = []
    inbox.mkdir(parents=True, exist_ok=True, mode=0o700)
    for code, tables in returns.items():
        folder = inbox / code / str(year)
        folder.parent.mkdir(exist_ok=True, mode=0o700)
        folder.mkdir(exist_ok=True, mode=0o700)
        for name, frame in tables.items():
            path = folder / f"{name}.csv"
            frame.write_csv(path)
            path.chmod(0o600)
            written.append(path)
    return written


def change_placements(episodes_csv: Path, rows: int = 5, seed: int = SEED) -> int:
    """A corrected return: ``rows`` episodes open on 31 March moved to another placement (a
    children's home, or foster care for those already in one), the file rewritten; returns how
    many rows changed."""
    frame = pl.read_csv(episodes_csv, infer_schema=False)
    open_rows = np.flatnonzero(frame["DEC"].is_null().to_numpy())
    chosen = np.random.default_rng(seed).choice(open_rows, min(rows, len(open_rows)), replace=False)
    changed = pl.int_range(pl.len()).is_in(chosen.tolist())
    frame = frame.with_columns(
        PLACE=pl.when(changed)
        .then(pl.when(pl.col("PLACE") == "K2").then(pl.lit("U4")).otherwise(pl.lit("K2")))
        .otherwise("PLACE")
    )
    frame.write_csv(episodes_csv)
    return len(chosen)
