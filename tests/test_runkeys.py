"""Run keys (runkeys.py): each declared input of a step changes its key; nothing else does."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from conftest import FIXTURE_CONFIDENTIAL, fixture_inputs, make_project
from readmission.run import runkeys
from readmission.base import schedule
from readmission.base.steps import kinds
PARAMETERS = {"country": "IQ", "year": 2016, "audience": "public"}


@pytest.fixture
def project(tmp_path):
    return make_project(tmp_path / "project")


def country_keys(project, inputs, parameters=PARAMETERS, history: dict | None = None) -> dict[str, str]:
    shared = runkeys.shared_digests(project, 2016)
    slices = runkeys.slice_digests(inputs, ["IQ", "MA"])
    return {c: runkeys.run_key(project, c, parameters, shared, slices[c], (history or {}).get(c, ""))
            for c in ("IQ", "MA")}


def append(path: Path, text: str = "\n") -> None:
    path.write_bytes(path.read_bytes() + text.encode())


def iq_submitted_plus_one(inputs):
    """The inputs with one of IQ's confidential values changed (MA's rows untouched)."""
    stats = inputs.confidential.statistics.copy()
    row = stats.index[stats["country"] == "IQ"][0]
    stats.loc[row, "readmission_requests_submitted"] += 1
    return dataclasses.replace(inputs, confidential=dataclasses.replace(inputs.confidential, statistics=stats))


def demo_copy(project) -> Path:
    """Where a run with --demo reads the confidential inputs from (here: a copy of the fixture's)."""
    return project.demo / "2016"


# kind of input -> a change to that file; the other kinds are changed in the test itself
COUNTRY_FILE_CHANGES = {
    "code": lambda p: append(p.notebooks / "country.ipynb"),
    "settings": lambda p: append(p.params / "method.yml", "# reviewed\n"),
    "reference": lambda p: append(p.reference / "rcms.csv"),
    "country settings": lambda p: (p.params / "countries" / "IQ.yml").write_text("note: reviewed\n"),
}
COUNTRY_KINDS = sorted([*COUNTRY_FILE_CHANGES, "versions", "parameters", "country rows", "earlier editions"])
IQ_ONLY = {"country settings", "country rows", "earlier editions"}  # changes that concern IQ alone: MA's key must stay


def test_every_declared_input_of_a_country_is_changed_here():
    assert COUNTRY_KINDS == sorted(kinds("country"))


@pytest.mark.parametrize("kind", COUNTRY_KINDS)
def test_changing_a_declared_input_changes_the_country_key(project, monkeypatch, kind):
    inputs, parameters, history = fixture_inputs(project), PARAMETERS, None
    before = country_keys(project, inputs)
    if kind in COUNTRY_FILE_CHANGES:
        COUNTRY_FILE_CHANGES[kind](project)
    elif kind == "versions":
        monkeypatch.setattr(runkeys, "package_versions", lambda: {"pandas": "0.0"})
    elif kind == "parameters":
        parameters = {**PARAMETERS, "audience": "restricted"}
    elif kind == "earlier editions":
        history = {"IQ": "digest of IQ's 2015 results"}
    else:
        inputs = iq_submitted_plus_one(inputs)
    after = country_keys(project, inputs, parameters, history)
    assert after["IQ"] != before["IQ"]
    if kind in IQ_ONLY:
        assert after["MA"] == before["MA"], f"a change to IQ's {kind} re-runs MA"


def test_files_no_step_declares_leave_every_key_alone(project):
    inputs = fixture_inputs(project)
    before = country_keys(project, inputs)
    edition = edition_key(project)
    append(project.templates / "README.md", "a reviewer's remark\n")
    append(project.root / "index.qmd")
    (project.notebooks / "countries").mkdir(parents=True, exist_ok=True)
    (project.notebooks / "countries" / "stray.txt").write_text("an output", encoding="utf-8")
    assert country_keys(project, inputs) == before
    assert edition_key(project) == edition


def test_another_countrys_settings_leave_this_country_alone(project):
    inputs = fixture_inputs(project)
    before = country_keys(project, inputs)
    (project.params / "countries" / "MA.yml").write_text("note: MA only\n", encoding="utf-8")
    after = country_keys(project, inputs)
    assert after["IQ"] == before["IQ"] and after["MA"] != before["MA"]


def edition_key(project, audience: str = "public|demo", history: str = "") -> str:
    return runkeys.edition_digest(project, 2016, project.public, demo_copy(project), audience, history)


EDITION_CHANGES = {
    "code": lambda p, mp: append(p.notebooks / "summary.ipynb"),
    "versions": lambda p, mp: mp.setattr(runkeys, "package_versions", lambda: {"pandas": "0.0"}),
    "settings": lambda p, mp: append(p.edition_params(2016), "# reviewed\n"),
    "reference": lambda p, mp: append(p.reference / "visa_required.csv"),
    "audience": None,  # a different argument: see the test
    "public data": lambda p, mp: append(p.public / "eurostat" / "migr_eiord.csv"),
    "confidential inputs": lambda p, mp: append(demo_copy(p) / "questionnaire.csv"),
    "country settings": lambda p, mp: (p.params / "countries" / "PK.yml").write_text("note: x\n"),
    "earlier editions": None,  # a different argument: see the test
}


def test_every_declared_input_of_the_edition_has_a_change_here():
    assert sorted(EDITION_CHANGES) == sorted(kinds("edition"))


@pytest.mark.parametrize("kind", sorted(EDITION_CHANGES))
def test_changing_a_declared_input_changes_the_edition_key(project, monkeypatch, kind):
    shutil.copytree(FIXTURE_CONFIDENTIAL, demo_copy(project))
    before = edition_key(project)
    if kind == "audience":
        assert edition_key(project, "restricted|demo") != before
        return
    if kind == "earlier editions":
        assert edition_key(project, history="digest of the 2015 edition") != before
        return
    EDITION_CHANGES[kind](project, monkeypatch)
    assert edition_key(project) != before


def test_summary_key_follows_the_results_and_settings_only(project):
    run = {"countries": [{"country": "IQ", "ok": True}]}
    key = lambda *args: runkeys.step_key("summary", runkeys.summary_parts(project, 2016, *args))  # noqa: E731
    before = key(run, b"IQ results")
    assert key(run, b"IQ results") == before
    assert key(run, b"IQ results, one value changed") != before
    assert key({"countries": []}, b"IQ results") != before
    append(project.params / "method.yml", "# reviewed\n")
    assert key(run, b"IQ results") != before


def test_a_step_key_refuses_parts_its_step_does_not_declare():
    parts = {kind: b"x" for kind in kinds("summary")}
    assert runkeys.step_key("summary", parts)
    with pytest.raises(ValueError, match="declares"):
        runkeys.step_key("summary", {**parts, "versions": b"x"})
    with pytest.raises(ValueError, match="declares"):
        runkeys.step_key("summary", {k: v for k, v in parts.items() if k != "results"})


def test_a_country_is_current_only_with_its_key_and_all_three_outputs(tmp_path):
    keys, parts = runkeys.kept_keys(tmp_path), {kind: b"x" for kind in kinds("country")}
    keys.keep("country", "IQ", parts)
    current = lambda: not schedule.pending("country", {"IQ": parts}, keys.kept, runkeys.has_outputs(tmp_path))  # noqa: E731
    for ext in ("ipynb", "json"):
        (tmp_path / f"IQ.{ext}").write_text("{}")
    assert not current(), "the CSV is missing"
    (tmp_path / "IQ.csv").write_text("")
    assert current()
    parts["country rows"] = b"y"
    assert not current()


def test_a_state_starting_to_report_returns_reruns_a_country_without_a_row_for_it(project):
    """A state's only returns row going from not available to a number changes how every country's
    absent row for that state reads (n/a to 0): the key follows the indicator's rule (issue 24)."""
    import pandas as pd

    from readmission.method.indicators import states_reporting_returns

    inputs = fixture_inputs(project)
    returns = inputs.public.returns.observations
    rows = returns[(returns["year"] == 2016) & (returns["citizen"] != "IQ") & (returns["citizen"] != "MA")]
    state = sorted(set(rows["geo"]) - set(returns.loc[returns["citizen"].isin(["IQ", "MA"]) & (returns["year"] == 2016), "geo"]))
    assert state, "the fixture has a state reporting returns for another country only"
    state = state[0]
    # before: that state's 2016 returns rows are all not available, so it does not report returns
    unavailable = returns.copy()
    unavailable.loc[(unavailable["geo"] == state) & (unavailable["year"] == 2016), "value"] = pd.NA
    assert (2016, state) not in states_reporting_returns(unavailable)
    before = dataclasses.replace(inputs, public=dataclasses.replace(
        inputs.public, returns=dataclasses.replace(inputs.public.returns, observations=unavailable)))
    after = dataclasses.replace(inputs, public=dataclasses.replace(
        inputs.public, returns=dataclasses.replace(inputs.public.returns, observations=returns)))
    assert runkeys.slice_digests(before, ["IQ"]) != runkeys.slice_digests(after, ["IQ"])
