"""Wall time and peak memory of a full refresh and of a no-op refresh (nothing changed).

    uv run python benchmarks/bench_refresh.py [--mirror DIR] [--runs N]

A full refresh starts from an empty warehouse directory (nothing landed, no work database);
the no-op refresh runs again on that warehouse with the same source files. Each refresh runs
as `csc refresh` in its own process; peak memory is the largest resident set of that process
and the processes it waited for (dbt). Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def run_refresh(warehouse: Path, mirror: Path) -> tuple[float, float]:
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "orchestration.cli", "refresh", "--mirror", str(mirror), "--warehouse-dir", str(warehouse)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=REPO,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"refresh failed ({proc.returncode}): {proc.stderr.read().decode()[-2000:]}")
    return wall, usage.ru_maxrss / 1024  # ru_maxrss is KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mirror", type=Path, default=Path(os.environ.get("CSC_SOURCE_MIRROR", REPO.parent / "shared" / "releases")))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    results: dict[str, list[tuple[float, float]]] = {"full refresh": [], "no-op refresh": []}
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="csc-bench-") as tmp:
            warehouse = Path(tmp) / "warehouse"
            results["full refresh"].append(run_refresh(warehouse, args.mirror))
            results["no-op refresh"].append(run_refresh(warehouse, args.mirror))
            size = (warehouse / "csc.duckdb").stat().st_size / 1e6
    print(f"mirror {args.mirror}; {args.runs} run(s) each; {os.cpu_count()} cores; published snapshot {size:.1f} MB")
    print(f"{'':16}{'wall median (s)':>16}{'wall min (s)':>14}{'peak RSS max (MiB)':>20}")
    for name, rows in results.items():
        walls = [w for w, _ in rows]
        print(f"{name:16}{statistics.median(walls):>16.1f}{min(walls):>14.1f}{max(m for _, m in rows):>20.0f}")


if __name__ == "__main__":
    main()
