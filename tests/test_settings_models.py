"""The settings models (settings/models.py): every rule of the method, edition and limits files, each
problem naming the file and the setting's dotted path, all problems of a file at once."""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from readmission.base.errors import InputError
from readmission.base.paths import Project
from readmission.settings.limits import Limits, load_limits
from readmission.settings.params import load_method, parse_edition, parse_method

SHIPPED = load_method().raw


def changed(dotted: str, value) -> dict:
    """The shipped method settings with one setting set (value ... : removed); robustness/<name>
    is the robustness entry for a setting."""
    raw = copy.deepcopy(SHIPPED)
    *parents, leaf = ["robustness", dotted[11:]] if dotted.startswith("robustness/") else dotted.split(".")
    node = raw
    for key in parents:
        node = node[key]
    if value is ...:
        del node[leaf]
    else:
        node[leaf] = value
    return raw


def problems(parse, content) -> list[str]:
    with pytest.raises(InputError) as err:
        parse(content)
    return [str(p) for p in err.value.problems]


def method_problems(raw) -> list[str]:
    return problems(lambda c: parse_method(Project.default().params / "method.yml", c), raw)


@pytest.mark.parametrize("dotted, value, field, fragment", [
    ("small_numbers", "20", "small_numbers", "expected int, got '20'"),      # no "20" read as 20
    ("small_numbers", True, "small_numbers", "expected int, got True"),      # nor true as 1
    ("small_numbers", 20.0, "small_numbers", "expected int, got 20.0"),
    ("small_numbers", ..., "small_numbers", "missing required setting"),
    ("absent_returns", "zero", "absent_returns", "expected one of 'zero_if_state_reports' or 'not_reported'"),
    ("rating.components", [1], "rating.components", "expected a mapping of settings, got [1]"),
    ("rating.components.returns", {"weight": 1, "poor": 0, "good": 1}, "rating.components.returns",
     "unknown setting (allowed: acceptance_rate, issuance_rate, practical_cooperation, return_rate)"),
    ("rating.components.return_rate", None, "rating.components.return_rate", "expected a mapping"),
    ("rating.components.return_rate.good", ..., "rating.components.return_rate.good", "missing required"),
    ("rating.components.return_rate.good", 0.1, "rating.components.return_rate.good", "must differ from poor"),
    ("rating.components.return_rate.weight", -1, "rating.components.return_rate.weight",
     "must not be negative, got -1"),
    ("context_years.before", -1, "context_years.before", "must not be negative"),
    ("candidates.restrictive_order", [], "candidates.restrictive_order", "must not be empty"),
    ("candidates.restrictive_order", "share_states_poor desc", "candidates.restrictive_order", "expected a list"),
    ("candidates.favourable_order", ["share_states_good desc", "eu_return_rate up"],
     "candidates.favourable_order[1]", "expected 'field asc' or 'field desc', fields: acceptance_rate"),
    ("candidates.favourable_order", ["nonsense desc"], "candidates.favourable_order[0]", "expected 'field asc'"),
    ("candidates.improving_rate_change", 1.5, "candidates.improving_rate_change", "must be between 0 and 1"),
    ("candidates.sort", 1, "candidates.sort", "unknown setting (allowed: favourable_order, improving_rate_change"),
    ("dominance_share", 0, "dominance_share", "must be between 0 and 1, got 0"),
    ("min_states_for_aggregate", 2, "min_states_for_aggregate", "must be at least 3 (disclosure control)"),
    ("poor_answer", 0, "poor_answer", "must be an answer on the 1..5 scale"),
    ("robustness/rating.good_from", [], "robustness.rating.good_from", "must not be empty"),
    ("robustness/rating.good_from", 0.5, "robustness.rating.good_from", "expected a list, got 0.5"),
    ("robustness/rating.good_from", [0.5, "x"], "robustness.rating.good_from[1]", "expected float, got 'x'"),
    ("robustness/min_decisions_concerned", [1, 2.5], "robustness.min_decisions_concerned", "expected whole numbers"),
    ("robustness/absent_returns", [1], "robustness.absent_returns", "names a setting that is not a number"),
    ("robustness/rating", [1], "robustness.rating", "names no setting of this file"),
    ("robustness/rating.components.issuance_rate.weight", [1], "robustness.rating.components.issuance_rate.weight",
     "names no setting"),   # a component the file does not rate with
])
def test_each_method_rule_names_the_field(dotted, value, field, fragment):
    raw = changed(dotted, value)
    if dotted == "robustness/rating.components.issuance_rate.weight":
        del raw["rating"]["components"]["issuance_rate"]
    found = method_problems(raw)
    assert any(f"method.yml, field '{field}': {fragment}" in p for p in found), found


