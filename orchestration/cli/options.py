"""What every command shares: the warehouse and mirror options, settings applied to the
environment of this process and those it starts, and the consoles."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from orchestration.settings import Settings

console = Console(stderr=True, soft_wrap=True)  # progress and errors
out = Console(soft_wrap=True)  # results: paths and ids stay on one line, whatever the width

MirrorOption = Annotated[
    Path | None,
    typer.Option(
        "--mirror",
        help="Read source files from this directory (<source>/<release>/<file>) instead of the publishers' sites. "
        "Default: $CSC_SOURCE_MIRROR.",
    ),
]
WarehouseOption = Annotated[
    Path | None,
    typer.Option("--warehouse-dir", help="Warehouse directory. Default: $CSC_WAREHOUSE_DIR or ./warehouse."),
]


def configure(mirror: Path | None, warehouse_dir: Path | None) -> Settings:
    """Settings from the options and the environment, exported to this process's environment
    (Dagster's code server and dbt read them there), with the warehouse's Dagster home."""
    if mirror is not None:
        if not mirror.is_dir():
            raise typer.BadParameter(f"{mirror} is not a directory", param_hint="--mirror")
        os.environ["CSC_SOURCE_MIRROR"] = str(mirror.resolve())
    if warehouse_dir is not None:
        os.environ["CSC_WAREHOUSE_DIR"] = str(warehouse_dir.resolve())
        os.environ.pop("CSC_DUCKDB_PATH", None)
    from orchestration.lib.core.dagster_home import ensure_dagster_home
    from orchestration.settings import get_settings

    settings = get_settings()
    settings.ensure_dirs()
    settings.export_env()
    os.environ["DAGSTER_HOME"] = str(ensure_dagster_home(settings))
    return settings
