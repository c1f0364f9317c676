"""Article 25a(5) and (8) candidates, for the restricted report only.

(5): countries whose assessed level is "needs to be improved with most Member States"; (8): those
where cooperation "works well with most Member States" and is improving. One row of evidence each,
ordered by the rule written in params/method.yml (`candidates`), never by a hidden score. This
module is used only to build the restricted site: no public page names a candidate.
"""

from __future__ import annotations

import pandas as pd

from .history import EditionRecord, common_rate_change, mean_answer
from ..base.levels import LEVEL_POOR, LEVEL_WELL, LEVELS, final_level
from .vocabulary import ITEMS_SHORT, LEVEL_SHORT, instrument, level_key

EVIDENCE_COLUMNS = ["country", "name", "assessed_level", "return_decisions", "eu_return_rate",
                    "acceptance_rate", "issuance_rate", "mean_answer", "trend", "main_obstacles",
                    "instrument", "rcms", "measures", "states_rating_poor", "share_states_poor",
                    "share_states_good"]


def _rate(public: dict, key: str) -> float | None:
    return (public.get(key) or {}).get("rate")


def main_obstacles(public: dict) -> str:
    """The (d) items with the lowest published mean answer."""
    items = [i for i in public.get("cooperation_items", []) if i.get("mean_answer") is not None]
    if not items:
        return "n/a"
    lowest = min(i["mean_answer"] for i in items)
    return "; ".join(ITEMS_SHORT.get(i["item"], i["item"]) for i in items if i["mean_answer"] == lowest)


def trend(history: list[EditionRecord], country: str) -> str:
    """The country's level in each edition, in the report's short words:
    '2015: needs improvement → 2016: average'."""
    short = lambda level: LEVEL_SHORT[level_key(level)] if level in LEVELS else level  # noqa: E731
    return " → ".join(f"{r.year}: {short(r.level(country))}" for r in history) or "first edition"


def evidence(public: dict, history: list[EditionRecord]) -> dict:
    """One candidate's row: indicators (a)-(d) at EU level, trend, obstacles, instruments, measures, states."""
    counts = public["level_counts"]
    rated = counts.get("states_rated") or 0
    return {"country": public["country"], "name": public["name"], "assessed_level": final_level(public),
            "return_decisions": public.get("return_decisions"),
            "eu_return_rate": _rate(public, "eu_return_rate"),
            "acceptance_rate": _rate(public, "eu_acceptance_rate"),
            "issuance_rate": _rate(public, "eu_issuance_rate"), "mean_answer": mean_answer(public),
            "trend": trend(history, public["country"]), "main_obstacles": main_obstacles(public),
            "instrument": instrument(public["strongest_instrument"]) if public.get("strongest_instrument") else None,
            "rcms": public.get("rcms_status") or ("in place" if public.get("rcms_in_place") else "none"),
            "measures": "; ".join(f"{m.get('article')} proposed {m.get('proposal_date')}"
                                       + (f", decided {m['decision_date']}" if m.get("decision_date") else "")
                                       for m in public.get("visa_measures", [])) or "none",
            "states_rating_poor": f"{counts.get('states_poor', 0)} of {rated}",
            "share_states_poor": counts.get("states_poor", 0) / rated if rated else None,
            "share_states_good": counts.get("states_good", 0) / rated if rated else None}


def improving(public: dict, previous: EditionRecord | None, rate_change: float) -> bool:
    """A better level than in the previous edition, or an EU+ return rate up by at least `rate_change`."""
    before = previous.results.get(public["country"]) if previous else None
    if before is None:
        return False
    ranked = LEVELS[:3]
    now, then = final_level(public), final_level(before)
    if now in ranked and then in ranked and ranked.index(now) < ranked.index(then):
        return True
    a, b, _ = common_rate_change(before, public)  # over the states reporting in both editions
    return a is not None and b is not None and b - a >= rate_change


def ordered(rows: list[dict], order: list[str]) -> pd.DataFrame:
    """Rows sorted by the settings' rule: each entry 'field asc' or 'field desc', then by country code."""
    frame = pd.DataFrame(rows, columns=EVIDENCE_COLUMNS)
    if frame.empty:
        return frame
    fields = [o.split()[0] for o in order] + ["country"]
    ascending = [o.split()[1] == "asc" for o in order] + [True]
    return frame.sort_values(fields, ascending=ascending, na_position="last").reset_index(drop=True)


def candidates(current: EditionRecord, history: list[EditionRecord], settings: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(Article 25a(5) candidates, Article 25a(8) candidates) of the edition, each ordered by its rule."""
    previous = next((r for r in reversed(history) if r.year < current.year), None)
    restrictive, favourable = [], []
    for public in current.results.values():
        level = final_level(public)
        if level == LEVEL_POOR:
            restrictive.append(evidence(public, history))
        elif level == LEVEL_WELL and improving(public, previous, settings["improving_rate_change"]):
            favourable.append(evidence(public, history))
    return ordered(restrictive, settings["restrictive_order"]), ordered(favourable, settings["favourable_order"])
