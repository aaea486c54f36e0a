"""Contracts on the landed MHCLG revenue outturn RO3 (children's social care lines) workbooks (raw.mhclg_ro3_social_care)."""

from __future__ import annotations

from expectations.raw._revenue_outturn import revenue_outturn
from orchestration.lib.quality.suites import SuiteSpec


def suites() -> list[SuiteSpec]:
    return revenue_outturn("mhclg_ro3_social_care")
