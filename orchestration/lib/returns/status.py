"""Where each LA return stands, for ``csc returns list`` and ``csc status``: read from the private
database, shown without anything child-level (counts of DfE's rules' issues, not the issues)."""

from __future__ import annotations

from orchestration.lib.returns import inbox, private
from orchestration.lib.returns.counting import shown
from orchestration.settings import Settings

QUERY = """
    select r.la_code, r.collection_year, r.rules_run, {issues} as issues, {counted} as counted_at
    from ssda903_returns r
    order by r.la_code, r.collection_year
"""
ISSUES = """(select count(*) from ssda903_issues i
    where i.la_code = r.la_code and i.collection_year = r.collection_year)"""
COUNTED = """(select max(counted_at) from ssda903_figures f
    where f.la_code = r.la_code and f.collection_year = r.collection_year)"""


def return_status(settings: Settings) -> list[dict]:
    """One row per LA return in the inbox: LA, year, files, DfE's rules' issues, when counted
    (``not landed`` for a return the next refresh lands)."""
    landed = {}
    if (settings.private_dir / private.DB_NAME).exists():
        with private.connect(settings, read_only=True) as con:
            tables = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
            if "ssda903_returns" in tables:
                query = QUERY.format(
                    issues=ISSUES if "ssda903_issues" in tables else "null",
                    counted=COUNTED if "ssda903_figures" in tables else "null",
                )
                for la, year, rules_run, issues, counted in con.execute(query).fetchall():
                    # a count of children's records: shown as DfE shows a small count
                    landed[(la, year)] = (shown(issues) if rules_run else "not run", counted)
    rows = []
    returns, problems = inbox.survey(settings)
    for ret in returns:
        issues, counted = landed.get((ret.la_code, ret.year), ("-", None))
        rows.append(
            {
                "la_code": ret.la_code,
                "year": ret.year,
                "files": len(ret.files),
                "issues": issues,
                "counted_at": counted.isoformat(sep=" ", timespec="seconds")
                if counted
                else ("not counted yet" if (ret.la_code, ret.year) in landed else "not landed"),
            }
        )
    for problem in problems:
        rows.append(
            {"la_code": str(problem.folder), "year": "", "files": "", "issues": "", "counted_at": problem.message}
        )
    return rows
