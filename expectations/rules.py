"""Reusable rules: Great Expectations classes with this project's defaults."""

from __future__ import annotations

from functools import cache

from expectations.spec import SuiteSpec

# Suppression and status symbols seen across DfE, ONS and MHCLG files (FILE_PROFILES.csv),
# matched whole-cell. dbt's parse_published_value macro gives each its meaning.
KNOWN_SYMBOLS = ("c", "x", "z", "k", "u", "low", "..", ":", "[c]", "[x]", "[z]", "[k]", "[u]")
_SYMBOLS = "|".join(s.replace(".", r"\.").replace("[", r"\[").replace("]", r"\]") for s in KNOWN_SYMBOLS)
# A bare footnote mark ("[note 4]") stands in for a value MHCLG explains in its notes sheet.
PUBLISHED_CELL_REGEX = rf"^(?:-?[0-9][0-9,]*(?:\.[0-9]+)?%?|{_SYMBOLS}|\[note [0-9]+\])$"
UNSIGNED_CELL_REGEX = PUBLISHED_CELL_REGEX.replace("^(?:-?", "^(?:", 1)


@cache
def _classes() -> dict[str, type]:
    """The rule classes, built on first use (they subclass Great Expectations classes, and
    importing GX is left until a suite is validated)."""
    import great_expectations as gx

    class ExpectPublishedCell(gx.expectations.ExpectColumnValuesToMatchRegex):
        """A published cell is a number or one of the known suppression symbols; nothing else."""

        regex: str = PUBLISHED_CELL_REGEX
        description: str = "A number, or a known suppression symbol (" + ", ".join(KNOWN_SYMBOLS) + ") or footnote mark [note N]"

    class ExpectUnsignedPublishedCell(gx.expectations.ExpectColumnValuesToMatchRegex):
        """A count, rate or share: a number that is not negative, or a known suppression symbol."""

        regex: str = UNSIGNED_CELL_REGEX
        description: str = ("A number that is not negative, or a known suppression symbol (" + ", ".join(KNOWN_SYMBOLS)
                            + ") or footnote mark [note N]")

    class ExpectWithinTolerance(gx.expectations.ExpectColumnValuesToBeBetween):
        """Reconciliation rows carry ``excess`` = |difference| - tolerance, which must not be positive."""

        column: str = "excess"
        max_value: float = 0.0

    class ExpectAllAgree(gx.expectations.ExpectColumnValuesToBeInSet):
        """Cross-check rows carry ``agrees`` (this source says what the other says), which must be true."""

        column: str = "agrees"
        value_set: list = [True]

    return {cls.__name__: cls for cls in (ExpectPublishedCell, ExpectUnsignedPublishedCell, ExpectWithinTolerance,
                                          ExpectAllAgree)}


def __getattr__(name: str):
    classes = _classes() if name.startswith("Expect") else {}
    if name in classes:
        return classes[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def agreement_suite(name: str, asset: tuple[str, ...], description: str, query: str, expected: str) -> SuiteSpec:
    """A suite whose query returns one row per thing checked, with ``agrees``: every row must agree."""
    return SuiteSpec(name=name, asset=asset, description=description, query=query,
                     expectations=lambda: [_classes()["ExpectAllAgree"](description=expected)])
