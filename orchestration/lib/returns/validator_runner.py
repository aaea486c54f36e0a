"""Run DfE's rules on an LA's return: the SSDA903 rules (``lac_validator``) on its files, or the
CIN census rules (``cin_validator``) on its XML file. A script for the validators' own environment
(``validators/``), never imported by the project.

It reads a JSON request on stdin::

    {"kind": "ssda903", "collection_year": 2025, "la_code": "E06000009",
     "files": ["/abs/header.csv", ...], "out": "/abs/issues.json"}

(``kind`` is ``ssda903``, the default, or ``cin_census``) and writes to ``out`` (owner-only) a JSON
object: ``issues``, a list of records (child_id, table, columns, row_id, rule_code,
rule_description, level); ``rules_run``, how many rules ran; and ``rules_failed``, the codes of
rules that raised instead of running (they checked nothing, and nothing they found is kept). One
record per rule, table and row: the packages give one line per affected column, joined here into
``columns``. ``level`` is ``child`` for a record on a child's row and ``la`` for one on the return
as a whole.

SSDA903: the files are CSV files, one a table, or the XML form, one file holding every table.
``row_id`` counts a table's rows from 0, as the package does (line ``row_id + 2`` of a CSV file
without blank lines). The package upper-cases every text value before its rules see it;
``child_id`` is the CHILD value as the file has it: for CSV, the value in the row the issue names;
for XML, the CHILDID that upper-cases to the package's (every row of a child carries its CHILDID).
A record without a child is ``la``.

CIN census: one XML file, read into tables by the package (``cin_validator.ingress.XMLtoCSV``:
Header, ChildIdentifiers, ChildCharacteristics, Disabilities, CINdetails, Assessments,
AssessmentFactorsList, CINplanDates, Section47, ChildProtectionPlans, Reviews), each holding its
elements in file order; ``row_id`` is the position in that table from 0 (row 3 of CINdetails is
the file's fourth <CINdetails>), and ``child_id`` the LAchildID of that row as filed. The package
tells rules on the return as a whole from rules on children (``cin_validator/cin_validator.py``,
``CinValidator.__init__``: its ``multichild_issues`` are the Header table's issues plus the
rules that call ``RuleContext.push_la_level``, which ``process_issues`` keeps apart as
``la_rules_broken``): both are ``la``. A Header issue has its table, columns and row (0: the
header is one row); a ``push_la_level`` rule names no row, so its record has the table and fields
its definition declares (``module``, ``affected_fields``) and no ``row_id``.

The rule definitions carry a code, a message, the affected fields and the tables read (the CIN
ones also Error or Query, which their codes show with a trailing Q), so records carry no severity.

Exit codes: 0 done; 2 no rule set for the collection year; 3 files refused before any rule runs
(SSDA903: not CSV or XML, no SSDA903 table, two files for one table; CIN census: not one file,
not well-formed, not a census, a header of another year); either with a line ``refused: <why>``
on stderr that names years, tables, elements and file names only; 1 anything else. What this
script prints itself names no child, but the packages' logging, their printed rule errors and
pandas' warnings may show rows: the caller keeps stderr where child-level data may be.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import json
import logging
import os
import pkgutil
import sys
import xml.etree.ElementTree as ET

import cin_validator.rules
import lac_validator.rules
import pandas as pd
from cin_validator.cin_validator import CinValidator, convert_data, process_data
from lac_validator.config import column_names
from lac_validator.lac_validator import LacValidator, create_issue_df
from lac_validator.report import Report
from lac_validator.utils import process_uploaded_files

NAMES = {"ssda903": "SSDA903", "cin_census": "CIN census"}  # request kind -> its name in messages


class Refused(Exception):
    """A request refused before any rule runs; its message names no child."""

    def __init__(self, message: str, exit_code: int = 3) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def rule_sets(package, prefix: str) -> dict[int, str]:
    """Collection year (the year it ends) -> the rule set module the installed package has: its
    rule sets are subpackages named for the year they start and end (``lac2024_25``, ``cin2024_25``)."""
    found = {}
    for module in pkgutil.iter_modules(package.__path__):
        name = module.name
        if module.ispkg and name[:3] == prefix and name[3:7].isdigit() and name[7:8] == "_" and name[8:10].isdigit():
            found[int(name[3:7]) + 1] = f"{package.__name__}.{name}"
    return dict(sorted(found.items()))


def text(value) -> str:
    """A list or a single value (possibly missing) as one string."""
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return "" if value is None or pd.isna(value) else str(value)


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
    """The CHILD values of an SSDA903 return as the files have them."""

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


def ssda903_issues(validator: LacValidator, registry, as_filed: AsFiled) -> list[dict]:
    # The XML form makes a table it finds no rows for without columns, which Report cannot read.
    tables = {k: v for k, v in validator.ds_results.items() if k == "metadata" or "CHILD" in v.columns}
    report = Report(tables, registry)
    if not any(column.startswith("ERR_") for column in report.report.columns):
        return []  # create_issue_df cannot concatenate no rules' issues
    records: dict[tuple[str, str, int], dict] = {}
    for row in create_issue_df(report.report, report.error_report).itertuples(index=False):
        table, row_id, code = text(row.tables_affected), int(row.row_id), str(row.rule_code)
        child = as_filed.child(table, row_id, text(row.child_id))
        record = records.setdefault(
            (code, table, row_id),
            {
                "child_id": child,
                "table": table,
                "columns": [],
                "row_id": row_id,
                "rule_code": code,
                "rule_description": text(row.rule_description),
                "level": "la" if child is None else "child",
            },
        )
        column = text(row.columns_affected)
        if column and column not in record["columns"]:
            record["columns"].append(column)
    return [{**r, "columns": ", ".join(r["columns"])} for r in records.values()]


def run_ssda903(year: int, la_code: str, files: list[str], rule_set: str) -> dict:
    as_filed = AsFiled(files)
    registry = importlib.import_module(rule_set).registry
    with contextlib.redirect_stdout(sys.stderr):  # some rules print
        validator = LacValidator(
            metadata={"collectionYear": str(year), "localAuthority": la_code},
            files=process_uploaded_files({"This year": files}),
            registry=registry,
            selected_rules=None,
        )
        found = ssda903_issues(validator, registry, as_filed)
    print(f"{len(validator.skips)} rules skipped for want of their tables", file=sys.stderr)
    return {"issues": found, "rules_run": len(validator.dones), "rules_failed": sorted(map(str, validator.fails))}


def cin_tables(files: list[str], year: int) -> dict:
    """The package's tables of a CIN census file (``convert_data`` and ``process_data``, as its
    command line ``python -m cin_validator run`` makes them), refused if the file is not one
    well-formed census of ``year``: the rules take the census period from the header."""
    if len(files) != 1 or not files[0].lower().endswith(".xml"):
        raise Refused(f"{', '.join(map(os.path.basename, files))}: expected one XML file, the census")
    name = os.path.basename(files[0])
    try:
        root = ET.parse(files[0]).getroot()
    except ET.ParseError:
        raise Refused(f"{name}: not well-formed XML") from None
    if root.tag != "Message" or root.find("Header") is None or root.find("Children") is None:
        raise Refused(f"{name}: not a CIN census (expected <Message> holding <Header> and <Children>)")
    tables = process_data(convert_data(root))
    filed = text(tables["Header"]["Year"].iloc[0]).strip()
    if filed.isdigit() and int(filed) != year:
        raise Refused(f"{name}: its header's <Year> is {filed}, not the collection year {year}")
    return tables


class CinRules(CinValidator):
    """The package's rule loop, ``CinValidator.create_issue_report_df``: every rule on its own copy
    of the tables, what each pushes sorted by ``process_issues`` into located issues
    (``full_issue_df``, the Header table's included) and rules on the return as a whole
    (``la_rule_issues``). The constructor's report building is left out: its user report copies
    the flagged values, and its issue table drops duplicates without regard to their table."""

    def __init__(self, data_files: dict, registry: dict) -> None:
        self.data_files, self.ruleset_registry = data_files, registry
        self.create_issue_report_df()


def recording(registry: dict, failed: list[str]) -> dict:
    """``registry`` with each rule noting its code in ``failed`` when it raises (the package prints
    the error and goes on, as if the rule had found nothing)."""

    def wrapped(rule):
        def func(data, context):
            try:
                return rule.func(data, context)
            except Exception:
                failed.append(str(rule.code))
                raise

        return dataclasses.replace(rule, func=func)

    return {code: wrapped(rule) for code, rule in registry.items()}


def cin_issues(rules: CinRules, tables: dict, registry: dict, failed: list[str]) -> list[dict]:
    records: dict[tuple[str, str | None, int | None], dict] = {}
    for row in rules.full_issue_df.itertuples(index=False):
        code, table = str(row.rule_code), text(row.tables_affected)
        row_id = None if pd.isna(row.ROW_ID) else int(row.ROW_ID)
        ids = tables[table]["LAchildID"] if table != "Header" else None
        child = text(ids.iloc[row_id]) if ids is not None and row_id is not None and 0 <= row_id < len(ids) else ""
        record = records.setdefault(
            (code, table, row_id),
            {
                "child_id": child or None,
                "table": table,
                "columns": [],
                "row_id": row_id,
                "rule_code": code,
                "rule_description": text(row.rule_description),
                "level": "la" if table == "Header" else "child",
            },
        )
        column = text(row.columns_affected)
        if column and column not in record["columns"]:
            record["columns"].append(column)
    for code in rules.la_rule_issues.get("rule_code", []):
        rule = registry[str(code)]
        records[str(code), None, None] = {
            "child_id": None,
            "table": rule.module.name if rule.module is not None else None,
            # some definitions list a table among their fields (2886Q, 8840): fields only
            "columns": [f for f in rule.affected_fields or [] if isinstance(f, str)],
            "row_id": None,
            "rule_code": str(code),
            "rule_description": text(rule.message),
            "level": "la",
        }
    # A rule that raised checked nothing; what it pushed before it raised is not kept.
    return [{**r, "columns": ", ".join(r["columns"])} for r in records.values() if r["rule_code"] not in failed]


def run_cin_census(year: int, la_code: str, files: list[str], rule_set: str) -> dict:
    tables = cin_tables(files, year)
    failed: list[str] = []
    registry = recording(importlib.import_module(rule_set).registry, failed)
    with contextlib.redirect_stdout(sys.stderr):  # the package prints a rule's error, which may show values
        rules = CinRules(tables, registry)
    found = cin_issues(rules, tables, registry, failed)
    return {"issues": found, "rules_run": len(registry) - len(set(failed)), "rules_failed": sorted(set(failed))}


KINDS = {
    "ssda903": (lac_validator.rules, "lac", run_ssda903),
    "cin_census": (cin_validator.rules, "cin", run_cin_census),
}


def main() -> int:
    request = json.load(sys.stdin)
    kind = str(request.get("kind", "ssda903"))
    year, la_code, files = int(request["collection_year"]), str(request["la_code"]), list(request["files"])
    logging.basicConfig(level=logging.WARNING, force=True)
    if kind not in KINDS:
        print(f"refused: no rules for returns of kind {kind!r}; expected one of {', '.join(KINDS)}", file=sys.stderr)
        return 3
    package, prefix, run = KINDS[kind]
    try:
        sets = rule_sets(package, prefix)
        if year not in sets:
            supported = ", ".join(map(str, sets))
            raise Refused(
                f"no {NAMES[kind]} rule set for collection year {year}; the installed package has {supported}", 2
            )
        found = run(year, la_code, files, sets[year])
    except Refused as refused:
        print(f"refused: {refused}", file=sys.stderr)
        return refused.exit_code
    fd = os.open(request["out"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(found, out)
    failed = ", ".join(found["rules_failed"]) or "none"
    print(f"rule set {sets[year]}: {found['rules_run']} rules run, failed to run: {failed}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
