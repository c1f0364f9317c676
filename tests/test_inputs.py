"""What one assessment reads (inputs.py): absent context data noted, the demo's rates, the states."""

from __future__ import annotations

import shutil

from conftest import FIXTURE_PUBLIC, REPO
from readmission.method import indicators as ind
from readmission.inputs.loading import edition_states, load_public
from readmission.run.editions import public_rates
from readmission.settings.params import load_edition
from readmission.base.paths import Project


def test_absent_frontex_files_are_noted_and_left_out(tmp_path):
    public = tmp_path / "public"
    shutil.copytree(FIXTURE_PUBLIC, public)
    shutil.rmtree(public / "frontex")
    notes: list[str] = []
    data = load_public(public, notes)
    assert data.crossings is None and data.operations is None and data.asylum is not None
    assert [n.split(" not available")[0] for n in notes] == ["Frontex border crossings",
                                                              "Frontex return operations"]


def test_the_demo_builds_on_the_same_rates_as_the_pages(fixture_2016):
    method, public = fixture_2016.method, fixture_2016.public
    rates = public_rates(public, ["IQ", "MA"], 2016, fixture_2016.states, method).set_index(
        ["country", "reporting_state"])
    page = ind.state_return_rates(public.decisions.observations, public.returns.observations, "MA", 2016,
                                  fixture_2016.states, method.absent_returns, method.small_numbers)
    for state, rate in page.set_index("reporting_state")["effective_return_rate"].dropna().items():
        assert rates.loc[("MA", state), "effective_return_rate"] == float(rate)


def test_edition_states_are_the_reporting_states_on_the_reference_date():
    project = Project(REPO)
    states = edition_states(project, load_edition(2016, project))
    # EU28 with the UK, plus CH, IS, LI, NO on 2016-12-31
    assert len(states) == 32 and "UK" in states and "HR" in states and "CH" in states
