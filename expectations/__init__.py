"""Great Expectations 1.x suites, written as code, one module per validated table.

Every module in this package that defines ``SUITES`` (a list of :class:`SuiteSpec`) is found
by :func:`discover_suites`; Dagster runs each suite as a blocking asset check on its asset
(``orchestration/defs/quality``). Suites hold what dbt tests do not: contracts on landed
files, cross-table reconciliations, distributions and row counts.
"""

from __future__ import annotations

import importlib
import pkgutil

from expectations.spec import SuiteSpec


def discover_suites() -> list[SuiteSpec]:
    suites: list[SuiteSpec] = []
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if module.name in {"spec", "rules"}:
            continue
        mod = importlib.import_module(f"{__name__}.{module.name}")
        suites.extend(getattr(mod, "SUITES", []))
    names = [s.name for s in suites]
    if len(names) != len(set(names)):
        raise ValueError(f"suite names must be unique: {names}")
    return suites
