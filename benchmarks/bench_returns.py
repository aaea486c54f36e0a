"""What landing and counting every LA's SSDA903 return (or, with ``--cin``, every LA's children in
need census) costs at England's volumes, beside the floor measured in the same run, against the
returns' targets.

    uv run python benchmarks/bench_returns.py [--las N] [--scale F] [--validate N] [--keep DIR] [--markdown]
    uv run python benchmarks/bench_returns.py --cin [--las N] [--scale F] [--keep DIR] [--markdown]

Synthetic returns (tests/support/synthetic_returns.py) for collection year 2025: about 80,000
children looked after on 31 March, 30,000 starting and 30,000 ceasing during the year, several
episodes each, some short-break and some unaccompanied asylum-seeking children, split across
England's LAs as DfE's 2025 figures split them (the source mirror's
``cla/ees_2025/cla_number_and_rate_per_10k_children.csv``); the LA codes are the published
warehouse's current LAs when there is one, else those of that file, else made up. Making them
is timed apart and is none of the stages below. Then, in this order:

- floor: a bare DuckDB script that loads the same CSV files (every LA's header, episodes and
  uasc, all text) into a fresh database file: the least any landing of these files could cost;
- landing: ``landing.land_return`` for every LA, as the inbox's ``scan`` finds them;
- counting: ``counting.count_returns``, every LA in one query, on its own; then counting and
  publication as the pipeline runs them: ``figures.collect`` (counts every return again, and
  copies the shown figures into a fresh work database's ``raw.la_return_figures``);
- one LA's changed return: a few episodes of a mid-sized LA's return move placement, and that
  LA alone is landed again, then every return counted and collected, as a refresh does;
- validation: DfE's rules (``validation.run_ssda903_rules``) on ``--validate`` LAs of middling
  size, in seconds per LA, reported apart: that time is the validator's own, in its own
  environment.

Wall times; peak resident memory is this process's high-water mark (``getrusage``) after each
stage. Making the files, the floor and the validation run in processes of their own, so their
memory is not counted in it; their own peaks are printed beside it. Targets: counting and
publication at most 3 x the floor (printed with and without landing), one LA's changed return
at most a quarter of the time for all LAs, peak memory at most 2 GiB. Prints figures; asserts
nothing.

``--cin``: synthetic CIN censuses (tests/support/synthetic_cin.py) for collection year 2025, one
XML file per LA in the 2025 layout, at DfE's national figures for 2024-25 (about a million
episodes: 632,830 referrals, 402,400 children in need on 31 March, 230,590 section 47 enquiries,
72,100 initial conferences, 61,840 plans started, 49,420 plans on 31 March), split across LAs as
DfE's 2025 figures of children in need on 31 March split them (the source mirror's
``cin/ees_2025/b1_children_in_need_2013_to_2025.csv``, which gives DfE's LA numbers for the
files' headers too). Then:

- floor: a bare streaming parse of the same files into a fresh DuckDB file (lxml's iterparse,
  each <Child>'s fields as text rows, appended a batch at a time; no schema, no pseudonyms): the
  least any reading of these files could cost;
- reading and the schema check (``cin_census.read_file``), then landing (pseudonymised, written
  to the private database: ``census_landing.land_census``), for every LA, each timed apart;
- counting (``counting.count_returns``) on its own, then counting and publication
  (``figures.collect``);
- one LA's changed census: a few episodes of a mid-sized LA's census change primary need, and
  that LA alone is read, landed, then every return counted and collected, as a refresh does.

Targets: the whole pipeline (reading, schema check, landing, counting, publication) at most 3 x
the floor, one LA's changed census at most a quarter of the all-LAs time, peak memory at most
2 GiB. What counting finds is checked against what the files were made to hold
(``synthetic_cin.expected``): the run fails (exit status 1) when a total differs.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from orchestration.lib.core.warehouse import DUCKDB_CONFIG  # noqa: E402
from orchestration.settings import get_settings  # noqa: E402
from tests.support import synthetic_cin  # noqa: E402
from tests.support.synthetic_returns import (  # noqa: E402
    ENGLAND,
    TABLES,
    YEAR,
    Volumes,
    by_la,
    change_placements,
    expected,
    generate,
    write_inbox,
)

CLA_2025 = "cla/ees_2025/cla_number_and_rate_per_10k_children.csv"
CIN_2025 = "cin/ees_2025/b1_children_in_need_2013_to_2025.csv"
FLOOR_BATCH = 50_000  # the floor's rows appended to DuckDB at a time
SUPPRESSED = 3.0  # the weight of a count DfE does not show ("c": 1 to 5)
CHANGED_ROWS = 5
TARGET_FLOOR_MULTIPLE = 3
TARGET_ONE_LA_SHARE = 0.25
PEAK_TARGET_MIB = 2048


def peak_mib(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # KiB on Linux


def in_own_process(fn, *args):
    """``fn(*args)`` in a fresh Python process, so its memory is none of this one's."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(fn, *args).result()


