"""Which third countries an edition assesses, and the numbers behind each inclusion or exclusion.

A country is selected when its nationals needed a Schengen visa on the edition's reference date and
the reporting states together issued more than the threshold of return decisions to its nationals
in the selection year. Citizens of a reporting state are not third-country nationals: such a
citizenship is listed as a reporting state, never as a visa-free candidate.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from ..data.reference import ReferenceTables, visa_required_on
from ..data.reference import edition_state_codes
from .vocabulary import country_name
from ..settings.params import Edition

REPORTING_STATE = "excluded: reporting state"


class MissingDataError(Exception):
    """The data an edition needs are not in the public-data folder."""


@dataclass(frozen=True)
class Selection:
    """The selected countries and every candidate's numbers, for one edition."""

    edition: Edition
    candidates: pd.DataFrame   # one row per third country with data: totals, visa status, outcome
    reporting_states: list[str]

    @property
    def selected(self) -> pd.DataFrame:
        return self.candidates[self.candidates["selected"]].reset_index(drop=True)

    @property
    def near_misses(self) -> pd.DataFrame:
        c = self.candidates
        return c[c["outcome"] == "near miss"].reset_index(drop=True)

    @property
    def visa_free_excluded(self) -> pd.DataFrame:
        c = self.candidates
        return c[c["outcome"] == "excluded: visa-free"].reset_index(drop=True)

    @property
    def codes(self) -> list[str]:
        return self.selected["country"].tolist()


DATASET_WHAT = {"migr_eiord": "return decisions", "migr_eirtn": "returns to third countries"}


def check_year_available(observations: pd.DataFrame, year: int, dataset: str, why: str) -> None:
    """Stop, naming what is missing and how to get it, when a dataset has no values for `year`."""
    if observations.loc[observations["year"] == year, "value"].notna().any():
        return
    years = sorted(observations["year"].unique().tolist())
    span = f"{years[0]}-{years[-1]}" if years else "none"
    raise MissingDataError(
        f"no {DATASET_WHAT[dataset]} ({dataset}, data/public/eurostat/{dataset}.csv) for {year} in the "
        f"public data (years available: {span}). {why}: run `readmission data fetch` with a network "
        f"to download the current {dataset}, or `readmission data import DIR` with a newer snapshot.")


def check_decisions_year(decisions: pd.DataFrame, year: int, why: str) -> None:
    """Stop when `year` has no return decisions at all (nothing is ever read as 0)."""
    check_year_available(decisions, year, "migr_eiord", why)


def check_edition_supported(edition: Edition, decisions: pd.DataFrame, returns: pd.DataFrame) -> None:
    """The data can support the edition: decisions in the selection and data years, returns in the data year."""
    year = edition.data_year
    check_decisions_year(decisions, edition.selection_year, f"Edition {year} selects on {edition.selection_year}")
    check_decisions_year(decisions, year, f"Edition {year} rates {year}'s return decisions")
    check_year_available(returns, year, "migr_eirtn", f"Edition {year} rates {year}'s returns")


def decisions_by_country(decisions: pd.DataFrame, year: int, states: list[str]) -> pd.DataFrame:
    """Return decisions per citizenship in `year`, summed over `states`; NA counts as not reported."""
    rows = decisions[(decisions["year"] == year) & decisions["geo"].isin(states)]
    grouped = rows.groupby("citizen")["value"]
    return pd.DataFrame({
        "decisions": grouped.sum(min_count=1).astype("Int64"),
        "states_reporting": grouped.count().astype(int),
    }).reset_index().rename(columns={"citizen": "country"})


def classify(totals: pd.DataFrame, visa_codes: set[str], threshold: int, near_miss_share: float,
             states: list[str]) -> pd.DataFrame:
    """Mark each country selected, near miss, below threshold, visa-free, or a reporting state."""
    frame = totals.copy()
    frame["visa_required"] = frame["country"].isin(visa_codes)
    above = frame["decisions"].fillna(0) > threshold
    frame["selected"] = frame["visa_required"] & above
    near = frame["decisions"].fillna(0) >= near_miss_share * threshold
    frame["outcome"] = "below threshold"
    frame.loc[frame["visa_required"] & ~above & near, "outcome"] = "near miss"
    frame.loc[~frame["visa_required"] & above, "outcome"] = "excluded: visa-free"
    frame.loc[~frame["visa_required"] & ~above, "outcome"] = "visa-free"
    frame.loc[frame["selected"], "outcome"] = "selected"
    frame.loc[frame["country"].isin(states), "outcome"] = REPORTING_STATE
    return frame.sort_values(["decisions", "country"], ascending=[False, True],
                             na_position="last").reset_index(drop=True)


def _name(code: str) -> str:
    try:
        return country_name(code)
    except KeyError:
        return ""


def depends_on_state(selection: Selection, decisions: pd.DataFrame, reference: ReferenceTables,
                     near_miss_share: float, state: str) -> dict[str, list[str]]:
    """Which countries' selection depends on `state` being a reporting state: those that would enter
    or leave the selection without it (empty lists when it is not a reporting state)."""
    if state not in selection.reporting_states:
        return {"enter_without": [], "leave_without": []}
    edition = replace(selection.edition, excluded_states=(*selection.edition.excluded_states, state))
    other = set(select_countries(edition, decisions, reference, near_miss_share).codes)
    return {"enter_without": sorted(other - set(selection.codes)),
            "leave_without": sorted(set(selection.codes) - other)}


def select_countries(edition: Edition, decisions: pd.DataFrame, reference: ReferenceTables,
                     near_miss_share: float, country_names: dict[str, str] | None = None) -> Selection:
    """Apply the selection rule of the edition to return decisions by citizenship (migr_eiord).

    `near_miss_share` is the method setting of that name (params/method.yml).
    """
    on = edition.reference_date
    states = edition_state_codes(reference, edition)
    check_decisions_year(decisions, edition.selection_year,
                         f"Edition {edition.data_year} selects on {edition.selection_year}")
    totals = decisions_by_country(decisions, edition.selection_year, states)
    visa = visa_required_on(reference.visa_required, on)
    candidates = classify(totals, set(visa["eurostat_code"]), edition.threshold, near_miss_share, states)
    names = {**dict(zip(visa["eurostat_code"], visa["name"])), **{c: n for c in candidates["country"] if (n := _name(c))},
             **(country_names or {})}  # the vocabulary's name, as on the pages; the visa table's if none
    candidates.insert(1, "name", candidates["country"].map(lambda c: names.get(c) or ""))
    candidates["states_total"] = len(states)
    return Selection(edition, candidates, states)


def outside_reason(selection: Selection, country: str) -> str:
    """Why `country` is outside the edition's selection, with the numbers; '' when it is selected."""
    edition, c = selection.edition, selection.candidates.set_index("country")
    if country in selection.codes:
        return ""
    head = f"{country} is outside the selection of edition {edition.data_year}"
    if country not in c.index:
        return f"{head}: no return decisions to its nationals in {edition.selection_year}"
    row = c.loc[country]
    decisions = "n/a" if pd.isna(row["decisions"]) else f"{int(row['decisions']):,}"
    visa = "needed" if row["visa_required"] else "not needed"
    return (f"{head} ({row['outcome']}): {decisions} return decisions in {edition.selection_year} "
            f"(selected: more than {edition.threshold:,}), and a Schengen visa {visa} on "
            f"{edition.reference_date}")
