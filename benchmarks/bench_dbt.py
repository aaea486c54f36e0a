"""Where the time of a refresh's dbt steps goes, on a copy of a warehouse a refresh has built.

    uv run python benchmarks/bench_dbt.py --warehouse DIR [--runs N]

DIR is a built warehouse (its work database, dbt target folder and Dagster storage; it is only
read). It is copied to a scratch directory once and dbt's partial-parse state warmed there (dbt
compares the work database's path, so a copy elsewhere would parse the whole project once);
each run starts from that warmed copy and runs, in this process as a refresh's build run does:

- full: the dbt step with every model and test (what a cold refresh runs), then the docs site
  (published/docs_site) after it;
- changed: the dbt step with the models downstream of the workforce staging model and their
  tests (what a corrected workforce file rebuilds), then the docs site after that partial build.

For each step: its wall time (Dagster's STEP_START to STEP_SUCCESS), split into the time before
dbt's main starts (dagster-dbt's preparation, dbt's imports), dbt's parse, dbt's run, dbt's exit
(writing its artifacts) and after dbt exits until the step ends (dagster-dbt's last events),
read from dbt's JSON log in the target folder; dbt's own CPU time, this process's CPU time, the
Dagster events the step wrote, and dbt's node count. Prints each run and the medians; asserts nothing. Wall times on a shared machine are noisy: compare CPU times
and counts too, and run before/after alternately.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

CHANGED_MODEL = ["staging", "stg_workforce__csww_indicators"]


def _cpu() -> tuple[float, float]:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def _dbt_log(target: Path) -> dict[str, dict]:
    """The last dbt invocations in the target folder's JSON log: first timestamp of each event name, and the resource report."""
    events = []
    for path in sorted(target.glob("dbt.log*"), key=lambda p: p.stat().st_mtime):
        events += [json.loads(line) for line in path.open(errors="replace") if line.startswith("{")]
    by_invocation: dict[str, dict] = defaultdict(dict)
    for event in events:
        info = event["info"]
        seen = by_invocation[info["invocation_id"]]
        seen.setdefault(info["name"], datetime.fromisoformat(info["ts"].replace("Z", "+00:00")).timestamp())
        if info["name"] == "ResourceReport":
            seen["report"] = event["data"]
    return by_invocation


def run_step(selection: str) -> dict:
    import dagster as dg

    from orchestration.definitions import defs
    from orchestration.settings import get_settings

    graph = defs.resolve_asset_graph()
    dbt_assets = defs.resolve_assets_def(dg.AssetKey(CHANGED_MODEL))
    if selection == "full":
        assets = set(dbt_assets.keys)
    elif selection == "changed":
        assets, todo = set(), [dg.AssetKey(CHANGED_MODEL)]
        while todo:  # the model and every dbt model downstream of it
            key = todo.pop()
            if key in dbt_assets.keys and key not in assets:
                assets.add(key)
                todo.extend(graph.get(key).child_keys)
    else:
        assets = {dg.AssetKey(["published", "docs_site"])}
    checks = {c for c in dbt_assets.check_keys if c.asset_key in assets}
    job = defs.resolve_job_def("build").get_subset(asset_selection=assets, asset_check_selection=checks)
    target = get_settings().dbt_target_dir
    before = set(_dbt_log(target))
    cpu0, started = _cpu(), time.monotonic()
    with dg.DagsterInstance.get() as instance:
        result = job.execute_in_process(instance=instance, raise_on_error=False)
        wall = time.monotonic() - started
        cpu1 = _cpu()
        records = instance.all_logs(result.run_id)
    assert result.success, selection
    events = [r for r in records if r.is_dagster_event]
    starts = [r.timestamp for r in events if r.dagster_event.event_type_value == "STEP_START"]
    ends = [r.timestamp for r in events if r.dagster_event.event_type_value == "STEP_SUCCESS"]
    step_events = sum(1 for r in events if r.step_key)
    out = {
        "run": round(wall, 2),
        "step": round(ends[0] - starts[0], 2),
        "events": len(events),
        "step events": step_events,
        "cpu here": round(cpu1[0] - cpu0[0], 2),
        "cpu children": round(cpu1[1] - cpu0[1], 2),
    }
    invocations = [v for k, v in _dbt_log(target).items() if k not in before and "MainReportVersion" in v]
    if invocations:
        t = invocations[-1]
        ran = t.get("FinishedRunningStats") or t.get("CatalogWritten") or t["CommandCompleted"]
        parsed = t.get("FoundStats") or t.get("ConcurrencyLine") or t.get("BuildingCatalog") or ran
        out.update(
            {
                "before dbt main": round(t["MainReportVersion"] - starts[0], 2),
                "dbt parse": round(parsed - t["MainReportVersion"], 2),
                "dbt run": round(ran - parsed, 2),
                "dbt exit": round(t["CommandCompleted"] - ran, 2),
                "after dbt": round(ends[0] - t["CommandCompleted"], 2),
                "dbt cpu": round(t["report"]["process_user_time"] + t["report"]["process_kernel_time"], 2),
            }
        )
    results = target / "run_results.json"
    if selection != "docs" and results.exists():
        run = json.loads(results.read_text())
        out["dbt elapsed"] = round(run["elapsed_time"], 2)
        out["dbt nodes"] = len(run["results"])
    return out


