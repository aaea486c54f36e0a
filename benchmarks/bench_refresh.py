"""What a refresh costs, beside the floor measured in the same run, against issue 10's targets.

    uv run python benchmarks/bench_refresh.py [--mirror DIR] [--runs N] [--live]

Cases, each in its own process on the same warehouse, in this order:

- floor: a bare DuckDB script that loads every CSV of the mirror into a fresh database (no
  Dagster, dbt or checks): the least any refresh of these files could cost;
- cold: ``csc refresh`` into an empty warehouse directory;
- no-op (CLI): ``csc refresh`` again, nothing changed;
- no-op (schedule): one night as the daemon runs it (benchmarks/nightly_tick.py: the nightly
  schedule's ingest run, then the build sensor), nothing changed;
- one changed file: a corrected workforce release (one LA's average caseload in the 2025
  workforce file, +0.1) served in place of the published one, then ``csc refresh``.

For each: wall time, peak resident memory of the process and the processes it waited for
(dbt), where the time went (start-up until the first run starts; the ingest, gates, dbt and
publish steps; the rest: Dagster's run bookkeeping between and around steps) read from the
warehouse's Dagster event log, and the number of Dagster events its runs wrote. With
``--live`` the refreshes use no mirror: loopback fakes of the publishers' interfaces
(tests/support/fake_publishers.py) serve the mirror's files, and the figures add the requests made.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.support.synthetic_releases import WORKFORCE_2025, corrected_caseload, write_apart  # noqa: E402

TARGETS = {
    "cold": "<= 3 x floor",
    "no-op (CLI)": "<= 10 s",
    "no-op (schedule)": "<= 10 s",
    "one changed file": "<= 25% of cold",
}
PEAK_TARGET_MIB = 1536


def floor(mirror: Path) -> float:
    """Load every CSV of the mirror into a fresh DuckDB file, as plainly as DuckDB can."""
    script = f"""
import duckdb, pathlib, tempfile
with tempfile.TemporaryDirectory() as d:
    con = duckdb.connect(d + "/floor.duckdb")
    for i, p in enumerate(sorted(pathlib.Path({str(mirror)!r}).rglob("*.csv"))):
        try:
            con.execute(f"create table t{{i}} as select * from read_csv(?, all_varchar=true)", [str(p)])
        except duckdb.Error:  # a cp1252 or ragged file: skip what does not parse
            con.execute(f"create table t{{i}} as select * from read_csv(?, all_varchar=true, ignore_errors=true, "
                        "strict_mode=false, null_padding=true, parallel=false)", [str(p)])
    con.close()
