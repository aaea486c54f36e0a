"""What one Dagster event costs to record: Dagster's SQLite event log against the project's
(orchestration/lib/core/dagster_internals.py), each on a fresh instance in a temporary directory.

    uv run python benchmarks/bench_event_log.py [--repeat N] [--events N]

Cases (N events each):

- runless: ``instance.report_runless_asset_event`` N times (an asset event: the run shard, then
  the index shard);
- log lines: a run whose one step logs N info lines (the run shard only);
- new run shard: N/20 runs of one event each (what creating a run's shard costs: its schema);
- assets+checks: a run of one multi-asset with N/4 assets, each with a check (step outputs,
  materializations, check evaluations and their planned events, as a dbt step writes them).

Prints, per case and storage, the median over the repeats of wall and CPU milliseconds per event
(per run for "new run shard"; CPU time is the steadier figure on a shared machine) and the SQLite
connections opened per event. Asserts nothing.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

import dagster as dg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from orchestration.lib.core.dagster_home import dagster_yaml
from tests.support.sqlite_connections import Connections

STORAGES = {"dagster": None, "project": "pooled"}


def _jobs(n: int):
    @dg.asset
    def chatty(context):
        for i in range(n):
            context.log.info(f"line {i}")

    specs = [dg.AssetSpec(f"t{i}") for i in range(n // 4)]

    @dg.multi_asset(specs=specs, check_specs=[dg.AssetCheckSpec("c", asset=s.key) for s in specs])
    def many():
        for s in specs:
            yield dg.MaterializeResult(asset_key=s.key)
            yield dg.AssetCheckResult(asset_key=s.key, check_name="c", passed=True)

    @dg.logger
    def quiet(_init_context):  # as the CLI's own logger: every record, shown nowhere here
        logger = logging.Logger("bench", level=logging.DEBUG)
        logger.addHandler(logging.NullHandler())
        return logger

    return {
        name: dg.Definitions(assets=[a]).resolve_implicit_global_asset_job_def().with_logger_defs({"console": quiet})
        for name, a in (("log lines", chatty), ("assets+checks", many))
    }


def measure(storage: str | None, n: int) -> dict[str, tuple[float, float, float]]:
    """case -> (wall ms, CPU ms, connections) per event."""
    out = {}
    with tempfile.TemporaryDirectory(prefix="csc-bench-events-") as home:
        text = dagster_yaml(Path(home)) if storage else "telemetry:\n  enabled: false\n"
        (Path(home) / "dagster.yaml").write_text(text, encoding="utf-8")
        with dg.DagsterInstance.from_config(home) as instance:
            with Connections() as conns:
                wall, cpu = time.perf_counter(), time.process_time()
                for i in range(n):
                    instance.report_runless_asset_event(dg.AssetMaterialization(asset_key="a", metadata={"i": i}))
                out["runless"] = (
                    (time.perf_counter() - wall) * 1000 / n,
                    (time.process_time() - cpu) * 1000 / n,
                    conns.count / n,
                )
            runs = max(n // 20, 1)
            with Connections() as conns:
                wall, cpu = time.perf_counter(), time.process_time()
                for i in range(runs):  # one event each: the cost of creating a run's shard
                    instance.event_log_storage.store_event(
                        dg.EventLogEntry(
                            error_info=None,
                            level=20,
                            user_message="x",
                            run_id=f"new-{i}",
                            timestamp=time.time(),
                            dagster_event=None,
                        )
                    )
                out["new run shard"] = (
                    (time.perf_counter() - wall) * 1000 / runs,
                    (time.process_time() - cpu) * 1000 / runs,
                    conns.count / runs,
                )
            for name, job in _jobs(n).items():
                with Connections() as conns:
                    wall, cpu = time.perf_counter(), time.process_time()
                    result = job.execute_in_process(instance=instance, run_config={"loggers": {"console": {}}})
                    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
                events = len(instance.get_records_for_run(result.run_id, limit=1_000_000).records)
                out[name] = (wall * 1000 / events, cpu * 1000 / events, conns.count / events)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--events", type=int, default=200)
    args = parser.parse_args()
    rows: dict[tuple[str, str], list[tuple[float, float, float]]] = {}
    for _ in range(args.repeat):
        for label, storage in STORAGES.items():  # interleaved: both see the same load
            for case, figures in measure(storage, args.events).items():
                rows.setdefault((case, label), []).append(figures)
    print(f"{args.events} events per case, median of {args.repeat}")
    print(f"{'case':16}{'storage':10}{'wall ms/event':>15}{'CPU ms/event':>14}{'connections/event':>19}")
    for (case, label), values in rows.items():
        wall, cpu, conns = (statistics.median(v[i] for v in values) for i in range(3))
        print(f"{case:16}{label:10}{wall:>15.2f}{cpu:>14.2f}{conns:>19.2f}")


if __name__ == "__main__":
    main()