def test_every_problem_of_a_method_file_at_once():
    raw = changed("small_numbers", "many")
    raw["near_miss_share"], raw["extra"] = 2, 1
    raw["candidates"]["improving_rate_change"] = -1
    raw["robustness"] = {"rating.good_from": ["a"], "nowhere": [1], "country_level.most_share": [0.4]}
    fields = [p.split("field '")[1].split("'")[0] for p in method_problems(raw)]
    assert sorted(fields) == ["candidates.improving_rate_change", "extra", "near_miss_share",
                              "robustness.nowhere", "robustness.rating.good_from[0]", "small_numbers"]


def test_a_valid_method_keeps_types_and_the_files_order():
    raw = changed("rating.good_from", 1)              # a whole number is a number
    raw["rating"]["components"] = dict(reversed(list(raw["rating"]["components"].items())))
    method = parse_method(Project.default().params / "method.yml", raw)
    assert isinstance(method.good_from, float) and method.good_from == 1.0
    assert list(method.components) == list(raw["rating"]["components"])
    assert all(isinstance(v, float) for v in method.robustness["rating.good_from"])
    assert all(type(v) is int for v in method.robustness["min_decisions_concerned"])
    assert method.raw is raw
    assert method.with_setting("min_decisions_concerned", 5).min_decisions_concerned == 5


@pytest.mark.parametrize("content, field, fragment", [
    ({}, "data_year", "missing required setting"),
    ({"data_year": True}, "data_year", "expected a whole number, got True"),
    ({"data_year": 2016, "selection_year": None}, "selection_year", "expected a whole number, got None"),
    ({"data_year": 2016, "threshold": "1000"}, "threshold", "expected a whole number, got '1000'"),
    ({"data_year": 2016, "reference_date": 20161231}, "reference_date", "expected a date YYYY-MM-DD"),
    ({"data_year": 2016, "reporting_basis": 1}, "reporting_basis", "expected text, got 1"),
    ({"data_year": 2016, "excluded_states": ["uk"]}, "excluded_states", "expected a list of state codes"),
    ({"data_year": 2016, 7: 1}, "7", "unknown setting (allowed: data_year, excluded_states, label"),
])
def test_each_edition_rule_names_the_field(tmp_path, content, field, fragment):
    found = problems(lambda c: parse_edition(tmp_path / "2016.yml", c), content)
    assert any(f"2016.yml, field '{field}': {fragment}" in p for p in found), found


def test_every_problem_of_an_edition_at_once(tmp_path):
    found = problems(lambda c: parse_edition(tmp_path / "2016.yml", c),
                     {"data_year": 2016, "selection_year": 2017, "reference_date": "2015-01-01",
                      "threshold": -5, "label": 3})
    assert len(found) == 4  # selection year, reference date, threshold, label


def test_edition_dates_may_be_datetimes_or_text(tmp_path):
    edition = parse_edition(tmp_path / "2016.yml", {"data_year": 2016, "reference_date": dt.datetime(2017, 1, 2)})
    assert edition.reference_date == dt.date(2017, 1, 2)
    assert parse_edition(tmp_path / "2016.yml", {"data_year": 2016, "reference_date": "2017-01-02"}) == edition


def test_limits_are_typed_and_refuse_their_source(tmp_path):
    (tmp_path / "params").mkdir()
    limits_file = tmp_path / "params" / "limits.yml"
    limits_file.write_text("max_file_mb: 2\nmax_rows: 10\n", encoding="utf-8")
    limits = load_limits(Project(tmp_path))
    assert limits == Limits(max_file_mb=2.0, max_rows=10, source=str(limits_file))
    assert isinstance(limits.max_file_mb, float) and hash(limits)
    limits_file.write_text("max_rows: true\nmax_cells: 1.5\nsource: elsewhere\nmax_file_mb: -1\n", encoding="utf-8")
    found = problems(lambda _: load_limits(Project(tmp_path)), None)
    assert [p.split("limits.yml, ", 1)[1] for p in found] == [
        "field 'max_file_mb': must be more than 0, got -1", "field 'max_rows': expected int, got True",
        "field 'max_cells': expected int, got 1.5", "field 'source': unknown setting (allowed: cell_timeout_seconds, "
        "max_cells, max_columns, max_file_mb, max_lines_in_field, max_rows, max_unzipped_mb)"]