def child(args) -> None:
    """One case in a fresh process (as a refresh is): the dbt step, then the docs site."""
    from orchestration.lib.core.dagster_home import ensure_dagster_home
    from orchestration.settings import get_settings

    ensure_dagster_home(get_settings())  # the copy's dagster.yaml still names the original's event log
    rows = {args.case: run_step(args.case), f"docs after {args.case}": run_step("docs")}
    print(json.dumps(rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--warehouse", type=Path, required=True, help="a warehouse a refresh has built (read only)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", dest="case", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        return child(args)
    scratch = Path(tempfile.mkdtemp(prefix="bench-dbt-"))
    warm, work = scratch / "warm", scratch / "warehouse"
    env = {**os.environ, "CSC_WAREHOUSE_DIR": str(work), "DAGSTER_HOME": str(work / ".dagster")}
    env.pop("CSC_DUCKDB_PATH", None)
    env.pop("CSC_SOURCE_MIRROR", None)
    subprocess.run(["cp", "-a", str(args.warehouse), str(work)], check=True)
    subprocess.run(["chmod", "-R", "u+w", str(work)], check=True)
    # dbt's partial-parse state records the work database's path: parse once where the runs run
    dbt = Path(sys.executable).parent / "dbt"  # this environment's, as the Dagster resource runs it
    subprocess.run(
        [str(dbt), "parse", "--quiet", "--target-path", str(work / ".dbt-target")],
        check=True,
        env=env,
        cwd=REPO / "dbt_project",
    )
    work.rename(warm)
    rows: dict[str, list[dict]] = defaultdict(list)
    try:
        for _ in range(args.runs):
            for case in ("full", "changed"):
                shutil.rmtree(work, ignore_errors=True)
                subprocess.run(["cp", "-a", str(warm), str(work)], check=True)
                command = [sys.executable, __file__, "--warehouse", str(args.warehouse), "--child", case]
                run = subprocess.run(command, env=env, capture_output=True, text=True)
                if run.returncode:
                    sys.exit(run.stderr[-3000:])
                for name, row in json.loads(run.stdout.strip().splitlines()[-1]).items():
                    rows[name].append(row)
                    print(name, row, flush=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"\nmedians of {args.runs} run(s), seconds")
    for name, runs in rows.items():
        keys = list(runs[0])
        print(f"{name:18s} " + "  ".join(f"{k} {statistics.median(r[k] for r in runs if k in r):g}" for k in keys))


if __name__ == "__main__":
    main()
