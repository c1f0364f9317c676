"""The release and its rules, attacked as an adversary would (issue 23): each test builds the
inference a reader of the public site could try, and shows the release gives it nothing."""

from __future__ import annotations

import json
from dataclasses import replace

import pandas as pd
import pytest

from readmission.method import release
from readmission.run import release_log
from readmission.method.assessment import assess_country, assess_public
from readmission.method.disclosure import RULES, class_reason, item_reason
from readmission.base.errors import InputError
from readmission.settings.params import load_method
from readmission.base.paths import Project
from readmission.method.results import public_results

from conftest import REPO


@pytest.fixture(scope="module")
def method():
    return load_method(Project(REPO))


@pytest.fixture(scope="module")
def variants(method):
    return release.method_variants(method)


def with_statistics(inputs, rows: pd.DataFrame):
    """The same inputs with other readmission statistics (a late state's row added, say)."""
    return replace(inputs, confidential=replace(inputs.confidential, statistics=rows))


def entry_of(a, method, variants, releases=(), approvals=frozenset()):
    figures = {a.country: release.country_figures(a, method, variants)}
    checked = release_log.checked(a.year, figures, list(releases), method.min_states_for_aggregate, set(approvals))
    return figures, release.country_entry(a.level.level, checked[a.country])


def public_page(fixture_2016, a, method, variants) -> dict:
    """What a public page of `a` publishes, built as the public notebook builds it."""
    _, entry = entry_of(a, method, variants)
    return public_results(assess_public(fixture_2016, a.country, release.released_figures(entry, "SYNTHETIC")))


def test_the_forced_returns_solve_finds_no_candidate(fixture_2016, iraq, method, variants):
    # the attack: component_scores["return rate"].mean_score mixed public rates with confidential
    # forced-return rates, so one state's forced returns followed from the mean
    published = public_page(fixture_2016, iraq, method, variants)
    text = json.dumps(published)
    assert iraq.component_scores["return rate"]["mean_score"] is not None  # the restricted side has it
    assert "component_scores" not in published and "mean_score" not in text and "score" not in text
    forced = fixture_2016.confidential.statistics.query("country == 'IQ'")["forced_returns"].dropna()
    assert "forced_return" not in text and len(forced) > 3


def test_a_late_state_changes_no_public_aggregate_without_an_approval(fixture_2016, method, variants):
    stats = fixture_2016.confidential.statistics
    without_cy = stats[~((stats["country"] == "IQ") & (stats["reporting_state"] == "CY"))]
    first = assess_country(with_statistics(fixture_2016, without_cy), "IQ")
    figures, published = entry_of(first, method, variants)
    assert published["acceptance"]["rate"] is not None  # released the first time
    log = [release_log.log_entry(figures, {})]
    later = assess_country(fixture_2016, "IQ")  # Cyprus's row arrives
    assert later.eu_acceptance.numerator != first.eu_acceptance.numerator
    _, again = entry_of(later, method, variants, log)
    for rate in ("acceptance", "issuance"):
        assert again[rate]["numerator"] is None and again[rate]["denominator"] is None
        assert again[rate]["states_included"] == [] and "release 1" in again[rate]["suppressed"]
    approved = {(2016, "IQ", "acceptance")}
    _, signed = entry_of(later, method, variants, log, approved)
    assert signed["acceptance"]["numerator"] == later.eu_acceptance.numerator  # a named approval lets it out
    assert signed["issuance"]["numerator"] is None  # and only the figure approved


def test_the_same_figure_released_again_needs_no_approval(iraq, method, variants):
    figures, first = entry_of(iraq, method, variants)
    _, again = entry_of(iraq, method, variants, [release_log.log_entry(figures, {})])
    assert again == first


def test_no_public_statement_puts_every_contributor_in_one_class(iraq, method, variants):
    figure = release.level_figure(replace(iraq.level, states_good=0, states_average=1,
                                          states_poor=iraq.level.states_rated - 1), iraq.state_ratings)
    assert figure.value["states_poor"] is None and figure.value["states_rated"] == iraq.level.states_rated
    assert figure.withheld.startswith("all or all but one")
    _, entry = entry_of(iraq, method, variants)
    for item in entry["items"]:
        if item["states_poor"] is not None:
            n, poor = item["states_answering"], item["states_poor"]
            assert 2 <= poor <= n - 2, item


@pytest.mark.parametrize("answers, withheld", [
    ([1, 1, 2], True),            # mean 1.33 of three: {1,1,2}
    ([1, 1, 1, 1, 1], True),      # every answer poor
    ([1, 1, 1, 1, 4], True),      # all but one identical: the odd state learns the others
    ([3, 4, 5, 3, 4], True),      # no answer poor: every contributor in one class
    ([1, 3, 4, 5, 3], True),      # one poor: that state learns every other answer was not poor
    ([2, 2, 2, 3, 4], False),
    ([1, 2, 3, 4, 5], False),
])
def test_small_group_means_reveal_no_single_answer(answers, withheld, method):
    reason = item_reason(pd.Series(answers), method.min_states_for_aggregate, method.poor_answer)
    assert bool(reason) == withheld, reason
    rows = pd.DataFrame({"reporting_state": [f"S{i}" for i in range(len(answers))], "identification": answers,
                         "laissez_passer": answers, "readmission_acceptance": answers, "return_operations": answers})
    item = release.item_figures(rows, method)["item:identification"].value
    assert (item["mean_answer"] is None) == withheld and (item["states_poor"] is None) == withheld
    if not withheld:
        assert item["mean_answer"] == round(sum(answers) / len(answers), 1)


