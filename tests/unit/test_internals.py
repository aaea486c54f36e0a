"""The project reaches into a library's private API in one module per library, each recording
the code it was written against. An upgrade that changes that code fails here, naming it, before
anything runs on the changed behaviour; and no other module imports those private APIs."""

from __future__ import annotations

import ast

import pytest

from orchestration.lib.core import dagster_internals
from orchestration.lib.core.versions import module_path, project_modules, upstream_digest
from orchestration.lib.dbt import dagster_dbt_internals
from orchestration.lib.projections import statsforecast_internals
from orchestration.lib.quality import gx_internals

RECORDED = {
    **{t: (d, dagster_internals) for t, d in dagster_internals.UPSTREAM.items()},
    **{t: (d, dagster_dbt_internals) for t, d in dagster_dbt_internals.UPSTREAM.items()},
    **{t: (d, gx_internals) for t, d in gx_internals.UPSTREAM.items()},
    **{t: (d, statsforecast_internals) for t, d in statsforecast_internals.UPSTREAM.items()},
}
# private namespaces of each library, and the one module allowed to import them
PRIVATE = {
    "dagster._": "orchestration.lib.core.dagster_internals",
    "great_expectations.expectations.expectation": "orchestration.lib.quality.gx_internals",
    "great_expectations.expectations.metrics": "orchestration.lib.quality.gx_internals",
    "great_expectations.validator": None,
    "great_expectations.data_context.types": None,
}


@pytest.mark.parametrize("target", sorted(RECORDED))
def test_the_private_code_each_workaround_depends_on_is_unchanged(target):
    digest, module = RECORDED[target]
    assert upstream_digest(target) == digest, (
        f"{target} changed in this version of its library: read the new code, carry the change over to "
        f"{module.__name__} (or drop the workaround if a public API now serves), then record the new digest"
    )


def test_private_apis_are_imported_only_by_their_internals_module():
    found, scanned, allowed_seen = [], 0, set()
    for name in project_modules():  # the library, the definitions, the CLI and the suites
        scanned += 1
        tree = ast.parse(module_path(name).read_bytes())
        for node in ast.walk(tree):
            targets = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                targets = [node.module]
            for target in targets:
                for prefix, allowed in PRIVATE.items():
                    if target.startswith(prefix) and name != allowed:
                        found.append(f"{name} imports {target}")
                    elif target.startswith(prefix):
                        allowed_seen.add(name)
    # the scan read the whole library and saw each internals module's own private imports
    assert scanned > 40 and allowed_seen == {allowed for allowed in PRIVATE.values() if allowed}
    assert found == []


def test_dagster_dbt_private_methods_are_overridden_only_in_its_internals_module():
    overriding = []
    for name in project_modules():
        source = module_path(name).read_text(encoding="utf-8")
        if name.startswith("orchestration") and ("def _cli_version" in source or "def _initialize_dbt" in source):
            overriding.append(name)
    assert overriding == ["orchestration.lib.dbt.dagster_dbt_internals"]