def authorities() -> tuple[dict[str, tuple[float, float, float]], str]:
    """Every current LA's code with its weights for (looked after on 31 March, started, ceased),
    and where they came from. Read before this run's warehouse replaces the configured one."""
    codes: list[str] = []
    published = get_settings().published_path
    if published.exists():
        try:
            with duckdb.connect(str(published), read_only=True, config=DUCKDB_CONFIG) as con:
                query = "select la_code from marts.dim_local_authority where is_current order by la_code"
                codes = [code for (code,) in con.execute(query).fetchall()]
        except duckdb.Error:
            codes = []
    sizes: dict[str, tuple[float, float, float]] = {}
    mirror = Path(os.environ.get("CSC_SOURCE_MIRROR", REPO.parent / "shared" / "releases")) / CLA_2025
    if mirror.exists():
        # an LA that no longer exists has no population (x); a count DfE does not show (c, z) is small
        rows = duckdb.execute(
            """
            select new_la_code,
                max(coalesce(try_cast(children_count as double), $small)) filter (where population_type like '%31 March%'),
                max(coalesce(try_cast(children_count as double), $small)) filter (where population_type like '%starting%'),
                max(coalesce(try_cast(children_count as double), $small)) filter (where population_type like '%ceasing%')
            from read_csv($file, all_varchar=true)
            where time_period = '2025' and geographic_level = 'Local authority' and population_estimate <> 'x'
            group by all order by 1
            """,
            {"file": str(mirror), "small": SUPPRESSED},
        ).fetchall()
        sizes = {code: tuple(counts) for code, *counts in rows}
    origin = f"codes from {published.name}" if codes else f"codes from {mirror.name}" if sizes else "codes made up"
    origin += ", sizes from DfE's 2025 figures" if sizes else ", sizes made up"
    if not codes:
        codes = sorted(sizes) or [
            f"E{kind}{n:06d}"
            for kind, count in (("06", 63), ("08", 36), ("09", 33), ("10", 21))
            for n in range(1, count + 1)
        ]
    drawn = np.random.default_rng(153).lognormal(np.log(400), 0.6, len(codes))
    weights = {code: sizes.get(code, (float(d),) * 3) for code, d in zip(codes, drawn)}
    return weights, origin


def make_inbox(inbox: Path, volumes: dict[str, Volumes]) -> dict:
    """The synthetic returns written to the inbox (run in a process of its own)."""
    started = time.perf_counter()
    returns = generate(volumes)
    written = write_inbox(inbox, returns)
    rows = {name: sum(tables[name].height for tables in returns.values()) for name in TABLES}
    return {
        "seconds": time.perf_counter() - started,
        "rows": rows,
        "files": len(written),
        "mib": sum(p.stat().st_size for p in written) / 2**20,
        "peak": peak_mib(),
    }


def floor(inbox: Path) -> dict:
    """Every LA's CSV files loaded into a fresh DuckDB file, as plainly as DuckDB can (run in a
    process of its own)."""
    started = time.perf_counter()
    rows = 0
    with tempfile.TemporaryDirectory(prefix="csc-bench-floor-") as tmp:
        con = duckdb.connect(f"{tmp}/floor.duckdb")
        for name in TABLES:
            files = sorted(str(p) for p in inbox.glob(f"*/{YEAR}/{name}.csv"))
            con.execute(f"create table {name} as select * from read_csv(?, all_varchar=true)", [files])
            rows += con.execute(f"select count(*) from {name}").fetchone()[0]
        con.close()
        seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows": rows, "peak": peak_mib()}


