"""Every figure and decision means the same thing wherever it appears (issue 25): one final level
(assessed where recorded, else the method's) for every count, listing, key figure, headline and
history, with the method's beside it where the two differ; withheld is not missing; marks travel."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from readmission.method import history
from readmission.pages import presentation
from readmission.base.levels import LEVEL_AVERAGE, LEVEL_POOR, LEVEL_WELL, final_level, level_with_method
from readmission.publish.site_sources import key_figures_md, level_counts

COUNTS = {"states_rated": 5, "states_good": 0, "states_average": 1, "states_poor": 4}


def public(code: str, level: str, assessed: str | None = None) -> dict:
    result = {"country": code, "name": {"IQ": "Iraq", "MA": "Morocco"}[code], "level": level,
              "level_counts": COUNTS, "return_decisions": 1000, "eu_return_rate": {"rate": 0.5},
              "strongest_instrument": "none", "component_scores": {}}
    if assessed:
        result["assessment"] = {"assessed_level": assessed, "status": "reviewed"}
    return result


def test_the_final_level_is_the_assessed_one_where_recorded():
    assert final_level(public("IQ", LEVEL_POOR, LEVEL_AVERAGE)) == LEVEL_AVERAGE
    assert final_level(public("MA", LEVEL_POOR)) == LEVEL_POOR
    assert level_with_method(public("IQ", LEVEL_POOR, LEVEL_AVERAGE)) == \
        f"{LEVEL_AVERAGE} (the method proposed: {LEVEL_POOR})"
    assert level_with_method(public("MA", LEVEL_POOR)) == LEVEL_POOR


def test_key_figures_count_final_levels_and_show_the_methods_beside():
    records = [{"country": "IQ", "name": "Iraq", "ok": True, "public": public("IQ", LEVEL_POOR, LEVEL_AVERAGE)},
               {"country": "MA", "name": "Morocco", "ok": True, "public": public("MA", LEVEL_POOR)}]
    groups = level_counts(records)
    assert [r["country"] for r in groups[LEVEL_AVERAGE]] == ["IQ"]
    assert [r["country"] for r in groups[LEVEL_POOR]] == ["MA"]
    text = key_figures_md({"edition": {"data_year": 2016}}, records)
    assert f"[Iraq](notebooks/countries/2016/IQ.ipynb) (the method proposed: {LEVEL_POOR})" in text
    assert "[Morocco](notebooks/countries/2016/MA.ipynb) (the method" not in text


def test_history_counts_compares_and_shows_final_levels():
    before = history.EditionRecord(2015, {}, {"IQ": public("IQ", LEVEL_POOR), "MA": public("MA", LEVEL_WELL)}, None)
    now = history.EditionRecord(2016, {}, {"IQ": public("IQ", LEVEL_POOR, LEVEL_AVERAGE),
                                           "MA": public("MA", LEVEL_WELL)}, None)
    assert now.level("IQ") == LEVEL_AVERAGE
    shares = history.level_shares_by_edition([now]).set_index("level")["countries"]
    assert shares[LEVEL_AVERAGE] == 1 and shares[LEVEL_POOR] == 0
    changes = history.level_changes(before, now)
    assert changes["country"].tolist() == ["IQ"]  # the method's level did not move; the final one did
    assert changes.loc[0, "to"] == f"{LEVEL_AVERAGE} (the method proposed: {LEVEL_POOR})"
    trajectory = history.country_trajectory([before, now], "IQ")
    assert trajectory["level"].tolist() == [LEVEL_POOR, LEVEL_AVERAGE]
    assert trajectory["method_level"].tolist()[1] == LEVEL_POOR
    assert "method_level" not in history.country_trajectory([before, now], "MA").columns


def test_the_listing_and_the_headline_show_the_final_level_and_the_methods(iraq, monkeypatch):
    from readmission.run.pipeline import front_matter

    results = {"public": public("IQ", LEVEL_POOR, LEVEL_AVERAGE), "provenance": {"edition": {"data_year": 2016}}}
    results["public"].update(synthetic_label="")
    matter = front_matter(results, "public")
    assert (matter["level"], matter["method-level"]) == (LEVEL_AVERAGE, LEVEL_POOR)
    shown = []
    assessed = dataclasses.replace(iraq, judgement={"assessed_level": LEVEL_AVERAGE, "status": "reviewed"})
    presentation.overview(assessed, into=type("Handle", (), {"update": lambda _, obj: shown.append(obj.data)})())
    assert shown[0].startswith(f"**Iraq (IQ), data year 2016: {LEVEL_AVERAGE}.** (the rating method proposed: "
                               f"{iraq.level.level})")


def test_a_withheld_figure_reads_withheld_across_editions_not_n_a():
    """Withheld is not missing (issue 25, item 4): the across-editions table says suppressed."""
    from readmission.method.disclosure import SUPPRESSED
    from readmission.pages.tables import table_html

    withheld = public("IQ", LEVEL_POOR)
    withheld.update(eu_acceptance_rate={"rate": None, "suppressed": "fewer than 3 states contribute"},
                    eu_issuance_rate={"rate": 0.2}, cooperation_items=[{"item": "identification", "mean_answer": None}])
    missing = public("IQ", LEVEL_POOR)  # an edition without the figure at all
    records = [history.EditionRecord(2015, {}, {"IQ": missing}, None),
               history.EditionRecord(2016, {}, {"IQ": withheld}, None)]
    trajectory = history.country_trajectory(records, "IQ")
    assert trajectory["acceptance_rate_suppressed"].tolist() == ["", "fewer than 3 states contribute"]
    assert trajectory["mean_answer_suppressed"].tolist()[1] == history.ANSWERS_WITHHELD
    html = table_html(trajectory, "trajectory", "IQ")
    rows = html.split("<tr>")[2:]
    assert SUPPRESSED not in rows[0] and rows[1].count(SUPPRESSED) == 2  # acceptance and mean answer
    assert "_suppressed" not in html.split("<tbody")[0]  # the reasons are not columns of their own


def test_a_country_run_outside_the_selection_carries_the_mark_in_its_results_and_the_listing(iraq, tmp_path):
    """Not only in its banner (issue 25, item 8)."""
    import json
    from pathlib import Path

    from conftest import REPO, fixture_inputs
    from readmission.run.pipeline import front_matter
    from readmission.base.paths import Project
    from readmission.method.results import write_results

    json_path, _ = write_results(iraq, fixture_inputs(Project(REPO)), tmp_path,
                                 outside_selection="IQ is outside the selection of edition 2016")
    results = json.loads(Path(json_path).read_text())
    assert results["public"]["outside_selection"] == "IQ is outside the selection of edition 2016"
    assert front_matter(results, "public")["outside-selection"] == results["public"]["outside_selection"]
    write_results(iraq, fixture_inputs(Project(REPO)), tmp_path)
    assert "outside-selection" not in front_matter(json.loads(Path(json_path).read_text()), "public")
    template = (REPO / "countries-listing.ejs").read_text()
    assert 'item["outside-selection"]' in template and "outside the selection" in template


def test_every_year_of_a_context_window_is_shown_or_its_absence_stated(iraq, monkeypatch):
    shown = []
    monkeypatch.setattr(presentation, "display", lambda obj: shown.append(obj.data))
    asylum = iraq.asylum[iraq.asylum["year"] != 2014]  # a year the window holds, gone from the data
    presentation.context(dataclasses.replace(iraq, asylum=asylum), type("I", (), {
        "method": type("M", (), {"context_before": 4, "context_after": 1})(),
        "edition": type("E", (), {"reference_date": "2016-12-31", "data_year": 2016})()})())
    table = next(s for s in shown if "table-asylum" in s)
    assert "No data in the inputs for " in table and "2014" in table.split("No data in the inputs for ")[1]


def test_the_restricted_rating_table_says_which_return_rate_entered_for_each_state(iraq):
    """Forced-return rate (confidential) or effective return rate (public): per state, restricted
    only (issue 25, item 7)."""
    from conftest import REPO
    from readmission.method.sections import forced_returns
    from readmission.publish.gate import CONFIDENTIAL_COLUMNS

    from conftest import fixture_inputs
    from readmission.base.paths import Project

    inputs = fixture_inputs(Project(REPO))
    forced = forced_returns(inputs.confidential.statistics, "IQ", 2016)
    ratings = iraq.state_ratings
    bases = dict(zip(ratings["reporting_state"], ratings["rating_return_basis"]))
    decisions = dict(zip(iraq.return_rates["reporting_state"], iraq.return_rates["return_decisions"]))
    rated_on_forced = [s for s in forced["reporting_state"] if (decisions.get(s) or 0) > 0]
    assert rated_on_forced and {bases[s] for s in rated_on_forced} == {"forced returns (confidential)"}
    assert "returns to third countries (Eurostat)" in bases.values()
    assert "rating_return_basis" in CONFIDENTIAL_COLUMNS  # who reported forced returns is confidential
    methodology = (REPO / "methodology.qmd").read_text()
    assert "forced-return rate" in methodology and "which one entered" in methodology


def test_methodology_defines_every_term_the_pages_use_and_every_page_links_the_glossary():
    """EU+, final level, withheld, n/a, concerned, rated (issue 25, 'done when')."""
    import re

    from conftest import REPO
    from readmission.publish.site_sources import site_metadata

    methodology = (REPO / "methodology.qmd").read_text()
    glossary = methodology.split("## Glossary {#glossary}")[1].split("\n## ")[0]
    terms = re.findall(r"^(\S[^\n]*)\n: ", glossary, re.M)
    for term in ("EU+", "Concerned", "Rated", "Final level", "n/a", "Effective return rate", "Edition"):
        assert term in terms, term
    assert any(t.startswith("Suppressed") for t in terms)
    for audience in ("public", "restricted"):  # the menu is on every page of both sites
        menu = site_metadata(2016, audience)["website"]["navbar"]["left"]
        assert {"href": "methodology.qmd#glossary", "text": "Glossary"} in menu


def test_a_state_without_return_decisions_is_left_out_of_every_figure_and_named(iraq):
    """Never rated (never concerned), so left out of the confidential EU-level figures too, and the
    page names it (issue 25, item 2)."""
    import pandas as pd

    from readmission.method.sections import REQUEST_COUNTS
    from readmission.method.cooperation import without_states
    from readmission.method.disclosure import aggregate_states, common_states, left_out_text, states_without_decisions

    reporting = common_states(iraq.requests, REQUEST_COUNTS)
    state = reporting[0]
    rates = iraq.return_rates.copy()
    rates["return_decisions"] = rates["return_decisions"].astype("Float64")
    rates.loc[rates["reporting_state"] == state, "return_decisions"] = pd.NA
    assert state in states_without_decisions(rates)
    assert aggregate_states(iraq.requests, REQUEST_COUNTS, rates) == [s for s in reporting if s != state]
    assert state not in set(without_states(iraq.answers, [state])["reporting_state"])
    named = left_out_text(rates, 2016)
    assert named.startswith("Left out of this country's EU-level figures of confidential inputs and of the rating: ")
    assert state in named.split(": ")[1].split(" (")[0].split(", ") and "no return decisions for 2016" in named
    assert state not in left_out_text(iraq.return_rates, 2016)


def test_a_return_rate_change_is_taken_over_the_states_common_to_both_editions():
    """Austria in, Norway out: the change is the one over the states reporting in both, and the
    basis names who entered and left (issue 25, item 5)."""
    from readmission.method.history import EditionRecord, common_rate_change, largest_changes

    def result(rows):
        decisions = sum(d for _, d, _ in rows)
        return {"name": "Iran", "return_decisions": decisions, "eu_return_rate": {"rate": sum(r for *_, r in rows) / decisions},
                "return_rates_by_state": [{"reporting_state": s, "return_decisions": d, "returns": r} for s, d, r in rows]}

    before = result([("DE", 1000, 200), ("NO", 500, 400)])  # EU+ 40.0 %
    after = result([("DE", 1000, 300), ("AT", 1000, 900)])   # EU+ 60.0 %: +20 points over different states
    a, b, basis = common_rate_change(before, after)
    assert (a, b) == (0.2, 0.3) and basis == "the 1 states reporting in both editions; entered: AT; left: NO"
    table = largest_changes(EditionRecord(2015, {}, {"IR": before}, None), EditionRecord(2016, {}, {"IR": after}, None))
    rate = table[table["indicator"] == "eu_return_rate"].iloc[0]
    assert rate["change"] == pytest.approx(0.1) and rate["basis"] == basis


def test_the_reporting_states_are_an_edition_setting_with_its_legal_basis(tmp_path):
    from readmission.base.errors import InputError
    from readmission.settings.params import REPORTING_BASIS, parse_edition

    edition = parse_edition(tmp_path / "2016.yml", {"data_year": 2016, "excluded_states": ["UK"]})
    assert edition.excluded_states == ("UK",) and edition.reporting_basis == REPORTING_BASIS
    assert edition.as_dict()["excluded_states"] == ["UK"]
    assert parse_edition(tmp_path / "2016.yml", {"data_year": 2016}).excluded_states == ()
    with pytest.raises(InputError, match="excluded_states.*expected a list of state codes"):
        parse_edition(tmp_path / "2016.yml", {"data_year": 2016, "excluded_states": "UK"})


def test_methodology_shows_which_countries_depend_on_the_united_kingdom(tmp_path):
    import json

    from readmission.base.paths import OutputTree, Project
    from readmission.publish.site_sources import selection_md

    project = Project(tmp_path)
    project.edition_results(2016).mkdir(parents=True)
    (project.edition_results(2016) / "selection.json").write_text(json.dumps({
        "edition": {"excluded_states": []}, "reporting_states": ["AT", "BE", "UK"],
        "reporting_basis": "the Member States", "depends_on_uk": {"enter_without": [], "leave_without": ["JM", "NP"]}}))
    text = selection_md([OutputTree(project, 2016, "public")])
    assert "| 2016 | 3 | none | Jamaica, Nepal | none |" in text
    assert "Reporting states of edition 2016: the Member States." in text
    assert "{{< include notebooks/_generated/selection.md >}}" in (Path(__file__).parents[1] / "methodology.qmd").read_text()


def test_the_mean_answer_across_editions_is_taken_over_the_items_common_to_them():
    before, after = public("IQ", LEVEL_POOR), public("IQ", LEVEL_POOR)
    before["cooperation_items"] = [{"item": "identification", "mean_answer": 2.0},
                                   {"item": "laissez_passer", "mean_answer": None}]
    after["cooperation_items"] = [{"item": "identification", "mean_answer": 3.0},
                                  {"item": "laissez_passer", "mean_answer": 1.0}]
    records = [history.EditionRecord(2015, {}, {"IQ": before}, None),
               history.EditionRecord(2016, {}, {"IQ": after}, None)]
    assert history.common_items(records, "IQ") == {"identification"}
    assert history.country_trajectory(records, "IQ")["mean_answer"].tolist() == [2.0, 3.0]  # not 2.0 vs 2.0
