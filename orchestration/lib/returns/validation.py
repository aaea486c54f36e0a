"""DfE's rules run on an LA's return (the SSDA903 children looked after return, the CIN census),
and their issues as a page.

DfE's validators (``csc-validator-be-903``, imported as ``lac_validator``, and
``csc-validator-be-cin``, imported as ``cin_validator``) pin pandas below 2 and numpy below 1.25,
so they live in an environment of their own: the uv project ``validators/``, made into
``validators/.venv`` from its lock when first needed or when the lock changes. The rules run there
as a subprocess (``validator_runner.py``), which writes the issues into the caller's private
working directory. The issues name children as the return does: callers pseudonymise them. What
the subprocess prints may show rows of the return too, so it goes only to ``validator.log`` in the
same directory, owner-only, never into an exception or a log message.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
from jinja2 import Environment, FileSystemLoader, select_autoescape

from orchestration.lib.core.files import replacing, short_digest, write_text
from orchestration.settings import QUIET_ENV, REPO_ROOT, TEMPLATES_DIR

VALIDATOR_PROJECT = REPO_ROOT / "validators"
RUNNER = Path(__file__).with_name("validator_runner.py")
TEMPLATE = "returns_validation.html.j2"
ROWS_PER_RULE = 500  # a rule's rows listed on the page; the rest are counted
SYNC_STAMP = ".csc-synced"  # in the environment: the digest of the project files it was made from
ISSUE_SCHEMA = {
    "child_id": pl.Utf8,
    "table": pl.Utf8,
    "columns": pl.Utf8,
    "row_id": pl.Int64,
    "rule_code": pl.Utf8,
    "rule_description": pl.Utf8,
    "level": pl.Utf8,  # LEVELS
}
LEVELS = ("child", "la")  # a rule on a child's rows; a rule on the return as a whole (its header included)
KINDS = {"ssda903": "SSDA903", "cin_census": "CIN census"}  # the runner's kinds of return -> their names
REFUSED = "refused: "  # the runner's message when it exits 2 or 3: it names years, tables, elements and files only
# Environment variables that would point the validators' Python at the project's packages or env.
_FOREIGN = ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT")


class ValidationRunError(RuntimeError):
    pass


class UnsupportedYearError(ValidationRunError):
    """The installed rules have no rule set for the collection year (the message names those they have)."""


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in _FOREIGN} | QUIET_ENV


def validator_python(project: Path = VALIDATOR_PROJECT) -> Path:
    """The validators' Python, its environment made (or remade) from the project's lock first when
    it is missing or was made from other project files. One process makes it while others wait."""
    python = project / ".venv" / "bin" / "python"
    stamp = project / ".venv" / SYNC_STAMP
    wanted = short_digest((project / name).read_bytes() for name in ("pyproject.toml", "uv.lock"))

    def ready() -> bool:
        return python.exists() and stamp.exists() and stamp.read_text(encoding="utf-8") == wanted

    if ready():
        return python
    uv = shutil.which("uv")
    if uv is None:
        raise ValidationRunError(f"uv is not on PATH: it makes the environment of DfE's validators ({project})")
    with open(project / ".venv.lock", "a") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)  # released when the file closes, also if the process dies
        if ready():
            return python
        cmd = [uv, "sync", "--quiet", "--project", str(project), "--locked", "--python", "3.11"]
        proc = subprocess.run(cmd, env=_env(), capture_output=True, text=True)
        if proc.returncode != 0:  # uv's messages name packages and paths, no return's data
            raise ValidationRunError(f"`{' '.join(cmd[1:])}` failed (exit {proc.returncode}): {proc.stderr[-2000:]}")
        write_text(stamp, wanted)
    return python


@dataclass(frozen=True)
class RulesRun:
    """What DfE's rules found (``issues``, ``ISSUE_SCHEMA``), how many ran, and the codes of those
    that raised instead of running: the return was not checked by them."""

    issues: pl.DataFrame
    rules_run: int
    rules_failed: tuple[str, ...]


def run_ssda903_rules(
    files: list[Path], collection_year: int, la_code: str, work_dir: Path, *, timeout: float = 3600
) -> RulesRun:
    """The issues DfE's SSDA903 rules for ``collection_year`` (the year it ends: 2025 is 2024-25)
    find in an LA's return (CSV files, one a table, or one XML file), one row per rule, table and
    row (``ISSUE_SCHEMA``); ``row_id`` counts a table's rows from 0, and a row naming no child is
    ``la`` level. ``work_dir`` is private to the caller. Raises :class:`UnsupportedYearError` for a
    year the rules do not cover, and :class:`ValidationRunError` for files refused or a run that fails."""
    return _run_rules("ssda903", files, collection_year, la_code, work_dir, timeout)


def run_cin_rules(file: Path, collection_year: int, la_code: str, work_dir: Path, *, timeout: float = 3600) -> RulesRun:
    """The issues DfE's CIN census rules for ``collection_year`` find in an LA's census (one XML
    file, whose header's <Year> must be ``collection_year``), as :func:`run_ssda903_rules` gives
    them: ``row_id`` is the position from 0 of the row in the validator's table of that name (its
    tables hold their elements in file order: row 0 of CINdetails is the file's first
    <CINdetails>); ``level`` is ``child`` for a rule on a child's row, ``la`` for the header's rules
    and the rules on the return as a whole, which name no child (and, but for the header's, no row)."""
    return _run_rules("cin_census", [file], collection_year, la_code, work_dir, timeout)


def _run_rules(
    kind: str, files: list[Path], collection_year: int, la_code: str, work_dir: Path, timeout: float
) -> RulesRun:
    python = validator_python()
    work_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    out, log = work_dir / f"{kind}_issues.json", work_dir / "validator.log"
    out.unlink(missing_ok=True)
    request = {
        "kind": kind,
        "collection_year": collection_year,
        "la_code": la_code,
        "files": [str(Path(f).resolve()) for f in files],
        "out": str(out),
    }
    rules = f"DfE's {KINDS[kind]} rules"
    what = f"{rules} failed for {la_code} {collection_year}"
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as log_file:
        try:
            proc = subprocess.run(
                [str(python), "-I", str(RUNNER)],
                input=json.dumps(request),
                stdout=log_file,
                stderr=subprocess.STDOUT,
                env=_env(),
                text=True,
                timeout=timeout,
            )
        except subprocess.TimeoutExpired:
            raise ValidationRunError(f"{what} (still running after {timeout:g} s): see {log}") from None
    if proc.returncode in (2, 3):
        lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
        refused = [line.removeprefix(REFUSED) for line in lines if line.startswith(REFUSED)]
        if refused:
            error = UnsupportedYearError if proc.returncode == 2 else ValidationRunError
            raise error(f"{rules} cannot run for {la_code} {collection_year}: {refused[-1]}")
    if proc.returncode != 0 or not out.exists():
        raise ValidationRunError(f"{what} (exit {proc.returncode}): see {log}")
    try:
        found = json.loads(out.read_text(encoding="utf-8"))
    finally:
        out.unlink()  # the frame holds the issues now; no second copy stays behind
    return RulesRun(
        issues=pl.DataFrame(found["issues"], schema=ISSUE_SCHEMA),
        rules_run=int(found["rules_run"]),
        rules_failed=tuple(found["rules_failed"]),
    )


def _rule_order(code: str) -> tuple:
    """Numeric codes in number order (101 before 1001), then the lettered ones (EPI, INT01, SW...)."""
    digits, rest = re.match(r"(\d*)(.*)", code).groups()
    return (0, int(digits), rest) if digits else (1, 0, code)


def summarise(issues: pl.DataFrame, cap: int = ROWS_PER_RULE) -> list[dict]:
    """Per rule, in code order: its level, description, rows affected, children, and up to ``cap`` rows."""
    rules = []
    for (code,), rows in issues.group_by(["rule_code"]):
        rows = rows.sort(["table", "row_id"], nulls_last=True)
        rules.append(
            {
                "code": code,
                # a frame made without levels: a rule naming no child is on the return as a whole
                "level": rows["level"][0] or ("child" if rows["child_id"].drop_nulls().len() else "la"),
                "description": rows["rule_description"][0],
                "rows": rows.height,
                "children": rows["child_id"].drop_nulls().n_unique(),
                "listed": rows.head(cap).select("table", "row_id", "columns", "child_id").to_dicts(),
                "more": max(rows.height - cap, 0),
            }
        )
    return sorted(rules, key=lambda rule: _rule_order(rule["code"]))


def render_report(
    issues: pl.DataFrame,
    *,
    title: str,
    summary: dict,
    out_path: Path,
    schema_issues: pl.DataFrame | None = None,
) -> Path:
    """``issues`` as one self-contained, owner-only HTML page: ``summary``'s items (label: value or
    list of values, e.g. LA, collection year, files read, when) at the top, then the rules on
    children and the rules on the return as a whole apart, each a table of the rules that found
    issues and each rule's rows; then, when given, the places the file departs from its schema
    (``schema_issues``: line, path, element, problem)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    rules = summarise(issues)
    schema = None
    if schema_issues is not None:
        schema = {
            "places": schema_issues.height,
            "by_element": schema_issues.group_by("element", "problem")
            .agg(pl.len().alias("n"))
            .sort(["n", "element", "problem"], descending=[True, False, False])
            .to_dicts(),
            "listed": schema_issues.sort("line").head(ROWS_PER_RULE).to_dicts(),
        }
    html = env.get_template(TEMPLATE).render(
        title=title,
        summary=summary,
        levels=[(level, [rule for rule in rules if rule["level"] == level]) for level in LEVELS],
        rules=rules,
        issues=issues.height,
        children=issues["child_id"].drop_nulls().n_unique(),
        schema=schema,
        cap=ROWS_PER_RULE,
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )
    with replacing(out_path) as tmp:
        os.chmod(tmp, 0o600)  # before the page's child-level rows go in
        tmp.write_text(html, encoding="utf-8")
    return out_path
