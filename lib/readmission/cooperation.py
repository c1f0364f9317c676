"""Article 25a(2)(d) practical cooperation: questionnaire answers, and public evidence for (iv)."""

from __future__ import annotations

import pandas as pd

from .disclosure import answers_reason
from .indicators import STATE

ITEM_COLUMNS = ["identification", "laissez_passer", "readmission_acceptance", "return_operations"]


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


def item_summary(answer_table: pd.DataFrame, min_states: int) -> pd.DataFrame:
    """Per (d) item: how many states answered, the mean answer, and how many rated it poor (<= 2).

    Means and counts are withheld when fewer than `min_states` states answered or every answer is
    the same (disclosure rules a and d), so no single state's answer can be read off them.
    """
    records = []
    for item in ITEM_COLUMNS:
        values = answer_table[item].dropna()
        reason = answers_reason(values, min_states)
        records.append({
            "item": item, "states_answering": len(values),
            "mean_answer": None if reason else float(values.mean()),
            "states_poor": None if reason else int((values <= 2).sum()),
            "suppressed": reason,
        })
    frame = pd.DataFrame(records)
    frame["mean_answer"] = frame["mean_answer"].astype("Float64")
    frame["states_poor"] = frame["states_poor"].astype("Int64")
    return frame


def return_operations(operations: pd.DataFrame, country: str) -> pd.DataFrame:
    """(d)(iv) public evidence: Frontex-coordinated forced-return operations to `country`, per year."""
    rows = operations[(operations["destination"] == country) & ~operations["voluntary"]]
    grouped = rows.groupby("year")
    frame = pd.DataFrame({
        "operations": grouped["operation_id"].nunique(),
        "returnees": grouped["returnees"].sum(),
        "participating_states": grouped["participating_state"].nunique(),
    }).reset_index()
    return frame.astype({"operations": int, "returnees": int, "participating_states": int})


def return_operations_by_state(operations: pd.DataFrame, country: str, year: int) -> pd.DataFrame:
    """Operations to `country` in `year` by participating state (public Frontex documents)."""
    rows = operations[(operations["destination"] == country) & (operations["year"] == year)
                      & ~operations["voluntary"] & operations["participating_state"].notna()]
    grouped = rows.groupby("participating_state")
    frame = pd.DataFrame({"operations": grouped["operation_id"].nunique(),
                          "returnees": grouped["returnees"].sum()}).reset_index()
    return frame.rename(columns={"participating_state": STATE})
