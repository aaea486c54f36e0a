"""Gates on the LA dimension: every LA code a source prints is a known English upper-tier
authority, and every LA row sits in the region DfE's own LA list gives it. A code typed wrong,
or an LA moved to another region, fails the refresh before anything is published, naming the
file and row.
"""

from __future__ import annotations

from orchestration.lib.dbt.macros import release_order
from orchestration.lib.quality.rules import FEWEST_LAS, agreement_suite
from orchestration.lib.quality.suites import SuiteSpec

ASSET = ("marts", "dim_local_authority")

KNOWN_CODES = """
    with known as (
        select utla_code as la_code from staging.stg_lookups__ons_ltla_utla_2023
        union select predecessor_la_code from reference.la_boundary_changes
        union select successor_la_code from reference.la_boundary_changes
    ),
    -- where each code was seen (newest release first), to name the file and row
    first_seen as (
        select published_la_code as la_code, area_name as la_name, release as _release,
               source_file as _source_file, source_row as _row_number
        from intermediate.int_indicator_values_unpivoted
        where geographic_level = 'Local authority' and published_la_code is not null
        qualify row_number() over (partition by published_la_code order by {ORDER} desc, source_file, source_row) = 1
    )
    select first_seen.*, first_seen.la_code in (select la_code from known) as agrees
    from first_seen
    inner join marts.dim_local_authority using (la_code)
"""

REGIONS = """
    with lookup as (
        select la_code_dfe, dfe_region_name
        from staging.stg_lookups__dfe_la_codes
        where is_local_authority and dfe_region_name is not null
    ),
    published as (
        select release as _release, source_file as _source_file, la_code_dfe, published_la_code as la_code,
               area_name as la_name, region_name, min(source_row) as _row_number
        from intermediate.int_indicator_values_unpivoted
        where geographic_level = 'Local authority' and region_name is not null and la_code_dfe not like '% / %'
        group by all
    )
    select published.*, lookup.dfe_region_name,
           coalesce(lower(published.region_name) = lower(lookup.dfe_region_name), false) as agrees
    from published
    inner join lookup using (la_code_dfe)
"""


def suites() -> list[SuiteSpec]:
    return [
        agreement_suite(
            "dim_local_authority__codes_known",
            ASSET,
            "Every LA code any source prints is an upper-tier code in ONS's LTLA-UTLA lookup or in the boundary changes seed.",
            KNOWN_CODES.replace("{ORDER}", release_order("release")),
            "An LA code known to ONS's LTLA-UTLA lookup or the boundary changes seed",
            FEWEST_LAS,
            "one per LA code any source prints: at least every LA of one year",
        ),
        agreement_suite(
            "dim_local_authority__regions_agree",
            ASSET,
            "Every LA row of every file sits in the region (or London sub-region) DfE's LA list gives that LA.",
            REGIONS,
            "The LA's region in DfE's LA list (la_code_list.xlsx)",
            FEWEST_LAS,
            "one per file and LA: at least every LA of one file",
        ),
    ]
