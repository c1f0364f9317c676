"""A country's results as plain files (JSON and tidy CSV) that the summary reads.

Per-Member-State confidential values (readmission statistics, questionnaire answers, state ratings)
live under the "restricted" key of the JSON and rows marked `restricted` in the CSV, so a public
report can leave them out without touching anything else.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .. import __version__
from .assessment import CountryAssessment
from .context import rcms_status
from .cooperation import voluntary_note
from .indicators import total
from ..inputs.loading import AssessmentInputs
from ..base.columns import public_only, split_by_disclosure
from ..base.outputs import is_missing, write_csv, write_json
from .vocabulary import ITEMS, instrument, term

RESULTS_FORMAT = 1


def _records(frame: pd.DataFrame | None) -> list[dict]:
    """A table as JSON-ready rows: Python values, None for every kind of missing (NA, NaN, NaT)."""
    if frame is None:
        return []
    return [{key: None if is_missing(value) else value for key, value in row.items()}
            for row in frame.to_dict("records")]


def provenance(inputs: AssessmentInputs, a: CountryAssessment | None = None) -> dict:
    """What a later reader needs to tell whether a result is current: edition, inputs, method. A
    public page's confidential figures come from the edition's release, never from the files."""
    confidential = inputs.confidential
    used = ({"released": True, "synthetic": bool(a.synthetic_label), "label": a.synthetic_label}
            if a is not None and a.released else
            {"synthetic": confidential.synthetic, "label": confidential.label,
             "files": dict(sorted(confidential.sources.items()))})
    return {
        "edition": inputs.edition.as_dict(),
        "inputs": inputs.public.manifest,
        "confidential_inputs": used,
        "method": inputs.method.raw,
        "readmission_version": __version__,
        "notes": inputs.notes,
    }


PUBLIC_RATE_COLUMNS = public_only([  # the public view of the rates table: a choice, each column public
    "reporting_state", "return_decisions", "return_decisions_flags", "returns", "returns_basis",
    "effective_return_rate", "rate_undefined", "returns_exceed_decisions", "small_numbers"])


def public_results(a: CountryAssessment) -> dict:
    """Public figures in full; confidential ones only as EU-level aggregates and the level."""
    latest_crossings = None
    if a.crossings is not None and not a.crossings.empty:
        row = a.crossings[a.crossings["year"] == a.year]
        latest_crossings = int(row["detections"].sum()) if not row.empty else 0
    return {
        "country": a.country, "name": a.name, "year": a.year,
        "level": a.level.level, "level_counts": a.level.as_dict(),
        **({} if a.released else {"component_scores": a.component_scores}),  # never released (rule 'no scores')
        "assessment": a.judgement,
        "return_decisions": total(a.return_rates["return_decisions"]),
        "states_reporting_decisions": int(a.return_rates["return_decisions"].notna().sum()),
        "eu_return_rate": a.eu_return_rate.as_dict(),
        "eu_acceptance_rate": a.eu_acceptance.as_dict(),
        "eu_issuance_rate": a.eu_issuance.as_dict(),
        "cooperation_items": _records(a.items.assign(item_name=a.items["item"].map(ITEMS))),
        "return_rates_by_state": _records(a.return_rates[PUBLIC_RATE_COLUMNS]),
        "decisions_trend": _records(a.decisions_trend),
        "return_operations": _records(a.operations),
        "return_operations_note": voluntary_note(a.operations),
        "irregular_crossings_in_year": latest_crossings,
        "instruments": _records(a.instruments), "strongest_instrument": a.strongest_instrument,
        "strongest_instrument_name": instrument(a.strongest_instrument),
        "rcms": _records(a.rcms), "rcms_in_place": not a.rcms.empty, "rcms_status": rcms_status(a.rcms),
        "visa_measures": _records(a.measures),
        "synthetic_label": a.synthetic_label, "public_data_synthetic": a.public_synthetic,
        "caveats": list(a.caveats),
        **({"release": a.release_extras} if a.release_extras is not None else {}),
    }


def restricted_results(a: CountryAssessment) -> dict:
    """Per-Member-State confidential values: statistics, answers, state ratings."""
    return {
        "requests_by_state": _records(a.requests),
        "answers_by_state": _records(a.answers),
        "state_ratings": _records(a.state_ratings),
        "indicators_by_state": _records(a.indicators),
        "return_rates_by_state": _records(a.return_rates),
    }


TIDY_INDICATORS = ["return_decisions", "returns", "effective_return_rate", "forced_returns", "rating_return_rate",
                   "readmission_requests_submitted", "readmission_requests_accepted", "acceptance_rate",
                   "issuance_rate", "days_to_travel_document", "practical_cooperation", "score"]
PUBLIC_TIDY, RESTRICTED_TIDY = split_by_disclosure(TIDY_INDICATORS)  # per state, as the column schema classes them


def tidy_rows(a: CountryAssessment) -> pd.DataFrame:
    """Long table: one row per reporting state (or EU+) x indicator, marked public or restricted
    (a public page's has no restricted row: it never had one)."""
    parts = [("public", a.return_rates, PUBLIC_TIDY)]
    if not a.released:
        per_state = a.indicators.merge(a.state_ratings[["reporting_state", "score"]], on="reporting_state")
        parts.append(("restricted", per_state, RESTRICTED_TIDY))
    frames = []
    for audience, per_state, columns in parts:
        long = per_state.melt(id_vars="reporting_state", value_vars=columns, var_name="indicator")
        long["audience"] = audience
        frames.append(long)
    eu = pd.DataFrame([
        {"reporting_state": "EU+", "indicator": "effective_return_rate", "value": a.eu_return_rate.rate, "audience": "public"},
        {"reporting_state": "EU+", "indicator": "acceptance_rate", "value": a.eu_acceptance.rate, "audience": "public"},
        {"reporting_state": "EU+", "indicator": "issuance_rate", "value": a.eu_issuance.rate, "audience": "public"},
    ])
    table = pd.concat(frames + [eu], ignore_index=True)
    table.insert(0, "country", a.country)
    table.insert(1, "year", a.year)
    table.insert(4, "indicator_name", table["indicator"].map(lambda c: term(c).file_header))
    return table.dropna(subset=["value"]).reset_index(drop=True)


def write_results(a: CountryAssessment, inputs: AssessmentInputs, folder: Path,
                  outside_selection: str = "") -> tuple[Path, Path]:
    """Write <CODE>.json and <CODE>.csv into `folder` (atomically); return their paths. A country run
    outside the edition's selection carries the reason in its public results (and so in the listing)."""
    folder = Path(folder)
    json_path, csv_path = folder / f"{a.country}.json", folder / f"{a.country}.csv"
    public = {**public_results(a), "outside_selection": outside_selection}
    restricted = {} if a.released else {"restricted": restricted_results(a)}
    write_json(json_path, {"format": RESULTS_FORMAT, "public": public, **restricted,
                           "provenance": provenance(inputs, a)})
    write_csv(csv_path, tidy_rows(a))
    return json_path, csv_path

