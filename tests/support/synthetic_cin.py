"""Synthetic children in need census returns at the scale of England's, for benchmarks and tests:
one XML file per LA for collection year 2025 in the 2025 layout (the schema
``CIN_schema_2025.xsd``: ``Sex`` M/F/U, yes/no as ``0``/``1``), written as the returns inbox lays
them out (``<la_code>/<collection_year>/cin_census.xml``). Each file is written a block of text at
a time, never built as a tree.

Every CIN episode (``<CINdetails>``) is one of six kinds, so what counting should find is known
when the files are made (:func:`expected`), by the rules of issue 23 (a referral: ``CINreferralDate``
in the year; an episode of need: neither a referral with no further action nor closed after
assessment as not in need; in need on 31 March: an episode of need with no closure date):

- carried: an episode of need referred before 1 April and open on 31 March;
- ended: referred before 1 April, closed in the year (``ReasonForClosure`` RC1 to RC7);
- opened: referred in the year and open on 31 March;
- passing: referred and closed in the year;
- no further action: referred in the year, ``ReferralNFA`` 1, closed the same day (RC8) or left
  open (such a referral never counts as in need, open or not);
- not in need: referred in the year, assessed, closed after assessment with RC8.

Episodes of need carry one assessment, some a CIN plan, and some one of seven child protection
stories: a section 47 enquiry in the year with no conference; one with a conference and no plan;
one whose conference starts a plan open on 31 March; one whose plan ends in the year; an enquiry
started before the year whose conference is inside it; and a plan (with its enquiry and
conference) from before the year, open on 31 March or ended in the year. Some plans started in
the year are second or subsequent (``NumberOfPreviousCPP`` 1 or more). Some children with an ended
episode are referred again in the year: some within 12 months of their earlier referral, date to
date (a re-referral: 11 months or less), some 13 months or more after it (not one). No episode
closes with RC9, and the earlier referral of a child referred again is never one with no further
action, so the readings of DfE's definitions that issue 23 leaves open do not change a count. Everything is drawn with a fixed seed: the same volumes give the same files.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import astuple, dataclass, fields
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from tests.support.synthetic_returns import ETHNIC, LETTERS, split

YEAR = 2025
SEED = 23
FILE_NAME = "cin_census.xml"
EPOCH = date(1970, 1, 1)
DAYS_A_YEAR = 365.25

# the kinds of episode above, in that order
CARRIED, ENDED, OPENED, PASSING, NFA, NOT_IN_NEED = range(6)
# the child protection stories above (0: none), in that order
S47_ONLY, ICPC_ONLY, PLAN_OPEN, PLAN_ENDED, S47_BEFORE, PLAN_BEFORE_OPEN, PLAN_BEFORE_ENDED = range(1, 8)
STARTED_AND_ENDED = 0.43  # of episodes of need started in the year: those that also end in it
PLANS_STILL_OPEN = 0.55  # of plans started in the year: those open on 31 March
PLANS_BEFORE_ENDED = 0.5  # plans from before the year ending in it, per plan open on 31 March
S47_BEFORE_SHARE = 0.02  # of conferences in the year: those whose enquiry started before it
NFA_LEFT_OPEN = 0.15  # of referrals with no further action: those with no closure date
BEYOND_A_YEAR = 0.2  # referred again 13 months or more after the last referral, per re-referral
CIN_PLANS = 0.45  # of episodes of need with no child protection plan: those with a CIN plan
INDENT = ""  # each element on a line of its own, not indented

SOURCES = {"1A": 0.06, "1B": 0.01, "1C": 0.01, "1D": 0.01, "2A": 0.19, "2B": 0.02, "3A": 0.09, "3B": 0.02,
           "3C": 0.01, "3D": 0.02, "3E": 0.02, "3F": 0.02, "4": 0.04, "5A": 0.22, "5B": 0.03, "5C": 0.02,
           "5D": 0.03, "6": 0.06, "7": 0.01, "8": 0.02, "9": 0.07}  # fmt: skip
NEEDS = {"N1": 0.57, "N2": 0.11, "N3": 0.04, "N4": 0.1, "N5": 0.09, "N6": 0.02, "N7": 0.01, "N8": 0.04, "N0": 0.02}
CLOSURES = {"RC1": 0.01, "RC2": 0.002, "RC3": 0.02, "RC4": 0.02, "RC5": 0.05, "RC6": 0.03, "RC7": 0.868}
FACTORS = ("1B", "2B", "3A", "3B", "4A", "4B", "4C", "5A", "6B", "10A", "11A", "14A", "15A", "16A", "17A", "24A")
ABUSE = {"NEG": 0.5, "EMO": 0.35, "PHY": 0.07, "SAB": 0.04, "MUL": 0.04}
DISABILITIES = ("MOB", "HAND", "PC", "COMM", "LD", "HEAR", "VIS", "BEH", "AUT", "DDA")
UPN_UNKNOWN = ("UN1", "UN2", "UN3", "UN5")


@dataclass(frozen=True)
class Volumes:
    """What an LA's (or the country's) census holds for the year: referrals, those with no further
    action and those assessed not in need, episodes of need open on 31 March and ended in the
    year, section 47 enquiries and initial conferences in the year, child protection plans
    started (and of those, second or subsequent) and open on 31 March, and re-referrals."""

    referrals: int
    nfa: int
    not_in_need: int
    open_at_31_march: int
    ended: int
    s47: int
    icpc: int
    cpp_started: int
    cpp_subsequent: int
    cpp_at_31_march: int
    rereferrals: int

    def scaled(self, factor: float) -> Volumes:
        return Volumes(*(round(n * factor) for n in astuple(self)))


# England's in 2024-25, DfE's "Characteristics of children in need" 2025 release, national rows
# for 2025 of b1_children_in_need (At31_episodes, Ended_episodes), c1_children_in_need_referrals_
# and_rereferrals (referral_count, no_further_action_count, not_in_need_count, rereferral_count),
# c4_children_in_need_section_47s_and_icpcs (Section47, ICPC), d3_cpps_subsequent_plan (CPP_start,
# CPP_subsequent) and d5_cpps_at31march_by_duration (CPP_At31): the source mirror's cin/ees_2025/.
ENGLAND = Volumes(
    referrals=632_830,
    nfa=41_340,
    not_in_need=194_620,
    open_at_31_march=402_400,
    ended=353_720,
    s47=230_590,
    icpc=72_100,
    cpp_started=61_840,
    cpp_subsequent=15_130,
    cpp_at_31_march=49_420,
    rereferrals=142_900,
)


@dataclass(frozen=True)
class Kinds:
    """How many episodes of each kind, child protection stories of each kind, subsequent plans,
    and pairs of referrals (within a year, and beyond one) make an LA's census."""

    episodes: tuple[int, int, int, int, int, int]
    stories: tuple[int, int, int, int, int, int, int]
    subsequent: int
    within: int
    beyond: int


