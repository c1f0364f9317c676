"""One country's assessment (assessment.py): each table is the recipe of its indicator, on the fixture."""

from __future__ import annotations

import dataclasses
import json
from types import SimpleNamespace

import nbformat
import pandas as pd
import pytest

from readmission.method import indicators as ind
from readmission.method.assessment import assess_country
from readmission.method.sections import per_state_indicators, trend_table
from readmission.method.cooperation import OPERATION_COUNTS


def test_return_rates_are_the_public_recipe_with_the_forced_returns_added(fixture_2016, iraq):
    method, public = fixture_2016.method, fixture_2016.public
    recipe = ind.state_return_rates(public.decisions.observations, public.returns.observations, "IQ", 2016,
                                    fixture_2016.states, method.absent_returns, method.small_numbers)
    pd.testing.assert_frame_equal(iraq.return_rates[list(recipe.columns)], recipe)
    stats = fixture_2016.confidential.statistics
    given = stats[(stats["country"] == "IQ") & (stats["year"] == 2016)].set_index("reporting_state")
    table = iraq.return_rates.set_index("reporting_state")
    checked = 0
    for state, forced in given["forced_returns"].dropna().items():
        assert table.loc[state, "forced_returns"] == forced
        decisions = table.loc[state, "return_decisions"]
        if pd.notna(decisions) and decisions > 0:  # the forced-return rate rates the state
            assert table.loc[state, "rating_return_rate"] == pytest.approx(forced / decisions)
            checked += 1
    assert checked, "the fixture gives IQ no forced returns: the test proves nothing"


def test_eu_return_rate_sums_only_states_with_both_series(iraq):
    rates = iraq.return_rates
    both = rates["returns"].notna() & rates["return_decisions"].notna()
    assert iraq.eu_return_rate.numerator == int(rates.loc[both, "returns"].sum())
    assert iraq.eu_return_rate.denominator == int(rates.loc[both, "return_decisions"].sum())
    assert iraq.eu_return_rate.states_included == sorted(rates.loc[both, "reporting_state"])


def test_every_reporting_state_has_one_row_of_indicators_and_one_rating(fixture_2016, iraq):
    assert sorted(iraq.indicators["reporting_state"]) == sorted(fixture_2016.states)
    assert iraq.indicators["reporting_state"].is_unique
    assert sorted(iraq.state_ratings["reporting_state"]) == sorted(fixture_2016.states)
    assert iraq.name == "Iraq" and iraq.year == 2016 and iraq.public_synthetic


def test_per_state_indicators_keep_states_without_confidential_rows():
    rates = pd.DataFrame({"reporting_state": ["DE", "FR"], "return_decisions": [100, 50], "returns": [30, 0],
                          "effective_return_rate": [0.3, 0.0], "forced_returns": [20, None],
                          "rating_return_rate": [0.2, 0.0], "small_numbers": [False, True],
                          "rating_return_basis": ["forced returns (confidential)", "returns to third countries (Eurostat)"]})
    requests = pd.DataFrame({"reporting_state": ["DE"], "readmission_requests_submitted": [10],
                             "readmission_requests_accepted": [5], "acceptance_rate": [0.5],
                             "issuance_rate": [0.4], "days_to_travel_document": [30]})
    answers = pd.DataFrame({"reporting_state": ["FR"], "practical_cooperation": [3.5], "items_answered": [2]})
    table = per_state_indicators(rates, requests, answers).set_index("reporting_state")
    assert table.loc["DE", "acceptance_rate"] == 0.5 and pd.isna(table.loc["DE", "practical_cooperation"])
    assert table.loc["FR", "practical_cooperation"] == 3.5 and pd.isna(table.loc["FR", "acceptance_rate"])
    assert table.loc["FR", "return_decisions"] == 50


def test_trend_sums_the_same_states_as_the_rates_each_year():
    def obs(rows):
        frame = pd.DataFrame(rows, columns=["citizen", "geo", "year", "value", "flags"])
        return frame.astype({"value": "Int64"})

    decisions = obs([("IQ", "DE", 2015, 100, ""), ("IQ", "FR", 2015, 50, "p"), ("IQ", "DE", 2016, 80, "")])
    # FR reports returns in 2015 (for PK), so its absent IQ row reads as 0 that year
    returns = obs([("IQ", "DE", 2015, 30, ""), ("PK", "FR", 2015, 9, "")])
    inputs = SimpleNamespace(public=SimpleNamespace(decisions=SimpleNamespace(observations=decisions),
                                                    returns=SimpleNamespace(observations=returns)),
                             states=["DE", "FR"], method=SimpleNamespace(absent_returns="zero_if_state_reports"),
                             edition=SimpleNamespace(data_year=2016))
    trend = trend_table(inputs, "IQ").set_index("year")
    assert trend.loc[2015, ["return_decisions", "returns"]].tolist() == [150, 30]
    assert trend.loc[2015, "states_reporting_returns"] == 2 and trend.loc[2015, "return_decisions_flags"] == "FR: p"
    # 2016: no state reports returns at all: n/a, never 0
    assert trend.loc[2016, "return_decisions"] == 80 and pd.isna(trend.loc[2016, "returns"])
    # an edition shows the world as of its data year: the 2015 edition's trend stops at 2015
    inputs.edition.data_year = 2015
    assert trend_table(inputs, "IQ")["year"].tolist() == [2015]


def test_without_frontex_and_asylum_data_the_context_is_left_out(fixture_2016):
    public = dataclasses.replace(fixture_2016.public, operations=None, crossings=None, asylum=None)
    a = assess_country(dataclasses.replace(fixture_2016, public=public), "IQ")
    assert a.crossings is None and a.asylum is None
    assert a.operations.empty and list(a.operations.columns) == ["year", *OPERATION_COUNTS]


def results_of(folder, code: str) -> tuple[dict, str]:
    """A results file's figures (its provenance aside: the page loads one country's slice) and its CSV."""
    figures = json.loads((folder / f"{code}.json").read_text(encoding="utf-8"))
    figures.pop("provenance")
    return figures, (folder / f"{code}.csv").read_text(encoding="utf-8")


@pytest.mark.slow
@pytest.mark.parametrize("audience", ["restricted", "public"])
def test_the_page_and_assess_country_make_the_same_figures(fixture_2016, iraq, tmp_path, audience):
    """One computation path: the page's results file is assembled from its visible cells' values, and
    `assess_country` / `assess_public` (the restricted phase, the tests) call the same sections."""
    from conftest import REPO
    from readmission.method import release
    from readmission.method.assessment import assess_public
    from readmission.method.results import write_results
    from readmission.run.execute import run_papermill, strip_restricted

    template = nbformat.read(REPO / "notebooks" / "country.ipynb", as_version=4)
    parameters = {"country": "IQ", "results_dir": str(tmp_path / "page")}
    expected = iraq
    if audience == "public":
        method = fixture_2016.method
        entry = release.country_entry(iraq.level.level, release.country_figures(iraq, method, release.method_variants(method)))
        path = tmp_path / "release.json"
        path.write_text(json.dumps(release.public_release(2016, True, "SYNTHETIC", method, {"IQ": entry})))
        parameters["release"] = str(path)
        expected = assess_public(fixture_2016, "IQ", release.read_country(path, "IQ"))
        template = strip_restricted(template)  # as the public phase runs it
    (tmp_path / "page").mkdir()
    run_papermill(template, parameters, REPO / "notebooks")
    write_results(expected, fixture_2016, tmp_path / "recipe")
    assert results_of(tmp_path / "page", "IQ") == results_of(tmp_path / "recipe", "IQ")
