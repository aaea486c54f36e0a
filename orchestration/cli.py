"""`csc`: the warehouse's command line.

csc refresh [--mirror DIR] [--full]   fetch, land, load; then build what changed (--full: everything)
csc status                   what is published, and how the last refresh went
csc mirror export DIR        the archive of landed files, in the mirror layout
csc report                   static HTML profiles of every LA, and an index (warehouse/reports/)
csc docs [--serve [--port N]]   open (or serve) the dbt docs site and the metric catalogue (warehouse/docs/)
csc dev                      the Dagster UI on this warehouse
"""

from __future__ import annotations

import logging
import os
import re
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Children's social care data warehouse for England.")
console = Console(stderr=True, soft_wrap=True)
out = Console(soft_wrap=True)  # paths and ids stay on one line, whatever the width

MirrorOption = Annotated[
    Path | None,
    typer.Option(
        "--mirror",
        help="Read source files from this directory (<source>/<release>/<file>) instead of the publishers' sites. Default: $CSC_SOURCE_MIRROR.",
    ),
]
WarehouseOption = Annotated[
    Path | None,
    typer.Option("--warehouse-dir", help="Warehouse directory. Default: $CSC_WAREHOUSE_DIR or ./warehouse."),
]


def _configure(mirror: Path | None, warehouse_dir: Path | None):
    if mirror is not None:
        if not mirror.is_dir():
            raise typer.BadParameter(f"{mirror} is not a directory", param_hint="--mirror")
        os.environ["CSC_SOURCE_MIRROR"] = str(mirror.resolve())
    if warehouse_dir is not None:
        os.environ["CSC_WAREHOUSE_DIR"] = str(warehouse_dir.resolve())
        os.environ.pop("CSC_DUCKDB_PATH", None)
    from orchestration.settings import get_settings

    settings = get_settings()
    settings.ensure_dirs()
    settings.export_env()
    os.environ["DAGSTER_HOME"] = str(settings.ensure_dagster_home())
    return settings


# dbt and dagster-dbt lines that say nothing a person needs during a refresh.
_NOISE = (" START ", "partial_parse", "subsetted execution", "Concurrency:", "Registered adapter")


def failure_reason(error) -> str:
    """What went wrong, in one line: the innermost cause of a step's error (Dagster wraps the
    exception user code raised), without its module path."""
    if error is None:
        return "failed"
    while error.cause is not None:
        error = error.cause
    message = " ".join(error.message.split())
    return re.sub(r"^(?:[a-z_][\w]*\.)+(?=[A-Z]\w*:)", "", message)


class _ProgressHandler(logging.Handler):
    """Turn Dagster's event stream into one line per step, check failure and message."""

    def __init__(self) -> None:
        super().__init__()
        self.started: dict[str, float] = {}
        self.failures: list[str] = []
        self.warnings: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        meta = getattr(record, "dagster_meta", {}) or {}
        event = meta.get("dagster_event")
        step = meta.get("step_key") or ""
        if event is None:
            message = meta.get("orig_message") or record.getMessage()
            if record.levelno >= logging.WARNING:
                console.print(f"  {message}", style="yellow", markup=False, highlight=False)
            elif step and record.levelno >= logging.INFO and not any(n in message for n in _NOISE):
                console.print(f"  {message}", style="dim", markup=False, highlight=False)
            return
        kind = event.event_type_value
        if kind == "STEP_START":
            self.started[step] = time.monotonic()
            console.print(f"[bold]▶ {step}[/bold]")
        elif kind == "STEP_SUCCESS":
            took = time.monotonic() - self.started.get(step, time.monotonic())
            console.print(f"[green]✓ {step}[/green] [dim]({took:.1f}s)[/dim]")
        elif kind == "STEP_FAILURE":
            error = event.event_specific_data.error
            reason = failure_reason(error)
            self.failures.append(f"{step}: {reason}")
            console.print(f"✗ {step}: {reason}", style="red", markup=False, highlight=False)
        elif kind == "STEP_SKIPPED":
            console.print(f"[yellow]- {step} skipped[/yellow]")
        elif kind == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            if not evaluation.passed:
                name = f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"
                if evaluation.severity is not None and evaluation.severity.value == "WARN":  # reported, never blocking
                    self.warnings.append(f"{name}: {evaluation.description or ''}")
                    console.print(
                        f"[yellow]! check {escape(name)}[/yellow] {escape(evaluation.description or '')}",
                        highlight=False,
                    )
                    return
                self.failures.append(f"check {name} failed: {evaluation.description or ''}".strip())
                console.print(
                    f"[red]✗ check {escape(name)}[/red] {escape(evaluation.description or '')}", highlight=False
                )


