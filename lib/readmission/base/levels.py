"""The cooperation levels a country can be given, and the rating's components: names only.

Kept apart from rating.py (which needs pandas) so that what only labels results, such as the
workers that write each country's page, starts without importing pandas.
"""

from __future__ import annotations

LEVEL_WELL = "works well with most Member States"
LEVEL_AVERAGE = "average, improvements needed with a number of Member States"
LEVEL_POOR = "needs to be improved with most Member States"
LEVEL_UNKNOWN = "not enough information"
LEVELS = [LEVEL_WELL, LEVEL_AVERAGE, LEVEL_POOR, LEVEL_UNKNOWN]
COMPONENT_COLUMNS = {  # rating component -> indicator column it scores
    "return_rate": "rating_return_rate",   # forced-return rate where given, else effective return rate
    "acceptance_rate": "acceptance_rate",
    "issuance_rate": "issuance_rate",
    "practical_cooperation": "practical_cooperation",
}


def final_level(public: dict) -> str:
    """A country's final level: the analyst's assessed level where one is recorded, else the method's.
    Every count, listing, key figure, history and candidate list uses it (issue 25)."""
    return (public.get("assessment") or {}).get("assessed_level") or public["level"]


def level_with_method(public: dict) -> str:
    """The final level, followed by the method's where the two differ."""
    final = final_level(public)
    return final if final == public["level"] else f"{final} (the method proposed: {public['level']})"
