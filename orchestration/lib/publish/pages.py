"""What every page the publication writes shares: how a value is shown, the Jinja2 templates
(``orchestration/templates``), and reading the published snapshot.

Pages are read from the published snapshot, read-only like any BI tool, so they show exactly what
was published.
"""

from __future__ import annotations

import json
import math
from datetime import date, datetime

from jinja2 import Environment, FileSystemLoader, meta, select_autoescape

from orchestration.settings import TEMPLATES_DIR


def fmt(value, unit: str | None = None) -> str:
    """A value as a reader expects it: GBP with a pound sign, percentages with %, rates to 1 dp."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    unit = (unit or "").lower()
    value = float(value)
    if unit.startswith("gbp"):
        return f"£{value:,.0f}"
    if unit.startswith("percent"):
        return f"{value:.1f}%"
    if unit == "count":
        return f"{value:,.0f}"
    return f"{value:,.1f}"


def short_unit(unit: str | None) -> str:
    """An axis title that fits: 'rate per 10,000 children aged under 18' -> 'per 10,000 children'."""
    unit = unit or ""
    if unit.startswith("rate per 10,000"):
        return "per 10,000 children"
    if unit.startswith("GBP per "):
        return "£ per " + unit[len("GBP per ") :].replace(" aged 0 to 17", "")
    return unit


def script_json(data) -> str:
    """JSON safe inside a <script> element (no '</' to close it early)."""
    return json.dumps(data, separators=(",", ":"), default=_json_default).replace("</", "<\\/")


def _json_default(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    try:
        return float(value)  # Decimal
    except (TypeError, ValueError):
        return str(value)


def number(value):
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value


def rows(con, sql: str, params=()) -> list[dict]:
    cursor = con.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def has_table(con, schema: str, name: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ?", [schema, name]
        ).fetchone()[0]
    )


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["fmt"] = fmt
    env.filters["script_json"] = script_json
    return env


def template_files(*names: str) -> list:
    """The template files ``names`` render with: each, and every template it extends, includes or
    imports, followed through (what a page's code version covers)."""
    env = environment()
    seen: dict[str, object] = {}
    todo = list(names)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        source, filename, _ = env.loader.get_source(env, name)
        seen[name] = filename
        todo.extend(ref for ref in meta.find_referenced_templates(env.parse(source)) if ref)
    from pathlib import Path

    return sorted(Path(f) for f in seen.values())
