"""The conventions every part of the warehouse shares, read from their one home: the ``vars`` of
``dbt_project/dbt_project.yml``, which dbt reads with ``var()``. The loader (lineage columns),
the source catalogue (the EES geography columns) and the expectation suites (symbols, the
Ofsted scale, the LA-code pattern) read them here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import yaml

from orchestration.settings import get_settings


@dataclass(frozen=True)
class Conventions:
    lineage_columns: dict[str, str]  # name -> DuckDB type, in table order
    lineage_descriptions: dict[str, str]
    ees_geography_columns: tuple[str, ...]
    la_code_pattern: str  # unanchored; a regular expression DuckDB, Python and pandas read alike
    ofsted_judgements: tuple[str, ...]  # best first
    published_symbols: dict[str, tuple[str, ...]]  # status -> the symbols that mean it
    footnote_pattern: str

    @property
    def known_symbols(self) -> tuple[str, ...]:
        return tuple(symbol for symbols in self.published_symbols.values() for symbol in symbols)

    def symbol_meanings(self, overrides: dict[str, tuple[str, ...]] | None = None) -> dict[str, tuple[str, ...]]:
        """The status each symbol means for one source: the defaults, with a source's own
        meanings (the catalogue's ``symbols`` of a family) moving each symbol they name to the
        status its publisher's metadata gives. dbt's ``symbol_meanings`` macro does the same."""
        if not overrides:
            return dict(self.published_symbols)
        moved = {symbol.lower() for symbols in overrides.values() for symbol in symbols}
        return {
            status: tuple(s for s in symbols if s.lower() not in moved) + tuple(overrides.get(status, ()))
            for status, symbols in self.published_symbols.items()
        }

    @property
    def la_code_regex(self) -> str:
        """The LA-code pattern anchored, for a whole-cell match."""
        return f"^(?:{self.la_code_pattern})$"


def project_path():
    return get_settings().dbt_project_dir / "dbt_project.yml"


@lru_cache(maxsize=1)
def project_vars() -> dict:
    """The ``vars`` of dbt_project.yml as dbt reads them (the translator digests them whole:
    a changed convention rebuilds what uses it)."""
    text = project_path().read_text(encoding="utf-8")
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)).get("vars") or {}


@lru_cache(maxsize=1)
def conventions() -> Conventions:
    path = project_path()
    shared = project_vars()
    try:
        result = Conventions(
            lineage_columns={str(k): str(v["type"]).upper() for k, v in shared["lineage_columns"].items()},
            lineage_descriptions={str(k): str(v["description"]) for k, v in shared["lineage_columns"].items()},
            ees_geography_columns=tuple(shared["ees_geography_columns"]),
            la_code_pattern=str(shared["la_code_pattern"]),
            ofsted_judgements=tuple(shared["ofsted_judgements"]),
            published_symbols={str(k): tuple(str(s) for s in v) for k, v in shared["published_symbols"].items()},
            footnote_pattern=str(shared["footnote_pattern"]),
        )
    except KeyError as exc:
        raise ValueError(f"{path}: vars lacks the convention {exc}") from None
    for pattern in (result.la_code_pattern, result.footnote_pattern):
        re.compile(pattern)
    return result
