"""Command line: `select` prints the numbers behind the selection; `data check` shows completeness."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from readmission.cli import app
from readmission.inputs.loading import edition_states, load_public
from readmission.run.editions import write_demo_set
from readmission.settings.params import load_edition, load_method
from readmission.run.pipeline import notebook_parameters
from conftest import SELECTED, make_project

runner = CliRunner()


def test_select_writes_and_prints_the_selection(tmp_path, monkeypatch):
    project = make_project(tmp_path / "p")
    monkeypatch.setenv("READMISSION_ROOT", str(project.root))
    result = runner.invoke(app, ["select", "--year", "2016"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "3 countries selected" in result.output and "excluded: visa-free" in result.output  # AL
    saved = json.loads((project.edition_results(2016) / "selection.json").read_text())
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


def refused_country(tmp_path, monkeypatch, code: str, year: int):
    """A fixture project, and the message of `country CODE --year YEAR`, which must exit 2."""
    project = make_project(tmp_path / "p")
    monkeypatch.setenv("READMISSION_ROOT", str(project.root))
    result = runner.invoke(app, ["country", code, "--year", str(year)], env={"COLUMNS": "300"})
    assert result.exit_code == 2, result.output
    return project, " ".join(result.output.split())


def test_country_with_no_decisions_in_its_data_year_stops_before_a_kernel(tmp_path, monkeypatch):
    # issue 11, item 7: the fixture's migr_eiord has 2012-2016 only; edition 2019 rates 2019's
    # return decisions: exit 2 naming the dataset, the year and `readmission data fetch`, nothing run
    project, text = refused_country(tmp_path, monkeypatch, "IQ", 2019)
    assert "no return decisions (migr_eiord" in text and "for 2019" in text and "2012-2016" in text
    assert "readmission data fetch" in text
    assert not (project.notebooks / "countries" / "IQ.ipynb").exists()


def test_country_outside_the_selection_needs_the_flag_and_passes_it_on(tmp_path, monkeypatch):
    # issue 11, item 7: the fixture's Albania (AL) is visa-free on 2016-12-31, so not selected
    # (make_project selects IQ, MA, PK): exit 2 without --outside-selection; with it, the run gets
    # outside_selection=True, which the notebook shows as a banner (presentation.outside_selection)
    project, text = refused_country(tmp_path, monkeypatch, "AL", 2016)
    assert "AL is outside the selection of edition 2016" in text and "visa not needed" in text
    assert "--outside-selection" in text
    calls = []
    monkeypatch.setattr("readmission.run.edition_run.run_one_country",
                        lambda *a, **k: calls.append(a[-1:]) or Outcome())
    result = runner.invoke(app, ["country", "AL", "--year", "2016", "--outside-selection", "--demo"])
    assert result.exit_code == 0, result.output
    assert calls[0] == (True,)
    folder = project.restricted / "2016"
    params = notebook_parameters(project, load_edition(2016, project), "AL", project.public, folder,
                                 outside_selection=True)
    assert params["outside_selection"] is True
    assert "outside_selection" not in notebook_parameters(project, load_edition(2016, project), "IQ",
                                                          project.public, folder)


class Outcome:
    ok, notebook, log, error = True, "AL.ipynb", "AL.log", ""


def test_run_takes_several_editions_and_checks_every_edition_file_first(tmp_path, monkeypatch):
    project = make_project(tmp_path / "p")
    monkeypatch.setenv("READMISSION_ROOT", str(project.root))
    calls = []
    monkeypatch.setattr("readmission.cli.run_with_progress",
                        lambda year, *a: calls.append(year) or (None, type("R", (), {"ok": True})()))
    result = runner.invoke(app, ["run", "--year", "2016", "--year", "2015", "--year", "2031", "--demo"])
    assert result.exit_code == 2 and "2031" in result.output and calls == []
    result = runner.invoke(app, ["run", "--year", "2016", "--year", "2015", "--demo"])
    assert result.exit_code == 0, result.output
    assert calls == [2015, 2016]  # oldest first


def test_the_default_snapshot_is_found_from_the_project_root_in_any_folder(tmp_path, monkeypatch):
    """Run from notebooks/, '../shared/data/snapshot' used to be read from the working folder, and a
    missing one led to a fetch of another vintage (issue 26, item 6)."""
    import shutil

    import pytest

    from conftest import SNAPSHOT

    if not (SNAPSHOT / "eurostat" / "migr_eiord.csv").exists():
        pytest.skip(f"offline snapshot not found at {SNAPSHOT}")
    project = make_project(tmp_path / "p")
    (tmp_path / "shared" / "data").mkdir(parents=True)
    (tmp_path / "shared" / "data" / "snapshot").symlink_to(SNAPSHOT)  # beside the project, as ../shared is
    shutil.rmtree(project.public)
    monkeypatch.setenv("READMISSION_ROOT", str(project.root))
    monkeypatch.chdir(project.notebooks)
    result = runner.invoke(app, ["data", "import"], env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    assert f"from {tmp_path / 'shared' / 'data' / 'snapshot'} into {project.public}" in " ".join(result.output.split())
    assert (project.public / "eurostat" / "migr_eiord.csv").is_file()


def test_a_mistyped_code_or_year_says_what_to_type_instead(tmp_path, monkeypatch):
    """IRQ is IQ, 16 is 2016 (issue 26, item 8)."""
    project = make_project(tmp_path / "p")
    monkeypatch.setenv("READMISSION_ROOT", str(project.root))
    result = runner.invoke(app, ["country", "IRQ", "--year", "2016", "--demo"], env={"COLUMNS": "300"})
    assert result.exit_code == 2 and "did you mean IQ (Iraq)?" in " ".join(result.output.split())
    result = runner.invoke(app, ["select", "--year", "16"], env={"COLUMNS": "300"})
    text = " ".join(result.output.split())
    assert result.exit_code == 2 and "did you mean --year 2016?" in text and "16.yml" not in text.split("editions defined")[1]


def test_data_check_names_unused_and_missing_rows_and_reads_any_case(tmp_path, monkeypatch):
    """Issue 26, item 7: a row for a country the edition does not assess is said to be unused, a
    missing row is named per state, a mixed-case file name is read, GR gets 'Greece is EL'."""
    import shutil

    project = make_project(tmp_path / "p")
    monkeypatch.setenv("READMISSION_ROOT", str(project.root))
    edition = load_edition(2016, project)
    folder = project.restricted / "2016"
    write_demo_set(project, edition, load_method(project), SELECTED[:2], load_public(project.public, []),
                   edition_states(project, edition))
    demo = project.demo / "2016"
    folder.mkdir(parents=True)
    for name in ("readmission_statistics.csv", "questionnaire.csv"):
        text = (demo / name).read_text().replace("SYNTHETIC demo value", "")  # as real rows (issue 23)
        if name == "questionnaire.csv":  # one row for a country outside the selection (AL)
            first = text.splitlines()[1].split(",")
            first[1] = "AL"
            text += ",".join(first) + "\n"
        (folder / ("Questionnaire.CSV" if name == "questionnaire.csv" else name)).write_text(text)
    shutil.rmtree(demo)
    result = runner.invoke(app, ["data", "check", "--year", "2016"], env={"COLUMNS": "300"})
    text = " ".join(result.output.split())
    assert result.exit_code == 0, result.output
    assert "questionnaire: rows for countries the edition does not assess, not used: AL" in text
    assert "readmission_statistics: DE sent no row for PK" in text  # the demo set covers IQ and MA only
    stats = folder / "readmission_statistics.csv"
    lines = stats.read_text().splitlines()
    row = lines[1].split(",")
    row[0] = "GR"
    stats.write_text("\n".join([lines[0], ",".join(row), *lines[2:]]) + "\n")
    failed = runner.invoke(app, ["data", "check", "--year", "2016"], env={"COLUMNS": "300"})
    assert failed.exit_code == 2 and "Greece is EL in Eurostat's codes" in " ".join(failed.output.split())


def test_select_before_any_data_and_render_before_any_run_say_what_to_do_first(tmp_path, monkeypatch):
    """Issue 26, item 8: not 'file not found', not Quarto's stack trace."""
    import shutil

    project = make_project(tmp_path / "p")
    monkeypatch.setenv("READMISSION_ROOT", str(project.root))
    result = runner.invoke(app, ["render"], env={"COLUMNS": "300"})
    said = " ".join(result.output.split())
    assert result.exit_code == 2 and "run `readmission run --year 2016 --demo` (or `make report`) first" in said
    shutil.rmtree(project.public)
    result = runner.invoke(app, ["select", "--year", "2016"], env={"COLUMNS": "300"})
    text = " ".join(result.output.split())
    assert result.exit_code == 2 and "no public statistics yet" in text and "readmission data import" in text


@pytest.mark.parametrize("where", ["lock", "selection"])
def test_a_read_only_or_full_disk_at_the_start_is_one_line_and_exit_2(tmp_path, monkeypatch, where):
    """Issue 26, item 12: EROFS at the project lock, ENOSPC while the run writes its first file."""
    import errno
    import os

    from readmission.run import editions
    from readmission.base import lock

    project = make_project(tmp_path / "p")
    monkeypatch.setenv("READMISSION_ROOT", str(project.root))
    if where == "lock":
        def refuse(path, *args):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        monkeypatch.setattr(lock.os, "open", refuse)
    else:
        def full(*args, **kwargs):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "results/2016/selection.csv")
        monkeypatch.setattr(editions, "write_csv", full)
    command = ["run", "--year", "2016", "--demo"] if where == "lock" else ["select", "--year", "2016"]
    result = runner.invoke(app, command, env={"COLUMNS": "300"})
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and result.output.count("error:") == 1
    assert os.strerror(errno.EROFS if where == "lock" else errno.ENOSPC) in result.output
    assert not (project.root / ".readmission.lock").exists()
