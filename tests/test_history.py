"""Editions over time: trajectories, what changed between two editions, shares and transitions."""

from __future__ import annotations

import pandas as pd
import pytest

from readmission.method import history
from readmission.method.history import EditionRecord
from readmission.base.levels import LEVEL_AVERAGE, LEVEL_POOR, LEVEL_WELL

MANIFEST = [{"file": "eurostat/migr_eiord.csv", "sha256": "a" * 64},
            {"file": "eurostat/migr_eirtn.csv", "sha256": "b" * 64}]


def result(level: str, rate: float, decisions: int, good=3, average=1, poor=0, scores=None, trend=None) -> dict:
    return {"level": level, "name": "Name", "return_decisions": decisions,
            "eu_return_rate": {"rate": rate}, "eu_acceptance_rate": {"rate": 0.5, "suppressed": ""},
            "eu_issuance_rate": {"rate": None, "suppressed": "one state contributes more than 80%"},
            "cooperation_items": [{"item": "identification", "mean_answer": 3.0},
                                  {"item": "laissez_passer", "mean_answer": None}],
            "strongest_instrument": "eu_agreement", "rcms_in_place": True,
            "level_counts": {"states_good": good, "states_average": average, "states_poor": poor},
            "component_scores": scores or {}, "decisions_trend": trend or [],
            "return_rates_by_state": [{"reporting_state": "DE", "return_decisions": decisions,
                                       "returns": rate * decisions}]}