def by_la(total: Volumes, weights: dict[str, float]) -> dict[str, Volumes]:
    """``total`` split across LAs by their weights, every volume alike."""
    codes = list(weights)
    w = [weights[c] for c in codes]
    columns = [split(getattr(total, f.name), w) for f in fields(Volumes)]
    return {code: Volumes(*(col[i] for col in columns)) for i, code in enumerate(codes)}


def england(scale: float = 1.0, las: int = 153, seed: int = SEED) -> tuple[dict[str, Volumes], dict[str, str]]:
    """England's volumes times ``scale`` split across ``las`` made-up LAs by a fixed-seed spread of
    sizes (the benchmark splits them as DfE's figures do instead), and each LA's DfE number for
    its header: what a test needs for a small version of the national files."""
    codes = [f"E{kind}{n:06d}" for kind, count in (("06", 63), ("08", 36), ("09", 33), ("10", 21))
             for n in range(1, count + 1)][:las]  # fmt: skip
    sizes = np.random.default_rng(seed).lognormal(0, 0.6, len(codes))
    return by_la(ENGLAND.scaled(scale), dict(zip(codes, sizes))), {c: f"{201 + i}" for i, c in enumerate(codes)}


def kinds(v: Volumes) -> Kinds:
    """The counts that make ``v``, each cut to what the LA's other counts leave room for (small
    LAs at a small scale), in the order the episodes are drawn."""
    started = max(v.referrals - v.nfa - v.not_in_need, 0)
    nfa, not_in_need = min(v.nfa, v.referrals), min(v.not_in_need, v.referrals - min(v.nfa, v.referrals))
    if not (v.referrals or v.open_at_31_march or v.ended):  # the schema wants a <Child>: one NFA referral
        nfa = 1
    passing = min(max(round(STARTED_AND_ENDED * started), started - v.open_at_31_march), v.ended, started)
    passing = max(passing, 0)
    opened = started - passing
    carried = max(v.open_at_31_march - opened, 0)
    ended = max(v.ended - passing, 0)
    free = {CARRIED: carried, ENDED: ended, OPENED: opened, PASSING: passing}

    def take(want: int, prefer: Sequence[int]) -> int:
        got = max(min(want, sum(free[k] for k in prefer)), 0)
        left = got
        for k in prefer:
            used = min(left, free[k])
            free[k] -= used
            left -= used
        return got

    any_kind = (PASSING, OPENED, ENDED, CARRIED)
    plan_open = take(min(round(PLANS_STILL_OPEN * v.cpp_started), v.cpp_at_31_march), (OPENED, CARRIED))
    before_open = take(v.cpp_at_31_march - plan_open, (CARRIED,))
    s47_before = take(min(round(S47_BEFORE_SHARE * v.icpc), max(v.icpc - v.cpp_started, 0)), (ENDED, CARRIED))
    before_ended = take(round(PLANS_BEFORE_ENDED * v.cpp_at_31_march), (ENDED, CARRIED))
    plan_ended = take(v.cpp_started - plan_open, any_kind)
    icpc_only = take(v.icpc - v.cpp_started - s47_before, any_kind)
    s47_only = take(v.s47 - icpc_only - plan_open - plan_ended, any_kind)
    subsequent = min(v.cpp_subsequent, plan_open + plan_ended)
    later = opened + passing + nfa + not_in_need  # referrals in the year: each may follow an ended episode
    within = max(min(v.rereferrals, ended, later), 0)
    beyond = max(min(round(BEYOND_A_YEAR * v.rereferrals), ended - within, later - within), 0)
    return Kinds(
        (carried, ended, opened, passing, nfa, not_in_need),
        (s47_only, icpc_only, plan_open, plan_ended, s47_before, before_open, before_ended),
        subsequent,
        within,
        beyond,
    )


