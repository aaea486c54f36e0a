from __future__ import annotations

import os
from pathlib import Path

import pytest

from orchestration.settings import REPO_ROOT, get_settings

FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE_MIRROR = FIXTURES / "mirror"


def real_mirror() -> Path:
    """The real release files: $CSC_SOURCE_MIRROR, else ../shared/releases beside the repo."""
    configured = os.environ.get("CSC_SOURCE_MIRROR")
    return Path(configured) if configured else (REPO_ROOT.parent / "shared" / "releases")


@pytest.fixture
def warehouse(tmp_path, monkeypatch):
    """A throwaway warehouse directory; settings resolve into it."""
    monkeypatch.setenv("CSC_WAREHOUSE_DIR", str(tmp_path / "warehouse"))
    monkeypatch.delenv("CSC_DUCKDB_PATH", raising=False)
    monkeypatch.delenv("CSC_SOURCE_MIRROR", raising=False)
    settings = get_settings()
    settings.ensure_dirs()
    return settings


@pytest.fixture
def fixture_mirror(monkeypatch, warehouse):
    monkeypatch.setenv("CSC_SOURCE_MIRROR", str(FIXTURE_MIRROR))
    return get_settings()


@pytest.fixture(scope="session")
def mirror_dir() -> Path:
    path = real_mirror()
    if not (path / "MANIFEST.csv").exists():
        pytest.fail(f"the real release mirror is not at {path}; set CSC_SOURCE_MIRROR")
    return path
