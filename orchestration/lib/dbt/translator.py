"""The naming rule from dbt to Dagster, and each dbt node's code version.

Naming rule (one): a model's or seed's asset key is ``[schema, name]`` and its group is its top
folder (staging, intermediate, marts; seeds are ``reference``). A source table's key is
``[schema, table]`` too (``[raw, <family>]``): the key of the ingest asset that lands that raw
table, so the whole graph is one lineage.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings

from orchestration.lib.core.conventions import project_vars
from orchestration.lib.core.files import short_digest
from orchestration.lib.dbt.project import load_manifest

# the config that changes what a build writes (not tags, docs or meta)
_BUILD_CONFIG = ("materialized", "contract", "column_types", "schema", "full_refresh", "persist_docs")


def mart_asset_keys() -> list[dg.AssetKey]:
    """Asset keys of every model in models/marts: what the publication depends on."""
    manifest = load_manifest()
    translator = CscDbtTranslator(manifest)
    keys = []
    for node in manifest["nodes"].values():
        if node["resource_type"] == "model" and node["fqn"][1:2] == ["marts"]:
            keys.append(translator.get_asset_key(node))
    return sorted(keys, key=lambda k: k.to_user_string())


class CscDbtTranslator(DagsterDbtTranslator):
    def __init__(self, manifest: Mapping[str, Any] | None = None) -> None:
        super().__init__(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))
        manifest = manifest or {}
        self._macros = manifest.get("macros", {})
        self._sources = manifest.get("sources", {})
        # the project's vars (its shared conventions: var() in models and macros) change every node
        self._vars = json.dumps(project_vars(), sort_keys=True, default=str)
        self._package = (manifest.get("metadata") or {}).get("project_name", "")
        nodes = manifest.get("nodes", {})
        by_name = {
            n["name"]: uid for uid, n in nodes.items() if n.get("resource_type") in ("model", "seed", "snapshot")
        }
        self._tests: dict[str, list] = {}
        for test in (n for n in nodes.values() if n.get("resource_type") == "test"):
            ref = (((test.get("config") or {}).get("meta") or {}).get("dagster") or {}).get("ref") or {}
            parents = (
                [by_name[ref["name"]]]
                if ref.get("name") in by_name
                else (
                    [test["attached_node"]]
                    if test.get("attached_node")
                    else (test.get("depends_on") or {}).get("nodes") or []
                )
            )
            for parent in parents:
                self._tests.setdefault(parent, []).append(test)

    def get_code_version(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        """What dbt builds the node from: its own checksum (its SQL or seed file), the SQL of every
        project macro it calls (and of the macros those call), the project's vars, its build
        config and columns, the columns of the raw tables it reads, and the tests attached to it.
        A changed macro rebuilds the models that use it, and a changed test runs again with its
        model (orchestration/lib/refresh/build_plan.py)."""
        checksum = (dbt_resource_props.get("checksum") or {}).get("checksum")
        if checksum is None:
            return None
        parts = [checksum, self._vars]
        for name in sorted(self._project_macros(dbt_resource_props)):
            parts += [name, self._macros.get(name, {}).get("macro_sql", "")]
        config = {k: v for k, v in (dbt_resource_props.get("config") or {}).items() if k in _BUILD_CONFIG}
        parts.append(json.dumps(config, sort_keys=True, default=str))
        parts.append(json.dumps(sorted((dbt_resource_props.get("columns") or {}).items()), default=str))
        for parent in (dbt_resource_props.get("depends_on") or {}).get("nodes") or []:
            if parent in self._sources:  # a staging model selects its source's columns (stage_ees_tidy)
                parts += [parent, json.dumps(list(self._sources[parent].get("columns") or {}))]
        for test in self._tests_of(dbt_resource_props.get("unique_id")):
            meta = test.get("config", {}).get("meta")
            test_parts = [test.get("raw_code"), test.get("test_metadata"), meta, sorted(self._project_macros(test))]
            parts.append(json.dumps(test_parts, sort_keys=True, default=str))
        return short_digest(parts)

    def _project_macros(self, node: Mapping[str, Any]) -> set[str]:
        """The project's macros a node calls, directly or through other macros."""
        prefix = f"macro.{node.get('package_name') or self._package}."
        seen: set[str] = set()
        todo = list((node.get("depends_on") or {}).get("macros") or [])
        while todo:
            name = todo.pop()
            if name in seen or not name.startswith(prefix):
                continue
            seen.add(name)
            todo.extend(((self._macros.get(name) or {}).get("depends_on") or {}).get("macros") or [])
        return seen

    def _tests_of(self, unique_id: str | None) -> list[Mapping[str, Any]]:
        """The test nodes whose result is a check on this node (dbt's own attachment, or the
        asset a singular test names in its meta)."""
        if not unique_id:
            return []
        return sorted(self._tests.get(unique_id, []), key=lambda t: t["unique_id"])

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        if dbt_resource_props["resource_type"] == "model":
            return dbt_resource_props["fqn"][1]
        return super().get_group_name(dbt_resource_props)
