"""`run --dry-run` says what a run would do and why, from the run's own keys, and changes nothing."""

from __future__ import annotations

import pytest

from conftest import SELECTED, active_project, run_fixture
from readmission.run.dry_run import dry_run
from readmission.run.edition_run import RunRequest
from readmission.settings.params import load_edition

pytestmark = pytest.mark.slow


def snapshot(project) -> dict[str, int]:
    """Every file of the project but the public-data cache, by modification time."""
    cache = project.cache
    return {str(p): p.stat().st_mtime_ns for p in project.root.rglob("*")
            if p.is_file() and cache not in p.parents}


def test_the_dry_run_names_the_country_and_the_input_that_changed_and_the_run_agrees(tmp_path_factory):
    with active_project(tmp_path_factory, "dry") as (project, _):
        assert run_fixture(project).ok
        request = RunRequest(load_edition(2016, project), "public", 1, False, True)
        assert dry_run(project, request)[1:] == ["nothing changed since the last run: nothing would run"]

        (project.params / "countries").mkdir(exist_ok=True)
        (project.params / "countries" / "IQ.yml").write_text("note: a note for the reader\n")
        before = snapshot(project)
        lines = dry_run(project, request)
        assert snapshot(project) == before, "a dry run wrote into the project"
        assert lines[1] == "the edition would run (changed: country settings)"
        assert f"restricted phase: 1 of {len(SELECTED)} countries assessed again; the release rebuilt over all" in lines
        assert "  IQ: assessed again (changed: country settings)" in lines
        assert "  IQ: would run (changed: country settings)" in lines
        assert f"country pages: 1 of {len(SELECTED)} would run" in lines
        assert not any(line.startswith(f"  {c}:") for c in SELECTED if c != "IQ" for line in lines)
        assert sum(line.startswith("  IQ:") for line in lines) == 2

        report = run_fixture(project)
        assert report.ok and report.executed == ["IQ"], "the run did what the dry run said"
