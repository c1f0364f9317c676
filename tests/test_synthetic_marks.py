"""Issue 23, item 5: synthetic is a property of every value. Rows that say they are synthetic are refused
as real input and reported by `data check`; values carried from a synthetic edition keep their mark
where they are shown; a site mixing real and synthetic pages says so on its home page, and every
synthetic page carries its banner."""

from __future__ import annotations

import shutil
from types import SimpleNamespace

import nbformat
import pandas as pd
import pytest
from typer.testing import CliRunner

from conftest import FIXTURE_CONFIDENTIAL, SELECTED, active_project, make_project, public_tree
from readmission.method import history
from readmission.cli import app
from readmission.data.confidential import SYNTHETIC_LABEL
from readmission.data.coverage import synthetic_rows
from readmission.run.edition_run import RunRequest, run_edition
from readmission.base.errors import InputError
from readmission.method.history import EditionRecord
from readmission.inputs.loading import edition_states, load_inputs, load_public
from readmission.run.editions import write_demo_set
from readmission.base.levels import LEVEL_POOR, LEVEL_WELL
from readmission.settings.params import load_edition, load_method
from readmission.publish.site_sources import synthetic_warning

runner = CliRunner()
FILES = ("readmission_statistics.csv", "questionnaire.csv")


# ---- (a) synthetic rows are never read as real input; `data check` reports them ----

def demo_project(tmp_path, monkeypatch):
    """A fixture project in use (READMISSION_ROOT) with the demo writer's set written: (project, folder)."""
    project = make_project(tmp_path / "p")
    monkeypatch.setenv("READMISSION_ROOT", str(project.root))
    edition = load_edition(2016, project)
    return project, write_demo_set(project, edition, load_method(project), SELECTED,
                                   load_public(project.public, []), edition_states(project, edition))


def demo_copied_as_real(tmp_path, monkeypatch):
    """A project whose data/restricted/2016/ holds the demo writer's files without demo.yml."""
    project, demo = demo_project(tmp_path, monkeypatch)
    real = project.restricted / "2016"
    real.mkdir(parents=True)
    for name in FILES:
        shutil.copy(demo / name, real / name)
    shutil.rmtree(demo)
    return project, load_edition(2016, project), real


def test_demo_files_in_the_real_folder_are_refused_naming_file_row_and_demo(tmp_path, monkeypatch):
    project, edition, real = demo_copied_as_real(tmp_path, monkeypatch)
    with pytest.raises(InputError) as info:
        load_inputs(project, edition, load_method(project), SELECTED)
    problems = {p.file: p for p in info.value.problems}
    assert set(problems) == {str(real / name) for name in FILES}
    for problem in problems.values():
        assert (problem.row, problem.field) == (2, "comment")
        assert "say they are synthetic" in problem.message and "--demo" in problem.message
    result = runner.invoke(app, ["data", "check", "--year", "2016"], env={"COLUMNS": "300"})
    said = " ".join(result.output.split())
    assert result.exit_code == 2 and "valid" not in said
    assert f"{real / 'questionnaire.csv'}, row 2, field 'comment'" in said and "--demo" in said


def test_one_synthetic_row_among_real_ones_is_refused_too(tmp_path, monkeypatch):
    project, edition, real = demo_copied_as_real(tmp_path, monkeypatch)
    for name in FILES:  # every row real but the third line of the questionnaire
        frame = pd.read_csv(real / name, dtype=str, keep_default_na=False)
        frame["comment"] = ["SYNTHETIC demo value" if (name, i) == ("questionnaire.csv", 1) else "" for i in frame.index]
        frame.to_csv(real / name, index=False)
    with pytest.raises(InputError) as info:
        load_inputs(project, edition, load_method(project), SELECTED)
    [problem] = info.value.problems
    assert (problem.file, problem.row) == (str(real / "questionnaire.csv"), 3)
    assert f"1 of {len(frame)} rows" in problem.message