def selection(rows: list[tuple[str, int, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["country", "decisions", "outcome"])


def edition(year: int, results: dict, rows: list, manifest=MANIFEST) -> EditionRecord:
    return EditionRecord(year, {"data_year": year, "selection_year": year - 1, "threshold": 1000},
                         results, selection(rows), manifest)


def test_trajectory_says_why_a_country_was_not_selected():
    e15 = edition(2015, {}, [("XX", 830, "below threshold")])
    e16 = edition(2016, {"XX": result(LEVEL_WELL, 0.4, 1500)}, [("XX", 1200, "selected")])
    table = history.country_trajectory([e15, e16], "XX")
    assert list(table["edition"]) == [2015, 2016]
    assert table.loc[0, "level"] == history.NOT_SELECTED
    assert table.loc[0, "selection"] == "below threshold: 830 return decisions (threshold 1,000)"
    assert table.loc[1, "eu_return_rate"] == 0.4 and table.loc[1, "mean_answer"] == 3.0
    assert pd.isna(table.loc[1, "issuance_rate"])  # withheld stays withheld


def test_a_country_entering_the_selection_when_its_decisions_cross_the_threshold_is_listed():
    e15 = edition(2015, {"AA": result(LEVEL_WELL, 0.5, 5000)},
                  [("AA", 4000, "selected"), ("BB", 990, "near miss")])
    e16 = edition(2016, {"AA": result(LEVEL_WELL, 0.5, 5000), "BB": result(LEVEL_POOR, 0.1, 1100)},
                  [("AA", 3000, "selected"), ("BB", 1020, "selected")])
    changes = history.selection_changes(e15, e16)
    assert changes.to_dict("records") == [{
        "country": "BB", "change": "entered",
        "before": "near miss: 990 return decisions (threshold 1,000)",
        "now": "selected: 1,020 return decisions (threshold 1,000)"}]
    assert history.selection_changes(e16, e15)["change"].tolist() == ["left"]


def test_level_changes_name_the_component_that_moved_most():
    before = {"return_rate": {"mean_score": 0.62}, "practical_cooperation": {"mean_score": 0.50},
              "acceptance_rate": {"mean_score": None, "suppressed": "fewer than 3 states answered"}}
    after = {"return_rate": {"mean_score": 0.21}, "practical_cooperation": {"mean_score": 0.45},
             "acceptance_rate": {"mean_score": 0.9}}
    e15 = edition(2015, {"AA": result(LEVEL_WELL, 0.5, 5000, scores=before)}, [])
    e16 = edition(2016, {"AA": result(LEVEL_POOR, 0.1, 5000, good=0, poor=3, scores=after)}, [])
    changes = history.level_changes(e15, e16)
    assert changes.loc[0, "moved_by"] == "return rate 0.62 → 0.21, practical cooperation 0.50 → 0.45"
    assert changes.loc[0, "states_now"] == "0 good, 1 average, 3 poor"
    assert history.level_changes(e15, e15).empty


def test_level_changes_say_where_the_class_counts_were_withheld():
    withheld = result(LEVEL_POOR, 0.1, 5000)
    withheld["level_counts"] = {"states_rated": 4, "states_good": None, "states_average": None, "states_poor": None}
    e15 = edition(2015, {"AA": result(LEVEL_WELL, 0.5, 5000)}, [])
    e16 = edition(2016, {"AA": withheld}, [])
    changes = history.level_changes(e15, e16)
    assert changes.loc[0, "states_before"] == "3 good, 1 average, 0 poor"
    assert changes.loc[0, "states_now"] == "4 rated; classes withheld (disclosure control)"


def test_level_transitions_add_up_to_every_country_of_both_editions():
    e14 = edition(2014, {"AA": result(LEVEL_WELL, .5, 1), "BB": result(LEVEL_POOR, .1, 1)}, [])
    e15 = edition(2015, {"AA": result(LEVEL_AVERAGE, .5, 1), "CC": result(LEVEL_POOR, .1, 1)}, [])
    e16 = edition(2016, {"AA": result(LEVEL_AVERAGE, .5, 1), "CC": result(LEVEL_WELL, .1, 1)}, [])
    table = history.level_transitions([e14, e15, e16])
    per_pair = table.groupby("to_edition")["countries"].sum().to_dict()
    assert per_pair == {2015: 3, 2016: 2}  # AA, BB, CC; then AA, CC
    moves = {(r["from"], r["to"]): r["countries"] for r in table[table["to_edition"] == 2015].to_dict("records")}
    assert moves == {(LEVEL_WELL, LEVEL_AVERAGE): 1, (LEVEL_POOR, history.NOT_SELECTED): 1,
                     (history.NOT_SELECTED, LEVEL_POOR): 1}


def test_level_shares_by_edition_sum_to_one():
    e16 = edition(2016, {"AA": result(LEVEL_WELL, .5, 1), "BB": result(LEVEL_POOR, .1, 1),
                         "CC": result(LEVEL_POOR, .1, 1)}, [])
    shares = history.level_shares_by_edition([e16])
    assert shares["share"].sum() == pytest.approx(1.0)
    assert shares.set_index("level").loc[LEVEL_POOR, "countries"] == 2


def test_revisions_compare_two_vintages_and_one_vintage_has_none():
    trend_old = [{"year": 2014, "return_decisions": 1000, "returns": 400}]
    trend_new = [{"year": 2014, "return_decisions": 1010, "returns": 400}]
    e15 = edition(2015, {"AA": result(LEVEL_WELL, .5, 1, trend=trend_old)}, [])
    same = edition(2016, {"AA": result(LEVEL_WELL, .5, 1, trend=trend_new)}, [])
    assert history.revisions(e15, same).empty  # same files: a difference is not a revision
    vintage = [{"file": "eurostat/migr_eiord.csv", "sha256": "c" * 64}, MANIFEST[1]]
    newer = edition(2016, {"AA": result(LEVEL_WELL, .5, 1, trend=trend_new)}, [], manifest=vintage)
    assert history.revisions(e15, newer).to_dict("records") == [{
        "country": "AA", "dataset": "migr_eiord", "year": 2014, "statistic": "return_decisions",
        "before": 1000, "now": 1010}]


def test_largest_changes_are_ranked_by_size():
    e15 = edition(2015, {"AA": result(LEVEL_WELL, .50, 1000), "BB": result(LEVEL_WELL, .30, 1000)}, [])
    e16 = edition(2016, {"AA": result(LEVEL_WELL, .55, 3000), "BB": result(LEVEL_WELL, .10, 1100)}, [])
    table = history.largest_changes(e15, e16, top=1)
    rates = table[table["indicator"] == "eu_return_rate"]
    assert rates["country"].tolist() == ["BB"] and rates["change"].iloc[0] == pytest.approx(-0.2)
    assert table[table["indicator"] == "return_decisions"]["country"].tolist() == ["AA"]
