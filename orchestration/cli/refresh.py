"""``csc refresh``: the refresh sequence (orchestration/lib/refresh/sequence.py) in this process,
with one line per step, check failure and message."""

from __future__ import annotations

import logging
import re
import time
from typing import Annotated

import typer
from rich.markup import escape

from orchestration.cli.options import MirrorOption, WarehouseOption, configure, console

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


class ProgressHandler(logging.Handler):
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
            reason = failure_reason(event.event_specific_data.error)
            self.failures.append(f"{step}: {reason}")
            console.print(f"✗ {step}: {reason}", style="red", markup=False, highlight=False)
        elif kind == "STEP_SKIPPED":
            console.print(f"[yellow]- {step} skipped[/yellow]")
        elif kind == "ASSET_CHECK_EVALUATION":
            self._check(event.event_specific_data)

    def _check(self, evaluation) -> None:
        if evaluation.passed:
            return
        name = f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"
        description = evaluation.description or ""
        if evaluation.severity is not None and evaluation.severity.value == "WARN":  # reported, never blocking
            self.warnings.append(f"{name}: {description}")
            console.print(f"[yellow]! check {escape(name)}[/yellow] {escape(description)}", highlight=False)
            return
        self.failures.append(f"check {name} failed: {description}".strip())
        console.print(f"[red]✗ check {escape(name)}[/red] {escape(description)}", highlight=False)


def _executor(handler: ProgressHandler, instance):
    import dagster as dg

    @dg.logger
    def progress_logger(_init_context):
        logger = logging.Logger("csc", level=logging.DEBUG)  # step events are DEBUG records
        logger.addHandler(handler)
        return logger

    def execute(job, tags: dict, partition_key: str | None = None, asset_selection=None):
        return job.with_logger_defs({"console": progress_logger}).execute_in_process(
            instance=instance,
            raise_on_error=False,
            tags=tags,
            partition_key=partition_key,
            asset_selection=asset_selection,
            run_config={"loggers": {"console": {}}},  # a logger not named in run config is not used
        )

    return execute


def refresh(
    mirror: MirrorOption = None,
    warehouse_dir: WarehouseOption = None,
    full: Annotated[
        bool,
        typer.Option("--full", help="Rebuild and check everything, also what has not changed since it was last built."),
    ] = False,
) -> None:
    """Refresh: fetch -> land -> load raw, then build what changed: gates -> dbt build -> gates -> publish."""
    settings = configure(mirror, warehouse_dir)
    origin = f"mirror {settings.mirror_dir}" if settings.mirror_dir else "the publishers (live discovery)"
    console.print(f"[bold]csc refresh[/bold] into {settings.warehouse_dir} from {origin}")
    started = time.monotonic()

    import dagster as dg

    from orchestration.lib.core.warehouse import RefreshLockedError, refresh_lock

    try:  # refuse early, before seconds of imports, when a refresh is running
        with refresh_lock(settings):
            pass
    except RefreshLockedError as exc:
        console.print(f"[red]refresh refused:[/red] {escape(str(exc))}")
        raise typer.Exit(2) from None

    with console.status("loading definitions (parsing the dbt project if it changed)"):
        from orchestration.definitions import defs
        from orchestration.lib.refresh.sequence import run_refresh

    handler = ProgressHandler()
    instance = dg.DagsterInstance.get()
    try:
        outcome = run_refresh(
            defs,
            instance,
            _executor(handler, instance),
            full=full,
            on_plan=lambda plan: console.print(f"[bold]building what changed[/bold]: {escape(plan.summary())}"),
            on_return=lambda name, why: console.print(f"[bold]LA return {escape(name)}[/bold]: {escape(why)}"),
        )
    finally:
        instance.dispose()
    took = time.monotonic() - started
    pages = settings.warehouse_dir / "reports" / "index.html"
    if outcome.nothing_changed:
        console.print(
            f"[green bold]nothing changed[/green bold] since the last build: {settings.published_path} "
            f"is current (ingest {outcome.ingest_run_id}, {took:.1f}s)"
        )
    elif outcome.success and not outcome.published:  # checks ran again, or only the pages' code changed
        console.print(
            f"[green bold]checked[/green bold]: {settings.published_path} is current, nothing to publish again "
            f"(refresh {outcome.result.run_id}, {took:.0f}s)"
        )
        from orchestration.lib.refresh.publication import LA_PAGES

        if LA_PAGES in outcome.plan.assets:
            console.print(f"LA profiles rewritten: {pages}")
    elif outcome.success:
        console.print(
            f"[green bold]published[/green bold] {settings.published_path} (refresh {outcome.result.run_id}, {took:.0f}s)"
        )
        console.print(f"LA profiles: {pages}")
    else:
        _fail(settings, outcome.result.run_id, handler.failures, took)
    for warning in handler.warnings:
        console.print(f"[yellow]warning:[/yellow] {escape(warning)}", highlight=False)
    if outcome.returns_failed:  # the rest is published; these returns' earlier figures stay as they were
        for failed in outcome.returns_failed:
            if failed.run_id:
                typer.echo(f"error: LA return {failed.partition} was not landed (run {failed.run_id})", err=True)
            else:
                typer.echo(f"error: {failed.partition}: {failed.reason}; nothing in it was landed", err=True)
        raise typer.Exit(1)


def _fail(settings, run_id: str, failures: list[str], took: float) -> None:
    from orchestration.lib.quality.validation_report import write_run_failures

    failures = failures or ["the run failed"]
    report = write_run_failures(settings.runs_dir / run_id / "validations", failures)
    console.print(f"[red bold]refresh failed[/red bold] after {took:.0f}s; the published warehouse was not changed.")
    for reason in failures:
        typer.echo(f"error: {reason}", err=True)
    typer.echo(f"validation report: {report}", err=True)
    raise typer.Exit(1)
