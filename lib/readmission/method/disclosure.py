"""Statistical disclosure control: the rules a figure derived from confidential values must pass
before it is released (RULES: each rule's words and its setting, shown on Methodology; docs/disclosure.md
says where each comes from). A withheld figure reads "suppressed (confidentiality)", never n/a, and
never names the states behind it. The release (release.py) applies them; this module only decides.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .indicators import STATE, AggregateRate

SUPPRESSED = "suppressed (confidentiality)"


@dataclass(frozen=True)
class Rule:
    """One disclosure rule: a short name, the method setting it reads ('' for none), its words."""

    name: str
    setting: str
    words: str


RULES = (
    Rule("minimum contributors", "min_states_for_aggregate",
         "an EU-level figure of confidential values needs at least this many contributing states"),
    Rule("dominance", "dominance_share",
         "(1, k) dominance: no single state contributes more than this share of a figure's numerator "
         "or denominator"),
    Rule("one set of states", "",
         "a country's figures of the same counts are taken over one common set of states, so no two "
         "figures of one release differ by one state"),
    Rule("class disclosure", "",
         "no count or statement puts every contributor, or all but one, in one class (good, average, "
         "poor; poor or not poor; one answer value): such counts are withheld"),
    Rule("small groups", "min_states_for_aggregate",
         "a mean answer of an item is released only with its poor count, both only when this many states "
         "answered and the class rule holds; it is rounded to one decimal"),
    Rule("no scores below the country", "",
         "no score derived from confidential inputs is released below the level of the country (per "
         "state or per rating component): only the country's level and released aggregates"),
    Rule("comparisons", "min_states_for_aggregate",
         "a level under another setting (robustness) is withheld when fewer than this many states' "
         "ratings differ from those of the method's settings"),
    Rule("between releases", "min_states_for_aggregate",
         "a figure released again for the same edition with another value is withheld when fewer than "
         "this many states' contributions changed since a published release, unless a named person's "
         "approval of that figure is recorded with the settings"),
    Rule("withheld figures are silent", "",
         "a withheld figure never lists its contributing states; public totals over countries add "
         "released figures only, so no withheld figure can be rebuilt from them"),
)


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


def class_reason(counts: list[int], what: str) -> str:
    """Rule 'class disclosure': why counts of contributors by class must be withheld ('' if not):
    every contributor, or all but one, falls in one class."""
    total = sum(counts)
    if total and max(counts) >= total - 1:
        return f"all or all but one {what} in one class"
    return ""


def item_reason(values: pd.Series, min_states: int, poor_answer: int) -> str:
    """Rules 'minimum contributors', 'small groups', 'class disclosure' for one (d) item's answers."""
    values = pd.to_numeric(values, errors="coerce").dropna()
    if len(values) < min_states:
        return f"fewer than {min_states} states answered"
    poor = int((values <= poor_answer).sum())
    return (class_reason(list(values.value_counts()), "answers")
            or class_reason([poor, len(values) - poor], "answers (poor or not poor)"))


def comparison_reason(changed: int, min_states: int) -> str:
    """Rules 'comparisons' and 'between releases': a change carried by 1..min-1 states is withheld."""
    if 0 < changed < min_states:
        return f"it differs by fewer than {min_states} states' contributions"
    return ""


def without_contributors(rate: AggregateRate) -> AggregateRate:
    """A withheld rate as released: no counts and no contributing states named."""
    return AggregateRate(None, None, None, [], [], rate.suppressed) if rate.suppressed else rate
