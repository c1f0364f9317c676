"""Statistical disclosure control: which EU-level aggregates of confidential values may be published.

Rules (settings in params/method.yml, described on the methodology page):
(a) at least `min_states_for_aggregate` states contribute;
(b) no single state contributes more than `dominance_share` of the numerator or the denominator;
(c) a country's aggregates of the same counts are taken over one common set of states, so no two
    published figures differ by exactly one state's value;
(d) a mean of questionnaire answers is withheld when all contributing answers are identical.
A withheld figure reads "suppressed (confidentiality)", never n/a.
"""

from __future__ import annotations

import pandas as pd

from .indicators import STATE, AggregateRate

SUPPRESSED = "suppressed (confidentiality)"


def common_states(table: pd.DataFrame, columns: list[str]) -> list[str]:
    """The states that report every one of `columns` (rule c: one set for all of a country's aggregates)."""
    return sorted(table.loc[table[columns].notna().all(axis=1), STATE])


def states_without_decisions(rates: pd.DataFrame) -> list[str]:
    """Reporting states with no return decisions for the data year in the public data (not
    available, not 0): never concerned, so never rated, and left out of the country's confidential
    EU-level figures too, so that every figure of a country covers states the rating could cover."""
    return sorted(rates.loc[rates["return_decisions"].isna(), STATE])


def aggregate_states(table: pd.DataFrame, columns: list[str], rates: pd.DataFrame) -> list[str]:
    """The states a country's confidential aggregates of `columns` are taken over: those reporting
    every column (rule c) that have return decisions for the data year."""
    left_out = set(states_without_decisions(rates))
    return [state for state in common_states(table, columns) if state not in left_out]


def left_out_text(rates: pd.DataFrame, year: int) -> str:
    """The states left out of every EU-level figure and of the rating, and why ('' when none)."""
    states = states_without_decisions(rates)
    return (f"Left out of this country's EU-level figures of confidential inputs and of the rating: "
            f"{', '.join(states)} (no return decisions for {year} in the public data: not available)."
            if states else "")


def dominated(values: pd.Series, dominance_share: float) -> bool:
    """Rule (b): one contribution is more than `dominance_share` of a positive total."""
    values = pd.to_numeric(values, errors="coerce").dropna()
    total = float(values.sum())
    return total > 0 and float(values.max()) > dominance_share * total


def suppression_reason(table: pd.DataFrame, columns: list[str], states: list[str],
                       min_states: int, dominance_share: float) -> str:
    """Why an aggregate of `columns` over `states` must be withheld; '' when it may be published."""
    if len(states) < min_states:
        return f"fewer than {min_states} states contribute"
    rows = table[table[STATE].isin(states)]
    if any(dominated(rows[column], dominance_share) for column in columns):
        return f"one state contributes more than {dominance_share:.0%}"
    return ""


def confidential_rate(table: pd.DataFrame, numerator: str, denominator: str, states: list[str],
                      min_states: int, dominance_share: float) -> AggregateRate:
    """numerator / denominator summed over `states`, or suppressed with its reason (rules a-c)."""
    excluded = sorted(set(table[STATE]) - set(states))
    reason = suppression_reason(table, [numerator, denominator], states, min_states, dominance_share)
    if reason:
        return AggregateRate(None, None, None, sorted(states), excluded, reason)
    rows = table[table[STATE].isin(states)]
    num, den = int(rows[numerator].sum()), int(rows[denominator].sum())
    return AggregateRate(num, den, num / den if den else None, sorted(states), excluded)


def answers_reason(values: pd.Series, min_states: int) -> str:
    """Why a mean of answers must be withheld (rules a and d); '' when it may be published."""
    if len(values) < min_states:
        return f"fewer than {min_states} states answered"
    if values.nunique() == 1:
        return "all answers are identical"
    return ""
