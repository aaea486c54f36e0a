"""The README stays true: two set-up commands, CI runs the second, the layout names real paths."""

import re
import subprocess

from orchestration.settings import REPO_ROOT

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")


def section(title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## )", README, re.S | re.M)
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


def test_layout_names_only_paths_that_exist():
    block = re.search(r"```\n(pyproject.toml.*?)```", section("Layout"), re.S).group(1)
    parents: list[str] = []
    for line in block.splitlines():
        name = line.split()[0] if line.strip() else ""
        if len(line) - len(line.lstrip()) > 8:  # a wrapped description, not a tree entry
            continue
        if not name or name.startswith(("<", "(")) or "," in name:
            continue
        indent = (len(line) - len(line.lstrip())) // 2
        if not re.match(r"^[\w.\-/<>]+$", name):
            continue
        parents = [*parents[:indent], name]
        path = "/".join(p.rstrip("/") for p in parents)
        if "<" in path or "*" in path:
            continue
        assert (REPO_ROOT / path).exists(), f"README layout names {path}, which does not exist"