def expected(v: Volumes) -> dict[str, int]:
    """What counting finds in the census made for ``v``: each measure's total (the counting SQL's
    measure names)."""
    k = kinds(v)
    carried, ended, opened, passing, nfa, not_in_need = k.episodes
    s47_only, icpc_only, plan_open, plan_ended, s47_before, before_open, _ = k.stories
    referrals = opened + passing + nfa + not_in_need
    return {
        "referrals_count": referrals,
        "referrals_nfa_count": nfa,
        "assessed_not_in_need_count": not_in_need,
        "rereferrals_count": k.within,
        "cin_episodes_started_count": opened + passing,
        "cin_episodes_ended_count": ended + passing,
        "cin_episodes_count": carried + ended + opened + passing,
        "cin_count": carried + opened,
        "assessments_count": opened + passing + not_in_need,
        "s47_enquiries_count": s47_only + icpc_only + plan_open + plan_ended,
        "icpc_count": icpc_only + plan_open + plan_ended + s47_before,
        "cpp_started_count": plan_open + plan_ended,
        "cpp_subsequent_count": k.subsequent,
        "cpp_count": plan_open + before_open,
    }


def _pick(rng: np.random.Generator, n: int, choices: dict[str, float]) -> np.ndarray:
    codes = np.array(list(choices))
    p = np.array(list(choices.values()), dtype=float)
    return codes[rng.choice(len(codes), n, p=p / p.sum())]


