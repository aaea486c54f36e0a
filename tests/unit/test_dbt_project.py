"""The dbt project compiles on a fresh clone, with no database: every model's SQL can be read
before anything runs (column lists come from the dbt sources generated from the catalogue)."""

import subprocess

import pytest

from orchestration.lib.ingest.catalogue import load_catalogue
from orchestration.settings import REPO_ROOT
from tests.support.helpers import clean_env


@pytest.mark.slow  # dbt compile of the whole project
def test_every_model_compiles_without_a_loaded_database(tmp_path):
    target = tmp_path / "target"
    run = subprocess.run(
        ["dbt", "compile", "--quiet", "--target-path", str(target)],
        cwd=REPO_ROOT / "dbt_project",
        capture_output=True,
        text=True,
        timeout=600,
        env=clean_env(CSC_DUCKDB_PATH=str(tmp_path / "empty.duckdb")),
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    compiled = target / "compiled" / "csc_warehouse" / "models"
    catalogue = load_catalogue()
    # a staged EES family: every value column the catalogue gives is parsed, its labels form the measure
    staged = (compiled / "staging" / "cla" / "stg_cla__cla_placement_stability.sql").read_text()
    family = catalogue.family("cla_placement_stability")
    assert "concat_ws(' | ', cla_group, placement_stability) as measure" in staged
    for column in ("number", "percentage"):
        assert f"{column}__parsed" in staged and column in family.column_names
    # the long form stacks every value column of every declared model, none found by querying
    stacked = (compiled / "intermediate" / "indicators" / "int_indicator_values_unpivoted.sql").read_text()
    for model, column in (
        ("stg_cla__number_and_rate_per_10k", "children_count"),
        ("stg_cin__c1_referrals", "referral_count"),
        ("int_expenditure_categories", "net_expenditure_gbp"),
        ("stg_deprivation__iod2019", "avg_score"),
    ):
        assert f"'{column}' as source_column" in stacked and model in stacked, (model, column)
