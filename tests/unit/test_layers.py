"""Imports flow one way. The library is layered by the stages of a refresh (core, ingest, returns,
dbt, projections, quality, publish, refresh): a module imports its own layer and those below it, never one above;
nothing in the library imports the Dagster definitions, the CLI or the suites; the suites stay at
or below the quality layer; a Dagster domain under defs/ does not import another; and no module
imports itself back through others. Every import counts: at the top of a module, inside a
function, or only for a type checker."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestration.lib.core.versions import imported_modules, project_modules
from orchestration.settings import REPO_ROOT

LAYERS = ("core", "ingest", "returns", "dbt", "projections", "quality", "publish", "refresh")
LIB = "orchestration.lib."


def graph(root: Path = REPO_ROOT) -> dict[str, set[str]]:
    return {m: set(imported_modules(m, root, packages=False, type_checking=True)) for m in project_modules(root)}


def layer(module: str) -> int | None:
    if not module.startswith(LIB):
        return None
    name = module[len(LIB) :].split(".")[0]
    return LAYERS.index(name) if name in LAYERS else None


def domain(module: str) -> str | None:
    parts = module.split(".")
    return parts[2] if module.startswith("orchestration.defs.") and len(parts) > 3 else None


def violations(edges: dict[str, set[str]]) -> list[str]:
    found = []
    for module, imports in sorted(edges.items()):
        for target in sorted(imports):
            here, there = layer(module), layer(target)
            if here is not None and there is not None and there > here:
                found.append(f"{module} imports {target}: {LAYERS[there]} is above {LAYERS[here]}")
            if module.startswith("orchestration.lib") and target.startswith(
                ("orchestration.defs", "orchestration.cli", "orchestration.definitions", "expectations")
            ):
                found.append(f"{module} imports {target}: the library is below the definitions, the CLI and the suites")
            if module.startswith("expectations") and (
                (there is not None and there > LAYERS.index("quality"))
                or target.startswith(("orchestration.defs", "orchestration.cli", "orchestration.definitions"))
            ):
                found.append(f"{module} imports {target}: suites use the library up to its quality layer")
            if domain(module) and domain(target) and domain(module) != domain(target):
                found.append(f"{module} imports {target}: one Dagster domain imports another")
    return found


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Every import cycle, once each (as the strongly connected components of the graph)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's algorithm
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in edges.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def read_whole(edges: dict[str, set[str]]) -> dict[str, set[str]]:
    """The project's import graph, read whole: every module and its imports (so an empty graph
    cannot pass the rules by having nothing to check)."""
    assert len(edges) > 40 and sum(len(targets) for targets in edges.values()) > 100
    return edges


def test_imports_flow_one_way_and_domains_keep_to_themselves():
    assert violations(read_whole(graph())) == []


def test_no_module_imports_itself_back():
    assert cycles(read_whole(graph())) == []


def test_every_library_module_is_in_a_layer():
    lib = [m for m in project_modules() if m.startswith(LIB)]
    assert len(lib) > 40 and [m for m in lib if layer(m) is None] == []


def _tree(root: Path, modules: dict[str, str]) -> Path:
    for name, source in modules.items():
        path = root.joinpath(*name.split(".")).with_suffix(".py")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)
        for parent in path.relative_to(root).parents:
            if str(parent) != ".":
                (root / parent / "__init__.py").touch()
    return root


@pytest.mark.parametrize(
    ("modules", "expected"),
    [
        # an upward import hidden inside a function
        (
            {
                "orchestration.lib.core.files": "def f():\n    from orchestration.lib.publish import pages\n",
                "orchestration.lib.publish.pages": "",
            },
            "publish is above core",
        ),
        # a relative import, only for the type checker
        (
            {
                "orchestration.lib.ingest.load": "from typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n    from ..refresh import status\n",
                "orchestration.lib.refresh.status": "",
            },
            "refresh is above ingest",
        ),
        ({"orchestration.lib.core.a": "import orchestration.definitions\n", "orchestration.definitions": ""}, "below"),
        (
            {
                "orchestration.defs.publish.assets": "from orchestration.defs.ingest import assets\n",
                "orchestration.defs.ingest.assets": "",
            },
            "one Dagster domain imports another",
        ),
    ],
)
def test_the_rules_catch_upward_imports(tmp_path, modules, expected):
    found = violations(graph(_tree(tmp_path, modules)))
    assert found and expected in found[0]


def test_the_rules_catch_a_cycle_through_a_function_level_import(tmp_path):
    root = _tree(
        tmp_path,
        {
            "orchestration.lib.ingest.a": "from orchestration.lib.ingest import b\n",
            "orchestration.lib.ingest.b": "def late():\n    from orchestration.lib.ingest.c import x\n",
            "orchestration.lib.ingest.c": "import orchestration.lib.ingest.a\nx = 1\n",
        },
    )
    assert cycles(graph(root)) == [
        ["orchestration.lib.ingest.a", "orchestration.lib.ingest.b", "orchestration.lib.ingest.c"]
    ]
