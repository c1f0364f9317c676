"""A project's folders (project.py): copies for tests and benchmarks, edition settings written."""

from __future__ import annotations

from conftest import REPO
from readmission.settings.params import load_edition
from readmission.base.project import INPUT_PATHS, Project


def test_a_copy_has_the_inputs_but_no_data_and_no_outputs(tmp_path):
    copy = Project(REPO).copy_inputs(tmp_path / "copy")
    assert all((copy.root / rel).exists() for rel in INPUT_PATHS if (REPO / rel).exists())
    assert not copy.public.exists() and not copy.restricted.exists()
    assert not (copy.notebooks / "countries").exists() and not copy.results.exists()


def test_a_written_edition_loads_with_the_settings_given(tmp_path):
    import datetime as dt

    project = Project(REPO).copy_inputs(tmp_path / "copy")
    project.write_edition(2016, {"data_year": 2016, "selection_year": 2015, "threshold": 12000,
                                 "reference_date": dt.date(2016, 12, 31), "label": "a test"})
    edition = load_edition(2016, project)
    assert (edition.threshold, edition.reference_date, edition.label) == (12000, dt.date(2016, 12, 31), "a test")


def test_readmission_root_moves_the_default_project(tmp_path, monkeypatch):
    monkeypatch.setenv("READMISSION_ROOT", str(tmp_path))
    assert Project.default().root == tmp_path.resolve()
    monkeypatch.delenv("READMISSION_ROOT")
    assert Project.default().root == REPO.resolve()
