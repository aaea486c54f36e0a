"""Hand-built CIN census returns as they stand in the private database once landed: every
``cin_census_*`` table the counting SQL reads, with the shared contract's columns (lower-cased,
after ``la_code``, ``collection_year`` and ``source_file``), and only the rows a test gives. Dates
are ISO strings; a child id stands for the pseudonym landing gives it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

SQL = Path(__file__).parents[2] / "orchestration" / "lib" / "returns" / "sql" / "cin_census_figures.sql"

KEY = {"la_code": "varchar", "collection_year": "integer", "source_file": "varchar"}
CHILD = {"line": "bigint", "child_index": "bigint", "lachildid": "varchar"}
EPISODE = {**CHILD, "episode_index": "bigint"}
TABLES: dict[str, dict[str, str]] = {
    "children": {
        **CHILD,
        "upnunknown": "varchar",
        "personbirthdate": "date",
        "expectedpersonbirthdate": "date",
        "sex": "varchar",
        "persondeathdate": "date",
        "ethnicity": "varchar",
        "disabilities": "varchar",
        "age_at_31_march": "integer",
    },
    "episodes": {
        **EPISODE,
        "cinreferraldate": "date",
        "referralsource": "varchar",
        "primaryneedcode": "varchar",
        "cinclosuredate": "date",
        "reasonforclosure": "varchar",
        "dateofinitialcpc": "date",
        "referralnfa": "boolean",
    },
    "assessments": {
        **EPISODE,
        "assessmentactualstartdate": "date",
        "assessmentinternalreviewdate": "date",
        "assessmentauthorisationdate": "date",
        "assessmentfactors": "varchar",
    },
    "cin_plans": {**EPISODE, "cinplanstartdate": "date", "cinplanenddate": "date"},
    "section47": {
        **EPISODE,
        "s47actualstartdate": "date",
        "initialcpctarget": "date",
        "dateofinitialcpc": "date",
        "icpcnotrequired": "boolean",
    },
    "cp_plans": {
        **EPISODE,
        "plan_index": "bigint",
        "cppstartdate": "date",
        "cppenddate": "date",
        "initialcategoryofabuse": "varchar",
        "latestcategoryofabuse": "varchar",
        "numberofpreviouscpp": "bigint",
    },
    "cpp_reviews": {**EPISODE, "plan_index": "bigint", "cppreviewdate": "date"},
}
RETURNS = {
    "la_code": "varchar",
    "collection_year": "integer",
    "digest": "varchar",
    "landed_at": "timestamp",
    "files": "varchar[]",
    "schema_issues": "bigint",
    "rules_run": "boolean",
}


@dataclass
class CinReturns:
    """Returns being built: ``add_return`` for each LA and year, then rows of its tables."""

    rows: dict[str, list[dict]] = field(default_factory=lambda: {name: [] for name in TABLES})
    returns: list[tuple[str, int]] = field(default_factory=list)
    _episodes: dict[tuple[str, int, str], int] = field(default_factory=dict)
    _child_indices: dict[tuple[str, int], dict[str, int]] = field(default_factory=dict)

    def add_return(self, la: str, year: int) -> CinReturns:
        self.returns.append((la, year))
        return self

    def add(self, table: str, la: str, year: int, child: str, **values) -> dict:
        """One row of ``table`` for ``child`` in the LA's return for ``year``; columns not given are NULL."""
        unknown = set(values) - set(TABLES[table])
        if unknown:
            raise ValueError(f"{table} has no column {sorted(unknown)}")
        if (la, year) not in self.returns:
            self.add_return(la, year)
        row = {"la_code": la, "collection_year": year, "source_file": f"{la}_{year}.xml", "lachildid": child, **values}
        row.setdefault("line", sum(len(r) for r in self.rows.values()) + 1)
        # the position of the child's <Child> in its return: the same for every row of the child
        indices = self._child_indices.setdefault((la, year), {})
        row.setdefault("child_index", indices.setdefault(child, len(indices) + 1))
        self.rows[table].append(row)
        return row

    def child(self, la: str, year: int, child: str, **values) -> None:
        self.add("children", la, year, child, **values)

    def episode(self, la: str, year: int, child: str, referral: str, **values) -> int:
        """An episode (<CINdetails>) referred on ``referral``; returns its index within the child."""
        key = (la, year, child)
        self._episodes[key] = self._episodes.get(key, 0) + 1
        self.add("episodes", la, year, child, episode_index=self._episodes[key], cinreferraldate=referral, **values)
        return self._episodes[key]

    def load(self, con: duckdb.DuckDBPyConnection) -> None:
        """Create every table (empty ones included) and insert the rows."""
        con.execute(f"create table cin_census_returns ({', '.join(f'{c} {t}' for c, t in RETURNS.items())})")
        for la, year in self.returns:
            con.execute(
                "insert into cin_census_returns values (?, ?, 'digest', now()::timestamp, [?], 0, false)",
                [la, year, f"{la}_{year}.xml"],
            )
        for name, columns in TABLES.items():
            columns = {**KEY, **columns}
            con.execute(f"create table cin_census_{name} ({', '.join(f'{c} {t}' for c, t in columns.items())})")
            for row in self.rows[name]:
                values = [_typed(row.get(c), t) for c, t in columns.items()]
                con.execute(f"insert into cin_census_{name} values ({', '.join('?' * len(values))})", values)

    def figures(self) -> pl.DataFrame:
        """The counting SQL's figures for these returns, on a fresh in-memory database."""
        with duckdb.connect() as con:
            self.load(con)
            return con.sql(SQL.read_text(encoding="utf-8")).pl()


def _typed(value, kind: str):
    if kind == "date" and isinstance(value, str):
        return date.fromisoformat(value)
    return value
