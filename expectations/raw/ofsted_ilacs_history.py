"""Contract on the landed ILACS inspection history (raw.ofsted_ilacs_history)."""

from __future__ import annotations

from expectations.raw._ofsted import inspection_outcomes
from orchestration.lib.quality.suites import SuiteSpec


def suites() -> list[SuiteSpec]:
    return inspection_outcomes("ofsted_ilacs_history", with_code_regex=True)
