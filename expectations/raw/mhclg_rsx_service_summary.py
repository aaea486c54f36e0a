"""Contracts on the landed MHCLG revenue outturn RSX (revenue summary by service) workbooks (raw.mhclg_rsx_service_summary)."""

from __future__ import annotations

from expectations.raw._revenue_outturn import revenue_outturn
from orchestration.lib.quality.suites import SuiteSpec


def suites() -> list[SuiteSpec]:
    return revenue_outturn("mhclg_rsx_service_summary")
