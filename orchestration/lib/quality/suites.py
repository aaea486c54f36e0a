"""What an expectation suite is, and where the suites are found.

A suite is a named query over the work database plus the Great Expectations 1.x expectations
its rows must meet. The suites themselves live in ``expectations/``, one module per validated
table (``expectations/<schema>/<table>.py``) or per layout several tables share (the layout
names its tables once), each with a ``suites()`` function that builds them when asked, reading
settings and conventions then. :func:`discover_suites` finds them all; Dagster runs each as a
blocking asset check on its table (``orchestration/defs/quality``).

Nothing in ``orchestration`` imports ``expectations``: discovery imports the suite modules when
the suites are asked for.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

# Columns that, when a suite's query returns them, locate a failing row in its source file.
LOCATOR_COLUMNS = ("_release", "_source_file", "_row_number")
# Columns that, when returned too, say which LA and period a failing row is about.
IDENTIFYING_COLUMNS = (
    "la_code",
    "new_la_code",
    "la_name",
    "time_period",
    "mid_year",
    "indicator_id",
    "measure",
    "column_name",
)


@dataclass(frozen=True)
class SuiteSpec:
    """A suite validates the rows ``query`` returns from the work database.

    ``asset`` is the asset key (schema, table) the suite guards; it runs as a blocking check
    on that asset. ``expectations`` builds fresh expectation objects (GX binds them to a suite).

    ``prefilter``: DuckDB first selects the rows of ``query`` that break at least one of the
    suite's column rules (the predicate is derived from the expectations themselves, so the
    rules are written once), and Great Expectations validates those: on a good table, none.
    Counting over a whole table is DuckDB's work; naming each failing row stays the suite's.
    """

    name: str
    asset: tuple[str, ...]
    description: str
    query: str
    expectations: Callable[[], Sequence[object]]
    prefilter: bool = False
    module: str = ""  # the suite module that defines it (set by discover_suites): its code version follows it


_TABLE_REF = re.compile(r"\b(raw|reference|staging|intermediate|marts|meta)\.([a-z_][a-z0-9_]*)\b", re.IGNORECASE)


def tables_read(query: str) -> list[str]:
    """The warehouse tables a suite's query names (``schema/table``, as asset keys print)."""
    return sorted({f"{schema.lower()}/{table.lower()}" for schema, table in _TABLE_REF.findall(query)})


class LazyModule:
    """A module imported when one of its names is first used. Suites are defined (names,
    queries, assets) when Dagster loads its definitions, but Great Expectations (seconds to
    import) is only needed when a suite is validated: ``gx.expectations.ExpectX(...)`` inside
    a suite's ``expectations`` callable imports it then."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__"):
            raise AttributeError(attr)
        full = f"{self._name}.{attr}"
        if full == "great_expectations.expectations":  # a package: stay lazy one level down
            return LazyModule(full)
        return getattr(importlib.import_module(self._name), attr)


gx = LazyModule("great_expectations")


SUITES_PACKAGE = "expectations"


def suite_modules() -> list[str]:
    """The suite modules of ``expectations/``, sorted: ``expectations.<schema>.<table>``."""
    package = importlib.import_module(SUITES_PACKAGE)
    names = []
    for info in pkgutil.walk_packages(package.__path__, prefix=f"{SUITES_PACKAGE}."):
        if not info.ispkg and not info.name.rsplit(".", 1)[-1].startswith("_"):
            names.append(info.name)
    return sorted(names)


def discover_suites() -> list[SuiteSpec]:
    """Every suite: each suite module's ``suites()``, built now."""
    suites: list[SuiteSpec] = []
    for name in suite_modules():
        module = importlib.import_module(name)
        build = getattr(module, "suites", None)
        if build is None:
            raise ValueError(f"{module.__file__}: a suite module defines suites() -> list[SuiteSpec]")
        suites.extend(replace(spec, module=name) for spec in build())
    names = [s.name for s in suites]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"suite names must be unique; defined twice: {', '.join(duplicates)}")
    return suites
