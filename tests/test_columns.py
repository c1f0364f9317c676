"""The column schema (base/columns.py): each column once, with a label, a kind and a disclosure class
that the assessment's own tables bear out."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from readmission.base.columns import (CLASSES, COLUMNS, CONFIDENTIAL, DERIVED, KINDS, PUBLIC, QUESTIONNAIRE,
                                      STATISTICS, confidential_columns, input_columns, public_only,
                                      split_by_disclosure)
from readmission.data import confidential
from readmission.method.assessment import assess_country

PER_STATE_TABLES = ("return_rates", "requests", "answers", "indicators", "state_ratings")


def test_every_column_has_a_label_a_kind_and_a_class():
    assert [n for n, c in COLUMNS.items() if not c.label or c.kind not in KINDS or c.disclosure not in CLASSES] == []
    assert [n for n, c in COLUMNS.items() if c.telltale and not c.confidential] == []
    assert [n for n, c in COLUMNS.items() if c.input_file and c.disclosure != CONFIDENTIAL] == []


def test_the_confidential_files_value_columns_are_the_schemas():
    assert confidential.COUNT_COLUMNS == input_columns(STATISTICS)
    assert confidential.STATISTICS_COLUMNS == [*confidential.KEY, *input_columns(STATISTICS), "comment"]
    assert confidential.QUESTIONNAIRE_COLUMNS == [*confidential.KEY, *input_columns(QUESTIONNAIRE), "comment"]
    values = {c for columns in confidential.FILES.values() for c in columns} - {*confidential.KEY, "comment"}
    assert {COLUMNS[c].disclosure for c in values} == {CONFIDENTIAL}


def test_a_public_view_names_public_columns_only():
    assert public_only(["reporting_state", "returns"]) == ["reporting_state", "returns"]
    with pytest.raises(ValueError, match="score"):
        public_only(["reporting_state", "score"])
    assert split_by_disclosure(["returns", "score", "returns_basis", "forced_returns"]) == (
        ["returns", "returns_basis"], ["score", "forced_returns"])


def state_changed(inputs, state: str, how: str):
    """The inputs with one state's confidential values emptied ('empty') or altered ('altered': other
    counts, accepted above submitted, answers mirrored on the scale)."""
    stats, answers = inputs.confidential.statistics.copy(), inputs.confidential.questionnaire.copy()
    for frame, columns, alter in ((stats, confidential.COUNT_COLUMNS, lambda v: v * 3 + 7),
                                  (answers, confidential.ITEM_COLUMNS, lambda v: 6 - v)):
        rows = frame["reporting_state"] == state
        for column in columns:
            frame.loc[rows, column] = pd.NA if how == "empty" else alter(frame.loc[rows, column])
    if how == "altered":
        rows = stats["reporting_state"] == state
        stats.loc[rows, "readmission_requests_accepted"] = stats.loc[rows, "readmission_requests_submitted"] + 1
    return replace(inputs, confidential=replace(inputs.confidential, statistics=stats, questionnaire=answers))


def columns_moved(before, after) -> set[str]:
    """The columns of the per-state tables whose value changed for some state."""
    moved = set()
    for name in PER_STATE_TABLES:
        old, new = getattr(before, name), getattr(after, name)
        assert list(old.columns) == list(new.columns) and len(old) == len(new)
        moved |= {c for c in old.columns if old[c].astype(str).tolist() != new[c].astype(str).tolist()}
    return moved


def test_every_column_a_states_confidential_values_move_is_classed_confidential(fixture_2016, iraq):
    """Empty or alter each reporting state's confidential values in turn: every per-state column that
    moves is confidential or derived from it, and every such column moves for some state."""
    moved = set()
    for state in ("DE", "FR", "IT", "NL"):
        for how in ("empty", "altered"):
            moved |= columns_moved(iraq, assess_country(state_changed(fixture_2016, state, how), "IQ"))
    assert moved - confidential_columns() == set(), "per-state columns that carry a confidential value"
    shown = {c for name in PER_STATE_TABLES for c in getattr(iraq, name).columns}
    assert shown & confidential_columns() - moved == set(), "classed confidential, but no state's values move it"
    assert {COLUMNS[c].disclosure for c in moved} == {CONFIDENTIAL, DERIVED}
    assert shown - moved <= {n for n, c in COLUMNS.items() if c.disclosure == PUBLIC}
