"""The dbt project's own macros, rendered for SQL that runs outside dbt (the expectation
suites' queries), so a rule written once in ``dbt_project/macros`` holds everywhere: the order
of release vintages above all (``macros/releases.sql``).

Only macros that need nothing of dbt's (no ``ref``, ``var``, ``adapter``) render here; the
file a macro is in is found by its ``{% macro name(`` line.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import duckdb
import jinja2

from orchestration.settings import get_settings


def _macro_files() -> list[Path]:
    return sorted((get_settings().dbt_project_dir / "macros").glob("*.sql"))


@cache
def _module(path: str):
    return jinja2.Environment().from_string(Path(path).read_text(encoding="utf-8")).module


def render(name: str, *args) -> str:
    """The SQL the project macro ``name`` gives for ``args`` (SQL expressions, as in dbt)."""
    pattern = re.compile(rf"{{%-?\s*macro\s+{re.escape(name)}\s*\(")
    for path in _macro_files():
        if pattern.search(path.read_text(encoding="utf-8")):
            return str(getattr(_module(str(path)), name)(*args)).strip()
    raise LookupError(f"no macro {name!r} in {get_settings().dbt_project_dir / 'macros'}")


def release_order(label: str, published_at: str | None = None) -> str:
    """A text key that sorts release labels oldest first (macros/releases.sql)."""
    return render("release_order", label, published_at)


def release_year(label: str) -> str:
    return render("release_year", label)


def release_years(labels: list[str]) -> dict[str, int]:
    """label -> its release year, by the macro, evaluated in DuckDB (for a suite's row floor)."""
    if not labels:
        return {}
    con = duckdb.connect(":memory:")
    try:
        rows = con.execute(
            f"select label, {release_year('label')} from (select unnest(?) as label)", [list(labels)]
        ).fetchall()
    finally:
        con.close()
    return dict(rows)
