"""Gate on marts.fct_deprivation: every LA that exists today has IoD2019 values, its own or
(for an LA created since 2019) its predecessor's, flagged."""

from __future__ import annotations

from orchestration.lib.quality.suites import SuiteSpec, gx


def suites() -> list[SuiteSpec]:
    return [
        SuiteSpec(
            name="fct_deprivation__current_las",
            asset=("marts", "fct_deprivation"),
            description="All 153 current LAs have IMD and IDACI scores; carried values name the predecessor they come from.",
            query="""
                select la_code, value_basis, source_la_code, imd_avg_score, idaci_avg_score,
                       (value_basis = 'carried_from_predecessor') = (source_la_code <> la_code) as flag_matches_source
                from marts.fct_deprivation where is_current""",
            expectations=lambda: [
                gx.expectations.ExpectTableRowCountToEqual(value=153),
                gx.expectations.ExpectColumnValuesToBeInSet(
                    column="value_basis", value_set=["own", "recoded", "carried_from_predecessor"]
                ),
                gx.expectations.ExpectColumnValuesToNotBeNull(column="imd_avg_score"),
                gx.expectations.ExpectColumnValuesToNotBeNull(column="idaci_avg_score"),
                gx.expectations.ExpectColumnValuesToBeInSet(column="flag_matches_source", value_set=[True]),
            ],
        ),
    ]
