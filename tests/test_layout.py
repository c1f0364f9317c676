"""Where each audience's outputs go (layout.py): two trees that never meet."""

from __future__ import annotations

from pathlib import Path

import pytest

from readmission.base.layout import AUDIENCES, OutputTree, restricted_out
from readmission.base.project import Project

PROJECT = Project(Path("/p"))


def tree(audience: str) -> OutputTree:
    return OutputTree(PROJECT, 2016, audience)


def test_public_pages_live_under_notebooks_and_restricted_ones_under_data_restricted():
    assert tree("public").countries == Path("/p/notebooks/countries/2016")
    assert tree("public").summary == Path("/p/notebooks/findings/2016.ipynb")  # one per edition
    assert tree("restricted").countries == Path("/p/data/restricted/out/2016/countries")
    assert tree("restricted").summary == Path("/p/data/restricted/out/2016/summary.ipynb")
    assert tree("public").site_sources == Path("/p")
    assert tree("restricted").site_sources == Path("/p/data/restricted/out/2016/site")


@pytest.mark.parametrize("audience", AUDIENCES)
def test_staging_full_results_and_logs_are_restricted_whatever_the_audience(audience):
    root = restricted_out(PROJECT, 2016)
    for folder in (tree(audience).staging, tree(audience).store, tree(audience).logs):
        assert folder.parent == root, folder
        assert "notebooks" not in folder.parts


def test_no_restricted_path_ends_in_the_public_countries_folder():
    restricted = tree("restricted")
    paths = [restricted.countries, restricted.summary, restricted.site_sources, restricted.next, restricted.old]
    assert all(not p.is_relative_to(PROJECT.notebooks) for p in paths)


@pytest.mark.parametrize("audience", AUDIENCES)
def test_keys_and_swap_folders_are_hidden_beside_or_inside_the_countries(audience):
    t = tree(audience)
    assert t.keys.parent == t.countries and t.keys.name.startswith(".")
    assert t.run_file.parent == t.keys
    assert t.next.parent == t.old.parent == t.countries.parent
    assert (t.next.name, t.old.name) == (f".{t.countries.name}-next", f".{t.countries.name}-old")
    assert t.next != t.countries and t.next.name.startswith(".")


def test_an_unknown_audience_is_refused():
    with pytest.raises(ValueError, match="unknown audience"):
        tree("press")


def test_every_file_a_run_writes_is_git_ignored():
    """Run outputs are regenerated, never committed: a committed page would be published stale."""
    import shutil
    import subprocess

    repo = Path(__file__).resolve().parents[1]
    if shutil.which("git") is None or not (repo / ".git").exists():
        pytest.skip("not a git checkout")
    paths = []
    for audience in AUDIENCES:
        t = OutputTree(Project(repo), 2016, audience)
        paths += [t.countries / "IQ.ipynb", t.countries / "IQ.json", t.summary, t.run_file,
                  t.next / "IQ.ipynb", t.staging / "IQ" / "IQ.json", t.store / "IQ.json", t.logs / "IQ.log"]
    rel = [str(p.relative_to(repo)) for p in paths]
    ignored = subprocess.run(["git", "check-ignore", "--no-index", *rel], cwd=repo, capture_output=True,
                             text=True).stdout.split()
    assert sorted(set(rel) - set(ignored)) == []
