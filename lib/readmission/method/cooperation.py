"""Article 25a(2)(d) practical cooperation: questionnaire answers, and public evidence for (iv)."""

from __future__ import annotations

import pandas as pd

from .disclosure import answers_reason
from ..data.frontex import FRONTEX_PARTICIPANT
from .indicators import STATE
from ..base.columns import QUESTIONNAIRE, input_columns

ITEM_COLUMNS = input_columns(QUESTIONNAIRE)  # the (d) items' columns, as the questionnaire names them


def answers(questionnaire: pd.DataFrame, country: str, year: int, states: list[str]) -> pd.DataFrame:
    """Each reporting state's answers on the four (d) items for `country` (NA = no answer)."""
    rows = questionnaire[(questionnaire["country"] == country) & (questionnaire["year"] == year)]
    rows = rows.set_index(STATE)
    out = pd.DataFrame({STATE: states})
    for item in ITEM_COLUMNS:
        out[item] = out[STATE].map(rows[item]).astype("Int64")
    out["practical_cooperation"] = out[ITEM_COLUMNS].astype("Float64").mean(axis=1, skipna=True)
    out["items_answered"] = out[ITEM_COLUMNS].notna().sum(axis=1)
    return out


def answered(answer_table: pd.DataFrame) -> pd.DataFrame:
    """The states that answered at least one (d) item: the rows of the answers table worth showing."""
    return answer_table[answer_table[ITEM_COLUMNS].notna().any(axis=1)]


def without_states(answers: pd.DataFrame, states: list[str]) -> pd.DataFrame:
    """The answers without those of `states` (the states left out of a country's EU-level figures)."""
    return answers[~answers[STATE].isin(states)]


def item_summary(answer_table: pd.DataFrame, min_states: int, poor_answer: int) -> pd.DataFrame:
    """Per (d) item: how many states answered, the mean answer, and how many rated it poor.

    An answer at or below `poor_answer` (method setting) is poor. Means and counts are withheld
    when fewer than `min_states` states answered or every answer is the same (disclosure rules
    a and d), so no single state's answer can be read off them.
    """
    records = []
    for item in ITEM_COLUMNS:
        values = answer_table[item].dropna()
        reason = answers_reason(values, min_states)
        records.append({
            "item": item, "states_answering": len(values),
            "mean_answer": None if reason else float(values.mean()),
            "states_poor": None if reason else int((values <= poor_answer).sum()),
            "suppressed": reason,
        })
    frame = pd.DataFrame(records)
    frame["mean_answer"] = frame["mean_answer"].astype("Float64")
    frame["states_poor"] = frame["states_poor"].astype("Int64")
    return frame


def _operations_to(operations: pd.DataFrame, country: str, voluntary: bool) -> pd.DataFrame:
    return operations[(operations["destination"] == country) & (operations["voluntary"] == voluntary)]


def return_operations(operations: pd.DataFrame, country: str, until: int | None = None) -> pd.DataFrame:
    """(d)(iv) public evidence: Frontex-coordinated forced-return operations to `country`, per year
    up to `until` (the edition's data year).

    Frontex itself is no participating state; voluntary (`VRD-`) operations are shown apart.
    """
    if until is not None:
        operations = operations[operations["year"] <= until]
    forced = _operations_to(operations, country, voluntary=False)
    states = forced.loc[forced["participating_state"] != FRONTEX_PARTICIPANT]
    voluntary = _operations_to(operations, country, voluntary=True).groupby("year")
    frame = pd.DataFrame({
        "operations": forced.groupby("year")["operation_id"].nunique(),
        "returnees": forced.groupby("year")["returnees"].sum(),
        "participating_states": states.groupby("year")["participating_state"].nunique(),
        "voluntary_operations": voluntary["operation_id"].nunique(),
        "voluntary_returnees": voluntary["returnees"].sum(),
    }).fillna(0).rename_axis("year").reset_index()
    return frame.astype(dict.fromkeys(OPERATION_COUNTS, int))


OPERATION_COUNTS = ["operations", "returnees", "participating_states", "voluntary_operations",
                    "voluntary_returnees"]


def voluntary_note(table: pd.DataFrame) -> str:
    """What the forced-return figures leave out: the voluntary return operations, counted apart."""
    operations = int(table["voluntary_operations"].sum()) if not table.empty else 0
    returnees = int(table["voluntary_returnees"].sum()) if not table.empty else 0
    return ("Forced-return operations only: voluntary return operations (ids starting 'VRD-') are "
            f"not counted in operations, returnees or participating states; {operations} of them "
            f"({returnees:,} persons) went to this country, shown apart as voluntary return operations and "
            "persons returned voluntarily. Frontex itself is not counted as a participating state.")
