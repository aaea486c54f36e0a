"""``csc mirror export``: the archive of landed files, in the mirror layout."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from orchestration.cli.options import WarehouseOption, configure, console, out

app = typer.Typer(no_args_is_help=True, help="The archive of landed files, in the mirror layout.")


@app.command("export")
def export(
    target: Annotated[Path, typer.Argument(help="Directory to write <source>/<release>/<file> into.")],
    warehouse_dir: WarehouseOption = None,
) -> None:
    """Write every archived file (its latest landed version) out in the mirror layout, so one
    connected machine can feed an air-gapped one (csc refresh --mirror TARGET there)."""
    settings = configure(None, warehouse_dir)
    from orchestration.lib.ingest.archive import export as export_archive

    written = export_archive(settings, target)
    if not written:
        console.print(f"[red]nothing archived yet in {settings.archive_dir}[/red]: run a refresh first")
        raise typer.Exit(1)
    out.print(f"wrote {len(written)} files to {target.resolve()}")
