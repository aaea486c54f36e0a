"""``csc dev``: the Dagster UI on this warehouse."""

from __future__ import annotations

import os
import sys

from orchestration.cli.options import MirrorOption, WarehouseOption, configure, console


def dev(warehouse_dir: WarehouseOption = None, mirror: MirrorOption = None, port: int = 3000) -> None:
    """Start the Dagster UI on this warehouse (every asset, check and the nightly schedule)."""
    settings = configure(mirror, warehouse_dir)
    from orchestration.lib.dbt.project import ensure_manifest

    ensure_manifest()
    cmd = [sys.executable, "-m", "dagster", "dev", "-m", "orchestration.definitions", "-p", str(port)]
    console.print(f"DAGSTER_HOME={settings.dagster_home} {' '.join(cmd[1:])}")
    # Become `dagster dev`, so Ctrl-C and SIGINT reach it directly (it ignores SIGTERM).
    os.execv(sys.executable, cmd)
