"""Where each LA return stands, for ``csc returns list`` and ``csc status``: read from the private
database, shown without anything child-level (counts of DfE's rules' issues, not the issues)."""

from __future__ import annotations

from orchestration.lib.returns import inbox, private
from orchestration.settings import Settings

QUERY = """
    select r.la_code, r.collection_year,
        case when r.rules_run then (select count(*) from ssda903_issues i
            where i.la_code = r.la_code and i.collection_year = r.collection_year)::varchar
            else 'not run' end as issues,
        (select max(counted_at) from ssda903_figures f
            where f.la_code = r.la_code and f.collection_year = r.collection_year) as counted_at
    from ssda903_returns r
    order by r.la_code, r.collection_year
"""


def return_status(settings: Settings) -> list[dict]:
    """One row per LA return in the inbox: LA, year, files, DfE's rules' issues, when counted
    (``not landed`` for a return the next refresh lands)."""
    landed = {}
    if (settings.private_dir / private.DB_NAME).exists():
        with private.connect(settings, read_only=True) as con:
            tables = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
            if {"ssda903_returns", "ssda903_issues", "ssda903_figures"} <= tables:
                for la, year, issues, counted in con.execute(QUERY).fetchall():
                    landed[(la, year)] = (issues, counted)
    rows = []
    for ret in inbox.scan(settings):
        issues, counted = landed.get((ret.la_code, ret.year), ("-", None))
        rows.append(
            {
                "la_code": ret.la_code,
                "year": ret.year,
                "files": len(ret.files),
                "issues": issues,
                "counted_at": counted.isoformat(sep=" ", timespec="seconds") if counted else "not landed",
            }
        )
    return rows