def test_data_check_reports_the_synthetic_rows_of_a_demo_set(tmp_path, monkeypatch):
    project, demo = demo_project(tmp_path, monkeypatch)
    rows = len(pd.read_csv(demo / "questionnaire.csv"))
    result = runner.invoke(app, ["data", "check", "--year", "2016"], env={"COLUMNS": "300"})
    said = " ".join(result.output.split())
    assert result.exit_code == 0, result.output
    assert f"questionnaire: {rows} of {rows} rows are synthetic" in said and "illustrative only" in said


def test_every_row_the_demo_writer_writes_says_it_is_synthetic():
    for name in FILES:
        frame = pd.read_csv(FIXTURE_CONFIDENTIAL / name, dtype=str, keep_default_na=False)
        assert len(synthetic_rows(frame)) == len(frame) > 0
    real = pd.DataFrame({"comment": ["", "late answer", "synthetic drugs seized at the border"]})
    assert synthetic_rows(real).empty  # the mark, not a word anywhere in a comment


# ---- (b) values carried from another edition keep their mark ----

def result(level: str, synthetic: bool, rate: float = 0.4) -> dict:
    return {"level": level, "name": "Name", "return_decisions": 1000, "eu_return_rate": {"rate": rate},
            "eu_acceptance_rate": {"rate": 0.5}, "eu_issuance_rate": {"rate": 0.3},
            "cooperation_items": [{"item": "identification", "mean_answer": 3.0}],
            "strongest_instrument": "eu_agreement", "rcms_in_place": True,
            "level_counts": {"states_good": 3, "states_average": 0, "states_poor": 0},
            "synthetic_label": SYNTHETIC_LABEL if synthetic else ""}


def edition(year: int, results: dict) -> EditionRecord:
    rows = pd.DataFrame([(c, 2000, "selected") for c in results], columns=["country", "decisions", "outcome"])
    return EditionRecord(year, {"data_year": year, "selection_year": year - 1, "threshold": 1000}, results, rows)


def test_a_trajectory_marks_the_rows_of_a_synthetic_edition_beside_real_ones():
    demo15 = edition(2015, {"AA": result(LEVEL_POOR, True)})
    real16 = edition(2016, {"AA": result(LEVEL_WELL, False)})
    table = history.country_trajectory([demo15, real16], "AA")
    assert table["confidential_inputs"].tolist() == [history.SYNTHETIC, history.REAL]
    assert table["level"].tolist() == [LEVEL_POOR + history.SYNTHETIC_MARK, LEVEL_WELL]
    alike = history.country_trajectory([edition(2015, {"AA": result(LEVEL_POOR, False)}), real16], "AA")
    assert "confidential_inputs" not in alike and alike["level"].tolist() == [LEVEL_POOR, LEVEL_WELL]


def test_comparing_with_a_synthetic_edition_says_so():
    demo15 = edition(2015, {"AA": result(LEVEL_POOR, True), "BB": result(LEVEL_WELL, True)})
    real16 = edition(2016, {"AA": result(LEVEL_WELL, False), "BB": result(LEVEL_WELL, False)})
    changes = history.level_changes(demo15, real16)
    assert changes[["from", "to"]].values.tolist() == [[LEVEL_POOR + history.SYNTHETIC_MARK, LEVEL_WELL]]
    moves = history.level_transitions([demo15, real16])
    assert set(moves["from"]) == {LEVEL_POOR + history.SYNTHETIC_MARK, LEVEL_WELL + history.SYNTHETIC_MARK}
    shares = history.level_shares_by_edition([demo15, real16]).set_index(["edition", "level"])["countries"]
    assert shares[2015, LEVEL_WELL + history.SYNTHETIC_MARK] == 1 and shares[2015, LEVEL_WELL] == 0
    assert shares[2016, LEVEL_WELL] == 2
    note = history.synthetic_note([demo15, real16])
    assert "edition 2015 (2 of 2 countries)" in note and "not a real change" in note
    assert history.synthetic_note([real16]) == "" and history.level_changes(real16, real16).empty


# ---- (c) a site mixing real and synthetic pages says so ----

def record(code: str, name: str, synthetic: bool) -> dict:
    return {"country": code, "name": name, "ok": True, "error": "",
            "public": {"synthetic_label": SYNTHETIC_LABEL if synthetic else ""}}


