"""Disclosure control: no EU-level aggregate lets a reader work out one state's confidential value."""

from __future__ import annotations

import pandas as pd
import pytest

from readmission.method import disclosure
from readmission.method.sections import REQUEST_COUNTS
from readmission.method.cooperation import ITEM_COLUMNS, item_summary
from readmission.base.errors import InputError
from readmission.settings.params import load_method, parse_method
from conftest import REPO

MIN_STATES, DOMINANCE = 3, 0.8


def requests(rows: dict[str, tuple]) -> pd.DataFrame:
    """Per-state request counts: state -> (submitted, accepted, documents issued); None = not reported."""
    frame = pd.DataFrame([(s, *v) for s, v in rows.items()], columns=["reporting_state", *REQUEST_COUNTS])
    for column in REQUEST_COUNTS:
        frame[column] = frame[column].astype("Int64")
    return frame


def both_rates(table: pd.DataFrame):
    shared = disclosure.common_states(table, REQUEST_COUNTS)
    rate = lambda num: disclosure.confidential_rate(  # noqa: E731
        table, num, "readmission_requests_submitted", shared, MIN_STATES, DOMINANCE)
    return rate("readmission_requests_accepted"), rate("travel_documents_issued")


def test_one_missing_count_cannot_be_recovered_by_subtraction():
    # LI left travel documents empty: before, acceptance used 4 states and issuance 3, so the two
    # published denominators differed by LI's requests submitted (40)
    table = requests({"DE": (400, 300, 200), "FR": (300, 200, 100), "IT": (200, 100, 50),
                      "LI": (40, 30, None)})
    acceptance, issuance = both_rates(table)
    assert acceptance.states_included == issuance.states_included == ["DE", "FR", "IT"]
    assert acceptance.denominator == issuance.denominator == 900


def test_fewer_than_three_contributing_states_are_suppressed():
    acceptance, issuance = both_rates(requests({"DE": (400, 300, 200), "FR": (300, 200, 100),
                                                "IT": (None, None, None)}))
    for rate in (acceptance, issuance):
        assert rate.rate is None and rate.numerator is None and rate.denominator is None
        assert rate.suppressed == "fewer than 3 states contribute"


def test_exactly_three_balanced_states_are_published():
    acceptance, _ = both_rates(requests({"DE": (100, 50, 40), "FR": (100, 60, 40), "IT": (100, 70, 40)}))
    assert acceptance.suppressed == "" and acceptance.rate == pytest.approx(0.6)


def test_a_dominant_state_suppresses_the_aggregate():
    # DE gives 900 of 1,000 requests: the EU figure is nearly DE's own
    acceptance, issuance = both_rates(requests({"DE": (900, 800, 700), "FR": (50, 20, 10), "IT": (50, 20, 10)}))
    assert acceptance.rate is None and "more than 80%" in acceptance.suppressed
    assert issuance.rate is None


def test_identical_answers_are_suppressed_and_say_why():
    answers = pd.DataFrame({"reporting_state": ["DE", "FR", "IT", "NL"],
                            **{item: pd.array([2, 2, 2, None], dtype="Int64") for item in ITEM_COLUMNS}})
    answers["laissez_passer"] = pd.array([1, 3, 5, 4], dtype="Int64")
    summary = item_summary(answers, MIN_STATES, poor_answer=2).set_index("item")
    assert summary.loc["identification", "suppressed"] == "all answers are identical"
    assert pd.isna(summary.loc["identification", "mean_answer"])
    assert pd.isna(summary.loc["identification", "states_poor"])
    assert summary.loc["laissez_passer", "mean_answer"] == pytest.approx(3.25)


def test_suppressed_values_read_suppressed_not_na(monkeypatch):
    from readmission.pages import presentation

    shown_objects = []
    monkeypatch.setattr(presentation, "display", shown_objects.append)
    rate = disclosure.confidential_rate(requests({"DE": (1, 1, 1)}), "readmission_requests_accepted",
                                        "readmission_requests_submitted", ["DE"], MIN_STATES, DOMINANCE)
    presentation.formula("Acceptance rate", rate, "accepted", "submitted")
    shown = shown_objects[0].data
    assert disclosure.SUPPRESSED in shown and "n/a" not in shown


@pytest.mark.parametrize("setting, value, message", [
    ("min_states_for_aggregate", 2, "at least 3"),
    ("dominance_share", 1.5, "between 0 and 1"),
])
def test_disclosure_settings_are_validated(setting, value, message):
    raw = dict(load_method(path=REPO / "params" / "method.yml").raw)
    raw[setting] = value
    with pytest.raises(InputError, match=message):
        parse_method(REPO / "params" / "method.yml", raw)
