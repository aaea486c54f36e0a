"""What the questions people come with cost on the published snapshot, against issue 8's targets.

    uv run python benchmarks/bench_queries.py [--warehouse FILE] [--rounds N]

Opens the published warehouse read-only, as a BI tool does (one connection), and times:

- an LA profile: one LA, every indicator in its latest period, with its neighbours' mean,
  region, England, rank and band (marts.fct_la_benchmark, the default neighbour model), for
  every LA in turn; target p95 <= 20 ms;
- a league table: every LA for one indicator and period, ranked, with bands, for every
  indicator in its latest period; target <= 100 ms (p95 and worst reported).

Each query runs once to warm up, then ``--rounds`` times per LA or indicator. Prints figures;
asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from orchestration.settings import get_settings  # noqa: E402

PROFILE = """
    select indicator_id, time_period, value, status, neighbour_mean, neighbours_with_value, region_value,
           england_value, rank, las_ranked, quartile_band, band_meaning, significance_vs_england
    from marts.fct_la_benchmark
    where la_code = $la and is_default_model
    qualify time_period = max(time_period) over (partition by indicator_id)
    order by indicator_id
"""

LEAGUE = """
    select rank, la_code, la_name, value, status, quartile_band, band_meaning, neighbour_mean, england_value
    from marts.fct_la_benchmark
    where indicator_id = $indicator and time_period = $period and is_default_model
    order by rank nulls last, la_name
"""


def timed(con: duckdb.DuckDBPyConnection, sql: str, params: dict, rounds: int) -> tuple[list[float], int]:
    rows = len(con.execute(sql, params).fetchall())  # warm-up
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        con.execute(sql, params).fetchall()
        times.append((time.perf_counter() - start) * 1000)
    return times, rows


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18] if len(values) >= 20 else max(values)


def report(name: str, times: list[float], target_ms: float, what: str) -> None:
    print(
        f"{name:<14} {len(times):>6} queries ({what}): p50 {statistics.median(times):7.2f} ms, "
        f"p95 {p95(times):7.2f} ms, worst {max(times):7.2f} ms; target p95 <= {target_ms:.0f} ms: "
        f"{'met' if p95(times) <= target_ms else 'NOT met'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--warehouse",
        type=Path,
        default=get_settings().published_path,
        help="the published DuckDB file (default: the warehouse's csc.duckdb)",
    )
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if not args.warehouse.exists():
        sys.exit(f"{args.warehouse}: no published warehouse; run `uv run csc refresh` first")
    con = duckdb.connect(str(args.warehouse), read_only=True)
    print(
        f"{args.warehouse} ({args.warehouse.stat().st_size / 2**20:.0f} MiB), duckdb {duckdb.__version__}, "
        f"{con.execute('select count(*) from marts.fct_la_benchmark').fetchone()[0]:,} benchmark rows"
    )

    las = [r[0] for r in con.execute("select distinct la_code from marts.fct_la_benchmark order by 1").fetchall()]
    profile_times, sizes = [], []
    for la in las:
        times, rows = timed(con, PROFILE, {"la": la}, args.rounds)
        profile_times += times
        sizes.append(rows)
    report("LA profile", profile_times, 20, f"{len(las)} LAs, {statistics.median(sizes):.0f} indicators each")

    latest = con.execute("""select indicator_id, max(time_period) from marts.fct_la_benchmark
                            where value is not null group by 1 order by 1""").fetchall()
    league_times, sizes = [], []
    for indicator, period in latest:
        times, rows = timed(con, LEAGUE, {"indicator": indicator, "period": period}, args.rounds)
        league_times += times
        sizes.append(rows)
    report("league table", league_times, 100, f"{len(latest)} indicators, {statistics.median(sizes):.0f} LAs each")


if __name__ == "__main__":
    main()
