"""What the whole backtest and the projections cost: every method on every LA, region and England
at every origin from 2013, reconciled and scored, then the four marts written.

    uv run python benchmarks/bench_projections.py [--warehouse-dir DIR] [--repeat N]

Reads a copy of the published snapshot (``<warehouse>/csc.duckdb``, after ``csc refresh``: it holds
the marts and meta.release_index the projections read) and writes the marts into that copy, never
into the warehouse. Prints, for each run, the seconds of each stage (inputs: every origin's as-of
selection; forecasts: statsforecast and the project's own methods; reconciliation; scoring;
write) and the peak resident memory, then the headline accuracy of the chosen methods on the
held-out origins. Target: the whole backtest well under a minute on this machine. Prints
figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import tempfile
import time
from pathlib import Path

import duckdb

from orchestration.lib.projections import step
from orchestration.settings import get_settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse-dir", type=Path, default=get_settings().warehouse_dir)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    source = args.warehouse_dir / "csc.duckdb"
    if not source.exists():
        raise SystemExit(
            f"{source}: no published warehouse; run `uv run csc refresh --mirror ../shared/releases` first"
        )
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "work.duckdb"
        shutil.copyfile(source, work)
        for run in range(1, args.repeat + 1):
            clock = time.perf_counter()
            with duckdb.connect(str(work)) as con:
                summary = step.project(con)
            wall = time.perf_counter() - clock
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            stages = ", ".join(f"{k} {v:.1f} s" for k, v in summary.seconds.items() if k != "total")
            print(f"run {run}: {wall:.1f} s wall ({stages}); peak RSS {peak:.0f} MiB")
        rows = ", ".join(f"{name} {n:,}" for name, (n, _) in summary.written.items())
        print(f"origin {summary.projection_origin}; rows: {rows}")
        print("held-out origins (2022 on), LAs, horizons pooled, as published, against the first figure:")
        for r in summary.held_out:
            print(
                f"  {r['indicator_id']:<22} {r['method']:<16} MASE/naive {r['mase_ratio']:.3f}  "
                f"80% {r['coverage_80'] or 0:.0%}  95% {r['coverage_95'] or 0:.0%}  "
                f"beats naive in {r['share_beating_naive']:.0%} of LAs  ({r['n_forecasts']} forecasts)"
            )


if __name__ == "__main__":
    main()