def test_the_robustness_table_reveals_no_single_rating(iraq, method, variants):
    # the attack: one state alone in a band of decisions; the level changes between two thresholds
    # only if that state was rated poor. Make CZ the only state that a threshold drops.
    table = iraq.indicators.copy()
    concerned = table["return_decisions"].fillna(0) >= 50
    table.loc[~concerned, "return_decisions"] = 5  # below every threshold tried
    table.loc[table["reporting_state"] == "CZ", "return_decisions"] = 30  # alone in 20..49
    figures = release.robustness_figures(table, method, variants)
    alone = figures["robustness:min_decisions_concerned=50"]
    assert alone.withheld and alone.value["level"] is None
    same = figures["robustness:min_decisions_concerned=20"]
    assert not same.withheld and same.value["level"] is not None  # no rating differs: released


def test_a_withheld_rate_never_lists_its_contributors(iraq, method, variants):
    rows = iraq.requests.copy()
    rows.loc[rows["reporting_state"] == "FI", "readmission_requests_submitted"] = 10**6  # dominates
    from readmission.method.disclosure import aggregate_states, confidential_rate

    shared = aggregate_states(rows, ["readmission_requests_submitted", "readmission_requests_accepted",
                                     "travel_documents_issued"], iraq.return_rates)
    rate = confidential_rate(rows, "readmission_requests_accepted", "readmission_requests_submitted", shared,
                             method.min_states_for_aggregate, method.dominance_share)
    figure = release.rate_figure(rate, rows, ["readmission_requests_submitted", "readmission_requests_accepted"])
    assert rate.suppressed and rate.states_included  # the restricted side knows them
    assert figure.value["states_included"] == [] == figure.value["states_excluded"]
    assert figure.value["numerator"] is None and figure.contributors  # the log keeps them


def test_the_class_rule_counts_all_but_one():
    assert class_reason([0, 0, 5], "x") and class_reason([1, 0, 4], "x") and not class_reason([2, 0, 3], "x")
    assert class_reason([], "x") == ""


def test_every_rule_names_a_setting_the_method_has(method):
    for rule in RULES:
        assert rule.words and (not rule.setting or hasattr(method, rule.setting)), rule


@pytest.mark.parametrize("entry, field", [
    ({"edition": "2016", "country": "IQ", "figure": "acceptance", "approved_by": "A", "reason": "r"}, "edition"),
    ({"edition": 2016, "country": "IQ", "figure": "acceptance", "approved_by": "", "reason": "r"}, "approved_by"),
    ({"edition": 2016, "country": "IQ", "figure": "acceptance", "approved_by": "A"}, "reason"),
    ({"edition": 2016, "country": "IQ", "figure": "acceptance", "approved_by": "A", "reason": "r", "by": 1}, "by"),
])
def test_approvals_are_validated(tmp_path, entry, field):
    (tmp_path / "params").mkdir()
    (tmp_path / "params" / "release_approvals.yml").write_text(json.dumps({"approvals": [entry]}))
    with pytest.raises(InputError) as caught:
        release_log.load_approvals(Project(tmp_path))
    assert "release_approvals.yml" in str(caught.value) and field in str(caught.value)


def test_the_log_keeps_a_release_once(tmp_path, iraq, method, variants):
    figures = {"IQ": release.country_figures(iraq, method, variants)}
    entry = json.loads(json.dumps(release_log.log_entry(figures, {"public": []})))
    assert release_log.record(tmp_path, entry).name == "release-0001.json"
    assert release_log.record(tmp_path, entry) is None
    assert len(release_log.published(tmp_path)) == 1


def test_the_log_survives_clean_outputs():
    makefile = (REPO / "Makefile").read_text()
    clean = next(line for line in makefile.splitlines() if line.startswith("\trm -rf") and "data/restricted/out" in line)
    folder = release_log.log_folder(Project(REPO), 2016, False).relative_to(REPO).as_posix()
    assert folder.startswith("data/restricted/releases") and "data/restricted/releases" not in clean
    assert "data/restricted " not in clean + " " and all(not folder.startswith(p.rstrip("/"))
                                                         for p in clean.split()[2:])


def test_methodology_states_every_rule_with_its_setting(method):
    from readmission.publish.site_sources import disclosure_md
    from readmission.method.vocabulary import setting_value

    text = disclosure_md(method)
    assert len(text.strip().splitlines()) == len(RULES)
    for rule in RULES:
        assert rule.name.capitalize() in text and rule.words in text
        if rule.setting:
            assert f"{rule.words} (this setting: **{setting_value(rule.setting, getattr(method, rule.setting))}**)" in text
    assert "{{< include notebooks/_generated/disclosure.md >}}" in (REPO / "methodology.qmd").read_text(encoding="utf-8")
