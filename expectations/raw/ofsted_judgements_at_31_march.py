"""Contracts on Ofsted's landed 31 March tables of the judgement in effect
(raw.ofsted_judgements_at_31_march), besides the inspection-outcomes layout they share with the
ILACS history (ofsted_inspection_outcomes.py)."""

from __future__ import annotations

from orchestration.lib.quality.suites import SuiteSpec, gx


def suites() -> list[SuiteSpec]:
    return [
        SuiteSpec(
            name="raw_ofsted_judgements_at_31_march__counts",
            asset=("raw", "ofsted_judgements_at_31_march"),
            description="Each 31 March table lists every LA once (151 to 153).",
            query="select _release, count(*) as rows, count(distinct la_name) as names from raw.ofsted_judgements_at_31_march group by 1",
            expectations=lambda: [
                gx.expectations.ExpectColumnValuesToBeBetween(column="rows", min_value=151, max_value=153),
                gx.expectations.ExpectColumnPairValuesToBeEqual(column_A="rows", column_B="names"),
            ],
        ),
    ]
