"""``csc status``: the summary first (what is published, how each publisher answered the latest
refresh, what is overdue, how the last refresh went); every source file on request."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from orchestration.cli.options import WarehouseOption, configure, out
from orchestration.cli.refresh import failure_reason
from orchestration.cli.returns import print_returns


def status(
    warehouse_dir: WarehouseOption = None,
    files: Annotated[bool, typer.Option("--files", help="Also list every source file in the publication.")] = False,
) -> None:
    """What is published, how each publisher answered the latest refresh, and how the last refresh went."""
    settings = configure(None, warehouse_dir)
    from orchestration.lib.refresh.status import read_latest_answers, read_publication

    published = read_publication(settings)
    if published is None:
        out.print(f"nothing published yet at {settings.published_path}")
    else:
        _print_publication(published)
    latest = read_latest_answers(settings)
    if latest is not None:
        _print_publishers(*latest, "as the latest refresh found them")
    elif published is not None:
        why = "a refresh holds the work database" if settings.duckdb_path.exists() else "no work database here"
        _print_publishers(published["sources"], published["new_releases"], f"as published ({why})")
    _print_last_run(settings)
    print_returns(settings)
    if published is not None:
        if files:
            _print_files(published["source_files"])
        else:
            out.print(
                f"{len(published['source_files'])} source files in the publication (csc status --files lists them)"
            )


def _print_publication(published: dict) -> None:
    r = published["refresh"]
    out.print(f"[bold]published[/bold] {published['path']}")
    out.print(
        f"  refresh {r['refresh_id']}, finished {r['finished_at']:%Y-%m-%d %H:%M:%S %Z} "
        f"(started {r['started_at']:%H:%M:%S}); checks: {r['checks_passed']} of {r['checks_run']} passed"
    )


def _print_publishers(sources: list[dict], new_releases: list[dict], seen: str) -> None:
    """How each publisher answered, and which releases are late or new."""
    if not sources:
        return
    from orchestration.lib.ingest.release_index import interface_address

    table = Table("source", "asked", "answered", "latest release", "next due", "on time", title=f"publishers, {seen}")
    addresses: dict[str, str] = {}
    for s in sources:
        on_time = {True: "[red]overdue[/red]", False: "yes", None: "not evaluated"}[s["overdue"]]
        kind, address = interface_address(s["interface"])
        if address:
            addresses.setdefault(kind, address)
        table.add_row(
            s["source"],
            kind,
            "yes" if s["reachable"] else "[red]no[/red]",
            (s["latest_published_at"] or "")[:10],
            s["next_release_due"] or "",
            on_time,
        )
    out.print(table)
    for kind, address in addresses.items():
        out.print(f"  {kind}: {address}")
    for s in sources:
        if not s["reachable"]:
            out.print(
                f"  [red]{escape(s['source'])}: publisher not reached[/red] on {escape(s['checked_at'][:16])} "
                f"(nothing new from it): {escape(s['error'] or '')}",
                highlight=False,
            )
        if s["overdue"]:
            out.print(
                f"  [yellow]{escape(s['source'])}: release overdue[/yellow]: {escape(s['freshness'])}", highlight=False
            )
    for r in new_releases:
        out.print(
            f"  new release {r['source']}/{r['release']}: {r['files']} file(s), published {(r['published_at'] or '')[:10]}"
            " (found by discovery; not in the catalogue)"
        )


def _print_last_run(settings) -> None:
    import dagster as dg

    from orchestration.lib.refresh.status import last_run

    instance = dg.DagsterInstance.get()
    try:
        run = last_run(settings, instance, failure_reason)
    finally:
        instance.dispose()
    if run is None:
        out.print("no refresh has run on this warehouse yet")
        return
    failed = len(run.failed_checks) + len(run.warnings)
    out.print(
        f"[bold]last refresh[/bold] {run.run_id} ({run.job}): {run.status}; "
        f"checks: {run.checks_run - failed} of {run.checks_run} passed"
    )
    for name, description in run.warnings:  # a warning, it blocked nothing
        out.print(f"  [yellow]! {escape(name)}[/yellow] {escape(description)}", highlight=False)
    for name, description in run.failed_checks:
        out.print(f"  [red]✗ {escape(name)}[/red] {escape(description)}", highlight=False)
    for step, reason in run.step_failures:
        out.print(f"  [red]✗ {escape(step)}[/red]: {escape(reason)}", highlight=False)
    if run.report:
        out.print(f"  validation report: {run.report}")


def _print_files(files: list[dict]) -> None:
    """One line per source file, whole (names are long: a table would cut them)."""
    out.print(f"[bold]source files[/bold] ({len(files)}): family, release, file, rows, sha256")
    for f in files:
        out.print(
            f"  {f['family']}  {f['release']}  {f['file']}  {f['row_count']} rows  {f['sha256'][:12]}", markup=False
        )
