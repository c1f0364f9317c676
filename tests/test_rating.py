"""Rating: component scores, state ratings and the country level, against hand-computed values."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from readmission.base import levels
from readmission.method import rating
from readmission.settings.params import Component, parse_method

SETTINGS = {  # fixed here, so the expected values below do not move with params/method.yml
    "small_numbers": 20, "absent_returns": "zero_if_state_reports", "min_decisions_concerned": 10,
    "min_states_for_aggregate": 3, "dominance_share": 0.8, "poor_answer": 2, "near_miss_share": 0.5,
    "context_years": {"before": 4, "after": 1},
    "candidates": {"restrictive_order": ["share_states_poor desc"], "favourable_order": ["share_states_good desc"],
                   "improving_rate_change": 0.05},
    "rating": {"components": {"return_rate": {"weight": 1, "poor": 0.1, "good": 0.5},
                              "acceptance_rate": {"weight": 1, "poor": 0.4, "good": 0.9},
                              "issuance_rate": {"weight": 1, "poor": 0.3, "good": 0.8},
                              "practical_cooperation": {"weight": 2, "poor": 2.0, "good": 4.0}},
               "min_components": 2, "good_from": 0.6, "poor_below": 0.4},
    "country_level": {"most_share": 0.5, "min_rated_states": 3},
    "robustness": {"rating.good_from": [0.5, 0.7]},
}


@pytest.fixture
def method():
    return parse_method(Path("test"), SETTINGS)


def test_component_score_is_linear_and_clipped():
    comp = Component(weight=1, poor=0.1, good=0.5)
    assert rating.component_score(0.3, comp) == pytest.approx(0.5)
    assert rating.component_score(0.9, comp) == 1.0 and rating.component_score(0.0, comp) == 0.0
    assert rating.component_score(None, comp) is None and rating.component_score(pd.NA, comp) is None


def test_state_scores_weighted_mean_of_available_components(method):
    table = pd.DataFrame({
        "reporting_state": ["DE", "FR", "IT", "MT"],
        "return_decisions": pd.array([1000, 500, 5, 300], dtype="Int64"),
        "rating_return_rate": [0.30, 0.05, 0.5, None],          # DE 0.5, FR 0.0
        "acceptance_rate": [0.90, None, 0.9, None],                # DE 1.0
        "issuance_rate": [None, None, None, None],
        "practical_cooperation": [3.0, 2.5, 5.0, 4.0],             # DE 0.5, FR 0.25 (weight 2)
    })
    rated = rating.rate_states(table, method).set_index("reporting_state")
    # DE: (1*0.5 + 1*1.0 + 2*0.5) / 4 = 0.625 -> good (>= 0.60)
    assert rated.loc["DE", "score"] == pytest.approx(0.625) and rated.loc["DE", "rating"] == "good"
    # FR: (1*0.0 + 2*0.25) / 3 = 0.1667 -> poor
    assert rated.loc["FR", "score"] == pytest.approx(1 / 6) and rated.loc["FR", "rating"] == "poor"
    # IT: 5 decisions < min_decisions_concerned (10): not concerned, not rated
    assert not rated.loc["IT", "concerned"] and rated.loc["IT", "rating"] == "not rated"
    # MT: one component only (< min_components 2): not rated
    assert rated.loc["MT", "rating"] == "not rated"


@pytest.mark.parametrize("ratings, expected", [
    (["good"] * 3 + ["poor"] * 2, levels.LEVEL_WELL),            # 3 of 5 > 50 %
    (["good"] * 2 + ["poor"] * 2, levels.LEVEL_AVERAGE),         # tie at exactly 50 %: not "most"
    (["poor"] * 3 + ["average"] * 1 + ["good"], levels.LEVEL_POOR),
    (["good", "good", "not rated", "not rated"], levels.LEVEL_UNKNOWN),  # 2 rated < 3
])
def test_country_level_from_counts(method, ratings, expected):
    level = rating.country_level(pd.DataFrame({"rating": ratings}), method)
    assert level.level == expected
    assert level.states_rated == sum(r != "not rated" for r in ratings)
