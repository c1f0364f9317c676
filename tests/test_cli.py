"""Command line: `select` prints the numbers behind the selection; `data check` shows completeness."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from readmission.cli import app
from readmission.inputs import edition_states, load_public, write_demo_set
from readmission.params import load_edition, load_method
from conftest import SELECTED, make_project

runner = CliRunner()


def test_select_writes_and_prints_the_selection(tmp_path, monkeypatch):
    project = make_project(tmp_path / "p")
    monkeypatch.setenv("READMISSION_ROOT", str(project.root))
    result = runner.invoke(app, ["select", "--year", "2016"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "3 countries selected" in result.output and "excluded: visa-free" in result.output  # AL
    saved = json.loads((project.results / "2016" / "selection.json").read_text())
    assert saved["selected"] == SELECTED and "AL" in saved["excluded_visa_free"]


def test_data_check_reports_completeness_and_synthetic(tmp_path, monkeypatch):
    project = make_project(tmp_path / "p")
    monkeypatch.setenv("READMISSION_ROOT", str(project.root))
    edition = load_edition(2016, project)
    write_demo_set(project, edition, load_method(project), SELECTED[:2], load_public(project.public, []),
                   edition_states(project, edition))
    result = runner.invoke(app, ["data", "check", "--year", "2016"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "(SYNTHETIC)" in result.output and "valid: every row passed" in result.output
    # 2 of the 3 selected countries have rows: Germany has 2 rows in each file
    de = next(line for line in result.output.splitlines() if line.strip("│ ").startswith("DE "))
    assert de.count("│ 2 ") + de.count(" 2 │") >= 2
