"""Editions side by side: each in its own folders, a change in one edition's input re-runs only that
edition's country (and, in later editions, only that country's page, whose history shows it)."""

from __future__ import annotations

import pandas as pd

from conftest import REPO, active_project
from readmission.run.edition_run import RunRequest, run_edition
from readmission.settings.params import load_edition

FIXTURE = REPO / "data" / "fixture" / "confidential" / "2016"


def real_files(project, year: int) -> None:
    """Real-format confidential files for `year` (the fixture's rows, no demo marker)."""
    folder = project.restricted / str(year)
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("readmission_statistics.csv", "questionnaire.csv"):
        frame = pd.read_csv(FIXTURE / name, dtype=str, keep_default_na=False)
        frame["year"] = str(year)
        frame["comment"] = ""  # a row that says it is synthetic is refused as real input (issue 23)
        frame.to_csv(folder / name, index=False)


def run(project, year: int):
    return run_edition(project, RunRequest(load_edition(year, project), workers=2))


def test_a_change_in_one_editions_input_reruns_only_that_country(tmp_path_factory):
    with active_project(tmp_path_factory, "editions") as (project, _):
        (project.params / "editions" / "2015.yml").write_text(
            "data_year: 2015\nselection_year: 2014\nthreshold: 5000\nreference_date: 2015-12-31\n")
        for year in (2015, 2016):
            real_files(project, year)
        first = run(project, 2015)
        assert first.ok and run(project, 2016).ok
        country = first.selected[-1]
        stats = project.restricted / "2015" / "readmission_statistics.csv"
        frame = pd.read_csv(stats, dtype=str, keep_default_na=False)
        row = (frame["country"] == country) & (frame["reporting_state"] == "DE")
        frame.loc[row, "readmission_requests_submitted"] = "987654"  # DE now dominates: a visible change
        frame.to_csv(stats, index=False)
        assert run(project, 2015).executed == [country]
        # the 2016 page of that country shows its 2015 row; nothing else of 2016 runs again
        assert run(project, 2016).executed == [country]
        assert run(project, 2016).executed == []
