"""The dbt exposure of the example queries names exactly the marts docs/queries/ reads."""

import re

import yaml

from orchestration.settings import REPO_ROOT

EXPOSURES = REPO_ROOT / "dbt_project" / "models" / "_exposures__queries.yml"


def test_the_example_queries_exposure_depends_on_the_marts_they_read():
    (exposure,) = yaml.safe_load(EXPOSURES.read_text(encoding="utf-8"))["exposures"]
    assert exposure["type"] == "analysis" and exposure["url"] == "docs/queries"
    declared = {re.fullmatch(r"ref\('(\w+)'\)", ref).group(1) for ref in exposure["depends_on"]}
    queries = sorted((REPO_ROOT / exposure["url"]).glob("*.sql"))
    assert queries
    read = {table for path in queries for table in re.findall(r"\bmarts\.(\w+)", path.read_text(encoding="utf-8"))}
    assert declared == read and read
    for name in read:  # each is a mart the project builds
        assert list((REPO_ROOT / "dbt_project" / "models" / "marts").rglob(f"{name}.sql")), name