def _where(mask: np.ndarray, values: np.ndarray) -> pl.Series:
    """``values`` as text where ``mask``, NULL elsewhere."""
    return pl.select(pl.when(pl.Series(mask)).then(pl.Series(values, dtype=pl.Utf8))).to_series()


def _between(rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """A whole day from ``lo`` to ``hi``, both included, for each pair."""
    lo, hi = np.asarray(lo, np.int64), np.asarray(hi, np.int64)
    return lo + (rng.random(lo.shape) * (hi - lo + 1)).astype(np.int64)


def _assign(rng_key: np.ndarray, kind: np.ndarray, free: np.ndarray, count: int, prefer: Sequence[int]) -> np.ndarray:
    """``count`` of the free episodes of the ``prefer`` kinds, the first kind first, at random
    within a kind (``rng_key``)."""
    rank = np.full(7, 99)
    rank[list(prefer)] = np.arange(len(prefer))
    eligible = np.flatnonzero(free & (rank[kind] < 99))
    order = np.lexsort((rng_key[eligible], rank[kind[eligible]]))
    return eligible[order[:count]]


def episodes(v: Volumes, year: int, rng: np.random.Generator) -> tuple[pl.DataFrame, int]:
    """Every episode of an LA's census with what it holds, one row each, in the file's order (by
    child, then referral date): days since 1970 for dates, NULL where there is none; and how
    many children."""
    k = kinds(v)
    ys, ye = ((d - EPOCH).days for d in (date(year - 1, 4, 1), date(year, 3, 31)))
    kind = np.repeat(np.arange(6), k.episodes)
    n = len(kind)
    key = rng.random(n)

    # child protection stories, and the episodes a child's later referral follows
    story = np.zeros(n, np.int64)
    order = [
        (PLAN_OPEN, (OPENED, CARRIED)),
        (PLAN_BEFORE_OPEN, (CARRIED,)),
        (S47_BEFORE, (ENDED, CARRIED)),
        (PLAN_BEFORE_ENDED, (ENDED, CARRIED)),
        (PLAN_ENDED, (PASSING, OPENED, ENDED, CARRIED)),
        (ICPC_ONLY, (PASSING, OPENED, ENDED, CARRIED)),
        (S47_ONLY, (PASSING, OPENED, ENDED, CARRIED)),
    ]
    for value, prefer in order:
        story[_assign(key, kind, story == 0, k.stories[value - 1], prefer)] = value
    pairs = k.within + k.beyond
    first = rng.permutation(np.flatnonzero(kind == ENDED))[:pairs]
    second = rng.permutation(np.flatnonzero(kind >= OPENED))[:pairs]
    within = np.zeros(n, bool)
    within[second[: k.within]] = True
    follows = np.full(n, -1)
    follows[second] = first

    # referral and closure dates; a later referral's from 3 to 9 months into the year, the
    # episode it follows closed before it and referred within 11 months of it or 13 months or
    # more before it
    referral = np.zeros(n, np.int64)
    closure = np.full(n, -1, np.int64)
    before = kind <= ENDED
    referral[before] = _between(rng, np.full(before.sum(), ys - 3 * 365), np.full(before.sum(), ys - 60))
    for value, last in ((OPENED, ye - 60), (PASSING, ye - 90), (NFA, ye), (NOT_IN_NEED, ye - 30)):
        these = kind == value
        referral[these] = _between(rng, np.full(these.sum(), ys), np.full(these.sum(), last))
    referral[second] = _between(rng, np.full(pairs, ys + 90), np.full(pairs, ys + 270))
    r2 = referral[second]
    referral[first] = np.where(
        within[second], _between(rng, r2 - 330, np.full(pairs, ys - 60)), _between(rng, r2 - 1000, r2 - 400)
    )
    ended = kind == ENDED
    closure[ended] = _between(rng, np.full(ended.sum(), ys + 60), np.full(ended.sum(), ye))
    closure[first] = _between(rng, np.full(pairs, ys + 60), r2 - 1)
    passing = kind == PASSING
    closure[passing] = _between(rng, referral[passing] + 60, np.full(passing.sum(), ye))
    nfa = kind == NFA
    closure[nfa] = np.where(rng.random(nfa.sum()) < NFA_LEFT_OPEN, -1, referral[nfa])

    # assessments: every episode but a referral with no further action, authorised within 50 days
    assessed = kind != NFA
    a_start = np.where(assessed, referral + rng.integers(0, 6, n), -1)
    a_auth = np.where(kind == NOT_IN_NEED, a_start + rng.integers(5, 21, n), a_start + rng.integers(5, 45, n))
    a_auth = np.where(assessed, a_auth, -1)
    closure = np.where(kind == NOT_IN_NEED, a_auth + rng.integers(0, 5, n), closure)
    n_factors = np.where(kind == NOT_IN_NEED, 1, rng.integers(1, 4, n))
    factors = np.array(FACTORS)[np.argsort(rng.random((n, len(FACTORS))), axis=1)[:, :3]]
    factors[:, 0] = np.where((kind == NOT_IN_NEED) & (rng.random(n) < 0.5), "21", factors[:, 0])

    # child protection: within the episode's days in the year (60 or more for every story in it)
    lo = np.maximum(referral, ys)
    hi = np.where(closure >= 0, np.minimum(closure, ye), ye)
    s47 = np.full(n, -1, np.int64)
    icpc = np.full(n, -1, np.int64)
    plan_start = np.full(n, -1, np.int64)
    plan_end = np.full(n, -1, np.int64)
    in_year = (story >= S47_ONLY) & (story <= PLAN_ENDED)
    s47[in_year] = _between(rng, lo[in_year], hi[in_year] - 40)
    conference = (story >= ICPC_ONLY) & (story <= PLAN_ENDED)
    icpc[conference] = s47[conference] + rng.integers(5, 21, conference.sum())
    old = (story == PLAN_BEFORE_OPEN) | (story == PLAN_BEFORE_ENDED)
    s47[old] = _between(rng, referral[old] + 1, np.full(old.sum(), ys - 40))
    icpc[old] = s47[old] + rng.integers(5, 21, old.sum())
    late = story == S47_BEFORE
    s47[late] = ys - rng.integers(1, 21, late.sum())
    icpc[late] = ys + rng.integers(0, 11, late.sum())
    planned = (story == PLAN_OPEN) | (story == PLAN_ENDED) | old
    plan_start[planned] = icpc[planned]
    ends = (story == PLAN_ENDED) | (story == PLAN_BEFORE_ENDED)
    plan_end[ends] = _between(rng, np.maximum(plan_start[ends] + 1, ys), hi[ends])
    started = np.flatnonzero((story == PLAN_OPEN) | (story == PLAN_ENDED))
    previous = np.zeros(n, np.int64)
    previous[rng.permutation(started)[: k.subsequent]] = rng.choice([1, 1, 1, 2, 3], k.subsequent)
    previous[old] = rng.integers(0, 2, old.sum())
    bound = np.where(plan_end >= 0, plan_end, ye)
    review_1 = np.where(planned & (plan_start + 90 <= bound), plan_start + rng.integers(70, 91, n), -1)
    review_2 = np.where((review_1 >= 0) & (review_1 + 180 <= bound), review_1 + 180, -1)
    cin_plan = (kind <= PASSING) & ~planned & (rng.random(n) < CIN_PLANS)
    cin_start = np.where(cin_plan, a_auth + rng.integers(0, 11, n), -1)
    cin_end = np.where(cin_plan, closure, -1)

    # children: one per episode, but a later referral's child is the child of the episode it
    # follows; numbered at random, so each LA's file mixes the kinds
    child = np.full(n, -1)
    own = follows < 0
    child[own] = rng.permutation(own.sum())
    child[second] = child[first]
    episode_order = np.lexsort((referral, child))

    frame = pl.DataFrame(
        {
            "child": child,
            "kind": kind,
            "referral": referral,
            "source": _pick(rng, n, SOURCES),
            "need": _where(~nfa, _pick(rng, n, NEEDS)),
            "closure": closure,
            "reason": _where(closure >= 0, np.where(kind >= NFA, "RC8", _pick(rng, n, CLOSURES))),
            "cpc": icpc,
            "a_start": a_start,
            "a_auth": a_auth,
            "n_factors": n_factors,
            "f1": factors[:, 0],
            "f2": factors[:, 1],
            "f3": factors[:, 2],
            "cin_start": cin_start,
            "cin_end": cin_end,
            "s47": s47,
            "cpc_target": np.where(s47 >= 0, s47 + 21, -1),
            "cpc_not_required": np.where(story == S47_ONLY, (rng.random(n) < 0.3).astype(np.int64), 0),
            "nfa": nfa.astype(np.int64),
            "plan_start": plan_start,
            "plan_end": plan_end,
            "abuse": _pick(rng, n, ABUSE),
            "latest": _pick(rng, n, ABUSE),
            "previous": previous,
            "review_1": review_1,
            "review_2": review_2,
        }
    )[episode_order]
    return frame, int(own.sum())


def _date(column: str) -> pl.Expr:
    """Days since 1970 as xs:date (YYYY-MM-DD); NULL where negative (no date)."""
    days = pl.col(column)
    return pl.when(days >= 0).then(days.cast(pl.Int32).cast(pl.Date).dt.to_string("%Y-%m-%d"))


def _line(text: str, depth: int) -> str:
    return f"{INDENT * depth}{text}\n"


def _el(tag: str, value: pl.Expr, depth: int) -> pl.Expr:
    """``<tag>value</tag>`` on a line of its own, NULL (left out) where ``value`` is NULL."""
    return pl.format(f"{INDENT * depth}<{tag}>{{}}</{tag}>\n", value)


def _block(tag: str, parts: list[pl.Expr], depth: int, when: pl.Expr) -> pl.Expr:
    """An element holding ``parts``, present where ``when``."""
    pad = INDENT * depth
    inner = pl.concat_str(parts, ignore_nulls=True)
    return pl.when(when).then(pl.concat_str([pl.lit(f"{pad}<{tag}>\n"), inner, pl.lit(f"{pad}</{tag}>\n")]))


def children_frame(n: int, rng: np.random.Generator, year: int) -> pl.DataFrame:
    """The children's own details (identifiers, date of birth before any referral is set later)."""
    ye = (date(year, 3, 31) - EPOCH).days
    has_upn = rng.random(n) < 0.8
    upn = np.char.add(
        np.char.add(LETTERS[rng.integers(0, 20, n)], rng.integers(10**10, 10**11, n).astype(str)),
        rng.integers(0, 10, n).astype(str),
    )
    disabled = rng.random(n) < 0.1
    return pl.DataFrame(
        {
            "child": np.arange(n),
            "id": np.char.add("CIN", (1_000_000 + np.arange(n)).astype(str)),
            "upn": _where(has_upn, upn),
            "upn_unknown": _where(~has_upn, np.array(UPN_UNKNOWN)[rng.integers(0, len(UPN_UNKNOWN), n)]),
            "born": ye - (rng.random(n) * 17.9 * DAYS_A_YEAR).astype(np.int64),
            "sex": np.where(rng.random(n) < 0.52, "M", np.where(rng.random(n) < 0.98, "F", "U")),
            "ethnicity": _pick(rng, n, ETHNIC),
            "disability": np.where(disabled, np.array(DISABILITIES)[rng.integers(0, len(DISABILITIES), n)], "NONE"),
        }
    )


def census_text(frame: pl.DataFrame, children: pl.DataFrame) -> pl.Series:
    """Each episode's XML, with its child's opening before the child's first episode and the
    closing after its last: the file's body is these in order."""
    first_referral = frame.group_by("child").agg(pl.col("referral").min().alias("first_referral"))
    children = children.join(first_referral, on="child").with_columns(
        pl.min_horizontal("born", pl.col("first_referral") - 1).alias("born")
    )
    rows = frame.join(children, on="child", how="left", maintain_order="left").with_columns(
        (pl.col("child") != pl.col("child").shift(1)).fill_null(True).alias("opens"),
        (pl.col("child") != pl.col("child").shift(-1)).fill_null(True).alias("closes"),
    )
    opening = pl.concat_str(
        [
            pl.lit(_line("<Child>", 2) + _line("<ChildIdentifiers>", 3)),
            pl.concat_str(
                [
                    _el("LAchildID", pl.col("id"), 4),
                    _el("UPN", pl.col("upn"), 4),
                    _el("UPNunknown", pl.col("upn_unknown"), 4),
                    _el("PersonBirthDate", _date("born"), 4),
                    _el("Sex", pl.col("sex"), 4),
                ],
                ignore_nulls=True,
            ),
            pl.lit(_line("</ChildIdentifiers>", 3) + _line("<ChildCharacteristics>", 3)),
            _el("Ethnicity", pl.col("ethnicity"), 4),
            _block("Disabilities", [_el("Disability", pl.col("disability"), 5)], 4, pl.lit(True)),
            pl.lit(_line("</ChildCharacteristics>", 3)),
        ]
    )
    factors = _block(
        "FactorsIdentifiedAtAssessment",
        [
            _el("AssessmentFactors", pl.col("f1"), 6),
            _el("AssessmentFactors", pl.when(pl.col("n_factors") >= 2).then("f2"), 6),
            _el("AssessmentFactors", pl.when(pl.col("n_factors") >= 3).then("f3"), 6),
        ],
        5,
        pl.lit(True),
    )
    assessment = _block(
        "Assessments",
        [
            _el("AssessmentActualStartDate", _date("a_start"), 5),
            _el("AssessmentAuthorisationDate", _date("a_auth"), 5),
            factors,
        ],
        4,
        pl.col("a_start") >= 0,
    )
    cin_plan = _block(
        "CINPlanDates",
        [_el("CINPlanStartDate", _date("cin_start"), 5), _el("CINPlanEndDate", _date("cin_end"), 5)],
        4,
        pl.col("cin_start") >= 0,
    )
    section47 = _block(
        "Section47",
        [
            _el("S47ActualStartDate", _date("s47"), 5),
            _el("InitialCPCtarget", _date("cpc_target"), 5),
            _el("DateOfInitialCPC", _date("cpc"), 5),
            _el("ICPCnotRequired", pl.col("cpc_not_required").cast(pl.Utf8), 5),
        ],
        4,
        pl.col("s47") >= 0,
    )
    reviews = _block(
        "Reviews", [_el("CPPreviewDate", _date("review_1"), 6), _el("CPPreviewDate", _date("review_2"), 6)], 5,
        pl.col("review_1") >= 0,
    )  # fmt: skip
    plan = _block(
        "ChildProtectionPlans",
        [
            _el("CPPstartDate", _date("plan_start"), 5),
            _el("CPPendDate", _date("plan_end"), 5),
            _el("InitialCategoryOfAbuse", pl.col("abuse"), 5),
            _el("LatestCategoryOfAbuse", pl.col("latest"), 5),
            _el("NumberOfPreviousCPP", pl.col("previous").cast(pl.Utf8), 5),
            reviews,
        ],
        4,
        pl.col("plan_start") >= 0,
    )
    details = _block(
        "CINdetails",
        [
            _el("CINreferralDate", _date("referral"), 4),
            _el("ReferralSource", pl.col("source"), 4),
            _el("PrimaryNeedCode", pl.col("need"), 4),
            _el("CINclosureDate", _date("closure"), 4),
            _el("ReasonForClosure", pl.col("reason"), 4),
            _el("DateOfInitialCPC", _date("cpc"), 4),
            assessment,
            cin_plan,
            section47,
            _el("ReferralNFA", pl.col("nfa").cast(pl.Utf8), 4),
            plan,
        ],
        3,
        pl.lit(True),
    )
    return rows.select(
        pl.concat_str(
            [pl.when("opens").then(opening), details, pl.when("closes").then(pl.lit(_line("</Child>", 2)))],
            ignore_nulls=True,
        )
    ).to_series()


def header(lea: str, year: int) -> str:
    """The file's opening: the header (collection, year, DfE's LA number) and ``<Children>``."""
    lines = [
        ("<Message>", 0), ("<Header>", 1), ("<CollectionDetails>", 2), ("<Collection>CIN</Collection>", 3),
        (f"<Year>{year}</Year>", 3), (f"<ReferenceDate>{year}-03-31</ReferenceDate>", 3), ("</CollectionDetails>", 2),
        ("<Source>", 2), ("<SourceLevel>L</SourceLevel>", 3), (f"<LEA>{lea}</LEA>", 3),
        ("<SoftwareCode>synthetic</SoftwareCode>", 3), ("<Release>1</Release>", 3), ("<SerialNo>001</SerialNo>", 3),
        (f"<DateTime>{year}-05-01T09:00:00</DateTime>", 3), ("</Source>", 2), ("</Header>", 1), ("<Children>", 1),
    ]  # fmt: skip
    return "<?xml version='1.0' encoding='utf-8'?>\n" + "".join(_line(text, depth) for text, depth in lines)


FOOTER = _line("</Children>", 1) + _line("</Message>", 0)
CHUNK = 20_000  # episodes written at a time


def write_return(path: Path, lea: str, volumes: Volumes, year: int = YEAR, seed: int = SEED) -> dict[str, int]:
    """One LA's census written to ``path`` (owner-only), a block of text at a time; returns its
    children, episodes and bytes. ``seed`` makes the LA's draws (the caller gives each LA its own)."""
    rng = np.random.default_rng(seed)
    frame, n_children = episodes(volumes, year, rng)
    body = census_text(frame, children_frame(n_children, rng, year))
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(header(lea, year))
        for start in range(0, body.len(), CHUNK):
            fh.write("".join(body.slice(start, CHUNK).to_list()))
        fh.write(FOOTER)
    return {"children": n_children, "episodes": frame.height, "bytes": path.stat().st_size}


def _write_one(args: tuple[Path, str, Volumes, int, int]) -> dict[str, int]:
    return write_return(*args)


def write_inbox(
    inbox: Path, volumes: dict[str, Volumes], leas: dict[str, str], year: int = YEAR, workers: int | None = None
) -> dict[str, dict[str, int]]:
    """Every LA's census in an inbox (``<la_code>/<year>/cin_census.xml``, owner-only as the inbox
    is), ``workers`` LAs at a time (default: a process per core); ``leas`` gives each LA's DfE
    number for the header. Returns each written file's children, episodes and bytes, by path."""
    inbox.mkdir(parents=True, exist_ok=True, mode=0o700)
    jobs = []
    for i, code in enumerate(volumes):
        folder = inbox / code / str(year)
        folder.parent.mkdir(exist_ok=True, mode=0o700)
        folder.mkdir(exist_ok=True, mode=0o700)
        jobs.append((folder / FILE_NAME, leas[code], volumes[code], year, SEED * 1000 + i))
    workers = workers or os.cpu_count() or 1
    if workers == 1 or len(jobs) <= 1:
        return {str(job[0]): _write_one(job) for job in jobs}
    with ProcessPoolExecutor(workers) as pool:
        return {str(job[0]): made for job, made in zip(jobs, pool.map(_write_one, jobs))}


def change_needs(path: Path, episodes: int = 5) -> int:
    """A corrected census: the first ``episodes`` episodes whose primary need is N1 (abuse or
    neglect) changed to N4 (family in acute stress), the file rewritten a line at a time (no
    count of :func:`expected` changes); returns how many changed."""
    changed = 0
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with path.open(encoding="utf-8") as src, os.fdopen(fd, "w", encoding="utf-8") as out:
        for line in src:
            if changed < episodes and line.endswith("<PrimaryNeedCode>N1</PrimaryNeedCode>\n"):
                line = line.replace("N1", "N4")
                changed += 1
            out.write(line)
    tmp.replace(path)
    return changed
