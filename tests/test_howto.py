"""docs/howto.md's commands work as written (issue 26, item 14): each `# tested` block runs in bash,
in a copy of the project, with the project's own `readmission` command."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURE_CONFIDENTIAL, REPO, make_project

BLOCKS = re.findall(r"```sh\n# tested\n(.*?)```", (REPO / "docs" / "howto.md").read_text(encoding="utf-8"), re.S)


def test_the_how_to_has_tested_blocks():
    assert len(BLOCKS) >= 3


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return make_project(tmp_path_factory.mktemp("howto") / "p")


@pytest.fixture(scope="module")
def received(tmp_path_factory) -> Path:
    """The Member States' files as received: the fixture's rows without their synthetic comment (a
    row that says it is synthetic is refused as real input, issue 23)."""
    folder = tmp_path_factory.mktemp("received")
    for name in ("readmission_statistics.csv", "questionnaire.csv"):
        text = (FIXTURE_CONFIDENTIAL / name).read_text(encoding="utf-8")
        (folder / name).write_text(text.replace("SYNTHETIC demo value", ""), encoding="utf-8")
    return folder


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_each_block_runs_as_written(project, received, index):
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "READMISSION_ROOT": str(project.root), "RECEIVED": str(received),
           "PATH": f"{bin_dir}:{os.environ['PATH']}", "COLUMNS": "200"}
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", BLOCKS[index]], cwd=project.root, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    if "excluded_states" in BLOCKS[index]:
        assert "31 states" in done.stdout or "/31" in done.stdout  # the UK left out of 2015's 32
    if "data check" in BLOCKS[index]:
        assert "valid: every row passed the checks" in done.stdout
