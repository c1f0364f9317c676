"""An edition's release: the only figures derived from confidential inputs that the public side holds.

The restricted phase assesses every country in full (assessment.assess_country); this step turns
each full assessment into released figures, every one passed through the disclosure rules
(disclosure.RULES) and compared with the releases published before (release_log.py). The public
country notebooks and the public summary read the release and the public data only: their kernels
never hold a Member State's confidential row, so no tag, message, chart or variable can carry one.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from . import cooperation
from .assessment import CountryAssessment
from .sections import REQUEST_COUNTS
from .disclosure import (class_reason, comparison_reason, item_reason, states_without_decisions,
                         without_contributors)
from .indicators import STATE, AggregateRate
from ..base.outputs import is_missing
from ..settings.params import Method
from .rating import NOT_RATED, CountryLevel, level_of, rate_state

RELEASE_FORMAT = 1
KEPT_WHEN_WITHHELD = frozenset({"item", "states_answering", "setting", "value", "states_rated", "most_share"})


@dataclass(frozen=True)
class Figure:
    """One released figure: what the public may see, and each contributing state's fingerprint
    (kept in the restricted release log only, to compare releases)."""

    value: dict
    contributors: dict[str, str]
    withheld: str = ""


def fingerprint(*values) -> str:
    """A short digest of one state's contribution (restricted: the log compares releases with it)."""
    plain = [None if is_missing(v) else (float(v) if isinstance(v, (int, float)) else str(v)) for v in values]
    return hashlib.sha256(json.dumps(plain).encode()).hexdigest()[:16]


def withheld_value(value: dict, reason: str) -> dict:
    """A figure as released when withheld: its identity kept, every number and state list emptied."""
    blank = {key: (v if key in KEPT_WHEN_WITHHELD else [] if isinstance(v, list) else None)
             for key, v in value.items()}
    return {**blank, "suppressed": reason}


def withhold(figure: Figure, reason: str) -> Figure:
    return replace(figure, value=withheld_value(figure.value, reason), withheld=reason)


def rate_figure(rate: AggregateRate, requests: pd.DataFrame, columns: list[str]) -> Figure:
    """An EU-level rate of the readmission statistics; a withheld one names no state."""
    rows = requests[requests[STATE].isin(rate.states_included)]
    contributors = {r[STATE]: fingerprint(*(r[c] for c in columns)) for r in rows.to_dict("records")}
    return Figure(without_contributors(rate).as_dict(), contributors, rate.suppressed)


def item_figures(answered: pd.DataFrame, method: Method) -> dict[str, Figure]:
    """Per (d) item: answers counted, the mean (one decimal) and the poor count, or withheld."""
    figures = {}
    for item in cooperation.ITEM_COLUMNS:
        rows = answered[[STATE, item]].dropna()
        values = rows[item].astype(float)
        reason = item_reason(values, method.min_states_for_aggregate, method.poor_answer)
        value = {"item": item, "states_answering": len(values),
                 "mean_answer": None if reason else round(float(values.mean()), 1),
                 "states_poor": None if reason else int((values <= method.poor_answer).sum()),
                 "suppressed": reason}
        figures[f"item:{item}"] = Figure(value, {s: fingerprint(v) for s, v in zip(rows[STATE], values)}, reason)
    return figures


def level_figure(level: CountryLevel, ratings: pd.DataFrame) -> Figure:
    """How many rated states are good, average and poor, or only how many were rated (class rule)."""
    counts = [level.states_good, level.states_average, level.states_poor]
    reason = class_reason(counts, "rated states")
    value = {"states_rated": level.states_rated, "states_good": level.states_good,
             "states_average": level.states_average, "states_poor": level.states_poor,
             "most_share": level.most_share}
    rated = ratings[ratings["rating"] != NOT_RATED]
    contributors = {s: fingerprint(r) for s, r in zip(rated[STATE], rated["rating"])}
    figure = Figure({**value, "suppressed": ""}, contributors)
    return withhold(figure, reason) if reason else figure