def _execute(job, handler: _ProgressHandler, instance, tags: dict):
    import dagster as dg

    @dg.logger
    def progress_logger(_init_context):
        logger = logging.Logger("csc", level=logging.DEBUG)  # step events are DEBUG records
        logger.addHandler(handler)
        return logger

    return job.with_logger_defs({"console": progress_logger}).execute_in_process(
        instance=instance,
        raise_on_error=False,
        tags=tags,
        run_config={"loggers": {"console": {}}},  # a logger not named in run config is not used
    )


@app.command()
def refresh(
    mirror: MirrorOption = None,
    warehouse_dir: WarehouseOption = None,
    full: Annotated[
        bool,
        typer.Option("--full", help="Rebuild and check everything, also what has not changed since it was last built."),
    ] = False,
) -> None:
    """Refresh: fetch -> land -> load raw, then build what changed: gates -> dbt build -> gates -> publish."""
    settings = _configure(mirror, warehouse_dir)
    origin = f"mirror {settings.mirror_dir}" if settings.mirror_dir else "the publishers (live discovery)"
    console.print(f"[bold]csc refresh[/bold] into {settings.warehouse_dir} from {origin}")
    started = time.monotonic()

    import dagster as dg

    from orchestration.lib.warehouse import RefreshLockedError, refresh_lock

    try:  # refuse early, before seconds of imports, when a refresh is running
        with refresh_lock(settings):
            pass
    except RefreshLockedError as exc:
        console.print(f"[red]refresh refused:[/red] {escape(str(exc))}")
        raise typer.Exit(2) from None

    with console.status("loading definitions (parsing the dbt project if it changed)"):
        from orchestration.definitions import defs
        from orchestration.lib.plan import plan_build

    handler = _ProgressHandler()
    publishes = True
    instance = dg.DagsterInstance.get()
    try:
        if full:
            result = _execute(defs.resolve_job_def("full_refresh"), handler, instance, {"csc/trigger": "cli"})
        else:
            # the two runs the nightly schedule and its sensor make (orchestration/defs/schedules.py)
            result = _execute(defs.resolve_job_def("ingest"), handler, instance, {"csc/trigger": "cli"})
            if result.success:
                plan = plan_build(instance, defs.resolve_asset_graph())
                if plan.empty:
                    console.print(
                        f"[green bold]nothing changed[/green bold] since the last build: {settings.published_path} "
                        f"is current (ingest {result.run_id}, {time.monotonic() - started:.1f}s)"
                    )
                    _print_warnings(handler)
                    return
                console.print(f"[bold]building what changed[/bold]: {escape(plan.summary())}", highlight=False)
                publishes = dg.AssetKey(["published", "csc_duckdb"]) in plan.assets
                job = defs.resolve_job_def("build").get_subset(
                    asset_selection=set(plan.assets), asset_check_selection=set(plan.checks)
                )
                result = _execute(job, handler, instance, {"csc/trigger": "cli", "csc/after_ingest": result.run_id})
    finally:
        instance.dispose()
    took = time.monotonic() - started
    pages = settings.warehouse_dir / "reports" / "index.html"
    if result.success and not full and not publishes:  # checks ran again (or only the pages' code changed)
        console.print(
            f"[green bold]checked[/green bold]: {settings.published_path} is current, nothing to publish again "
            f"(refresh {result.run_id}, {took:.0f}s)"
        )
        if dg.AssetKey(["published", "la_profiles"]) in plan.assets:
            console.print(f"LA profiles rewritten: {pages}")
        _print_warnings(handler)
        return
    if result.success:
        console.print(
            f"[green bold]published[/green bold] {settings.published_path} (refresh {result.run_id}, {took:.0f}s)"
        )
        console.print(f"LA profiles: {pages}")
        _print_warnings(handler)
        return
    from orchestration.lib.report import write_run_failures

    failures = handler.failures or ["the run failed"]
    report = write_run_failures(settings.runs_dir / result.run_id / "validations", failures)
    console.print(f"[red bold]refresh failed[/red bold] after {took:.0f}s; the published warehouse was not changed.")
    for reason in failures:
        typer.echo(f"error: {reason}", err=True)
    typer.echo(f"validation report: {report}", err=True)
    raise typer.Exit(1)


def _print_warnings(handler: _ProgressHandler) -> None:
    for warning in handler.warnings:
        console.print(f"[yellow]warning:[/yellow] {escape(warning)}", highlight=False)


