"""The refresh's jobs (orchestration/lib/refresh/sequence.py): ``ingest`` lands and loads every
source, recording only what changed; ``build`` builds what the plan selects (the gates on raw
tables, dbt, the mart gates, the publication); ``full_refresh`` rebuilds everything."""

from functools import cache
from typing import Any, NamedTuple

import dagster as dg

from orchestration.lib.ingest.catalogue import load_catalogue
from orchestration.lib.ingest.step import freshness_check_key
from orchestration.lib.refresh.sequence import BUILD_JOB, FULL_JOB, INGEST_JOB, RETURNS_JOB, STAGE
from orchestration.lib.returns.step import PARTITIONS


class RefreshJobs(NamedTuple):
    """The jobs as ``define_asset_job`` returns them (resolved against the graph when the
    definitions load)."""

    ingest: Any
    build: Any
    full: Any
    returns: Any


@cache
def refresh_jobs() -> RefreshJobs:
    """The three jobs, built once per process (the schedule and the build sensor name the same
    ``ingest`` job); the catalogue is read when the definitions load, not at import."""
    # the warnings an ingest step evaluates itself, as it lands its families
    freshness = dg.AssetSelection.checks(*[freshness_check_key(s) for s in load_catalogue().sources])
    ingest = dg.define_asset_job(
        name=INGEST_JOB,
        # the raw tables, the publishers' status and the release warnings; the gates run in the build that follows
        selection=dg.AssetSelection.groups("ingest").without_checks() | freshness,
        description="Discover, land and load every source; a raw table whose content and code are unchanged "
        "records nothing. The build that follows (sensor build_what_changed) builds only what changed.",
        tags={STAGE: "ingest"},
    )
    build = dg.define_asset_job(
        name=BUILD_JOB,
        selection=dg.AssetSelection.all(include_sources=False) - dg.AssetSelection.groups("ingest", "returns")
        | dg.AssetSelection.all_asset_checks() - freshness - dg.AssetSelection.groups("returns"),
        description="Gates on the raw tables, dbt build, mart gates and the publication. Runs are started with "
        "the selection orchestration/lib/refresh/build_plan.py computes: only what changed since it was built.",
        tags={STAGE: "build"},
    )
    full = dg.define_asset_job(
        name=FULL_JOB,
        selection=dg.AssetSelection.all(include_sources=False) - dg.AssetSelection.groups("returns"),
        description="Everything, whatever changed: fetch and land every source, load raw, every gate, dbt build, "
        "publish (csc refresh --full runs every LA return's partition before it).",
        tags={STAGE: "full"},
    )
    returns = dg.define_asset_job(
        name=RETURNS_JOB,
        selection=dg.AssetSelection.groups("returns"),
        partitions_def=PARTITIONS,
        description="One LA's return for one collection year (a partition): landed and pseudonymised in the "
        "private area, checked by DfE's rules, counted the published way. The ingest run that follows collects "
        "its figures (sensor collect_return_figures).",
        tags={STAGE: "returns"},
    )
    return RefreshJobs(ingest, build, full, returns)


@dg.definitions
def jobs() -> dg.Definitions:
    return dg.Definitions(jobs=list(refresh_jobs()))
