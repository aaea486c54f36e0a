"""What the expectation gates cost without Dagster: every suite run directly on a built warehouse.

    uv run python benchmarks/bench_gates.py [--warehouse-dir DIR] [--rounds N]

Opens the work database read-only (no refresh may be running on it), imports Great
Expectations and validates one suite to warm up, then runs every suite of expectations/
``--rounds`` times in one process, as the gate steps do (orchestration/defs/quality/checks.py),
without Dagster's events. Prints, per gate step and in all: suites, expectations, the rows
Great Expectations validated, CPU and wall seconds (medians), and the suites that failed. The
gate steps of a refresh cost this plus Dagster's events (`benchmarks/bench_refresh.py`).
Asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--warehouse-dir", type=Path, help="a built warehouse (default: the settings' warehouse)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if args.warehouse_dir:
        os.environ["CSC_WAREHOUSE_DIR"] = str(args.warehouse_dir.resolve())
        os.environ.pop("CSC_DUCKDB_PATH", None)

    import duckdb

    from orchestration.lib.ingest.catalogue import load_catalogue
    from orchestration.lib.quality.gate import step_of
    from orchestration.lib.quality.runner import run_suite
    from orchestration.lib.quality.suites import discover_suites
    from orchestration.settings import get_settings

    source_of = {f.raw_table: f.source for f in load_catalogue().families}
    suites = discover_suites()
    with duckdb.connect(str(get_settings().duckdb_path), read_only=True) as con:
        run_suite(con, suites[0])  # imports GX and builds its context, as a refresh's first gate step does
        cpu: dict[str, list[float]] = defaultdict(list)
        wall: dict[str, list[float]] = defaultdict(list)
        counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        failed: set[str] = set()
        for round_ in range(args.rounds):
            spent: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
            for spec in suites:
                step = step_of(spec.asset, source_of)
                started, started_cpu = time.perf_counter(), time.process_time()
                outcome = run_suite(con, spec)
                spent[step][0] += time.process_time() - started_cpu
                spent[step][1] += time.perf_counter() - started
                if round_ == 0:
                    counts[step][0] += 1
                    counts[step][1] += outcome.evaluated
                    counts[step][2] += outcome.rows
                if not outcome.success:
                    failed.add(spec.name)
            for step, (c, w) in spent.items():
                cpu[step].append(c)
                wall[step].append(w)
    totals_cpu = [sum(cpu[s][i] for s in cpu) for i in range(args.rounds)]
    totals_wall = [sum(wall[s][i] for s in wall) for i in range(args.rounds)]
    print(f"{'gate step':26} {'suites':>7} {'expectations':>13} {'rows':>9} {'CPU s':>7} {'wall s':>7}")
    for step in sorted(counts, key=lambda s: -statistics.median(cpu[s])):
        n, expectations, rows = counts[step]
        print(
            f"gate__{step:20} {n:7d} {expectations:13d} {rows:9d} {statistics.median(cpu[step]):7.2f} "
            f"{statistics.median(wall[step]):7.2f}"
        )
    print(
        f"{'all':26} {sum(c[0] for c in counts.values()):7d} {sum(c[1] for c in counts.values()):13d} "
        f"{sum(c[2] for c in counts.values()):9d} {statistics.median(totals_cpu):7.2f} {statistics.median(totals_wall):7.2f}"
    )
    print(f"medians of {args.rounds} rounds; failed: {', '.join(sorted(failed)) or 'none'}")


if __name__ == "__main__":
    main()