@app.command()
def status(warehouse_dir: WarehouseOption = None) -> None:
    """What is published (when, from which releases) and how the last refresh went."""
    settings = _configure(None, warehouse_dir)
    from orchestration.lib.publish import read_publication

    published = read_publication(settings)
    if published is None:
        out.print(f"nothing published yet at {settings.published_path}")
    else:
        r = published["refresh"]
        out.print(f"[bold]published[/bold] {published['path']}")
        out.print(
            f"  refresh {r['refresh_id']}  started {r['started_at']:%Y-%m-%d %H:%M:%S %Z}  finished {r['finished_at']:%Y-%m-%d %H:%M:%S %Z}"
        )
        out.print(f"  checks: {r['checks_passed']} of {r['checks_run']} passed")
        table = Table("family", "release", "file", "rows", "sha256", title="source files")
        for family, release, file, sha, rows in published["source_files"]:
            table.add_row(family, release, file, str(rows), sha[:12])
        out.print(table)
        _print_publishers(published)
    _print_last_run(settings)


def _print_publishers(published: dict) -> None:
    """How each publisher answered the published refresh, and which releases are late."""
    if published["sources"]:
        table = Table("source", "asked", "answered", "latest release", "next due", "on time", title="publishers")
        for s in published["sources"]:
            on_time = {True: "[red]overdue[/red]", False: "yes", None: "not evaluated"}[s["overdue"]]
            table.add_row(
                s["source"],
                s["interface"],
                "yes" if s["reachable"] else "[red]no[/red]",
                (s["latest_published_at"] or "")[:10],
                s["next_release_due"] or "",
                on_time,
            )
        out.print(table)
        for s in published["sources"]:
            if not s["reachable"]:
                out.print(
                    f"  [red]{escape(s['source'])}: publisher not reached[/red] (nothing new from it in this "
                    f"publication): {escape(s['error'] or '')}",
                    highlight=False,
                )
            if s["overdue"]:
                out.print(
                    f"  [yellow]{escape(s['source'])}: release overdue[/yellow]: {escape(s['freshness'])}",
                    highlight=False,
                )
    for source, release, files, published_at in published["new_releases"]:
        out.print(
            f"  new release {source}/{release}: {files} file(s), published {(published_at or '')[:10]}"
            " (found by discovery; not in the catalogue)"
        )


def _print_last_run(settings) -> None:
    import dagster as dg

    instance = dg.DagsterInstance.get()
    try:
        runs = instance.get_runs(filters=dg.RunsFilter(tags={"csc/stage": ["ingest", "build", "full"]}), limit=1)
        if not runs:
            out.print("no refresh has run on this warehouse yet")
            return
        run = runs[0]
        out.print(f"[bold]last refresh[/bold] {run.run_id} ({run.job_name}): {run.status.value}")
        records = instance.get_records_for_run(
            run_id=run.run_id,
            of_type={dg.DagsterEventType.ASSET_CHECK_EVALUATION, dg.DagsterEventType.STEP_FAILURE},
            limit=100_000,
        ).records
        checks = [
            r.event_log_entry.dagster_event
            for r in records
            if r.event_log_entry.dagster_event.event_type_value == "ASSET_CHECK_EVALUATION"
        ]
        failed = [e.event_specific_data for e in checks if not e.event_specific_data.passed]
        out.print(f"  checks: {len(checks) - len(failed)} of {len(checks)} passed")
        for evaluation in failed:
            name = f"{escape(evaluation.asset_key.to_user_string())}:{escape(evaluation.check_name)}"
            if evaluation.severity is not None and evaluation.severity.value == "WARN":  # a warning, it blocked nothing
                out.print(f"  [yellow]! {name}[/yellow] {escape(evaluation.description or '')}", highlight=False)
            else:
                out.print(f"  [red]✗ {name}[/red] {escape(evaluation.description or '')}", highlight=False)
        for r in records:
            event = r.event_log_entry.dagster_event
            if event.event_type_value == "STEP_FAILURE" and event.event_specific_data.error:
                reason = failure_reason(event.event_specific_data.error)
                out.print(f"  [red]✗ {escape(event.step_key)}[/red]: {escape(reason)}", highlight=False)
        report = settings.runs_dir / run.run_id / "validations" / "index.html"
        if report.exists():
            out.print(f"  validation report: {report}")
    finally:
        instance.dispose()


