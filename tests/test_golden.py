"""Golden figures of the 2016 edition on the real offline snapshot, each derived by hand.

The project's loaders read the snapshot folder itself (not data/public). Every expected value was
computed independently with plain pandas on the snapshot's CSV files (every cell read as text,
empty OBS_VALUE = not available), as each comment says, and agrees with the independent
recomputation of the 2016 edition (issue 11).
"""

from __future__ import annotations

import pytest

from conftest import REPO, SNAPSHOT
from readmission.method import cooperation
from readmission.method.assessment import assess_country
from readmission.data import eurostat, frontex
from readmission.data.reference import load_reference
from readmission.inputs.loading import load_inputs
from readmission.settings.params import load_edition, load_method
from readmission.base.paths import Project
from readmission.method.selection import select_countries

pytestmark = pytest.mark.skipif(not (SNAPSHOT / "eurostat" / "migr_eiord.csv").exists(),
                                reason=f"offline snapshot not found at {SNAPSHOT}")

# The 32 reporting states on 2016-12-31: reporting_states.csv rows with member_from <= 2016-12-31
# and member_to empty or later (EU28 with the UK, plus CH, IS, LI, NO).


@pytest.fixture(scope="module")
def iraq_2016():
    project = Project(REPO)
    edition, method = load_edition(2016, project), load_method(project)
    inputs = load_inputs(project, edition, method, ["IQ"], public_dir=SNAPSHOT,
                         restricted_dir=REPO / "data" / "fixture" / "confidential" / "2016")
    return assess_country(inputs, "IQ")


def test_iraq_2016_decisions_returns_and_eu_rate(iraq_2016):
    a = iraq_2016
    # migr_eiord.csv, citizen IQ, TIME_PERIOD 2016, geo in the 32 states, non-empty OBS_VALUE:
    # 29 rows (IS, NO, CH empty) summing to 33,665
    assert int(a.return_rates["return_decisions"].sum()) == 33665
    # migr_eirtn.csv, citizen IQ, c_dest THRD, 2016, geo in the 32 states: 24 rows summing to
    # 17,465 (all states, NO's 400 included)
    assert int(a.return_rates["returns"].sum()) == 17465
    # EU+ rate: states with both values; NO has returns (400) but no 2016 decisions:
    # 17,465 - 400 = 17,065 over 33,665, from 28 states
    rate = a.eu_return_rate
    assert (rate.numerator, rate.denominator, len(rate.states_included)) == (17065, 33665, 28)
    assert rate.rate == pytest.approx(17065 / 33665)


def test_iraq_trend_counts_states_as_the_rate_does_and_austria_2014_is_not_counted(iraq_2016):
    trend = iraq_2016.decisions_trend.set_index("year")
    # migr_eirtn.csv 2016: 29 of the 32 states have a non-empty value for some citizenship (the
    # states reporting returns; absent_returns reads their absent IQ rows as 0): 29, not the 24
    # states with an IQ row; the EU+ rate's 28 are those of them with decisions (all but NO)
    assert trend.loc[2016, "states_reporting_returns"] == 29
    assert trend.loc[2016, "returns"] == 17465
    # migr_eiord.csv, IQ 2014: 31 states have a value, Austria's a 0 that its .meta.yml says is not
    # available (data/reference/caveats.yml): 30 states, and the sum unchanged (Austria's 0)
    assert trend.loc[2014, "states_reporting_decisions"] == 30
    # the series run 2012 (migr_eiord) to 2023 (migr_eirtn); the 2016 edition shows every year up to
    # its data year, none after it
    assert trend.index.tolist() == list(range(2012, 2017))
    # UK 2013 values are provisional (OBS_FLAG 'p'): the flag is kept in the trend
    assert trend.loc[2013, "return_decisions_flags"] == "UK: p"


def test_selection_2016_selects_50_countries():
    # migr_eiord.csv 2015, summed per citizen over the 32 states (empty = not reported), more than
    # 1,000, and the citizen visa-required on 2016-12-31 in visa_required.csv (valid_from <= date
    # <= valid_to, a reduced date counting only when its whole period is on one side): 50 countries
    project = Project(REPO)
    edition = load_edition(2016, project)
    caveats = eurostat.load_caveats(project.reference)
    decisions = eurostat.load_return_decisions(SNAPSHOT, caveats).observations
    selection = select_countries(edition, decisions, load_reference(project.reference),
                                 load_method(project).near_miss_share)
    assert len(selection.codes) == 50


def test_austria_2014_is_not_available_in_migr_eiord():
    # migr_eiord.csv, geo AT, 2014: 168 rows with 0 and 5 empty; the .meta.yml caveat says Austria
    # 2014 is not available: once the project's caveats apply, no Austrian 2014 value is left
    caveats = eurostat.load_caveats(REPO / "data" / "reference")
    table = eurostat.load_return_decisions(SNAPSHOT, caveats)
    obs = table.observations
    assert obs.loc[(obs["geo"] == "AT") & (obs["year"] == 2014), "value"].notna().sum() == 0
    assert table.caveats[0].startswith("migr_eiord: not available, read as n/a: AT 2014 (")


def test_nigeria_2022_participating_states_without_frontex():
    # return_operations.csv, destination NG, date in 2022, operation_id not 'VRD-': 15 distinct
    # participating_state values, one of them empty (Frontex itself): 14 states
    operations = frontex.load_return_operations(SNAPSHOT)
    table = cooperation.return_operations(operations, "NG").set_index("year")
    assert table.loc[2022, "participating_states"] == 14
    # likewise NG 2023 12 -> 11, BD 2023 10 -> 9, GE 2023 14 -> 13
    assert table.loc[2023, "participating_states"] == 11
    assert cooperation.return_operations(operations, "BD").set_index("year").loc[2023, "participating_states"] == 9
    assert cooperation.return_operations(operations, "GE").set_index("year").loc[2023, "participating_states"] == 13


@pytest.mark.parametrize("year, dropped", [(2014, ["JM", "SL", "UZ"]), (2015, ["JM"]), (2016, ["JM", "NP"])])
def test_the_selection_names_the_countries_that_depend_on_the_united_kingdom(year, dropped):
    """EU+ and the UK (issue 25, item 6): without the UK among the reporting states these countries
    would not be selected (counted by hand from migr_eiord, as the issue reports)."""
    from dataclasses import replace

    from readmission.data.reference import edition_state_codes
    from readmission.method.selection import depends_on_state

    project = Project(REPO)
    edition = load_edition(year, project)
    reference = load_reference(project.reference)
    decisions = eurostat.load_return_decisions(SNAPSHOT, eurostat.load_caveats(project.reference)).observations
    near = load_method(project).near_miss_share
    selection = select_countries(edition, decisions, reference, near)
    assert depends_on_state(selection, decisions, reference, near, "UK") == {"enter_without": [],
                                                                            "leave_without": dropped}
    without = replace(edition, excluded_states=("UK",))
    assert "UK" not in edition_state_codes(reference, without) and "UK" in edition_state_codes(reference, edition)
    assert set(select_countries(without, decisions, reference, near).codes) == set(selection.codes) - set(dropped)
