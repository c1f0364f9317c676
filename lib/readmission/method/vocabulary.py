"""The report's words, one home: names of countries, instruments, levels, (d) items and indicators.

Every page, chart, listing field, download and selection file takes its labels from here, so a thing
reads the same wherever it appears.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..base.codes import country_name as _eurostat_name
from ..base.levels import COMPONENT_COLUMNS, LEVEL_AVERAGE, LEVEL_POOR, LEVEL_UNKNOWN, LEVEL_WELL

INSTRUMENTS = {"eu_agreement": "EU readmission agreement", "eu_arrangement": "EU readmission arrangement",
               "agreement_clause": "readmission clause", "none": "none"}
LEVEL_KEYS = {LEVEL_WELL: "well", LEVEL_AVERAGE: "average", LEVEL_POOR: "improve", LEVEL_UNKNOWN: "unknown"}
LEVEL_SHORT = {"well": "works well", "average": "average", "improve": "needs improvement",
               "unknown": "not enough information"}
ITEMS = {"identification": "(i) identification and timely issuance of travel documents",
         "laissez_passer": "(ii) acceptance of the EU laissez-passer",
         "readmission_acceptance": "(iii) acceptance of readmission",
         "return_operations": "(iv) acceptance of return flights and operations"}
ITEMS_SHORT = {"identification": "(i) identification", "laissez_passer": "(ii) EU laissez-passer",
               "readmission_acceptance": "(iii) readmission", "return_operations": "(iv) return operations"}
FLAGS = {"p": "provisional", "e": "estimated", "b": "break in series", "c": "confidential",
         "d": "definition differs", "u": "low reliability"}


@dataclass(frozen=True)
class Term:
    """A column as readers see it: its label, its unit, and how its values are written."""

    label: str
    unit: str = ""
    kind: str = "text"  # count | rate | mean | year | answer (1-5) | text | code

    @property
    def header(self) -> str:
        return f"{self.label} ({self.unit})" if self.unit else self.label

    @property
    def file_header(self) -> str:
        """The name in the downloadable files, whose rates are fractions (0.507 for 50.7 %)."""
        return f"{self.label} (fraction, 1 = 100 %)" if self.kind == "rate" else self.header


def _counts(unit: str, **labels: str) -> dict[str, Term]:
    return {key: Term(label, unit, "count") for key, label in labels.items()}


def _rates(**labels: str) -> dict[str, Term]:
    return {key: Term(label, "%", "rate") for key, label in labels.items()}


TERMS: dict[str, Term] = {
    "year": Term("Year", kind="year"), "country": Term("Code"), "name": Term("Country"),
    "reporting_state": Term("Reporting state"), "level": Term("Cooperation level"),
    "instrument": Term("Strongest EU instrument"), "rcms": Term("RCMS"), "item": Term("Item"),
    "returns_basis": Term("Returns basis"), "setting": Term("Setting"), "value": Term("Value"),
    "which_countries": Term("Which countries"), "suppressed": Term("Withheld because"),
    **_counts("persons", return_decisions="Return decisions", returns="Returns to third countries",
              returnees="Persons returned", voluntary_returnees="Persons returned voluntarily",
              asylum_applications="Asylum applications"),
    **_counts("detections", detections="Irregular border crossings",
              irregular_crossings="Irregular border crossings"),
    **_counts("", countries="Countries", states_reporting_decisions="States reporting decisions",
              states_reporting_returns="States reporting returns", states_answering="States answering",
              states_poor="States answering poor", states_rated="States rated", well="Works well",
              average="Average", improve="Needs improvement", unknown="Not enough information",
              operations="Forced-return operations", participating_states="Participating states",
              voluntary_operations="Voluntary return operations", visa_measures="Visa measures",
              countries_rated_worst="Countries where rated worst",
              countries_changing_level="Countries changing level",
              countries_withheld="Countries withheld",
              readmission_requests_submitted="Requests submitted",
              readmission_requests_accepted="Requests accepted",
              travel_documents_issued="Travel documents issued", forced_returns="Forced returns",
              components_used="Components used", items_answered="Items answered"),
    "days_to_travel_document": Term("Days to travel document", "median days", "count"),
    **_rates(effective_return_rate="Effective return rate", acceptance_rate="Acceptance rate",
             issuance_rate="Issuance rate", share="Share", rating_return_rate="Return rate used"),
    "mean_answer": Term("Mean answer", "1-5", "mean"), "score": Term("Score", "0-1", "mean"),
    "practical_cooperation": Term("Practical cooperation", "1-5", "mean"),
    "rating": Term("Rating"), "article": Term("Article"), "proposal_date": Term("Proposed"),
    "decision_date": Term("Decided"), "applies_from": Term("Applies from"), "repealed_date": Term("Repealed"),
    **{key: Term(label, "1-5", "answer") for key, label in ITEMS_SHORT.items()},
    **{f"score_{key}": Term(f"Score, {key.replace('_', ' ')}", "0-1", "mean") for key in COMPONENT_COLUMNS},
    "instrument_type": Term("Kind"), "in_force_from": Term("In force from"), "in_force_to": Term("In force to"),
    "date_uncertain": Term("Date uncertain"), "status": Term("Status"), "in_place": Term("In place"),
    "launched": Term("Launched"), "note": Term("Note"), "decided": Term("Decided"), "status_text": Term("Status"),
    "returns_exceed_decisions": Term("Returns above decisions"), "small_numbers": Term("Small numbers"),
    "concerned": Term("Concerned"), "iso2": Term("Code"), "file": Term("File", kind="code"), "source": Term("Source"),
    "origin": Term("Origin"), "last_update": Term("Last update"), "rows": Term("Rows", kind="count"),
    "sha256": Term("SHA-256", kind="code"),
    # editions over time (history.py) and the audit trail
    "edition": Term("Edition", kind="year"), "selection": Term("Selection, and why"),
    "eu_return_rate": Term("EU+ effective return rate", "%", "rate"),
    "from": Term("From"), "to": Term("To"), "from_edition": Term("From edition", kind="year"),
    "to_edition": Term("To edition", kind="year"), "states_before": Term("Rated states, before"),
    "states_now": Term("Rated states, now"), "moved_by": Term("Moved by (mean component score, 0-1)"),
    "indicator": Term("Indicator"), "before": Term("Before"), "now": Term("Now"), "change": Term("Change"),
    "dataset": Term("Dataset", kind="code"), "statistic": Term("Statistic"),
    "method_level": Term("Level proposed by the method"), "review": Term("Review"),
    # Article 25a(5)/(8) candidates (restricted site)
    "rating_return_basis": Term("Return rate entering the rating"),
    "basis": Term("Compared over"),
    "assessed_level": Term("Assessed level"), "trend": Term("Level in each edition"),
    "main_obstacles": Term("Main obstacles (lowest mean answer)"), "measures": Term("Article 25a measures"),
    "states_rating_poor": Term("States rating cooperation poor"),
    "share_states_poor": Term("Share of rated states rating it poor", "%", "rate"),
    "share_states_good": Term("Share of rated states rating it good", "%", "rate"),
}
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
    return TERMS.get(column) or Term(column.replace("_", " ").capitalize())


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