"""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", script], check=True)
    return time.perf_counter() - started


def timed(cmd: list[str], env: dict) -> tuple[float, float, float]:
    """(wall seconds, peak RSS MiB, start time) of a command: the peak of the process and of
    the processes it waited for (dbt)."""
    start = time.time()
    began = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=REPO, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - began
        if os.waitstatus_to_exitcode(status) != 0:
            out.seek(0)
            sys.exit(f"{' '.join(cmd[1:4])} failed: {out.read().decode(errors='replace')[-4000:]}")
    return wall, usage.ru_maxrss / 1024, start  # ru_maxrss is KiB on Linux


def phases(warehouse: Path, since: float) -> tuple[dict[str, float], int, float | None]:
    """Seconds per phase of the runs that started after ``since``, their event count, and when
    the first of them started."""
    import dagster as dg

    spent: dict[str, float] = defaultdict(float)
    events = 0
    first = None
    with dg.DagsterInstance.from_config(str(warehouse / ".dagster")) as instance:
        for run in instance.get_runs(limit=10):
            record = instance.get_run_record_by_id(run.run_id)
            if record.create_timestamp.timestamp() < since:
                continue
            first = min(first or record.create_timestamp.timestamp(), record.create_timestamp.timestamp())
            started: dict[str, float] = {}
            for r in instance.get_records_for_run(run.run_id, limit=1_000_000).records:
                events += 1
                entry = r.event_log_entry
                event = entry.dagster_event
                if event is None or event.step_key is None:
                    continue
                if event.event_type_value == "STEP_START":
                    started[event.step_key] = entry.timestamp
                elif event.event_type_value in ("STEP_SUCCESS", "STEP_FAILURE") and event.step_key in started:
                    spent[_phase(event.step_key)] += entry.timestamp - started[event.step_key]
    return spent, events, first


def _phase(step_key: str) -> str:
    if step_key.startswith(("ingest__", "raw__")):  # raw__<family>: one step per family before issue 10
        return "ingest"
    if step_key.startswith("gate__"):
        return "gates"
    if step_key.startswith("published__"):
        return "publish"
    return "dbt"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--mirror", type=Path, default=Path(os.environ.get("CSC_SOURCE_MIRROR", REPO.parent / "shared" / "releases"))
    )
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument(
        "--live", action="store_true", help="no mirror: loopback fakes of the publishers serve its files"
    )
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown (docs/performance.md)")
    args = parser.parse_args()
    rows: dict[str, list[dict]] = defaultdict(list)
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="csc-bench-") as tmp:
            run_once(args, Path(tmp), rows)
    report(args, rows)


def run_once(args, tmp: Path, rows: dict[str, list[dict]]) -> None:
    mirror = None
    served = tmp / "served"  # what the publishers (or the mirror) serve: the real files, then the corrected one
    shutil.copytree(args.mirror, served, copy_function=os.link)
    fake = None
    env = {k: v for k, v in os.environ.items() if k not in ("CSC_SOURCE_MIRROR", "DAGSTER_HOME")}
    if args.live:
        from orchestration.lib.ingest.catalogue import load_catalogue
        from tests.support.fake_publishers import FakePublishers

        fake = FakePublishers(load_catalogue(), served).start()
        env |= fake.env()
    else:
        mirror = served
    warehouse = tmp / "warehouse"
    csc = [sys.executable, "-m", "orchestration.cli", "refresh", "--warehouse-dir", str(warehouse)]
    tick = [sys.executable, str(REPO / "benchmarks" / "nightly_tick.py"), "--warehouse-dir", str(warehouse)]
    if mirror is not None:
        csc += ["--mirror", str(mirror)]
        tick += ["--mirror", str(mirror)]
    try:
        rows["floor"].append({"wall": floor(args.mirror)})
        for name, cmd in (("cold", csc), ("no-op (CLI)", csc), ("no-op (schedule)", tick), ("one changed file", csc)):
            if name == "one changed file":  # the corrected release, served in place of the published one
                write_apart(served / WORKFORCE_2025, corrected_caseload((args.mirror / WORKFORCE_2025).read_bytes())[0])
            requests = sum(fake.hits.values()) if fake else 0
            wall, peak, start = timed(cmd, env)
            spent, events, first = phases(warehouse, start)
            row = {
                "wall": wall,
                "peak": peak,
                "events": events,
                **spent,
                "start-up": (first - start) if first else wall,
            }
            row["other"] = wall - row["start-up"] - sum(spent.values())
            if fake:
                row["requests"] = sum(fake.hits.values()) - requests
            rows[name].append(row)
    finally:
        if fake:
            fake.stop()


def report(args, rows: dict[str, list[dict]]) -> None:
    def med(name: str, key: str) -> float:
        values = [r.get(key, 0.0) for r in rows[name]]
        return statistics.median(values) if values else 0.0

    if args.markdown:
        return report_markdown(args, rows, med)

    origin = "live (loopback fakes of the publishers)" if args.live else "mirror"
    base = med("floor", "wall")
    cold = med("cold", "wall")
    print(f"{origin} {args.mirror}; {args.runs} run(s), medians; {os.cpu_count()} cores")
    columns = ["wall", "start-up", "ingest", "gates", "dbt", "publish", "other", "events", "peak"]
    head = f"{'':18}" + "".join(
        f"{c + (' (s)' if c not in ('events', 'peak') else ' (MiB)' if c == 'peak' else ''):>13}" for c in columns
    )
    print(head + f"{'requests':>10}" * args.live + f"{'vs':>16}  target")
    for name in ("floor", "cold", "no-op (CLI)", "no-op (schedule)", "one changed file"):
        cells = []
        for c in columns:
            value = med(name, c)
            cells.append(f"{value:>13.0f}" if c in ("events", "peak") else f"{value:>13.1f}")
        if name == "floor":
            cells = [cells[0]] + [f"{'':>13}"] * (len(columns) - 1)
        vs = {
            "floor": "",
            "cold": f"{cold / base:.1f} x floor",
            "one changed file": f"{100 * med(name, 'wall') / cold:.0f}% of cold",
        }.get(name, f"{med(name, 'wall'):.1f} s")
        line = f"{name:18}" + "".join(cells) + (f"{med(name, 'requests'):>10.0f}" if args.live else "") + f"{vs:>16}"
        target = TARGETS.get(name, "")
        if target:
            met = {"cold": cold <= 3 * base, "one changed file": med(name, "wall") <= 0.25 * cold}.get(
                name, med(name, "wall") <= 10
            )
            line += f"  {target}: {'met' if met else 'NOT met'}"
        print(line)
    peak = max(med(n, "peak") for n in rows if n != "floor")
    print(
        f"peak memory {peak:.0f} MiB (target <= {PEAK_TARGET_MIB} MiB: {'met' if peak <= PEAK_TARGET_MIB else 'NOT met'})"
    )


def report_markdown(args, rows: dict[str, list[dict]], med) -> None:
    """The same figures as a Markdown table, as docs/performance.md shows them."""
    base, cold = med("floor", "wall"), med("cold", "wall")
    origin = "live (loopback fakes of the publishers)" if args.live else "the mirror"
    print(f"{args.runs} run(s) on {origin}, medians, {os.cpu_count()} cores\n")
    phases = ["start-up", "ingest", "gates", "dbt", "publish", "other"]
    print("| case | wall | " + " | ".join(phases) + " | events | peak memory | target |")
    print("|---" * (len(phases) + 5) + "|")
    for name in ("floor", "cold", "no-op (CLI)", "no-op (schedule)", "one changed file"):
        wall = med(name, "wall")
        if name == "floor":
            print(f"| {name} | {wall:.1f} s |" + " |" * (len(phases) + 3))
            continue
        relative = {"cold": f" ({cold / base:.1f} x floor)", "one changed file": f" ({100 * wall / cold:.0f}% of cold)"}
        target = TARGETS[name]
        met = {"cold": cold <= 3 * base, "one changed file": wall <= 0.25 * cold}.get(name, wall <= 10)
        cells = " | ".join(f"{med(name, p):.1f} s" for p in phases)
        print(
            f"| {name} | {wall:.1f} s{relative.get(name, '')} | {cells} | {med(name, 'events'):,.0f} | "
            f"{med(name, 'peak'):,.0f} MiB | {target}: {'met' if met else '**not met**'} |"
        )


if __name__ == "__main__":
    main()
