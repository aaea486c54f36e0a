"""`csc`: the warehouse's command line, one module per command group.

csc refresh [--mirror DIR] [--full]   fetch, land, load; then build what changed (--full: everything)
csc status [--files]         what is published, how each publisher answered, how the last refresh went
csc report                   static HTML profiles of every LA, and an index (warehouse/reports/)
csc docs [--serve]           open (or serve) the dbt docs site and the metric catalogue (warehouse/docs/)
csc mirror export DIR        the archive of landed files, in the mirror layout
csc returns add FILE... --la CODE --year YYYY   an LA's own return into the inbox (csc returns list)
csc dev                      the Dagster UI on this warehouse
"""

from __future__ import annotations

import typer

from orchestration.cli import dev, mirror, pages, refresh, returns, status

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Children's social care data warehouse for England.")
app.command()(refresh.refresh)
app.command()(status.status)
app.command()(pages.report)
app.command()(pages.docs)
app.add_typer(mirror.app, name="mirror")
app.add_typer(returns.app, name="returns")
app.command()(dev.dev)


def main() -> None:
    """The ``csc`` command."""
    app()
