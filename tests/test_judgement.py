"""Analyst judgement on record: entries validated like every input, shown beside the method's level."""

from __future__ import annotations

import datetime as dt

import pytest
from typer.testing import CliRunner

from conftest import make_project
from readmission.cli import app
from readmission.settings.judgement import direction, judgement, parse_entry
from readmission.base.levels import LEVEL_AVERAGE, LEVEL_POOR, LEVEL_UNKNOWN, LEVEL_WELL, LEVELS

GOOD = {"assessed_level": LEVEL_AVERAGE, "justification": "Returns rose after the March arrangement.",
        "assessed_by": "HOME.C.2 analyst", "assessed_on": dt.date(2017, 3, 1),
        "reviewed_by": "HOME.C.2 head of sector", "reviewed_on": dt.date(2017, 3, 8)}
REFERENCE, TODAY = dt.date(2016, 12, 31), dt.date(2026, 11, 30)


def parse(**changes):
    entry = {**GOOD, **changes}
    return parse_entry("IQ.yml", 2016, {k: v for k, v in entry.items() if v is not ...}, LEVELS, REFERENCE, TODAY)


def test_a_complete_entry_is_reviewed_and_hashed():
    entry, problems = parse()
    assert problems == [] and entry.reviewed
    view = judgement(LEVEL_POOR, entry)
    assert view["method_level"] == LEVEL_POOR and view["assessed_level"] == LEVEL_AVERAGE
    assert view["status"] == "reviewed" and len(view["entry_sha256"]) == 64
    other, _ = parse(justification="Another reason.")
    assert judgement(LEVEL_POOR, other)["entry_sha256"] != view["entry_sha256"]


def test_without_an_entry_the_method_level_stands_not_reviewed():
    view = judgement(LEVEL_WELL, None)
    assert view["assessed_level"] == LEVEL_WELL and view["status"] == "not reviewed"


@pytest.mark.parametrize("changes, field, message", [
    ({"assessed_level": "fine"}, "assessment.2016.assessed_level", "not a level"),
    ({"justification": "  "}, "assessment.2016.justification", "justification is required"),
    ({"justification": ...}, "assessment.2016.justification", "missing required setting"),
    ({"assessed_on": dt.date(2016, 6, 1)}, "assessment.2016.assessed_on", "before the edition's reference date"),
    ({"assessed_on": dt.date(2027, 1, 1), "reviewed_on": dt.date(2027, 1, 2)},
     "assessment.2016.assessed_on", "in the future"),
    ({"reviewed_on": dt.date(2017, 2, 1)}, "assessment.2016.reviewed_on", "before the assessment"),
    ({"assessed_by": "jane.doe@example.eu"}, "assessment.2016.assessed_by", "never an e-mail"),
    ({"reviewed_on": ...}, "assessment.2016.reviewed_by", "go together"),
    ({"signed": "yes"}, "assessment.2016.signed", "unknown setting"),
])
def test_each_bad_entry_is_named(changes, field, message):
    entry, problems = parse(**changes)
    assert entry is None
    assert any(p.field == field and message in p.message for p in problems), problems


def test_direction_of_the_assessed_level():
    assert direction(LEVEL_POOR, LEVEL_AVERAGE, LEVELS) == "better"
    assert direction(LEVEL_WELL, LEVEL_POOR, LEVELS) == "worse"
    assert direction(LEVEL_WELL, LEVEL_WELL, LEVELS) == "same"
    assert direction(LEVEL_UNKNOWN, LEVEL_WELL, LEVELS) == "not comparable"


def test_a_bad_entry_stops_the_country_run_naming_file_and_field(tmp_path, monkeypatch):
    project = make_project(tmp_path / "p")
    monkeypatch.setenv("READMISSION_ROOT", str(project.root))
    path = project.params / "countries" / "IQ.yml"
    path.write_text("assessment:\n  2016:\n    assessed_level: fine\n    justification: ''\n"
                    "    assessed_by: x@y.eu\n    assessed_on: 2016-05-01\n")
    result = CliRunner().invoke(app, ["country", "IQ", "--year", "2016", "--demo"], env={"COLUMNS": "300"})
    message = " ".join(result.output.split())
    assert result.exit_code == 2, result.output
    for fragment in (str(path), "field 'assessment.2016.assessed_level'", "field 'assessment.2016.justification'",
                     "field 'assessment.2016.assessed_by'", "field 'assessment.2016.assessed_on'"):
        assert fragment in message
    assert not (project.notebooks / "countries").exists()


def test_an_entry_for_an_edition_that_does_not_exist_is_named(tmp_path):
    from readmission.base.errors import InputError
    from readmission.settings.judgement import load_country_params

    project = make_project(tmp_path / "p")
    (project.params / "countries" / "IQ.yml").write_text("assessment:\n  2031:\n    assessed_level: x\n")
    with pytest.raises(InputError, match="2031.*not an edition's data year"):
        load_country_params(project, "IQ")


@pytest.mark.parametrize("text, field, message", [
    ("notes: x\n", "notes", "unknown setting (allowed: assessment, note)"),
    ("note: 5\n", "note", "expected text, got 5"),
    ("assessment: [1]\n", "assessment", "expected a mapping of settings"),
    ("assessment:\n  2016: yes\n", "assessment.2016", "expected a mapping of settings, got True"),
    ("assessment:\n  '2016': {}\n", "assessment.2016", "expected int, got '2016'"),
    ("assessment:\n  2016:\n    assessed_level: x\n  2015:\n    justification: ' '\n",
     "assessment.2015.justification", "a justification is required"),
])
def test_a_country_settings_file_is_checked_by_its_model_naming_each_setting(tmp_path, text, field, message):
    """params/countries/<CODE>.yml as typed models (settings/judgement.py): every problem of every
    entry named by its dotted setting, the entries of other editions too."""
    from readmission.base.errors import InputError
    from readmission.settings.judgement import load_country_params

    project = make_project(tmp_path / "p")
    path = project.country_params("IQ")
    path.write_text(text)
    with pytest.raises(InputError) as caught:
        load_country_params(project, "IQ")
    assert any(p.file == str(path) and p.field == field and message in p.message for p in caught.value.problems), \
        caught.value.problems
