"""Shared fixtures: the project's own folders, and where the offline snapshot lives."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SNAPSHOT = REPO.parent / "shared" / "data" / "snapshot"


@pytest.fixture
def reference_dir() -> Path:
    return REPO / "data" / "reference"


@pytest.fixture
def snapshot_dir() -> Path:
    if not (SNAPSHOT / "eurostat" / "migr_eiord.csv").exists():
        pytest.skip(f"offline snapshot not found at {SNAPSHOT}")
    return SNAPSHOT
