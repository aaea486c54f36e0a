"""Code versions, derived from the code itself: the one way an asset or check says what code it
was built with.

An asset's code version is a digest of every project module it runs, found by following the
import graph from the modules that do its work (``import`` and ``from ... import`` statements
anywhere in a module, inside functions too, except those only a type checker reads), of the
packages those modules sit in, and of the other files it reads (templates, dbt project files).
Change any of them, however indirectly it is reached, and the version changes, so the build
plan (orchestration/lib/refresh/build_plan.py) rebuilds the asset. There are no hand-kept file
lists to forget a module in. A module counts by what it does, its syntax tree without
docstrings: a comment, a docstring or a reformat changes no version (and so rebuilds nothing).

Modules are read from their files without being imported: working out a version never runs
code, and a module is found by its name under the repository root.
"""

from __future__ import annotations

import ast
import importlib
import inspect
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from types import ModuleType

from orchestration.lib.core.files import short_digest
from orchestration.settings import REPO_ROOT

# The packages whose modules belong to this project (third-party code is versioned by the lock).
PROJECT_PACKAGES = ("orchestration", "expectations")


@cache
def module_path(name: str, root: Path = REPO_ROOT) -> Path | None:
    """The file of project module ``name`` (a package's ``__init__.py``), or None when it is
    not a project module or no such file exists."""
    if name.split(".", 1)[0] not in PROJECT_PACKAGES:
        return None
    base = root.joinpath(*name.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def _type_checking_only(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST, module: str, is_package: bool, type_checking: bool = False) -> Iterable[tuple[str, str]]:
    """(module, name) for every name an import statement in ``tree`` takes, relative imports
    resolved: ``import a.b`` is ("a.b", ""), ``from a import b`` is ("a", "b"), where b may be a
    module or a name defined in a. Imports only a type checker reads (under ``if
    TYPE_CHECKING:``) count when ``type_checking``."""
    package = module if is_package else module.rpartition(".")[0]
    todo = [tree]
    while todo:
        node = todo.pop()
        if isinstance(node, ast.If) and _type_checking_only(node) and not type_checking:
            todo.extend(node.orelse)
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, ""
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            for alias in node.names:
                yield target, alias.name
        todo.extend(ast.iter_child_nodes(node))


@cache
def imported_modules(
    name: str, root: Path = REPO_ROOT, *, packages: bool = True, type_checking: bool = False
) -> frozenset[str]:
    """The project modules module ``name`` imports directly: for ``from a import b``, the
    module a.b where b is one, else a. With ``packages``, also every package on the way (importing
    a.b.c runs a and a.b first), as running the code does."""
    path = module_path(name, root)
    if path is None:
        return frozenset()
    tree = ast.parse(path.read_bytes(), filename=str(path))
    found: set[str] = set()
    for target, taken in _imports(tree, name, path.name == "__init__.py", type_checking):
        module = f"{target}.{taken}" if taken and module_path(f"{target}.{taken}", root) else target
        parts = module.split(".")
        for candidate in [".".join(parts[:i]) for i in range(1, len(parts) + 1)] if packages else [module]:
            if candidate != name and module_path(candidate, root) is not None:
                found.add(candidate)
    return frozenset(found)


def project_modules(root: Path = REPO_ROOT) -> list[str]:
    """Every module of the project's packages under ``root``."""
    names = []
    for package in PROJECT_PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def closure(modules: Iterable[str | ModuleType], root: Path = REPO_ROOT) -> list[str]:
    """The project modules ``modules`` run, following the import graph, with their packages."""
    return list(_closure(tuple(sorted(m.__name__ if isinstance(m, ModuleType) else m for m in modules)), root))


@cache
def _closure(names: tuple[str, ...], root: Path) -> tuple[str, ...]:
    seen: set[str] = set()
    todo = []
    for name in names:
        if module_path(name, root) is None:
            raise ValueError(f"{name} is not a module of this project under {root}")
        parts = name.split(".")
        todo += [".".join(parts[:i]) for i in range(1, len(parts) + 1)]
    while todo:
        name = todo.pop()
        if name in seen or module_path(name, root) is None:
            continue
        seen.add(name)
        todo.extend(imported_modules(name, root))
    return tuple(sorted(seen))


def _relative(path: Path, root: Path) -> str:
    path = path.resolve()
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)


def code_version(
    *modules: str | ModuleType,
    files: Iterable[Path] = (),
    extra: Iterable[str] = (),
    root: Path = REPO_ROOT,
) -> str:
    """The digest of every project module ``modules`` run (their import closure), the ``files``
    they read, and ``extra`` text that decides what they do (a library version, a query)."""
    parts: list[bytes | str] = []
    for name in closure(modules, root):
        parts += [name, code_of(module_path(name, root))]
    for path in sorted(Path(p) for p in files):
        parts += [_relative(path, root), path.read_bytes()]
    parts += list(extra)
    return short_digest(parts)


def code_of(path: Path) -> str:
    """What a module does: the digest of its syntax tree, without comments, docstrings or
    layout (read once per process while the file stays the same)."""
    stat = path.stat()
    return _code_of(str(path), stat.st_mtime_ns, stat.st_size)


@cache
def _code_of(path: str, mtime_ns: int, size: int) -> str:
    tree = ast.parse(Path(path).read_bytes(), filename=path)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (
            isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            node.body = body[1:] or [ast.Pass()]
    return short_digest(ast.dump(tree))


def upstream_digest(target: str) -> str:
    """The digest of a third-party function's or class's source, ``"module:Qualified.name"``:
    what a workaround of this project's was written against (the ``*_internals`` modules record
    it, and a test compares)."""
    module, _, qualname = target.partition(":")
    obj = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    obj = getattr(obj, "func", obj)  # a cached_property's function
    obj = obj.fget if isinstance(obj, property) else obj
    return short_digest(inspect.getsource(obj))