def test_the_home_page_warning_names_the_synthetic_pages_of_a_mixed_site():
    run = {"edition": {"data_year": 2016}, "synthetic_confidential": False, "synthetic_label": ""}
    real = [record("MA", "Morocco", False), record("PK", "Pakistan", False)]
    assert synthetic_warning(run, real) == ""
    one = synthetic_warning(run, [record("IQ", "Iraq", True)] + real)  # `country IQ --demo` after a real run
    assert "Real and synthetic pages" in one and "edition 2016: Iraq (IQ)" in one and "Morocco" not in one
    earlier = synthetic_warning(run, real, {2015: {"IQ": True, "MA": True}})  # a demo edition before
    assert "edition 2015: all 2 countries" in earlier
    demo = {**run, "synthetic_confidential": True, "synthetic_label": SYNTHETIC_LABEL}
    only = synthetic_warning(demo, [record("IQ", "Iraq", True)])
    assert "Illustrative data" in only and "Real and synthetic" not in only


# ---- end to end: a demo edition, a real one after it, then one synthetic page ----

def real_files(project, year: int) -> None:
    """Real-format confidential files: the fixture's rows without their synthetic comment, no demo.yml."""
    folder = project.restricted / str(year)
    folder.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        frame = pd.read_csv(FIXTURE_CONFIDENTIAL / name, dtype=str, keep_default_na=False)
        frame["year"], frame["comment"] = str(year), ""
        frame.to_csv(folder / name, index=False)


def page_text(path) -> str:
    nb = nbformat.read(path, as_version=4)
    return "\n".join([c.source for c in nb.cells] + [str(o.get("data", {}).get("text/markdown", "")) + str(o.get("text", ""))
                                                      for c in nb.cells for o in c.get("outputs", [])])


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    with active_project(tmp_path_factory, "marks") as (project, _):
        (project.params / "editions" / "2015.yml").write_text(
            "data_year: 2015\nselection_year: 2014\nthreshold: 5000\nreference_date: 2015-12-31\n")
        demo15 = run_edition(project, RunRequest(load_edition(2015, project), workers=2, demo=True))
        real_files(project, 2016)
        real16 = run_edition(project, RunRequest(load_edition(2016, project), workers=2))
        status = (project.generated / "run-status.md").read_text(encoding="utf-8")
        both = sorted(set(demo15.selected) & set(real16.selected))
        countries = public_tree(project).countries
        before = {c: page_text(countries / f"{c}.ipynb") for c in real16.selected}
        findings = page_text(public_tree(project).summary)
        demo_page = runner.invoke(app, ["country", "IQ", "--year", "2016", "--demo"], env={"COLUMNS": "300"})
        yield SimpleNamespace(project=project, demo15=demo15, real16=real16, status=status, both=both,
                              before=before, findings=findings, demo_page=demo_page)


@pytest.mark.slow
def test_a_real_edition_shows_the_earlier_demo_editions_values_marked(mixed):
    assert mixed.demo15.ok and mixed.real16.ok and mixed.both
    for code in mixed.both:
        text = mixed.before[code]
        assert "Confidential inputs" in text and history.SYNTHETIC in text and history.SYNTHETIC_MARK.strip() in text
    assert history.SYNTHETIC_MARK.strip() in mixed.findings  # the level tables compared with 2015
    assert "edition 2015: all" in mixed.status and "Real and synthetic pages" in mixed.status


@pytest.mark.slow
def test_one_synthetic_page_in_a_real_site_carries_its_banner_and_the_home_page_says_so(mixed):
    assert mixed.demo_page.exit_code == 0, mixed.demo_page.output
    countries = public_tree(mixed.project).countries
    assert SYNTHETIC_LABEL in page_text(countries / "IQ.ipynb")
    real = [c for c in mixed.real16.selected if c != "IQ"]
    assert real and all(SYNTHETIC_LABEL not in page_text(countries / f"{c}.ipynb") for c in real)
    status = (mixed.project.generated / "run-status.md").read_text(encoding="utf-8")
    assert "edition 2016: Iraq (IQ)" in status and "edition 2015: all" in status
    figures = (mixed.project.generated / "key-figures.md").read_text(encoding="utf-8")
    assert "(synthetic inputs, illustrative)" in figures
