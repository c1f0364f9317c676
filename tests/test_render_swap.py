"""`readmission render` publishes a site only when Quarto finished it (a stand-in quarto here)."""

from __future__ import annotations

import shutil
import stat

import pytest

from conftest import REPO
from readmission.base.paths import Project
from readmission.publish.site import RenderError, render

FAKE_QUARTO = """#!/bin/sh
# stand-in for quarto: `render --output-dir DIR` writes DIR/index.html, or fails when asked to
[ -f fail ] && { echo "ERROR: a page failed" >&2; exit 1; }
mkdir -p "$3" && echo "<html>new</html>" > "$3/index.html"
"""


@pytest.fixture
def project(tmp_path):
    exe = tmp_path / "quarto"
    exe.write_text(FAKE_QUARTO)
    exe.chmod(exe.stat().st_mode | stat.S_IEXEC)
    root = tmp_path / "project"
    (root / "_site").mkdir(parents=True)
    for name in ("_quarto.yml", "index.qmd"):
        shutil.copy(REPO / name, root / name)
    (root / "_site" / "index.html").write_text("<html>old</html>")
    runs = root / "notebooks" / "countries" / "2016" / ".runkeys"  # an edition has been run
    runs.mkdir(parents=True)
    (runs / "run.json").write_text("{}")
    return Project(root), str(exe)


def test_a_complete_render_replaces_the_site(project):
    proj, exe = project
    site = render(proj, quarto=exe).site
    assert (site / "index.html").read_text().strip() == "<html>new</html>"
    assert not (proj.root / "_site-next").exists() and not (proj.root / "_site-old").exists()


def test_a_failed_render_keeps_the_previous_site(project):
    proj, exe = project
    (proj.root / "fail").write_text("")
    with pytest.raises(RenderError, match="a page failed"):
        render(proj, quarto=exe)
    assert (proj.root / "_site" / "index.html").read_text() == "<html>old</html>"
    assert not (proj.root / "_site-next").exists()
