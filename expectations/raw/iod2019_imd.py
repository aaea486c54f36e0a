"""Contract on the landed IoD2019 File 11 sheet of the Index of Multiple Deprivation, by upper-tier LA
(raw.iod2019_imd)."""

from __future__ import annotations

from expectations.raw._iod2019 import file_11_sheet
from orchestration.lib.quality.suites import SuiteSpec


def suites() -> list[SuiteSpec]:
    return file_11_sheet("iod2019_imd")
