"""``csc returns``: an LA's own returns, into the inbox and as they stand."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from orchestration.cli.options import WarehouseOption, configure, console, out

app = typer.Typer(
    no_args_is_help=True, help="An LA's own returns (SSDA903, CIN census): add them, see where they stand."
)


@app.command("add")
def add(
    files: Annotated[
        list[Path],
        typer.Argument(help="The return's files: SSDA903 CSV tables or its XML form, or the CIN census XML file."),
    ],
    la: Annotated[str, typer.Option("--la", help="The LA: ONS code (E06000009) or DfE's number (890).")],
    year: Annotated[int, typer.Option("--year", help="Collection year: the year ending 31 March (2025 for 2024-25).")],
    warehouse_dir: WarehouseOption = None,
) -> None:
    """Copy a return's files into the inbox (<la_code>/<year>/), after reading each: a file that
    cannot be read is refused, and nothing is copied. Which return a file is (SSDA903 or CIN
    census) is read from its content. The next refresh (or the inbox sensor) lands, checks and
    counts it."""
    settings = configure(None, warehouse_dir)
    from orchestration.lib.returns.adding import add_files, missing_tables
    from orchestration.lib.returns.inbox import NAMES
    from orchestration.lib.returns.ssda903 import ReturnFileError

    try:
        ret, added = add_files(settings, files, la, year)
        missing = missing_tables(ret)
    except ReturnFileError as exc:
        console.print(f"[red]refused:[/red] {escape(str(exc))}; nothing was copied")
        raise typer.Exit(1) from None
    for item in added:
        out.print(f"{item.file.name}: {', '.join(item.tables)}", highlight=False)
    out.print(f"{ret.la_code} {year} {NAMES[ret.kind]}: {len(ret.files)} file(s) in {ret.folder}", highlight=False)
    if missing:
        out.print(f"tables the {year} return collects that it does not have: {', '.join(missing)}", highlight=False)
    out.print("next: uv run csc refresh (or the inbox sensor, under csc dev) lands, checks and counts it")


@app.command("list")
def list_returns(warehouse_dir: WarehouseOption = None) -> None:
    """Each LA return: its files, DfE's rules' issues, when it was counted (from the private area)."""
    settings = configure(None, warehouse_dir)
    if not print_returns(settings):
        out.print(f"no returns in {settings.inbox_dir}")


def print_returns(settings) -> bool:
    """The LA returns table (``csc returns list``, ``csc status``); False when there are none."""
    from orchestration.lib.returns.ssda903 import ReturnFileError
    from orchestration.lib.returns.status import return_status

    try:
        rows = return_status(settings)
    except ReturnFileError as exc:
        out.print(f"[red]the returns inbox cannot be read:[/red] {escape(str(exc))}")
        return True
    if not rows:
        return False
    table = Table(
        "LA", "year", "return", "files", "DfE rules' issues", "counted at", title=f"LA returns, {settings.inbox_dir}"
    )
    for row in rows:
        table.add_row(*(str(v) for v in row.values()))
    out.print(table)
    out.print("  validation reports and child-level data: the private area, " + str(settings.private_dir))
    return True
