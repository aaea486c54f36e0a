"""What landing and counting every LA's SSDA903 return costs at England's volumes, beside the floor
measured in the same run, against the returns' targets.

    uv run python benchmarks/bench_returns.py [--las N] [--scale F] [--validate N] [--keep DIR] [--markdown]

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

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from orchestration.lib.core.warehouse import DUCKDB_CONFIG  # noqa: E402
from orchestration.settings import get_settings  # noqa: E402
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
    args = parser.parse_args()
    if args.keep and args.keep.exists() and any(args.keep.iterdir()):
        sys.exit(f"--keep {args.keep}: not empty (the inbox would mix these returns with what is there)")
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
    (report_markdown if args.markdown else report)(args, figures)


def run(args, volumes: dict[str, Volumes], tmp: Path) -> dict:
    from orchestration.lib.returns import counting, figures, inbox, landing, validation

    settings = get_settings()
    out: dict = {"floor": in_own_process(floor, settings.inbox_dir)}
    returns = inbox.scan(settings)
    started = time.perf_counter()
    for ret in returns:
        landing.land_return(settings, ret)
    out["landing"] = {"seconds": time.perf_counter() - started, "peak": peak_mib()}
    started = time.perf_counter()
    counting.count_returns(settings)
    out["counting"] = {"seconds": time.perf_counter() - started, "peak": peak_mib()}
    started = time.perf_counter()
    with duckdb.connect(str(settings.duckdb_path), config=DUCKDB_CONFIG) as con:
        rows = figures.collect(con, settings)[1]
    out["collect"] = {"seconds": time.perf_counter() - started, "peak": peak_mib(), "rows": rows}
    out["counted"] = counted_totals(settings)

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


def counted_totals(settings) -> dict[str, int]:
    from orchestration.lib.returns import private

    with private.connect(settings, read_only=True) as con:
        rows = con.execute(
            "select measure, sum(number) from ssda903_figures where breakdown = 'Total' group by measure"
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


def report(args, f: dict) -> None:
    for line in summary(args, f):
        print(line)
    print(f"\n{'stage':<50}{'seconds':>9}{'per LA':>9}  {'against':<18}{'peak memory':<18}target")
    for row in table(args, f):
        per_la = f"{row['per_la']:>9.2f}" if "per_la" in row else " " * 9
        target = f"{row['target']}: {'met' if row['met'] else 'NOT met'}" if "target" in row else ""
        print(
            f"{row['stage']:<50}{row['seconds']:>9.2f}{per_la}  {row.get('vs', ''):<18}{row.get('peak', ''):<18}{target}"
        )
        if "note" in row:
            print(f"    {row['note']}")
    print(peak_line(f))


def report_markdown(args, f: dict) -> None:
    """The same figures as a Markdown table, as docs/performance.md shows them."""
    print("\n".join(summary(args, f)) + "\n")
    print("| stage | seconds | per LA | against | peak memory | target |")
    print("|---|---|---|---|---|---|")
    for row in table(args, f):
        per_la = f"{row['per_la']:.2f} s" if "per_la" in row else ""
        target = f"{row['target']}: {'met' if row['met'] else '**not met**'}" if "target" in row else ""
        stage = row["stage"] + (f" ({row['note']})" if "note" in row else "")
        print(
            f"| {stage} | {row['seconds']:.2f} s | {per_la} | {row.get('vs', '')} | {row.get('peak', '')} | {target} |"
        )
    print("\n" + peak_line(f))


def peak_line(f: dict) -> str:
    peak = f["peak"]
    met = "met" if peak <= PEAK_TARGET_MIB else "NOT met"
    return f"peak memory {peak:,.0f} MiB, this process after every stage (target <= {PEAK_TARGET_MIB:,} MiB: {met})"


if __name__ == "__main__":
    main()
