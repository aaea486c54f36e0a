"""``csc report`` and ``csc docs``: the pages a publication writes, written again or opened."""

from __future__ import annotations

import signal
import sys
from typing import Annotated

import typer
from rich.markup import escape

from orchestration.cli.options import WarehouseOption, configure, console, out


def report(warehouse_dir: WarehouseOption = None) -> None:
    """Write a static HTML profile of every LA and an index from the published warehouse (warehouse/reports/);
    they open offline. A refresh that publishes rewrites them too."""
    settings = configure(None, warehouse_dir)
    from orchestration.lib.publish.la_profiles import write_reports

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
    settings = configure(None, warehouse_dir)
    from orchestration.lib.publish.docs_site import INDEX, docs_dir
    from orchestration.lib.publish.metric_catalogue import PAGE

    folder = docs_dir(settings)
    index = folder / INDEX
    if not index.is_file():
        console.print(
            f"[red]no docs site at {escape(str(index))}[/red]: a refresh that publishes writes it (run `csc refresh` first)"
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
    _serve(folder, port, no_browser)


def _stop(signum, frame):
    raise KeyboardInterrupt


def _serve(folder, port: int, no_browser: bool) -> None:
    """Serve ``folder`` on 127.0.0.1 until Ctrl-C (SIGINT) or SIGTERM. The handlers are installed
    here, whatever this process inherited: a program started in the background by a
    non-interactive shell inherits SIGINT ignored, and Python then never turns Ctrl-C into
    KeyboardInterrupt."""
    import functools
    import http.server

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    try:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as exc:
        console.print(f"[red]cannot serve on 127.0.0.1:{port}[/red]: {escape(str(exc))} (try --port)")
        raise typer.Exit(1) from None
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    try:  # from here on, Ctrl-C (whenever it comes) stops the server and exits cleanly
        signal.signal(signal.SIGINT, _stop)
        signal.signal(signal.SIGTERM, _stop)
        out.print(f"serving {folder} on {url} (Ctrl-C to stop)")
        sys.stdout.flush()
        if not no_browser:
            import webbrowser

            webbrowser.open(url)
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
