"""Contracts on ONS's landed lower-tier to upper-tier LA lookup, April 2023
(raw.ons_ltla_utla_2023): the list of upper-tier codes every LA code is checked against
(marts/dim_local_authority.py).

Measured on the mirror (2026-11): 318 lower-tier rows of England and Wales; 153 English and 22
Welsh upper-tier codes.
"""

from __future__ import annotations

from orchestration.lib.core.conventions import conventions
from orchestration.lib.quality import rules
from orchestration.lib.quality.suites import SuiteSpec, gx

LTLA_CODE = r"^[EW](?:06|07|08|09)[0-9]{6}$"


def suites() -> list[SuiteSpec]:
    e = gx.expectations
    return [
        SuiteSpec(
            name="raw_ons_ltla_utla_2023",
            asset=("raw", "ons_ltla_utla_2023"),
            description="Each lower-tier LA once, in one upper-tier LA, both with well-formed ONS codes and names.",
            query="select *, count(*) over (partition by ltla_code) as rows_of_code from raw.ons_ltla_utla_2023",
            expectations=lambda: [
                e.ExpectColumnValuesToMatchRegex(column="ltla_code", regex=LTLA_CODE),
                e.ExpectColumnValuesToNotBeNull(column="ltla_code"),
                e.ExpectColumnValuesToBeBetween(
                    column="rows_of_code", min_value=1, max_value=1, description="Each lower-tier code once"
                ),
                e.ExpectColumnValuesToMatchRegex(
                    column="utla_code", regex=rf"^(?:{conventions().la_code_pattern}|W06[0-9]{{6}})$"
                ),
                e.ExpectColumnValuesToNotBeNull(column="utla_code"),
                e.ExpectColumnValuesToNotBeNull(column="ltla_name"),
                e.ExpectColumnValuesToNotBeNull(column="utla_name"),
            ],
        ),
        SuiteSpec(
            name="raw_ons_ltla_utla_2023__counts",
            asset=("raw", "ons_ltla_utla_2023"),
            description=f"{rules.FEWEST_LAS} to {rules.MOST_LAS} English upper-tier LAs.",
            query="select count(distinct utla_code) filter (where utla_code like 'E%') as english_utlas from raw.ons_ltla_utla_2023",
            expectations=lambda: [
                e.ExpectColumnValuesToBeBetween(
                    column="english_utlas", min_value=rules.FEWEST_LAS, max_value=rules.MOST_LAS
                ),
                e.ExpectTableRowCountToEqual(value=1),
            ],
        ),
    ]
