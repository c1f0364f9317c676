"""The package, the notebook sources and the tests pass ruff (settings in pyproject.toml; `make lint`)."""

from __future__ import annotations

import subprocess
import sys

from conftest import REPO

LINTED = ["lib", *sorted(p.relative_to(REPO).as_posix() for p in REPO.glob("notebooks/*.py")), "tests"]


def test_ruff_finds_nothing():
    done = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", *LINTED], cwd=REPO,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