@app.command()
def report(warehouse_dir: WarehouseOption = None) -> None:
    """Write a static HTML profile of every LA and an index from the published warehouse (warehouse/reports/);
    they open offline. A refresh that publishes rewrites them too."""
    settings = _configure(None, warehouse_dir)
    from orchestration.lib.la_pages import write_reports

    try:
        with console.status("writing LA profiles"):
            result = write_reports(settings)
    except FileNotFoundError as exc:
        console.print(f"[red]no report:[/red] {escape(str(exc))}")
        raise typer.Exit(1) from None
    console.print(
        f"wrote {result.pages} LA pages ({result.bytes / max(result.pages, 1) / 1024:.0f} KiB each on average, "
        f"plotly.js beside them) in {result.seconds:.1f}s"
        + ("" if result.has_variation else "; marts.mart_variation is not in this warehouse: no funnel plots")
    )
    out.print(str(result.index))


@app.command()
def docs(
    warehouse_dir: WarehouseOption = None,
    serve: Annotated[bool, typer.Option("--serve", help="Serve the docs folder on 127.0.0.1 until Ctrl-C.")] = False,
    port: Annotated[int, typer.Option("--port", help="Port for --serve (0: any free port).")] = 8080,
    no_browser: Annotated[
        bool, typer.Option("--no-browser", help="Print where the site is; do not open a browser.")
    ] = False,
) -> None:
    """Open the documentation site: the dbt docs (every source, model, column, test, exposure and lineage
    edge) and the metric catalogue, written by each publication to warehouse/docs/; --serve serves them."""
    settings = _configure(None, warehouse_dir)
    from orchestration.lib.docs_site import INDEX, docs_dir
    from orchestration.lib.metric_page import PAGE

    folder = docs_dir(settings)
    index = folder / INDEX
    if not index.is_file():
        console.print(
            f"[red]no docs site at {escape(str(index))}[/red]: a refresh that publishes writes it "
            "(run `csc refresh` first)"
        )
        raise typer.Exit(1)
    metrics = folder / PAGE
    out.print(str(index))
    if metrics.is_file():
        out.print(str(metrics))
    if not serve:
        if not no_browser:
            import webbrowser

            webbrowser.open(index.as_uri())
        return
    import functools
    import http.server

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    try:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as exc:
        console.print(f"[red]cannot serve on 127.0.0.1:{port}[/red]: {escape(str(exc))} (try --port)")
        raise typer.Exit(1) from None
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    out.print(f"serving {folder} on {url} (Ctrl-C to stop)")
    sys.stdout.flush()
    if not no_browser:
        import webbrowser

        webbrowser.open(url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


mirror_app = typer.Typer(no_args_is_help=True, help="The archive of landed files, in the mirror layout.")
app.add_typer(mirror_app, name="mirror")


@mirror_app.command("export")
def mirror_export(
    target: Annotated[Path, typer.Argument(help="Directory to write <source>/<release>/<file> into.")],
    warehouse_dir: WarehouseOption = None,
) -> None:
    """Write every archived file (its latest landed version) out in the mirror layout, so one
    connected machine can feed an air-gapped one (csc refresh --mirror TARGET there)."""
    settings = _configure(None, warehouse_dir)
    from orchestration.lib.archive import export

    written = export(settings, target)
    if not written:
        console.print(f"[red]nothing archived yet in {settings.archive_dir}[/red]: run a refresh first")
        raise typer.Exit(1)
    out.print(f"wrote {len(written)} files to {target.resolve()}")


@app.command()
def dev(warehouse_dir: WarehouseOption = None, mirror: MirrorOption = None, port: int = 3000) -> None:
    """Start the Dagster UI on this warehouse (every asset, check and the nightly schedule)."""
    settings = _configure(mirror, warehouse_dir)
    from orchestration.lib.dbt import ensure_manifest

    ensure_manifest()
    cmd = [sys.executable, "-m", "dagster", "dev", "-m", "orchestration.definitions", "-p", str(port)]
    console.print(f"DAGSTER_HOME={settings.dagster_home} {' '.join(cmd[1:])}")
    # Become `dagster dev`, so Ctrl-C and SIGINT reach it directly (it ignores SIGTERM).
    os.execv(sys.executable, cmd)


def main() -> None:
    """The ``csc`` command. Leaves without tearing down the interpreter: after a refresh, freeing
    Dagster's and dbt's object graphs one by one takes ~1 s of a ~9 s no-op refresh, and the
    process has nothing left to do (its databases are closed and its output flushed first)."""
    try:
        app()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if exc.code is not None and not isinstance(exc.code, int):
            print(exc.code, file=sys.stderr)
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    main()
