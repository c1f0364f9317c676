"""The column schema: every column of the report's tables and files once, with its label, unit,
number kind and disclosure class.

The vocabulary's Terms, the publish gate's confidential columns, the results' public/restricted split
and the confidential files' value columns all follow from COLUMNS. A class says what one reporting
state's value is; an EU-level figure of any column is published only through the disclosure rules.
"""

from __future__ import annotations

from dataclasses import dataclass

from .levels import COMPONENT_COLUMNS

PUBLIC = "public"
CONFIDENTIAL = "confidential per state"  # a Member State's own value, as its confidential file gives it
DERIVED = "derived from confidential per state"  # computed for one state from such a value
CLASSES = (PUBLIC, CONFIDENTIAL, DERIVED)
STATISTICS, QUESTIONNAIRE = "readmission_statistics", "questionnaire"  # the confidential input files
KINDS = ("count", "rate", "mean", "year", "answer", "text", "code")

ITEMS = {"identification": "(i) identification and timely issuance of travel documents",
         "laissez_passer": "(ii) acceptance of the EU laissez-passer",
         "readmission_acceptance": "(iii) acceptance of readmission",
         "return_operations": "(iv) acceptance of return flights and operations"}
ITEMS_SHORT = {"identification": "(i) identification", "laissez_passer": "(ii) EU laissez-passer",
               "readmission_acceptance": "(iii) readmission", "return_operations": "(iv) return operations"}


@dataclass(frozen=True)
class Column:
    """A column: its label, unit and number kind as readers see it, and its disclosure class."""

    label: str
    unit: str = ""
    kind: str = "text"  # count | rate | mean | year | answer (1-5) | text | code
    disclosure: str = PUBLIC
    input_file: str = ""  # the confidential input file whose values it holds
    telltale: bool = False  # only per-state tables name it: a public output showing its name shows one

    @property
    def header(self) -> str:
        return f"{self.label} ({self.unit})" if self.unit else self.label

    @property
    def file_header(self) -> str:
        """The name in the downloadable files, whose rates are fractions (0.507 for 50.7 %)."""
        return f"{self.label} (fraction, 1 = 100 %)" if self.kind == "rate" else self.header

    @property
    def confidential(self) -> bool:
        """One state's value may not be published: it is confidential, or derived from such a value."""
        return self.disclosure != PUBLIC


def as_named(column: str, disclosure: str = PUBLIC) -> Column:
    """A column no page labels: it reads as its own name, words spaced."""
    return Column(column.replace("_", " ").capitalize(), disclosure=disclosure)


def _counts(unit: str, **labels: str) -> dict[str, Column]:
    return {key: Column(label, unit, "count") for key, label in labels.items()}


def _rates(**labels: str) -> dict[str, Column]:
    return {key: Column(label, "%", "rate") for key, label in labels.items()}


def _statistic(label: str, unit: str = "", telltale: bool = False) -> Column:
    return Column(label, unit, "count", CONFIDENTIAL, STATISTICS, telltale)


def _derived(label: str, unit: str = "", kind: str = "text", telltale: bool = False) -> Column:
    return Column(label, unit, kind, DERIVED, telltale=telltale)


PER_STATE: dict[str, Column] = {  # what the assessment's per-state tables and the loaded inputs hold
    "reporting_state": Column("Reporting state"), "country": Column("Code"), "year": Column("Year", kind="year"),
    **_counts("persons", return_decisions="Return decisions", returns="Returns to third countries"),
    "effective_return_rate": Column("Effective return rate", "%", "rate"), "returns_basis": Column("Returns basis"),
    "returns_exceed_decisions": Column("Returns above decisions"), "small_numbers": Column("Small numbers"),
    "concerned": Column("Concerned"),
    **{c: as_named(c) for c in ("return_decisions_flags", "return_decisions_row", "returns_flags", "returns_row",
                                "rate_undefined", "source_file", "source_row")},
    # a Member State's confidential inputs, in its files' order
    "readmission_requests_submitted": _statistic("Requests submitted", telltale=True),
    "readmission_requests_accepted": _statistic("Requests accepted", telltale=True),
    "travel_documents_issued": _statistic("Travel documents issued", telltale=True),
    "forced_returns": _statistic("Forced returns"),
    "days_to_travel_document": _statistic("Days to travel document", "median days", telltale=True),
    **{key: Column(label, "1-5", "answer", CONFIDENTIAL, QUESTIONNAIRE) for key, label in ITEMS_SHORT.items()},
    "comment": as_named("comment", CONFIDENTIAL),
    # computed for one state from them
    "forced_return_rate": Column("Forced return rate", disclosure=DERIVED, telltale=True),
    "rating_return_rate": _derived("Return rate used", "%", "rate", telltale=True),
    "rating_return_basis": _derived("Return rate entering the rating"),
    "acceptance_rate": _derived("Acceptance rate", "%", "rate"), "issuance_rate": _derived("Issuance rate", "%", "rate"),
    "accepted_exceed_submitted": as_named("accepted_exceed_submitted", DERIVED),
    "practical_cooperation": _derived("Practical cooperation", "1-5", "mean"),
    "items_answered": _derived("Items answered", kind="count"),
    "components_used": _derived("Components used", kind="count"),
    "score": _derived("Score", "0-1", "mean"), "rating": _derived("Rating"),
    **{f"score_{key}": _derived(f"Score, {key.replace('_', ' ')}", "0-1", "mean") for key in COMPONENT_COLUMNS},
}