def robustness_figures(indicators: pd.DataFrame, method: Method, variants: dict) -> dict[str, Figure]:
    """The level under each robustness setting, withheld when fewer than the minimum of states'
    ratings differ from the method's (otherwise it would tell those states' ratings)."""
    records = indicators.to_dict("records")
    base = {r[STATE]: rate_state(r, method)["rating"] for r in records}
    figures = {}
    for (setting, number), variant in variants.items():
        ratings = {r[STATE]: rate_state(r, variant)["rating"] for r in records}
        reason = comparison_reason(sum(ratings[s] != base[s] for s in base), method.min_states_for_aggregate)
        value = {"setting": setting, "value": number, "suppressed": reason,
                 "level": None if reason else level_of(list(ratings.values()), variant).level}
        contributors = {s: fingerprint(r) for s, r in ratings.items() if r != NOT_RATED or base[s] != NOT_RATED}
        figures[f"robustness:{setting}={number}"] = Figure(value, contributors, reason)
    return figures


def method_variants(method: Method) -> dict[tuple[str, float], Method]:
    """Every robustness setting's values as methods (parsed once per release, not per country)."""
    return {(s, v): method.with_setting(s, v) for s, values in method.robustness.items() for v in values}


def country_figures(a: CountryAssessment, method: Method, variants: dict) -> dict[str, Figure]:
    """Every figure of one country that the release may carry, each with its contributors."""
    submitted, accepted, issued = REQUEST_COUNTS
    answered = cooperation.without_states(a.answers, states_without_decisions(a.return_rates))
    return {"acceptance": rate_figure(a.eu_acceptance, a.requests, [submitted, accepted]),
            "issuance": rate_figure(a.eu_issuance, a.requests, [submitted, issued]),
            "level_counts": level_figure(a.level, a.state_ratings),
            **item_figures(answered, method),
            **robustness_figures(a.indicators, method, variants)}


def country_entry(level: str, figures: dict[str, Figure]) -> dict:
    """One country's part of the public release, from its figures (after every rule)."""
    return {"level": level, "level_counts": figures["level_counts"].value,
            "acceptance": figures["acceptance"].value, "issuance": figures["issuance"].value,
            "items": [f.value for key, f in figures.items() if key.startswith("item:")],
            "robustness": [f.value for key, f in figures.items() if key.startswith("robustness:")]}


def public_release(year: int, synthetic: bool, label: str, method: Method, entries: dict[str, dict]) -> dict:
    """The release file the public side reads: per country, its released figures."""
    return {"format": RELEASE_FORMAT, "edition": year, "synthetic": synthetic, "synthetic_label": label,
            "rules": {"min_states_for_aggregate": method.min_states_for_aggregate,
                      "dominance_share": method.dominance_share, "poor_answer": method.poor_answer},
            "countries": dict(sorted(entries.items()))}


@dataclass(frozen=True)
class Released:
    """One country's figures as the release gives them: what a public page shows of (c), (d) and the level."""

    acceptance: AggregateRate
    issuance: AggregateRate
    items: pd.DataFrame                 # the (d) items' summary (means to one decimal, class rule applied)
    level: CountryLevel                 # counts None where withheld by the class rule
    robustness: list[dict]
    synthetic_label: str                # the release's mark: built on synthetic confidential inputs


def released_figures(entry: dict, synthetic_label: str) -> Released:
    """A country's release entry back as the values a page shows."""
    return Released(released_rate(entry["acceptance"]), released_rate(entry["issuance"]), released_items(entry),
                    released_level(entry), entry["robustness"], synthetic_label)


def read_country(path: Path, country: str) -> Released:
    """One country's released figures, with the release's synthetic mark (what a public page reads)."""
    release = json.loads(Path(path).read_text(encoding="utf-8"))
    return released_figures(release["countries"][country], release["synthetic_label"])


def released_rate(value: dict) -> AggregateRate:
    """A released rate back as the AggregateRate the page shows."""
    return AggregateRate(value["numerator"], value["denominator"], value["rate"], value["states_included"],
                         value["states_excluded"], value["suppressed"])


def released_level(entry: dict) -> CountryLevel:
    """The country's level with the counts the release gives (None where withheld by the class rule)."""
    counts = entry["level_counts"]
    return CountryLevel(entry["level"], counts["states_rated"], counts["states_good"], counts["states_average"],
                        counts["states_poor"], counts["most_share"])


def released_items(entry: dict) -> pd.DataFrame:
    """The (d) items' released summary, as the page's table shows it."""
    frame = pd.DataFrame(entry["items"], columns=["item", "states_answering", "mean_answer", "states_poor",
                                                  "suppressed"])
    frame["mean_answer"] = frame["mean_answer"].astype("Float64")
    frame["states_poor"] = frame["states_poor"].astype("Int64")
    return frame
