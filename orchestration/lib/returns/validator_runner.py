"""Run DfE's SSDA903 rules (``lac_validator``) on an LA's return files: a script for the validators'
own environment (``validators/``), never imported by the project.

It reads a JSON request on stdin::

    {"collection_year": 2025, "la_code": "E06000009", "files": ["/abs/header.csv", ...],
     "out": "/abs/issues.json"}

and writes to ``out`` (owner-only) a JSON object: ``issues``, a list of records (child_id, table,
columns, row_id, rule_code, rule_description); ``rules_run``, how many rules ran; and
``rules_failed``, the codes of rules that raised instead of running (they checked nothing). One record per rule, table and row: the package
gives one line per affected column, joined here into ``columns``. ``row_id`` counts a table's
rows from 0, as the package does (line ``row_id + 2`` of a CSV file without blank lines).

The files are CSV files, one a table, or the XML form, one file holding every table. The package
upper-cases every text value before its rules see it; ``child_id`` is the CHILD value as the file
has it: for CSV, the value in the row the issue names; for XML, the CHILDID that upper-cases to
the package's (every row of a child carries its CHILDID).

The package's rule definitions carry a code, a message, the affected fields and the tables read,
and nothing that tells an error from a query, so records carry no severity.

Exit codes: 0 done; 2 no rule set for the collection year; 3 files refused before any rule runs
(not CSV or XML, no SSDA903 table, two files for one table); either with a line
``refused: <why>`` on stderr that names years, tables and file names only; 1 anything else.
What this script prints itself names no child, but the package's logging and pandas' warnings may
show rows: the caller keeps stderr where child-level data may be.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import logging
import os
import pkgutil
import sys
import xml.etree.ElementTree as ET

import lac_validator.rules
import pandas as pd
from lac_validator.config import column_names
from lac_validator.lac_validator import LacValidator, create_issue_df
from lac_validator.report import Report
from lac_validator.utils import process_uploaded_files


class Refused(Exception):
    """A request refused before any rule runs; its message names no child."""

    def __init__(self, message: str, exit_code: int = 3) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def rule_sets() -> dict[int, str]:
    """Collection year (the year it ends) -> the rule set module the installed package has."""
    found = {}
    for module in pkgutil.iter_modules(lac_validator.rules.__path__):
        name = module.name
        if module.ispkg and name.startswith("lac") and name[3:7].isdigit() and name[8:10].isdigit():
            found[int(name[3:7]) + 1] = f"lac_validator.rules.{name}"
    return dict(sorted(found.items()))


def table_of(path: str) -> str:
    """The SSDA903 table a CSV file holds, matched on its set of columns as the package matches."""
    if not path.lower().endswith(".csv"):
        raise Refused(f"{os.path.basename(path)}: expected CSV files, one a table, or one XML file")
    columns = set(pd.read_csv(path, nrows=0, dtype=str).columns)
    for table, expected in column_names.items():
        if columns == set(expected):
            return table
    raise Refused(f"{os.path.basename(path)}: its columns are those of no SSDA903 table")


class AsFiled:
    """The CHILD values as the files have them."""

    def __init__(self, files: list[str]) -> None:
        self.by_row: dict[tuple[str, int], str] = {}
        self.by_upper: dict[str, str] = {}
        if len(files) == 1 and files[0].lower().endswith(".xml"):
            try:
                root = ET.parse(files[0]).getroot()
            except ET.ParseError:
                raise Refused(f"{os.path.basename(files[0])}: not well-formed XML") from None
            self.by_upper = {n.text.upper(): n.text for n in root.iter("CHILDID") if n.text is not None}
            return
        tables: dict[str, str] = {}
        for path in files:
            table = table_of(path)
            if table in tables:
                names = f"{os.path.basename(tables[table])} and {os.path.basename(path)}"
                raise Refused(f"{names} are both the {table} table; give one file per table")
            tables[table] = path
        for table, path in tables.items():
            frame = pd.read_csv(path, dtype=str, keep_default_na=False)  # the package's rows, as written
            self.by_row.update({(table, row): child for row, child in enumerate(frame["CHILD"])})

    def child(self, table: str, row: int, package_id: str) -> str | None:
        found = self.by_row.get((table, row))
        return (self.by_upper.get(package_id, package_id) if found is None else found) or None


def text(value) -> str:
    """A list or a single value (possibly missing) as one string."""
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return "" if value is None or pd.isna(value) else str(value)


def issues(validator: LacValidator, registry, as_filed: AsFiled) -> list[dict]:
    # The XML form makes a table it finds no rows for without columns, which Report cannot read.
    tables = {k: v for k, v in validator.ds_results.items() if k == "metadata" or "CHILD" in v.columns}
    report = Report(tables, registry)
    if not any(column.startswith("ERR_") for column in report.report.columns):
        return []  # create_issue_df cannot concatenate no rules' issues
    records: dict[tuple[str, str, int], dict] = {}
    for row in create_issue_df(report.report, report.error_report).itertuples(index=False):
        table, row_id, code = text(row.tables_affected), int(row.row_id), str(row.rule_code)
        record = records.setdefault(
            (code, table, row_id),
            {
                "child_id": as_filed.child(table, row_id, text(row.child_id)),
                "table": table,
                "columns": [],
                "row_id": row_id,
                "rule_code": code,
                "rule_description": text(row.rule_description),
            },
        )
        column = text(row.columns_affected)
        if column and column not in record["columns"]:
            record["columns"].append(column)
    return [{**r, "columns": ", ".join(r["columns"])} for r in records.values()]


def main() -> int:
    request = json.load(sys.stdin)
    year, la_code, files = int(request["collection_year"]), str(request["la_code"]), list(request["files"])
    logging.basicConfig(level=logging.WARNING, force=True)
    try:
        sets = rule_sets()
        if year not in sets:
            supported = ", ".join(map(str, sets))
            raise Refused(f"no SSDA903 rule set for collection year {year}; the installed package has {supported}", 2)
        as_filed = AsFiled(files)
    except Refused as refused:
        print(f"refused: {refused}", file=sys.stderr)
        return refused.exit_code
    registry = importlib.import_module(sets[year]).registry
    with contextlib.redirect_stdout(sys.stderr):  # some rules print
        validator = LacValidator(
            metadata={"collectionYear": str(year), "localAuthority": la_code},
            files=process_uploaded_files({"This year": files}),
            registry=registry,
            selected_rules=None,
        )
        found = issues(validator, registry, as_filed)
    fd = os.open(request["out"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(
            {"issues": found, "rules_run": len(validator.dones), "rules_failed": sorted(map(str, validator.fails))}, out
        )
    failed = ", ".join(map(str, validator.fails)) or "none"
    print(
        f"rule set {sets[year]}: {len(validator.dones)} rules run, {len(validator.skips)} skipped "
        f"for want of their tables, failed to run: {failed}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
