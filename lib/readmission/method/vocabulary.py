"""The report's words, one home: names of countries, instruments, levels, (d) items and indicators.

Every page, chart, listing field, download and selection file takes its labels from here, so a thing
reads the same wherever it appears; a column's label, unit and kind come from the column schema.
"""

from __future__ import annotations

from ..base.codes import country_name as _eurostat_name
from ..base.columns import COLUMNS, ITEMS, as_named
from ..base.columns import ITEMS_SHORT as ITEMS_SHORT  # the (d) items' short names, re-exported
from ..base.columns import Column as Term
from ..base.levels import LEVEL_AVERAGE, LEVEL_POOR, LEVEL_UNKNOWN, LEVEL_WELL

INSTRUMENTS = {"eu_agreement": "EU readmission agreement", "eu_arrangement": "EU readmission arrangement",
               "agreement_clause": "readmission clause", "none": "none"}
LEVEL_KEYS = {LEVEL_WELL: "well", LEVEL_AVERAGE: "average", LEVEL_POOR: "improve", LEVEL_UNKNOWN: "unknown"}
LEVEL_SHORT = {"well": "works well", "average": "average", "improve": "needs improvement",
               "unknown": "not enough information"}
TERMS: dict[str, Term] = COLUMNS  # each column's label, unit and number kind: the column schema's
FLAGS = {"p": "provisional", "e": "estimated", "b": "break in series", "c": "confidential",
         "d": "definition differs", "u": "low reliability"}


# The method's settings as readers see them (params/method.yml keys never reach a page): label, kind.
SETTINGS = {
    "small_numbers": ("Return decisions below which a state's rate is flagged as small numbers", "count"),
    "min_decisions_concerned": ("Return decisions for a state to be concerned, and rated (at least)", "count"),
    "min_states_for_aggregate": ("States contributing to a published EU-level confidential figure (at least)", "count"),
    "dominance_share": ("Largest share of an EU-level figure one state may contribute", "share"),
    "poor_answer": ("Questionnaire answer counted as poor (at or below, on the 1-5 scale)", "count"),
    "near_miss_share": ("Near miss: return decisions at least this share of the threshold", "share"),
    "min_components": ("Rating components a state needs to be rated (at least)", "count"),
    "good_from": ("Score from which cooperation with a state is good", "score"),
    "poor_below": ("Score below which cooperation with a state is poor", "score"),
    "most_share": ("\"Most Member States\": more than this share of the rated states", "share"),
    "min_rated_states": ("Rated states needed for a level (at least)", "count"),
    "improving_rate_change": ("Rise of the EU+ return rate that counts as improving (at least)", "points"),
}


def _setting(key: str) -> tuple[str, str]:
    """(label, kind) of a setting; a dotted key ('rating.good_from') reads as its last part."""
    name = key.split(".")[-1]
    return SETTINGS.get(name, (name.replace("_", " ").capitalize(), ""))


def setting_label(key: str) -> str:
    """A setting's plain words."""
    return _setting(key)[0]


def setting_value(key: str, value) -> str:
    """A setting's value as a reader writes it: shares in %, rate changes in points, scores as 0.60."""
    kind = _setting(key)[1]
    if kind == "share":
        return f"{float(value) * 100:g} %"
    if kind == "points":
        return f"{float(value) * 100:g} percentage points"
    if kind == "score":
        return f"{float(value):.2f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


VALUE_NAMES = {"item": ITEMS, "instrument_type": INSTRUMENTS, "level_key": LEVEL_SHORT}


def term(column: str) -> Term:
    """The Term of a column; an unknown column reads as itself, words spaced."""
    return TERMS.get(column) or as_named(column)


def value_name(column: str, value):
    """A coded value as readers see it ('eu_agreement' in column instrument_type -> its name)."""
    return VALUE_NAMES.get(column, {}).get(value, value)


def country_name(code: str) -> str:
    """A country's name as every page, listing and file writes it (Eurostat code in)."""
    return _eurostat_name(code)


def instrument(key: str) -> str:
    """'eu_agreement' -> 'EU readmission agreement'."""
    return INSTRUMENTS[key]


def level_key(level: str) -> str:
    """A level's one-word key ('well', 'average', 'improve', 'unknown') for grouping and colours."""
    return LEVEL_KEYS[level]


def flag_legend(flags: str) -> str:
    """The meaning of each flag letter present, e.g. 'p provisional; e estimated'."""
    return "; ".join(f"{f} {FLAGS[f]}" for f in FLAGS if f in flags)
