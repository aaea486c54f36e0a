"""The README stays true and short: two set-up commands, CI runs the second, the layout and the
docs name only paths that exist, and it reads in five minutes."""

import re
import subprocess

import pytest

from orchestration.settings import REPO_ROOT

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
DOCS = sorted((REPO_ROOT / "docs").glob("*.md"))


def section(title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", README, re.S | re.M)
    assert match, f"README has no '## {title}' section"
    return match.group(1)


def test_exactly_two_setup_commands_and_ci_runs_the_test_one():
    commands = re.findall(r"```sh\n(.*?)\n```", section("Set up"), re.S)
    assert len(commands) == 2
    assert "csc refresh" in commands[0] and "pytest" in commands[1]
    extracted = subprocess.run(
        ["awk", "/<!-- test-command/{found=1; next} found && /^```sh/{getline; print; exit}", "README.md"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert extracted == commands[1]
    assert "README.md" in (REPO_ROOT / ".ci" / "run").read_text()


def test_the_readme_reads_in_five_minutes():
    assert len(README.splitlines()) <= 160
    assert len(README.split()) <= 1600  # about 300 words a minute


def layout_paths(block: str) -> list[str]:
    """Every path the layout tree names: each entry's name (several when comma-joined), under
    the folders its indentation puts it in."""
    paths, parents = [], []
    for line in block.splitlines():
        if not line.strip():
            continue
        indent = (len(line) - len(line.lstrip())) // 2
        entry = re.match(r"^\s*((?:[\w.\-/]+)(?:, [\w.\-/]+)*)\s{2,}", line + "  ")
        assert entry, f"layout line has no name: {line!r}"
        names = entry.group(1).split(", ")
        parents = [*parents[:indent], names[0]]
        for name in names:
            paths.append("/".join(p.rstrip("/") for p in [*parents[:-1], name]))
    return [p.rstrip("/") for p in paths]


def test_layout_names_only_paths_that_exist():
    block = re.search(r"```\n(pyproject.toml.*?)```", section("Layout"), re.S).group(1)
    paths = layout_paths(block)
    assert len(paths) >= 16 and "uv.lock" in paths and "orchestration/lib" in paths
    assert [p for p in paths if not (REPO_ROOT / p).exists() and not p.startswith("warehouse")] == []


def test_the_layout_reader_catches_a_missing_path():
    paths = layout_paths("a.toml, b.lock   files\norch/   package\n  defs/   defs\n  x.py, y.py   modules\n")
    assert paths == ["a.toml", "b.lock", "orch", "orch/defs", "orch/x.py", "orch/y.py"]


# a path in backticks: a repository folder or file with a slash or a file suffix
PATH = re.compile(
    r"`((?:orchestration|dbt_project|expectations|tests|benchmarks|docs|\.ci)/[\w./\-<>{},]*|[\w\-]+\.(?:py|md|toml|yml|csv|sql))`"
)


def named_paths(text: str) -> list[str]:
    found = []
    for name in PATH.findall(text):
        if "<" in name or "{" in name or "*" in name:  # a pattern (`models/staging/<source>/`), not a path
            continue
        found.append(name.rstrip("/").rstrip(".,"))
    return found


@pytest.mark.parametrize("doc", ["README.md", *[f"docs/{d.name}" for d in DOCS]])
def test_the_docs_name_only_files_that_exist(doc):
    text = (REPO_ROOT / doc).read_text(encoding="utf-8")
    named = [p for p in named_paths(text) if "/" in p]
    missing = [p for p in named if not (REPO_ROOT / p).exists() and not (REPO_ROOT / "dbt_project" / p).exists()]
    assert missing == [], f"{doc} names files that do not exist"


def test_the_docs_check_catches_a_file_that_is_gone():
    assert named_paths("see `orchestration/lib/plan.py` and `docs/queries/` and `models/staging/<source>/`") == [
        "orchestration/lib/plan.py",
        "docs/queries",
    ]
    assert not (REPO_ROOT / "orchestration/lib/plan.py").exists()


ROOTS = ("orchestration", "dbt_project", "expectations", "tests", "benchmarks", "docs", ".ci")
# a path into the repository in any text: a root folder, then path characters (a pattern such as
# `models/staging/<source>/` or `test_*.py` stops at its first wildcard, leaving a folder)
ANY_PATH = re.compile(rf"(?<![\w./-])((?:{'|'.join(re.escape(r) for r in ROOTS)})/[\w./-]*[\w/])")
TEXT = (".py", ".md", ".yml", ".yaml", ".toml", ".sql", ".j2", ".in", ".txt", ".csv", "run")


def stale_paths(root=REPO_ROOT) -> list[str]:
    """Every file of the repository that names a path in it which does not exist (relative to the
    repository, or to dbt_project/ for dbt's own files)."""
    listed = subprocess.run(["git", "ls-files"], cwd=root, capture_output=True, text=True, check=True).stdout
    found = []
    for name in listed.split():
        if not name.endswith(TEXT) or name == "tests/unit/test_readme.py":
            continue
        text = (root / name).read_text(encoding="utf-8", errors="replace")
        for match in ANY_PATH.finditer(text):
            path = match.group(1).rstrip(".")
            if text[match.end() : match.end() + 1] in ("*", "<", "{"):  # a pattern: its folder is named
                path = path.rpartition("/")[0]
            if not (root / path).exists() and not (root / "dbt_project" / path).exists():
                found.append(f"{name}: {path}")
    return sorted(set(found))


def test_no_file_names_a_path_that_is_gone():
    assert stale_paths() == []


def test_the_stale_path_check_reads_every_kind_of_file(tmp_path):
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.md").write_text("see orchestration/lib/plan.py and docs/a.md and tests/e2e/test_*.py")
    (tmp_path / "x.toml").write_text("# (tests/test_e2e_clients.py)\n")
    subprocess.run(["git", "add", "."], cwd=tmp_path, check=True)
    assert stale_paths(tmp_path) == [
        "docs/a.md: orchestration/lib/plan.py",
        "docs/a.md: tests/e2e",  # a pattern: its folder, not there either
        "x.toml: tests/test_e2e_clients.py",
    ]
