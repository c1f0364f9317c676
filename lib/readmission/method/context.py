"""Context of the assessment: irregular arrivals, asylum, and the instruments, RCMS and measures."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from ..data.reference import (RCMS_DATE_UNKNOWN, ReferenceTables, instruments_in_force,
                             rcms_launched_by, visa_measures_by)

INSTRUMENT_ORDER = ["eu_agreement", "eu_arrangement", "agreement_clause"]


def irregular_crossings(crossings: pd.DataFrame, country: str) -> pd.DataFrame:
    """Detections of illegal border-crossings by nationals of `country`, per year (Frontex)."""
    rows = crossings[crossings["nationality"] == country]
    return rows.groupby("year", as_index=False)["detections"].sum()


def asylum_applications(asylum: pd.DataFrame, country: str, states: list[str]) -> pd.DataFrame:
    """Asylum applications by nationals of `country` in the reporting states, per year (Eurostat).

    The snapshot has one row per sex (F, M, UNK) and no total; a fetched extract also has sex=T,
    which is then used alone so that nothing is counted twice.
    """
    rows = asylum[(asylum["citizen"] == country) & asylum["geo"].isin(states)]
    if "sex" in rows and (rows["sex"] == "T").any():
        rows = rows[rows["sex"] == "T"]
    grouped = rows.groupby("year")["value"]
    return pd.DataFrame({"asylum_applications": grouped.sum(min_count=1).astype("Int64")}).reset_index()


def instruments(reference: ReferenceTables, country: str, on: dt.date) -> pd.DataFrame:
    """EU readmission instruments with `country` in force on `on` (agreement, arrangement, clause)."""
    rows = instruments_in_force(reference.readmission_instruments, on)
    rows = rows[rows["iso2"] == country]
    return rows[["instrument_type", "instrument", "in_force_from", "in_force_to", "date_uncertain",
                 "status"]].reset_index(drop=True)


def strongest_instrument(instrument_table: pd.DataFrame) -> str:
    """The strongest kind of EU instrument in force: eu_agreement > eu_arrangement > clause > none."""
    kinds = set(instrument_table["instrument_type"])
    return next((kind for kind in INSTRUMENT_ORDER if kind in kinds), "none")


def rcms(reference: ReferenceTables, country: str, on: dt.date) -> pd.DataFrame:
    """Readmission case-management systems in place for `country` by `on` (unknown dates said so)."""
    rows = rcms_launched_by(reference.rcms, on)
    return rows[rows["iso2"] == country][["in_place", "launched", "note", "status"]].reset_index(drop=True)


def rcms_status(rcms_table: pd.DataFrame) -> str:
    """'in place' (a known launch date), 'in place, date unknown', or 'none'."""
    if rcms_table.empty:
        return "none"
    return RCMS_DATE_UNKNOWN if (rcms_table["in_place"] == RCMS_DATE_UNKNOWN).all() else "in place"


def visa_measures(reference: ReferenceTables, country: str, on: dt.date | None = None) -> pd.DataFrame:
    """Article 25a visa measures proposed for `country` (by `on`, when given)."""
    table = reference.visa_measures
    rows = visa_measures_by(table, on) if on else table.assign(decided=table["decision_date"] != "")
    rows = rows[rows["iso2"] == country]
    return rows[["article", "proposal_date", "decision_date", "applies_from", "repealed_date",
                 "decided", "status_text"]].reset_index(drop=True)
