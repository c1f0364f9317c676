"""Shared fixtures: the project's own folders, and where the offline snapshot lives."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import pytest

from readmission.data.fixture import fixture_project
from readmission.run.edition_run import RunRequest, run_edition
from readmission.base.paths import OutputTree, Project
from readmission.inputs.loading import load_inputs
from readmission.settings.params import load_edition, load_method

REPO = Path(__file__).resolve().parents[1]
SNAPSHOT = REPO.parent / "shared" / "data" / "snapshot"
SELECTED = ["IQ", "MA", "PK"]  # the fixture countries with more than 5,000 decisions in 2015
FIXTURE_PUBLIC = REPO / "data" / "fixture" / "public"
FIXTURE_CONFIDENTIAL = REPO / "data" / "fixture" / "confidential" / "2016"


def make_project(root: Path) -> Project:
    """A copy of the project's inputs in `root`, on the synthetic fixture, selecting 3 countries."""
    return fixture_project(Project(REPO), root)


def fixture_inputs(project: Project, countries: tuple[str, ...] = ("IQ", "MA")):
    """The 2016 edition's inputs for `project`, read from the committed synthetic fixture."""
    return load_inputs(project, load_edition(2016, project), load_method(project), list(countries),
                       public_dir=FIXTURE_PUBLIC, restricted_dir=FIXTURE_CONFIDENTIAL)


@pytest.fixture(scope="session")
def fixture_2016():
    """The repository's 2016 inputs read from the committed fixture (never modified by a test)."""
    return fixture_inputs(Project(REPO))


@pytest.fixture(scope="session")
def iraq(fixture_2016):
    """Iraq's assessment on the fixture: what assessment and results tests check by hand."""
    from readmission.method.assessment import assess_country

    return assess_country(fixture_2016, "IQ")


@contextmanager
def active_project(tmp_path_factory, name: str):
    """A fixture project that the code and its kernels use (READMISSION_ROOT) while the block runs."""
    root = tmp_path_factory.mktemp(name)
    mp = pytest.MonkeyPatch()
    mp.setenv("READMISSION_ROOT", str(root))
    try:
        yield make_project(root), mp
    finally:
        mp.undo()


def run_fixture(project: Project, audience: str = "public", force: bool = False, demo: bool = True):
    """The 2016 fixture edition, run on two workers (the synthetic demo set unless demo=False)."""
    return run_edition(project, RunRequest(load_edition(2016, project), audience, 2, force, demo))


def public_tree(project: Project) -> OutputTree:
    return OutputTree(project, 2016, "public")


def restricted_tree(project: Project) -> OutputTree:
    return OutputTree(project, 2016, "restricted")


STAND_IN = Path(__file__).parent / "support" / "stand_in_quarto.py"


def install_stand_in(folder: Path, monkeypatch) -> None:
    """Put the stand-in `quarto` (tests/support/stand_in_quarto.py) first on PATH."""
    import os
    import stat
    import sys

    exe = folder / "quarto"
    exe.write_text(f"#!/bin/sh\nexec {sys.executable} {STAND_IN} \"$@\"\n")
    exe.chmod(exe.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{folder}:{os.environ['PATH']}")


def file_bytes(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` with its bytes, to compare before and after."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def leftovers(public: Path) -> list[str]:
    """Temporary folders left next to a public-data folder by an import or fetch."""
    return [p.name for p in public.parent.iterdir() if p.name.startswith(f".{public.name}-")]


def notebook_bytes(root: Path) -> dict[str, bytes]:
    """Every file under the project's notebooks/, by relative path."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and "notebooks" in p.parts}


@pytest.fixture
def reference_dir() -> Path:
    return REPO / "data" / "reference"


@pytest.fixture
def snapshot_dir() -> Path:
    if not (SNAPSHOT / "eurostat" / "migr_eiord.csv").exists():
        pytest.skip(f"offline snapshot not found at {SNAPSHOT}")
    return SNAPSHOT


# The slow tier: modules that start Jupyter kernels, Quarto or Chromium, or the CLI in subprocesses
# (and the template notebook, run by nbval). `make test` runs every tier; `make test-fast` (pytest
# -m "not slow") the rest, in about a minute, for the edit-test loop.
SLOW_MODULES = {"test_pipeline.py", "test_warm_kernel.py", "test_engine_semantics.py", "test_real_render.py",
                "test_document.py", "test_reliability.py", "test_decision.py", "test_confidentiality.py",
                "test_editions.py", "test_audience.py", "test_bad_inputs.py", "test_benchmark.py",
                "test_input_slices.py", "test_no_third_party.py", "test_pages.py", "test_public_cache.py",
                "test_golden.py", "test_page_outputs.py"}


def pytest_collection_modifyitems(items):
    for item in items:
        if item.path.name in SLOW_MODULES or item.path.suffix == ".ipynb":
            item.add_marker(pytest.mark.slow)
