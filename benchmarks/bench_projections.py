"""What the whole backtest and the projections cost: every method on every LA, region and England
at every origin from 2013, reconciled and scored, then the four marts written.

    uv run python benchmarks/bench_projections.py [--warehouse-dir DIR] [--repeat N] [--markdown]

Reads a copy of the published snapshot (``<warehouse>/csc.duckdb``, after ``csc refresh``: it holds
the marts and meta.release_index the projections read) and writes the marts into that copy, never
into the warehouse. Prints, for each run, the seconds of each stage (inputs: every origin's as-of
selection; forecasts: statsforecast and the project's own methods; reconciliation; scoring;
write) and the peak resident memory, then the headline accuracy of the chosen methods on the
held-out origins. ``--markdown`` adds the accuracy of every method on the held-out origins (LAs,
against the first published figure), as docs/projections.md shows it. Target: the whole backtest
well under a minute on this machine. Prints figures; asserts nothing.
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
    parser.add_argument("--markdown", action="store_true", help="every method's held-out accuracy as tables")
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
                f"  {r['indicator_id']:<22} {r['method']:<16} MASE/naive {_num(r['mase_ratio'], 3) or '-'}  "
                f"80% {_pct(r['coverage_80']) or '-'}  95% {_pct(r['coverage_95']) or '-'}  "
                f"beats naive in {_pct(r['share_beating_naive']) or '-'} of LAs  ({r['n_forecasts']} forecasts)"
            )
        if args.markdown:
            with duckdb.connect(str(work), read_only=True) as con:
                print(accuracy_tables(con))


def _pct(value) -> str:
    return "" if value is None else f"{value:.0%}"


def _num(value, digits: int = 2) -> str:
    return "" if value is None else f"{value:,.{digits}f}"


def accuracy_tables(con: duckdb.DuckDBPyConnection) -> str:
    """Per indicator and inputs (as published, fallback): every method on the held-out origins,
    LAs, against the first published figure; MASE relative to naive per horizon and pooled."""
    rows = con.sql(
        "select indicator_id, inputs, method, horizon, mase_ratio, mase, mae, bias, coverage_80, coverage_95, "
        "share_beating_naive, dm_p_value, n_forecasts, n_origins, is_chosen from marts.mart_projection_accuracy "
        "where sample = 'held_out' and area_level = 'la' and against = 'first' and inputs in ('as_published', 'fallback') "
        "order by indicator_id, inputs, method, horizon"
    ).fetchall()
    tables: dict[tuple[str, str], dict[str, dict[int, tuple]]] = {}
    for row in rows:
        tables.setdefault((row[0], row[1]), {}).setdefault(row[2], {})[row[3]] = row
    out = []
    for (indicator, inputs), methods in tables.items():
        pooled = {m: h.get(0) for m, h in methods.items() if h.get(0)}
        origins = max(r[13] for r in pooled.values())
        out.append(f"\n**{indicator}**, held-out origins ({inputs.replace('_', ' ')}, {origins} origins), LAs\n")
        out.append(
            "| method | MASE/naive h1 | h2 | h3 | all | MASE | MAE | bias | 80% | 95% | beats naive | DM p | forecasts |"
        )
        out.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for method, r in sorted(pooled.items(), key=lambda kv: kv[1][4] if kv[1][4] is not None else 9):
            by_h = [_num(methods[method].get(h, (None,) * 5)[4], 3) for h in (1, 2, 3)]
            name = f"**{method}** (chosen)" if r[14] else method
            out.append(
                f"| {name} | {' | '.join(by_h)} | {_num(r[4], 3)} | {_num(r[5])} | {_num(r[6], 0)} | {_num(r[7], 0)} "
                f"| {_pct(r[8])} | {_pct(r[9])} | {_pct(r[10])} | {_num(r[11], 3)} | {r[12]} |"
            )
    return "\n".join(out)


if __name__ == "__main__":
    main()
