"""Article 25a(2)(d) (cooperation.py): answers per state, item summaries, return operations."""

from __future__ import annotations

import pandas as pd

from readmission.method import cooperation
from readmission.data.frontex import FRONTEX_PARTICIPANT

STATES = ["DE", "FR", "IT"]


def questionnaire(rows):
    """Answers as the loader gives them: one row per state x country x year, NA = no answer."""
    frame = pd.DataFrame(rows, columns=["reporting_state", "country", "year", *cooperation.ITEM_COLUMNS])
    return frame.astype({item: "Int64" for item in cooperation.ITEM_COLUMNS})


ANSWERS = questionnaire([("DE", "IQ", 2016, 1, 2, 3, 4), ("FR", "IQ", 2016, 5, None, 3, None),
                         ("DE", "IQ", 2015, 5, 5, 5, 5), ("IT", "PK", 2016, 1, 1, 1, 1)])


def test_practical_cooperation_is_the_mean_of_the_items_answered():
    table = cooperation.answers(ANSWERS, "IQ", 2016, STATES).set_index("reporting_state")
    # DE: (1 + 2 + 3 + 4) / 4 = 2.5; FR: (5 + 3) / 2 = 4; IT answered nothing for IQ (its row is PK's)
    assert table.loc["DE", "practical_cooperation"] == 2.5
    assert table.loc["FR", "practical_cooperation"] == 4.0
    assert pd.isna(table.loc["IT", "practical_cooperation"])
    assert table["items_answered"].tolist() == [4, 2, 0]
    assert pd.isna(table.loc["FR", "laissez_passer"]), "no answer stays NA, never 0"


def test_the_answers_table_shows_the_states_that_answered_something():
    table = cooperation.answered(cooperation.answers(ANSWERS, "IQ", 2016, STATES))
    assert table["reporting_state"].tolist() == ["DE", "FR"], "IT answered nothing for IQ in 2016"


def test_item_summary_counts_poor_answers_and_means_where_enough_states_answered():
    answers = pd.DataFrame({"reporting_state": ["DE", "FR", "IT", "NL"],
                            "identification": [1, 2, 4, 5], "laissez_passer": [3, 3, 3, None],
                            "readmission_acceptance": [1, None, None, None],
                            "return_operations": [2, 4, 5, 1]}).astype(
        {item: "Int64" for item in cooperation.ITEM_COLUMNS})
    summary = cooperation.item_summary(answers, min_states=3, poor_answer=2).set_index("item")
    # identification: 4 states, mean (1 + 2 + 4 + 5) / 4 = 3, poor (<= 2): DE and FR
    assert summary.loc["identification", ["states_answering", "mean_answer", "states_poor"]].tolist() == [4, 3.0, 2]
    # laissez_passer: three identical answers are withheld (a state could read the others' answers)
    assert pd.isna(summary.loc["laissez_passer", "mean_answer"]) and summary.loc["laissez_passer", "suppressed"]
    # readmission_acceptance: one state only, withheld; return_operations: mean 3, poor: DE and NL
    assert summary.loc["readmission_acceptance", "states_answering"] == 1
    assert pd.isna(summary.loc["readmission_acceptance", "states_poor"])
    assert summary.loc["return_operations", ["mean_answer", "states_poor"]].tolist() == [3.0, 2]
    assert summary.loc["return_operations", "suppressed"] == ""


def test_return_operations_exclude_voluntary_and_count_operations():
    ops = pd.DataFrame({"operation_id": ["RO-1", "RO-1", "RO-2", "VRD-1"], "year": [2016] * 4,
                        "participating_state": ["DE", "IT", "DE", "DE"], "destination": ["NG"] * 4,
                        "returnees": [10, 5, 7, 100], "voluntary": [False, False, False, True]})
    table = cooperation.return_operations(ops, "NG").set_index("year")
    # forced: RO-1 and RO-2, 10 + 5 + 7 returnees, DE and IT; voluntary apart: VRD-1, 100 persons
    assert table.loc[2016].tolist() == [2, 22, 2, 1, 100]
    assert "1 of them (100 persons)" in cooperation.voluntary_note(table.reset_index())


def test_frontex_rows_count_returnees_but_not_as_a_participating_state():
    ops = pd.DataFrame({"operation_id": ["RO-1", "RO-1", "RO-2"], "year": [2015, 2015, 2016],
                        "participating_state": ["DE", FRONTEX_PARTICIPANT, FRONTEX_PARTICIPANT],
                        "destination": ["NG"] * 3, "returnees": [12, 3, 8], "voluntary": [False] * 3})
    table = cooperation.return_operations(ops, "NG").set_index("year")
    # 2015: one operation, 12 + 3 returnees, DE alone participating; 2016: Frontex alone, no state
    assert table.loc[2015, ["operations", "returnees", "participating_states"]].tolist() == [1, 15, 1]
    assert table.loc[2016, ["operations", "returnees", "participating_states"]].tolist() == [1, 8, 0]
    assert table.loc[2016, ["voluntary_operations", "voluntary_returnees"]].tolist() == [0, 0]


def test_no_operation_to_the_country_gives_an_empty_table_and_a_zero_note():
    ops = pd.DataFrame({"operation_id": ["RO-1"], "year": [2016], "participating_state": ["DE"],
                        "destination": ["PK"], "returnees": [4], "voluntary": [False]})
    table = cooperation.return_operations(ops, "NG")
    assert table.empty
    assert "0 of them (0 persons)" in cooperation.voluntary_note(table)
