"""Where each LA return stands, for ``csc returns list`` and ``csc status``: read from the private
database, shown without anything child-level (counts of DfE's rules' issues, not the issues)."""

from __future__ import annotations

from orchestration.lib.returns import inbox, private
from orchestration.lib.returns.counting import shown
from orchestration.lib.returns.inbox import KINDS, NAMES
from orchestration.settings import Settings

QUERY = """
    select r.la_code, r.collection_year, r.rules_run, {issues} as issues, {counted} as counted_at
    from {kind}_returns r
    order by r.la_code, r.collection_year
"""
ISSUES = """(select count(*) from {kind}_issues i
    where i.la_code = r.la_code and i.collection_year = r.collection_year)"""
COUNTED = """(select max(counted_at) from {kind}_figures f
    where f.la_code = r.la_code and f.collection_year = r.collection_year)"""


def return_status(settings: Settings) -> list[dict]:
    """One row per LA return in the inbox: LA, year, files, DfE's rules' issues, when counted
    (``not landed`` for a return the next refresh lands)."""
    landed = {}
    if (settings.private_dir / private.DB_NAME).exists():
        with private.connect(settings, read_only=True) as con:
            tables = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
            for kind in (k for k in KINDS if f"{k}_returns" in tables):
                query = QUERY.format(
                    kind=kind,
                    issues=ISSUES.format(kind=kind) if f"{kind}_issues" in tables else "null",
                    counted=COUNTED.format(kind=kind) if f"{kind}_figures" in tables else "null",
                )
                for la, year, rules_run, issues, counted in con.execute(query).fetchall():
                    # a count of children's records: shown as DfE shows a small count
                    landed[(la, year, kind)] = (shown(issues) if rules_run else "not run", counted)
    rows = []
    returns, problems = inbox.survey(settings)
    for ret in returns:
        key = (ret.la_code, ret.year, ret.kind)
        issues, counted = landed.get(key, ("-", None))
        rows.append(
            {
                "la_code": ret.la_code,
                "year": ret.year,
                "return": NAMES[ret.kind],
                "files": len(ret.files),
                "issues": issues,
                "counted_at": counted.isoformat(sep=" ", timespec="seconds")
                if counted
                else ("not counted yet" if key in landed else "not landed"),
            }
        )
    for problem in problems:
        rows.append(
            {
                "la_code": str(problem.folder),
                "year": "",
                "return": "",
                "files": "",
                "issues": "",
                "counted_at": problem.message,
            }
        )
    return rows
