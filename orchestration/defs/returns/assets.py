"""An LA's own returns (orchestration/lib/returns/step.py): one partition per LA and collection
year, the return landed, pseudonymised and checked by DfE's rules; then every landed return
counted the published way, its shown figures as ``raw.la_return_figures`` beside the raw tables
the publishers' files fill, for dbt."""

import dagster as dg

from orchestration.lib.core.warehouse import RefreshLockResource, WarehouseResource
from orchestration.lib.returns import step


# can_subset: a partition whose LA sent one kind of return skips the other kind's asset and its
# checks (a check's output is optional only in an asset that can be subset)
@dg.multi_asset(
    name="returns__ssda903",
    can_subset=True,
    specs=[
        dg.AssetSpec(
            key=step.LANDED,
            group_name="returns",
            kinds={"duckdb", "python"},
            partitions_def=step.PARTITIONS,
            code_version=step.landing_code_version(),
            skippable=True,  # a partition whose LA sent only its census: nothing to land
            description="An LA's SSDA903 return (children looked after) for one collection year: its files kept by "
            "sha256 and its rows pseudonymised in the private area (warehouse/private/returns.duckdb).",
        )
    ],
    check_specs=[
        dg.AssetCheckSpec(
            step.RULES_CHECK,
            asset=step.LANDED,
            description="DfE's SSDA903 validation rules (csc-validator-be-903) on the return: issues by rule, with "
            "an HTML report in the private area. A warning: figures are counted all the same.",
        )
    ],
)
def returns_ssda903(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    # no refresh lock: it writes only the private area, whose own lock orders its writers
    yield from step.land_and_validate(context, warehouse.settings())


@dg.multi_asset(
    name="returns__cin_census",
    can_subset=True,
    specs=[
        dg.AssetSpec(
            key=step.CIN_LANDED,
            group_name="returns",
            kinds={"duckdb", "python"},
            partitions_def=step.PARTITIONS,
            code_version=step.landing_code_version(step.CIN_CENSUS),
            skippable=True,  # a partition whose LA sent only its SSDA903 return: nothing to land
            description="An LA's children in need census for one collection year: its file checked against the "
            "year's schema as it is streamed, kept by sha256, and its rows pseudonymised in the private area "
            "(warehouse/private/returns.duckdb).",
        )
    ],
    check_specs=[
        dg.AssetCheckSpec(
            step.SCHEMA_CHECK,
            asset=step.CIN_LANDED,
            description="The census file against the CIN census schema of its collection year (community-"
            "maintained XSDs, orchestration/lib/returns/specs/cin_census/): where it departs, by element. A warning.",
        ),
        dg.AssetCheckSpec(
            step.CHILD_RULES_CHECK,
            asset=step.CIN_LANDED,
            description="DfE's CIN census validation rules on each child's records (csc-validator-be-cin): issues "
            "by rule, with an HTML report in the private area. A warning: figures are counted all the same.",
        ),
        dg.AssetCheckSpec(
            step.LA_RULES_CHECK,
            asset=step.CIN_LANDED,
            description="DfE's CIN census validation rules on the LA's return as a whole (csc-validator-be-cin). "
            "A warning: figures are counted all the same.",
        ),
    ],
)
def returns_cin_census(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    yield from step.land_and_validate(context, warehouse.settings(), step.CIN_CENSUS)


@dg.multi_asset(
    name="ingest__la_returns",
    specs=[
        dg.AssetSpec(
            key=step.COLLECTED,
            deps=[step.LANDED, step.CIN_LANDED],
            group_name="ingest",
            kinds={"duckdb"},
            code_version=step.collect_code_version(),
            skippable=True,  # unchanged: no materialization, nothing downstream rebuilt
            description="Every landed LA return counted the way DfE counts, suppressed the way DfE suppresses; "
            "the figures as shown (provisional; suppressed counts NULL), for dbt.",
        )
    ],
)
def ingest_la_returns(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, refresh_lock: RefreshLockResource
):
    yield from step.collect(context, warehouse)
