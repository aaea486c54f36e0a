"""Wall time and peak memory of a full refresh and of a no-op refresh (nothing changed).

    uv run python benchmarks/bench_refresh.py [--mirror DIR] [--runs N] [--live]

With ``--live`` the refreshes run as on the live path, with no mirror: loopback fakes of the
publishers' interfaces (tests/fake_publishers.py) serve the mirror's files, and the figures
add how many requests each refresh made and how many of them a 304 answered.

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


def run_refresh(warehouse: Path, mirror: Path | None, env: dict | None = None) -> tuple[float, float]:
    started = time.perf_counter()
    source = ["--mirror", str(mirror)] if mirror is not None else []
    proc = subprocess.Popen(
        [sys.executable, "-m", "orchestration.cli", "refresh", *source, "--warehouse-dir", str(warehouse)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=REPO,
        env=env,
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
    parser.add_argument("--live", action="store_true", help="no mirror: loopback fakes of the publishers serve its files")
    args = parser.parse_args()
    results: dict[str, list[tuple[float, float]]] = {"full refresh": [], "no-op refresh": []}
    requests: dict[str, list[tuple[int, int]]] = {"full refresh": [], "no-op refresh": []}
    fake, env, mirror = None, None, args.mirror
    if args.live:
        sys.path.insert(0, str(REPO))
        from orchestration.lib.catalogue import load_catalogue
        from tests.fake_publishers import FakePublishers

        fake = FakePublishers(load_catalogue(), args.mirror).start()
        env = {k: v for k, v in os.environ.items() if k != "CSC_SOURCE_MIRROR"} | fake.env()
        mirror = None
    try:
        for _ in range(args.runs):
            with tempfile.TemporaryDirectory(prefix="csc-bench-") as tmp:
                warehouse = Path(tmp) / "warehouse"
                for name in results:
                    before = (sum(fake.hits.values()), fake.not_modified) if fake else (0, 0)
                    results[name].append(run_refresh(warehouse, mirror, env))
                    if fake:
                        requests[name].append((sum(fake.hits.values()) - before[0], fake.not_modified - before[1]))
                size = (warehouse / "csc.duckdb").stat().st_size / 1e6
    finally:
        if fake:
            fake.stop()
    origin = "live, loopback fakes of the publishers serving" if args.live else "mirror"
    print(f"{origin} {args.mirror}; {args.runs} run(s) each; {os.cpu_count()} cores; published snapshot {size:.1f} MB")
    print(f"{'':16}{'wall median (s)':>16}{'wall min (s)':>14}{'peak RSS max (MiB)':>20}"
          + (f"{'requests':>10}{'answered 304':>14}" if args.live else ""))
    for name, rows in results.items():
        walls = [w for w, _ in rows]
        line = f"{name:16}{statistics.median(walls):>16.1f}{min(walls):>14.1f}{max(m for _, m in rows):>20.0f}"
        if args.live:
            made, unchanged = requests[name][-1]
            line += f"{made:>10}{unchanged:>14}"
        print(line)


if __name__ == "__main__":
    main()
