"""Rate each Member State's cooperation with a country, and give the country its overall level."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pandas as pd

from .indicators import STATE
from ..base.levels import COMPONENT_COLUMNS, LEVEL_AVERAGE, LEVEL_POOR, LEVEL_UNKNOWN, LEVEL_WELL
from ..settings.params import Component, Method
from .disclosure import answers_reason

GOOD, AVERAGE, POOR, NOT_RATED = "good", "average", "poor", "not rated"


def component_score(value: float | None, component: Component) -> float | None:
    """0 at `poor`, 1 at `good`, linear between and clipped; None when the value is missing."""
    if value is None or pd.isna(value):
        return None
    score = (float(value) - component.poor) / (component.good - component.poor)
    return min(1.0, max(0.0, score))


def state_rating(score: float | None, method: Method) -> str:
    """good / average / poor from a score, with the method's cut-offs."""
    if score is None:
        return NOT_RATED
    if score >= method.good_from:
        return GOOD
    return POOR if score < method.poor_below else AVERAGE


def rate_state(record: dict, method: Method) -> dict:
    """One state's scores and rating from its indicators (a row of `rate_states`' input)."""
    decisions = record.get("return_decisions")
    concerned = decisions is not None and not pd.isna(decisions) and decisions >= method.min_decisions_concerned
    scores = {name: component_score(record.get(COMPONENT_COLUMNS[name]), comp) for name, comp in method.components.items()}
    present = {n: s for n, s in scores.items() if s is not None}
    total_weight = sum(method.components[n].weight for n in present)
    score = None
    if concerned and len(present) >= method.min_components and total_weight > 0:
        score = sum(method.components[n].weight * s for n, s in present.items()) / total_weight
    row = {STATE: record[STATE], "concerned": bool(concerned), "components_used": len(present),
           "score": score, "rating": state_rating(score, method)}
    row.update({f"score_{n}": s for n, s in scores.items()})
    if "rating_return_basis" in record:  # which return rate entered: forced (confidential) or effective
        row["rating_return_basis"] = record["rating_return_basis"]
    return row


def rate_states(indicators: pd.DataFrame, method: Method) -> pd.DataFrame:
    """Score and rate every concerned state from its indicator columns (one row per state).

    `indicators` has one row per reporting state with `return_decisions` and the columns of
    COMPONENT_COLUMNS. States with fewer decisions than `min_decisions_concerned` are
    not concerned and not rated; missing components are left out of the weighted mean.
    """
    frame = pd.DataFrame([rate_state(record, method) for record in indicators.to_dict("records")])
    frame["score"] = frame["score"].astype("Float64")
    return frame


@dataclass(frozen=True)
class CountryLevel:
    """A country's overall level and the counts behind it, so a reviewer can redo it by hand."""

    level: str
    states_rated: int
    states_good: int
    states_average: int
    states_poor: int
    most_share: float

    def as_dict(self) -> dict:
        return asdict(self)


def country_level(state_ratings: pd.DataFrame, method: Method) -> CountryLevel:
    """Works well / average / needs improvement 'with most Member States' from the state ratings."""
    return level_of(list(state_ratings["rating"]), method)


def level_of(ratings: list[str], method: Method) -> CountryLevel:
    """The country level from its states' ratings (good / average / poor / not rated)."""
    good, average, poor = (ratings.count(k) for k in (GOOD, AVERAGE, POOR))
    rated = good + average + poor
    if rated < method.min_rated_states:
        level = LEVEL_UNKNOWN
    elif good > method.most_share * rated:
        level = LEVEL_WELL
    elif poor > method.most_share * rated:
        level = LEVEL_POOR
    else:
        level = LEVEL_AVERAGE
    return CountryLevel(level, rated, good, average, poor, method.most_share)


def component_summary(state_ratings: pd.DataFrame, min_states: int) -> dict[str, dict]:
    """Per rating component, the mean score (0..1) over the rated states that have it, so an edition
    can say which component moved a level; withheld under the disclosure rules (few or identical)."""
    rated = state_ratings[state_ratings["rating"] != NOT_RATED]
    summary = {}
    for name in COMPONENT_COLUMNS:
        column = f"score_{name}"
        values = rated[column].dropna().astype(float) if column in rated else pd.Series(dtype=float)
        reason = answers_reason(values, min_states)
        # keyed by the component's words, never its per-state column name (this summary is public)
        summary[name.replace("_", " ")] = {"mean_score": None if reason else round(float(values.mean()), 6),
                                           "states": int(len(values)), "suppressed": reason}
    return summary