def validate(returns: list[tuple[str, list[Path]]], work: Path) -> dict:
    """DfE's rules on each return, timed (run in a process of its own, so the validators' peak
    is the high-water mark of this process's children)."""
    from orchestration.lib.returns import validation

    seconds, issues, rules = [], [], []
    for la_code, files in returns:
        started = time.perf_counter()
        found = validation.run_ssda903_rules(files, YEAR, la_code, work / la_code).issues
        seconds.append(time.perf_counter() - started)
        issues.append(found.height)
        rules.append(found["rule_code"].n_unique())
    return {"seconds": seconds, "issues": issues, "rules": rules, "peak": peak_mib(resource.RUSAGE_CHILDREN)}


def spread(codes: list[str], n: int) -> list[str]:
    """``n`` of ``codes`` evenly spread over them (all of them when ``n`` is none or too many)."""
    if not n or n >= len(codes):
        return codes
    return [codes[i] for i in sorted(set(np.linspace(0, len(codes) - 1, n).round().astype(int)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--las", type=int, default=0, help="this many LAs, spread over all of them (default: every LA)")
    parser.add_argument("--scale", type=float, default=1.0, help="England's volumes times this (default 1.0)")
    parser.add_argument("--validate", type=int, default=2, metavar="N", help="DfE's rules on N LAs (0: none)")
    parser.add_argument(
        "--keep",
        type=Path,
        metavar="DIR",
        help="write the returns (an inbox) here and keep them, the changed one changed",
    )
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown (docs/performance.md)")
    parser.add_argument("--cin", action="store_true", help="the children in need census instead of the SSDA903")
    args = parser.parse_args()
    if args.keep and args.keep.exists() and any(args.keep.iterdir()):
        sys.exit(f"--keep {args.keep}: not empty (the inbox would mix these returns with what is there)")
    if args.cin:
        return cin_main(args)
    weights, origin = authorities()
    national = by_la(ENGLAND.scaled(args.scale), weights)
    volumes = {code: national[code] for code in spread(sorted(national), args.las)}
    tmp = Path(tempfile.mkdtemp(prefix="csc-bench-returns-"))
    try:
        inbox = args.keep.resolve() if args.keep else tmp / "returns"
        os.environ |= {
            "CSC_WAREHOUSE_DIR": str(tmp / "warehouse"),
            "CSC_DUCKDB_PATH": str(tmp / "warehouse" / "work.duckdb"),
            "CSC_RETURNS_DIR": str(inbox),
        }
        made = in_own_process(make_inbox, inbox, volumes)
        figures = run(args, volumes, tmp)
        figures |= {"made": made, "origin": origin, "volumes": volumes}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    (report_markdown if args.markdown else report)(summary(args, figures), table(args, figures), figures["peak"])


def run(args, volumes: dict[str, Volumes], tmp: Path) -> dict:
    from orchestration.lib.returns import figures, inbox, landing, validation

    settings = get_settings()
    out: dict = {"floor": in_own_process(floor, settings.inbox_dir)}
    returns = inbox.scan(settings)
    started = time.perf_counter()
    for ret in returns:
        landing.land_return(settings, ret)
    out["landing"] = {"seconds": time.perf_counter() - started, "peak": peak_mib()}
    out |= count_and_collect(settings)
    out["counted"] = counted_totals(settings, "ssda903")

    # one LA's corrected return: the LA of middling size
    by_size = sorted(volumes, key=lambda code: (volumes[code].at_31_march, code))
    middle = by_size[len(by_size) // 2]
    ret = next(r for r in returns if r.la_code == middle)
    changed = change_placements(ret.folder / "episodes.csv", CHANGED_ROWS)
    parts = {}
    started = time.perf_counter()
    landing.land_return(settings, ret)
    parts["land"] = time.perf_counter() - started
    with duckdb.connect(str(settings.duckdb_path), config=DUCKDB_CONFIG) as con:
        figures.collect(con, settings)
    seconds = time.perf_counter() - started
    parts["count and collect"] = seconds - parts["land"]
    out["one"] = {"seconds": seconds, "peak": peak_mib(), "la": middle, "rows": changed, "parts": parts}

    if args.validate:
        validation.validator_python()  # made from its lock first if need be: not the rules' time
        middling = sorted(
            volumes, key=lambda code: (abs(volumes[code].at_31_march - volumes[middle].at_31_march), code)
        )
        sample = [
            (r.la_code, list(r.files)) for code in middling[: args.validate] for r in returns if r.la_code == code
        ]
        out["validation"] = in_own_process(validate, sample, tmp / "validation") | {"las": [c for c, _ in sample]}
    out["peak"] = peak_mib()
    return out


def count_and_collect(settings) -> dict:
    """Counting every landed return, then counting again and publishing (figures.collect), each
    timed with the peak memory after it."""
    from orchestration.lib.returns import counting, figures

    started = time.perf_counter()
    counting.count_returns(settings)
    out = {"counting": {"seconds": time.perf_counter() - started, "peak": peak_mib()}}
    started = time.perf_counter()
    with duckdb.connect(str(settings.duckdb_path), config=DUCKDB_CONFIG) as con:
        rows = figures.collect(con, settings)[1]
    out["collect"] = {"seconds": time.perf_counter() - started, "peak": peak_mib(), "rows": rows}
    return out


def counted_totals(settings, kind: str) -> dict[str, int]:
    """Each count's total over every LA, as counted (before suppression) in the private area."""
    from orchestration.lib.returns import private

    with private.connect(settings, read_only=True) as con:
        rows = con.execute(
            f"select measure, sum(number) from {kind}_figures where breakdown = 'Total' and is_count group by measure"
        ).fetchall()
    return {measure: int(n) for measure, n in rows}


def table(args, f: dict) -> list[dict]:
    """The report's rows: stage, seconds, per LA, against what, peak memory, target and whether met."""
    n = len(f["volumes"])
    base = f["floor"]["seconds"]
    land, count, collect = (f[k]["seconds"] for k in ("landing", "counting", "collect"))
    everything = land + collect  # collecting counts every return: the pipeline's counting and publication

    def floor_target(seconds: float) -> dict:
        met = seconds <= TARGET_FLOOR_MULTIPLE * base
        return {"vs": f"{seconds / base:.1f} x floor", "target": f"<= {TARGET_FLOOR_MULTIPLE} x floor", "met": met}

    one = f["one"]
    share = one["seconds"] / everything
    rows = [
        {"stage": "floor: DuckDB loads the CSV files", "seconds": base, "peak": f"{f['floor']['peak']:,.0f} MiB (own)"},
        {"stage": f"landing, {n} LAs", "seconds": land, "per_la": land / n, "vs": f"{land / base:.1f} x floor"},
        {"stage": f"counting, {n} LAs", "seconds": count, "per_la": count / n, "vs": f"{count / base:.1f} x floor"},
        {"stage": "counting + publication (figures.collect)", "seconds": collect, **floor_target(collect)},
        # landing is no part of the target: reported for what a first load of every LA costs
        {"stage": "landing + counting + publication", "seconds": everything, "vs": f"{everything / base:.1f} x floor"},
        {
            "stage": "one LA's changed return: land, then count + collect",
            "seconds": one["seconds"],
            "vs": f"{100 * share:.0f}% of all LAs",
            "target": f"<= {100 * TARGET_ONE_LA_SHARE:.0f}% of all LAs",
            "met": share <= TARGET_ONE_LA_SHARE,
            "note": f"{one['la']}, {one['rows']} episodes moved placement: "
            + "land {land:.2f} s, count and collect {count and collect:.2f} s".format(**one["parts"]),
        },
    ]
    for row, key in zip(rows[1:], ("landing", "counting", "collect", "collect")):
        row["peak"] = f"{f[key]['peak']:,.0f} MiB"
    rows[-1]["peak"] = f"{one['peak']:,.0f} MiB"
    if "validation" in f:
        v = f["validation"]
        per_la = sum(v["seconds"]) / len(v["seconds"])
        rows.append(
            {
                "stage": f"validation (DfE's rules), {len(v['las'])} LA{'s' * (len(v['las']) > 1)}, apart",
                "seconds": sum(v["seconds"]),
                "per_la": per_la,
                "peak": f"{v['peak']:,.0f} MiB (own)",
                "note": "; ".join(
                    f"{la} {s:.1f} s, {i:,} issues under {r} rules"
                    for la, s, i, r in zip(v["las"], v["seconds"], v["issues"], v["rules"])
                ),
            }
        )
    return rows


def summary(args, f: dict) -> list[str]:
    made, volumes = f["made"], f["volumes"]
    want = {m: sum(expected(v)[m] for v in volumes.values()) for m in expected(Volumes(0, 0, 0))}
    got = f["counted"]
    labels = {
        "cla_count": "on 31 March",
        "cla_started_count": "started",
        "cla_ceased_count": "ceased",
        "cla_short_term_placements_count": "short breaks only",
    }
    counted = ", ".join(f"{labels[m]} {got.get(m, 0):,}" for m in labels)
    agree = "as made" if all(got.get(m, 0) == n for m, n in want.items()) else f"made: {want}"
    rows = made["rows"]
    return [
        f"SSDA903 returns for {YEAR}: {len(volumes)} LAs at {args.scale:g} x England's volumes ({f['origin']}); "
        f"{os.cpu_count()} cores",
        f"made in {made['seconds']:.1f} s (not a stage; own peak {made['peak']:,.0f} MiB): {rows['header']:,} children, "
        f"{rows['episodes']:,} episodes, {rows['uasc']:,} UASC rows; {made['files']} files, {made['mib']:.1f} MiB",
        f"counted: {counted} ({agree}); {f['collect']['rows']:,} figures collected",
    ]


def report(lines: list[str], rows: list[dict], peak: float) -> None:
    for line in lines:
        print(line)
    print(f"\n{'stage':<50}{'seconds':>9}{'per LA':>9}  {'against':<18}{'peak memory':<18}target")
    for row in rows:
        per_la = f"{row['per_la']:>9.2f}" if "per_la" in row else " " * 9
        target = f"{row['target']}: {'met' if row['met'] else 'NOT met'}" if "target" in row else ""
        print(
            f"{row['stage']:<50}{row['seconds']:>9.2f}{per_la}  {row.get('vs', ''):<18}{row.get('peak', ''):<18}{target}"
        )
        if "note" in row:
            print(f"    {row['note']}")
    print(peak_line(peak))


def report_markdown(lines: list[str], rows: list[dict], peak: float) -> None:
    """The same figures as a Markdown table, as docs/performance.md shows them."""
    print("\n".join(lines) + "\n")
    print("| stage | seconds | per LA | against | peak memory | target |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        per_la = f"{row['per_la']:.2f} s" if "per_la" in row else ""
        target = f"{row['target']}: {'met' if row['met'] else '**not met**'}" if "target" in row else ""
        stage = row["stage"] + (f" ({row['note']})" if "note" in row else "")
        print(
            f"| {stage} | {row['seconds']:.2f} s | {per_la} | {row.get('vs', '')} | {row.get('peak', '')} | {target} |"
        )
    print("\n" + peak_line(peak))


def peak_line(peak: float) -> str:
    met = "met" if peak <= PEAK_TARGET_MIB else "NOT met"
    return f"peak memory {peak:,.0f} MiB, this process after every stage (target <= {PEAK_TARGET_MIB:,} MiB: {met})"


# the children in need census (--cin)


def cin_authorities() -> tuple[dict[str, tuple[str, float]], str]:
    """Every current LA's code with DfE's three-digit number (its census's <LEA>) and its weight
    (children in need on 31 March 2025), and where they came from."""
    numbers: dict[str, str] = {}
    published = get_settings().published_path
    if published.exists():
        try:
            with duckdb.connect(str(published), read_only=True, config=DUCKDB_CONFIG) as con:
                query = (
                    "select la_code, la_code_dfe from marts.dim_local_authority "
                    "where is_current and la_code_dfe is not null order by la_code"
                )
                numbers = dict(con.execute(query).fetchall())
        except duckdb.Error:
            numbers = {}
    sizes: dict[str, float] = {}
    mirror = Path(os.environ.get("CSC_SOURCE_MIRROR", REPO.parent / "shared" / "releases")) / CIN_2025
    if mirror.exists():
        rows = duckdb.execute(
            """
            select new_la_code, any_value(old_la_code), max(coalesce(try_cast(At31_episodes as double), $small))
            from read_csv($file, all_varchar=true)
            where time_period = '2025' and geographic_level = 'Local authority'
            group by all order by 1
            """,
            {"file": str(mirror), "small": SUPPRESSED},
        ).fetchall()
        sizes = {code: size for code, _, size in rows}
        numbers = numbers or {code: number for code, number, _ in rows}
    origin = f"codes from {published.name}" if published.exists() and numbers else ""
    origin = origin or (f"codes from {mirror.name}" if sizes else "codes made up")
    origin += ", sizes from DfE's 2025 figures" if sizes else ", sizes made up"
    if not numbers:
        codes = [
            f"E{kind}{n:06d}"
            for kind, count in (("06", 63), ("08", 36), ("09", 33), ("10", 21))
            for n in range(1, count + 1)
        ]
        numbers = {code: f"{201 + i}" for i, code in enumerate(codes)}
    drawn = np.random.default_rng(153).lognormal(np.log(2600), 0.6, len(numbers))
    return {code: (numbers[code], sizes.get(code, float(d))) for code, d in zip(sorted(numbers), drawn)}, origin


def make_cin_inbox(inbox: Path, volumes: dict[str, synthetic_cin.Volumes], leas: dict[str, str]) -> dict:
    """The synthetic censuses written to the inbox (run in a process of its own, which writes
    them with a process per core)."""
    started = time.perf_counter()
    made = synthetic_cin.write_inbox(inbox, volumes, leas)
    return {
        "seconds": time.perf_counter() - started,
        "files": len(made),
        "children": sum(m["children"] for m in made.values()),
        "episodes": sum(m["episodes"] for m in made.values()),
        "mib": sum(m["bytes"] for m in made.values()) / 2**20,
        "largest_mib": max((m["bytes"] for m in made.values()), default=0) / 2**20,
        "peak": max(peak_mib(), peak_mib(resource.RUSAGE_CHILDREN)),
    }


# the floor's tables: the census's fields by the element that holds them, all text
FLOOR_CHILD = ("LAchildID", "UPN", "FormerUPN", "UPNunknown", "PersonBirthDate", "ExpectedPersonBirthDate", "Sex",
               "PersonDeathDate", "Ethnicity", "Disabilities")  # fmt: skip
FLOOR_EPISODE = ("CINreferralDate", "ReferralSource", "PrimaryNeedCode", "CINclosureDate", "ReasonForClosure",
                 "DateOfInitialCPC", "ReferralNFA")  # fmt: skip
FLOOR_BLOCKS = {
    "Assessments": ("assessments", ("AssessmentActualStartDate", "AssessmentInternalReviewDate",
                                    "AssessmentAuthorisationDate", "FactorsIdentifiedAtAssessment")),
    "CINPlanDates": ("cin_plans", ("CINPlanStartDate", "CINPlanEndDate")),
    "Section47": ("section47", ("S47ActualStartDate", "InitialCPCtarget", "DateOfInitialCPC", "ICPCnotRequired")),
    "ChildProtectionPlans": ("cp_plans", ("CPPstartDate", "CPPendDate", "InitialCategoryOfAbuse",
                                          "LatestCategoryOfAbuse", "NumberOfPreviousCPP")),
}  # fmt: skip
FLOOR_COLUMNS = {
    "children": ("la", "child_index", *FLOOR_CHILD),
    "episodes": ("la", "child_index", "episode_index", *FLOOR_EPISODE),
    **{name: ("la", "child_index", "episode_index", *fields) for name, fields in FLOOR_BLOCKS.values()},
    "cpp_reviews": ("la", "child_index", "episode_index", "CPPreviewDate"),
}
FLOOR_LISTS = frozenset({"Disabilities", "FactorsIdentifiedAtAssessment", "Reviews"})  # codes joined with ','


def _fields(element) -> dict:
    """An element's children's text by tag, a list's items joined with ','."""
    return {
        e.tag: ",".join(i.text or "" for i in e) if e.tag in FLOOR_LISTS else e.text
        for e in element
        if isinstance(e.tag, str)
    }


def cin_floor(inbox: Path) -> dict:
    """Every LA's census parsed as it streams (lxml's iterparse, one <Child> at a time, each element
    visited once) and its fields appended to a fresh DuckDB file a batch at a time, as plainly as
    that can be done: no schema check, no types, no pseudonyms (run in a process of its own)."""
    from lxml import etree

    started = time.perf_counter()
    rows = {name: [] for name in FLOOR_COLUMNS}
    total = 0
    with tempfile.TemporaryDirectory(prefix="csc-bench-floor-") as tmp:
        con = duckdb.connect(f"{tmp}/floor.duckdb")
        for name, columns in FLOOR_COLUMNS.items():
            con.execute(f"create table {name} ({', '.join(f'{c} varchar' for c in columns)})")

        def flush() -> int:
            n = 0
            for name, batch in rows.items():
                if batch:
                    frame = pl.DataFrame(batch, schema=dict.fromkeys(FLOOR_COLUMNS[name], pl.Utf8), orient="row")  # noqa: F841
                    con.execute(f"insert into {name} select * from frame")
                    n += len(batch)
                    batch.clear()
            return n

        for path in sorted(inbox.glob(f"*/{synthetic_cin.YEAR}/*.xml")):
            la = path.parent.parent.name
            for index, (_, child) in enumerate(etree.iterparse(str(path), tag="Child"), 1):
                key = (la, str(index))
                person: dict = {}
                episode = 0
                for part in child:
                    if part.tag != "CINdetails":
                        person |= _fields(part)
                        continue
                    episode += 1
                    at = (*key, str(episode))
                    details = {}
                    for block in part:
                        table = FLOOR_BLOCKS.get(block.tag)
                        if table is None:
                            details[block.tag] = block.text
                            continue
                        got = _fields(block)
                        rows[table[0]].append((*at, *map(got.get, table[1])))
                        for review in (got.get("Reviews") or "").split(",") if table[0] == "cp_plans" else ():
                            if review:
                                rows["cpp_reviews"].append((*at, review))
                    rows["episodes"].append((*at, *map(details.get, FLOOR_EPISODE)))
                rows["children"].append((*key, *map(person.get, FLOOR_CHILD)))
                child.clear()
                while child.getprevious() is not None:
                    del child.getparent()[0]
                if len(rows["episodes"]) >= FLOOR_BATCH:
                    total += flush()
        total += flush()
        con.close()
        seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows": total, "peak": peak_mib()}


def cin_main(args) -> None:
    authorities, origin = cin_authorities()
    national = synthetic_cin.by_la(
        synthetic_cin.ENGLAND.scaled(args.scale), {code: weight for code, (_, weight) in authorities.items()}
    )
    volumes = {code: national[code] for code in spread(sorted(national), args.las)}
    leas = {code: authorities[code][0] for code in volumes}
    tmp = Path(tempfile.mkdtemp(prefix="csc-bench-cin-"))
    try:
        inbox = args.keep.resolve() if args.keep else tmp / "returns"
        os.environ |= {
            "CSC_WAREHOUSE_DIR": str(tmp / "warehouse"),
            "CSC_DUCKDB_PATH": str(tmp / "warehouse" / "work.duckdb"),
            "CSC_RETURNS_DIR": str(inbox),
        }
        made = in_own_process(make_cin_inbox, inbox, volumes, leas)
        figures = run_cin(volumes, tmp)
        figures |= {"made": made, "origin": origin, "volumes": volumes}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    (report_markdown if args.markdown else report)(cin_summary(args, figures), cin_table(figures), figures["peak"])
    if figures["differ"]:
        sys.exit(
            "counting does not find what the censuses were made to hold (measure: counted, made): "
            + "; ".join(f"{m}: {got}, {want}" for m, (got, want) in figures["differ"].items())
        )


def run_cin(volumes: dict[str, synthetic_cin.Volumes], tmp: Path) -> dict:
    from orchestration.lib.returns import census_landing, figures, inbox

    settings = get_settings()
    out: dict = {"floor": in_own_process(cin_floor, settings.inbox_dir)}
    returns = [r for r in inbox.scan(settings) if r.kind == inbox.CIN_CENSUS]
    if len(returns) != len(volumes):
        sys.exit(f"the inbox holds {len(returns)} CIN censuses; {len(volumes)} were made")
    read = land = 0.0
    issues = 0
    for ret in returns:
        started = time.perf_counter()
        census = census_landing.read_census(ret)
        read += time.perf_counter() - started
        issues += census.schema_issues.height
        started = time.perf_counter()
        census_landing.land_census(settings, ret, census)
        land += time.perf_counter() - started
        del census
    out["read"] = {"seconds": read, "peak": peak_mib(), "schema_issues": issues}
    out["landing"] = {"seconds": land, "peak": peak_mib()}
    out |= count_and_collect(settings)
    out["counted"] = counted_totals(settings, "cin_census")
    want = {m: sum(synthetic_cin.expected(v)[m] for v in volumes.values()) for m in cin_measures()}
    out["want"] = want
    out["differ"] = {m: (out["counted"].get(m), n) for m, n in want.items() if out["counted"].get(m, 0) != n}

    # one LA's corrected census: the LA of middling size
    by_size = sorted(volumes, key=lambda code: (volumes[code].open_at_31_march, code))
    middle = by_size[len(by_size) // 2]
    ret = next(r for r in returns if r.la_code == middle)
    changed = synthetic_cin.change_needs(ret.files[0])
    parts = {}
    started = time.perf_counter()
    census = census_landing.read_census(ret)
    parts["read"] = time.perf_counter() - started
    census_landing.land_census(settings, ret, census)
    parts["land"] = time.perf_counter() - started - parts["read"]
    with duckdb.connect(str(settings.duckdb_path), config=DUCKDB_CONFIG) as con:
        figures.collect(con, settings)
    seconds = time.perf_counter() - started
    parts["count and collect"] = seconds - parts["read"] - parts["land"]
    out["one"] = {"seconds": seconds, "peak": peak_mib(), "la": middle, "rows": changed, "parts": parts}
    out["peak"] = peak_mib()
    return out


def cin_measures() -> tuple[str, ...]:
    return tuple(synthetic_cin.expected(synthetic_cin.Volumes(*[0] * 11)))


def cin_table(f: dict) -> list[dict]:
    """The report's rows for the CIN census, as :func:`table` for the SSDA903."""
    n = len(f["volumes"])
    base = f["floor"]["seconds"]
    read, land, count, collect = (f[k]["seconds"] for k in ("read", "landing", "counting", "collect"))
    everything = read + land + collect  # collecting counts every return: the pipeline's counting and publication
    one = f["one"]
    share = one["seconds"] / everything
    rows = [
        {"stage": "floor: iterparse into DuckDB, no checks", "seconds": base, "peak": f"{f['floor']['peak']:,.0f} MiB (own)"},
        {"stage": f"reading + schema check, {n} LAs", "seconds": read, "per_la": read / n, "vs": f"{read / base:.1f} x floor",
         "note": f"{f['read']['schema_issues']:,} schema issues"},
        {"stage": f"landing (pseudonymised), {n} LAs", "seconds": land, "per_la": land / n, "vs": f"{land / base:.1f} x floor"},
        {"stage": f"counting, {n} LAs", "seconds": count, "per_la": count / n, "vs": f"{count / base:.1f} x floor"},
        {"stage": "counting + publication (figures.collect)", "seconds": collect, "vs": f"{collect / base:.1f} x floor"},
        {
            "stage": "whole pipeline: read to publication",
            "seconds": everything,
            "vs": f"{everything / base:.1f} x floor",
            "target": f"<= {TARGET_FLOOR_MULTIPLE} x floor",
            "met": everything <= TARGET_FLOOR_MULTIPLE * base,
        },
        {
            "stage": "one LA's changed census",
            "seconds": one["seconds"],
            "vs": f"{100 * share:.0f}% of all LAs",
            "target": f"<= {100 * TARGET_ONE_LA_SHARE:.0f}% of all LAs",
            "met": share <= TARGET_ONE_LA_SHARE,
            "note": f"{one['la']}, {one['rows']} episodes changed primary need, read, landed, then all counted and "
            "collected: "
            + "read {read:.2f} s, land {land:.2f} s, count and collect {count and collect:.2f} s".format(**one["parts"]),
        },
    ]  # fmt: skip
    for row, key in zip(rows[1:], ("read", "landing", "counting", "collect", "collect")):
        row["peak"] = f"{f[key]['peak']:,.0f} MiB"
    rows[-1]["peak"] = f"{one['peak']:,.0f} MiB"
    return rows


def cin_summary(args, f: dict) -> list[str]:
    made, got, want = f["made"], f["counted"], f["want"]
    labels = {
        "referrals_count": "referrals",
        "cin_count": "in need on 31 March",
        "s47_enquiries_count": "section 47 enquiries",
        "icpc_count": "initial conferences",
        "cpp_started_count": "plans started",
        "cpp_count": "plans on 31 March",
        "rereferrals_count": "re-referrals",
    }
    counted = ", ".join(f"{labels[m]} {got.get(m, 0):,}" for m in labels)
    agree = f"as made, all {len(want)} totals" if not f["differ"] else f"{len(f['differ'])} totals NOT as made"
    return [
        f"CIN census returns for {synthetic_cin.YEAR}: {len(f['volumes'])} LAs at {args.scale:g} x England's volumes "
        f"({f['origin']}); {os.cpu_count()} cores",
        f"made in {made['seconds']:.1f} s (not a stage; own peak {made['peak']:,.0f} MiB): {made['children']:,} children, "
        f"{made['episodes']:,} episodes; {made['files']} files, {made['mib']:,.0f} MiB (largest {made['largest_mib']:.0f} MiB)",
        f"counted: {counted} ({agree}); {f['collect']['rows']:,} figures collected",
    ]


if __name__ == "__main__":
    main()
