"""Public vs restricted reports: no per-Member-State confidential value reaches a public output.

Real-looking confidential files carry canary values that cannot occur by chance; the public run's
every output file (notebooks without their image data, results, site sources) is scanned for them.
The restricted run must show them, which proves the scan can fail.
"""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from readmission.data.confidential import QUESTIONNAIRE_COLUMNS, STATISTICS_COLUMNS
from readmission.edition_run import run_edition
from readmission.params import load_edition, load_method
from readmission.inputs import load_inputs
from test_pipeline import SELECTED, active_project

CANARIES = {  # (state, country, column) -> value no output could produce by chance
    ("DE", "IQ", "readmission_requests_submitted"): 9182736,
    ("DE", "IQ", "readmission_requests_accepted"): 8273645,
    ("FR", "PK", "travel_documents_issued"): 7364554,
    ("IT", "MA", "forced_returns"): 6455463,
    ("NL", "IQ", "days_to_travel_document"): 5546372,
}


def write_confidential(project) -> None:
    """Real-format confidential files for the selected countries, canaries planted, no SYNTHETIC mark."""
    inputs = load_inputs(project, load_edition(2016, project), load_method(project), SELECTED)
    stats = inputs.confidential.statistics.copy()
    answers = inputs.confidential.questionnaire.copy()
    for frame in (stats, answers):
        frame["comment"] = "canary test input"
    for (state, country, column), value in CANARIES.items():
        row = (stats["reporting_state"] == state) & (stats["country"] == country)
        assert row.sum() == 1
        stats.loc[row, column] = value
    folder = project.restricted / "2016"
    folder.mkdir(parents=True)
    stats[STATISTICS_COLUMNS].to_csv(folder / "readmission_statistics.csv", index=False)
    answers[QUESTIONNAIRE_COLUMNS].to_csv(folder / "questionnaire.csv", index=False)


def published_text(project) -> str:
    """Every file a report publishes, as text; notebooks without their base64 image data."""
    roots = [project.notebooks / "countries", project.notebooks / "executed", project.root / "_generated",
             project.results / "2016" / "selection.csv", project.results / "2016" / "selection.json"]
    texts = []
    for root in roots:
        for path in ([root] if root.is_file() else sorted(root.rglob("*"))):
            if not path.is_file():
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            if path.suffix == ".ipynb":
                text = re.sub(r'"image/png": "[^"]*"', '"image/png": ""', text)
            texts.append(f"=== {path}\n{text}")
    return "\n".join(texts)


def leaks(text: str) -> list[str]:
    return [f"{key}={value}" for key, value in CANARIES.items() if str(value) in text]


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    with active_project(tmp_path_factory, "audience") as (project, _):
        write_confidential(project)
        yield project


def test_public_report_contains_no_confidential_per_state_value(project):
    report = run_edition(project, load_edition(2016, project), workers=2, audience="public")
    assert report.ok
    result = json.loads((project.notebooks / "countries" / "IQ.json").read_text())
    assert result["provenance"]["confidential_inputs"]["synthetic"] is False
    assert result["public"]["eu_acceptance_rate"]["rate"] is not None  # EU aggregate still shown
    assert leaks(published_text(project)) == []


def test_restricted_report_shows_them(project):
    report = run_edition(project, load_edition(2016, project), workers=2, audience="restricted")
    assert report.ok and sorted(report.executed) == SELECTED  # the audience is part of the run key
    assert len(leaks(published_text(project))) == len(CANARIES)


def test_eu_aggregates_need_enough_contributing_states(project):
    method = load_method(project)
    stats = pd.read_csv(project.restricted / "2016" / "readmission_statistics.csv", keep_default_na=False)
    few = stats[(stats["country"] != "IQ") | stats["reporting_state"].isin(["DE", "FR"])]
    folder = project.root / "few"
    folder.mkdir()
    few.to_csv(folder / "readmission_statistics.csv", index=False)
    (folder / "questionnaire.csv").write_bytes((project.restricted / "2016" / "questionnaire.csv").read_bytes())
    from readmission.assessment import assess_country

    inputs = load_inputs(project, load_edition(2016, project), method, SELECTED, restricted_dir=folder)
    a = assess_country(inputs, "IQ")
    assert method.min_states_for_aggregate == 3
    assert a.eu_acceptance.rate is None and len(a.eu_acceptance.states_included) == 2
    assert a.eu_acceptance.numerator is None  # nothing that subtraction could use