COLUMNS: dict[str, Column] = {
    **PER_STATE,
    "name": Column("Country"), "level": Column("Cooperation level"),
    "instrument": Column("Strongest EU instrument"), "rcms": Column("RCMS"), "item": Column("Item"),
    "setting": Column("Setting"), "value": Column("Value"),
    "which_countries": Column("Which countries"), "suppressed": Column("Withheld because"),
    **_counts("persons", returnees="Persons returned", voluntary_returnees="Persons returned voluntarily",
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
              countries_withheld="Countries withheld"),
    **_rates(share="Share"),
    "mean_answer": Column("Mean answer", "1-5", "mean"),
    "article": Column("Article"), "proposal_date": Column("Proposed"),
    "decision_date": Column("Decided"), "applies_from": Column("Applies from"), "repealed_date": Column("Repealed"),
    "instrument_type": Column("Kind"), "in_force_from": Column("In force from"),
    "in_force_to": Column("In force to"), "date_uncertain": Column("Date uncertain"), "status": Column("Status"),
    "in_place": Column("In place"), "launched": Column("Launched"), "note": Column("Note"),
    "decided": Column("Decided"), "status_text": Column("Status"),
    "iso2": Column("Code"), "file": Column("File", kind="code"), "source": Column("Source"),
    "origin": Column("Origin"), "last_update": Column("Last update"), "rows": Column("Rows", kind="count"),
    "sha256": Column("SHA-256", kind="code"),
    # editions over time (history.py) and the audit trail
    "edition": Column("Edition", kind="year"), "selection": Column("Selection, and why"),
    "eu_return_rate": Column("EU+ effective return rate", "%", "rate"),
    "from": Column("From"), "to": Column("To"), "from_edition": Column("From edition", kind="year"),
    "to_edition": Column("To edition", kind="year"), "states_before": Column("Rated states, before"),
    "states_now": Column("Rated states, now"), "moved_by": Column("Moved by (mean component score, 0-1)"),
    "indicator": Column("Indicator"), "before": Column("Before"), "now": Column("Now"), "change": Column("Change"),
    "dataset": Column("Dataset", kind="code"), "statistic": Column("Statistic"),
    "method_level": Column("Level proposed by the method"), "review": Column("Review"),
    # Article 25a(5)/(8) candidates (restricted site)
    "basis": Column("Compared over"),
    "assessed_level": Column("Assessed level"), "trend": Column("Level in each edition"),
    "main_obstacles": Column("Main obstacles (lowest mean answer)"), "measures": Column("Article 25a measures"),
    "states_rating_poor": Column("States rating cooperation poor"),
    "share_states_poor": Column("Share of rated states rating it poor", "%", "rate"),
    "share_states_good": Column("Share of rated states rating it good", "%", "rate"),
}


def confidential_columns() -> frozenset[str]:
    """Every column whose value for one reporting state may not be published."""
    return frozenset(name for name, column in COLUMNS.items() if column.confidential)


def telltale_columns() -> frozenset[str]:
    """The columns only a per-state table names: a public output showing one of them shows such a table."""
    return frozenset(name for name, column in COLUMNS.items() if column.telltale)


def input_columns(file: str) -> list[str]:
    """The value columns of one confidential input file, in its order."""
    return [name for name, column in COLUMNS.items() if column.input_file == file]


def public_only(columns: list[str]) -> list[str]:
    """`columns`, each checked to be in the schema and public (a public view lists only such)."""
    wrong = [c for c in columns if c not in COLUMNS or COLUMNS[c].confidential]
    if wrong:
        raise ValueError(f"not public columns of the schema: {', '.join(wrong)}")
    return columns


def split_by_disclosure(columns: list[str]) -> tuple[list[str], list[str]]:
    """(public, confidential) columns of `columns`, each in its order."""
    return ([c for c in columns if not COLUMNS[c].confidential],
            [c for c in columns if COLUMNS[c].confidential])
