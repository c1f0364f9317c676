"""Article 25a(2) indicators (a)-(c) for one country and year, as pure functions of tidy frames.

Edge cases are explicit: a rate with zero decisions is undefined (NA), missing is never zero, returns
above decisions are kept and flagged, and the EU+ rate uses only states that report both series.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pandas as pd

STATE = "reporting_state"


def _by_state_in(frame: pd.DataFrame, countries: list[str], years: list[int], states: list[str],
                 name: str) -> pd.DataFrame:
    """One row per country x year x reporting state (in the orders given; a `citizen` column) for the
    citizens of `countries`; absent rows are NA. The one recipe behind every per-state figure."""
    rows = frame[frame["citizen"].isin(countries)]  # the countries' few rows first
    rows = rows[rows["year"].isin(years) & rows["geo"].isin(states)]
    found = pd.MultiIndex.from_arrays([rows["citizen"].astype(object), rows["year"].astype(int),
                                       rows["geo"].astype(object)])
    grid = pd.MultiIndex.from_product([list(countries), list(years), list(states)], names=["citizen", "year", STATE])
    out = grid.to_frame(index=False)
    out[name] = pd.Series(rows["value"].to_numpy(), index=found).reindex(grid).to_numpy()
    out[name] = out[name].astype("Int64")
    present = grid.isin(found)
    flags = pd.Series(rows["flags"].astype(object).to_numpy(), index=found).reindex(grid).to_numpy()
    out[f"{name}_flags"] = [str(f) if here else "" for f, here in zip(flags, present)]
    out[f"{name}_row"] = present
    return out


def _by_state_in_years(frame: pd.DataFrame, country: str, years: list[int], states: list[str],
                       name: str) -> pd.DataFrame:
    """One row per year x reporting state for citizens of `country` (a `year` column)."""
    return _by_state_in(frame, [country], years, states, name).drop(columns="citizen")


def _one_year(table: pd.DataFrame) -> pd.DataFrame:
    return table.drop(columns="year").reset_index(drop=True)


def return_decisions(decisions: pd.DataFrame, country: str, year: int, states: list[str]) -> pd.DataFrame:
    """(a) Return decisions issued to nationals of `country` in `year`, per reporting state."""
    return _one_year(decisions_in_years(decisions, country, [year], states))


def decisions_in_years(decisions: pd.DataFrame, country: str, years: list[int], states: list[str]) -> pd.DataFrame:
    """(a) per reporting state, for each of `years` (a `year` column): what the trend sums."""
    return _by_state_in_years(decisions, country, years, states, "return_decisions")


def total(values: pd.Series) -> int | None:
    """The sum over states; None (n/a) when no state has a value, never 0."""
    summed = values.sum(min_count=1)
    return None if pd.isna(summed) else int(summed)


def series_years(*frames: pd.DataFrame, until: int | None = None) -> list[int]:
    """Every year from the first to the last of any of the series (gaps included), up to `until`
    (an edition's data year: an edition shows the world as of that year)."""
    years = [int(y) for frame in frames for y in frame["year"].unique() if until is None or int(y) <= until]
    return list(range(min(years), max(years) + 1)) if years else []


def state_flags(by_state: pd.DataFrame, name: str) -> str:
    """The flags behind a sum over states, as 'UK: p; FR: e' ('' when no value is flagged)."""
    return "; ".join(f"{state}: {flags}" for state, flags in zip(by_state[STATE], by_state[f"{name}_flags"]) if flags)


def series_trend(by_state_and_year: pd.DataFrame, name: str) -> pd.DataFrame:
    """Per year: `name` summed over the states of the per-state table (`*_in_years`), its flags,
    and the states reporting (those with a value there: the same states the EU+ figures use)."""
    rows = [{"year": int(year), name: total(table[name]), f"{name}_flags": state_flags(table, name),
             "states_reporting": int(table[name].notna().sum())}
            for year, table in by_state_and_year.groupby("year", sort=True)]
    frame = pd.DataFrame(rows, columns=["year", name, f"{name}_flags", "states_reporting"])
    return frame.astype({name: "Int64", "states_reporting": int})


def returns_carried_out(returns: pd.DataFrame, country: str, year: int, states: list[str],
                        absent_returns: str = "zero_if_state_reports") -> pd.DataFrame:
    """(b) numerator: returns of `country`'s nationals to third countries, per reporting state.

    The offline migr_eirtn copy dropped zero rows; with `zero_if_state_reports`, an absent row is
    read as 0 when the state reported returns for some citizenship that year, and as NA otherwise.
    """
    return _one_year(returns_in_years(returns, country, [year], states, absent_returns))


def returns_in_years(returns: pd.DataFrame, country: str, years: list[int], states: list[str],
                     absent_returns: str = "zero_if_state_reports") -> pd.DataFrame:
    """(b) numerator per reporting state, for each of `years` (a `year` column), under the same rule."""
    return _returns_in(returns, [country], years, states, absent_returns).drop(columns="citizen")


def _returns_in(returns: pd.DataFrame, countries: list[str], years: list[int], states: list[str],
                absent_returns: str) -> pd.DataFrame:
    out = _by_state_in(returns, countries, years, states, "returns")
    out["returns_basis"] = out["returns_row"].map({True: "reported", False: "not reported"})
    if absent_returns == "zero_if_state_reports":
        reporting = states_reporting_returns(returns[returns["year"].isin(years)])
        absent = ~out["returns_row"] & pd.Series([key in reporting for key in zip(out["year"], out[STATE])],
                                                 index=out.index)
        out.loc[absent, "returns"] = 0
        out.loc[absent, "returns_basis"] = "absent row read as 0"
    return out


def states_reporting_returns(returns: pd.DataFrame) -> set[tuple[int, str]]:
    """(year, state) pairs where the state reported returns for some citizenship: the absent-row rule's test."""
    reported = returns.loc[returns["value"].notna(), ["year", "geo"]].drop_duplicates()
    return set(zip(reported["year"].astype(int), reported["geo"].astype(object)))


def rate(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """numerator / denominator as floats; NA where either is NA or the denominator is 0."""
    num = pd.to_numeric(numerator, errors="coerce").astype("Float64")
    den = pd.to_numeric(denominator, errors="coerce").astype("Float64")
    result = num / den.where(den != 0)
    return result.astype("Float64")


def effective_return_rate(decisions_by_state: pd.DataFrame, returns_by_state: pd.DataFrame,
                          small_numbers: int) -> pd.DataFrame:
    """(b) Returns to third countries as a share of return decisions, per state, with its flags
    (per country and state when both tables have a `citizen` column)."""
    keys = ["citizen", STATE] if "citizen" in decisions_by_state else STATE
    table = decisions_by_state.merge(returns_by_state, on=keys, how="outer")
    table["effective_return_rate"] = rate(table["returns"], table["return_decisions"])
    table["rate_undefined"] = table["effective_return_rate"].isna()
    table["returns_exceed_decisions"] = (table["returns"] > table["return_decisions"]).fillna(False).astype(bool)
    table["small_numbers"] = (table["return_decisions"] < small_numbers).fillna(False).astype(bool)
    return table


def state_return_rates(decisions: pd.DataFrame, returns: pd.DataFrame, country: str, year: int,
                       states: list[str], absent_returns: str, small_numbers: int) -> pd.DataFrame:
    """(a) and (b) per reporting state from the public series: one recipe for pages and the demo set."""
    return countries_return_rates(decisions, returns, [country], year, states, absent_returns,
                                  small_numbers).drop(columns="citizen")


def countries_return_rates(decisions: pd.DataFrame, returns: pd.DataFrame, countries: list[str], year: int,
                           states: list[str], absent_returns: str, small_numbers: int) -> pd.DataFrame:
    """`state_return_rates` of many countries in one pass (a `citizen` column, countries in the order
    given, states as for one country): the demo set's base, without a pandas round per country."""
    table = effective_return_rate(
        _by_state_in(decisions, countries, [year], states, "return_decisions").drop(columns="year"),
        _returns_in(returns, countries, [year], states, absent_returns).drop(columns="year"), small_numbers)
    order = {country: i for i, country in enumerate(countries)}
    return table.sort_values("citizen", key=lambda c: c.map(order), kind="stable").reset_index(drop=True)


def forced_return_rate(rates: pd.DataFrame, forced_returns: pd.DataFrame) -> pd.DataFrame:
    """(b) as the Visa Code words it: forced returns (confidential) over return decisions.

    Adds `forced_returns` and `forced_return_rate`, and `rating_return_rate`: the forced-return
    rate where a state gave one, else the public effective return rate; `rating_return_basis` says which.
    """
    table = rates.copy()
    forced = forced_returns.set_index(STATE)["forced_returns"] if not forced_returns.empty else pd.Series(dtype="Int64")
    table["forced_returns"] = table[STATE].map(forced).astype("Int64")
    table["forced_return_rate"] = rate(table["forced_returns"], table["return_decisions"])
    use_forced = table["forced_return_rate"].notna()
    table["rating_return_rate"] = table["forced_return_rate"].where(use_forced, table["effective_return_rate"])
    table["rating_return_basis"] = use_forced.map({True: "forced returns (confidential)",
                                                   False: "returns to third countries (Eurostat)"})
    return table


@dataclass(frozen=True)
class AggregateRate:
    """A rate summed over the states that report both parts, naming those included and left out."""

    numerator: int | None
    denominator: int | None
    rate: float | None
    states_included: list[str]
    states_excluded: list[str]
    suppressed: str = ""  # why the figure is withheld (disclosure control); "" when published

    def as_dict(self) -> dict:
        return asdict(self)


def aggregate_rate(table: pd.DataFrame, numerator: str, denominator: str,
                   min_states: int = 1) -> AggregateRate:
    """Sum numerator and denominator over states reporting both; undefined below `min_states`."""
    both = table[numerator].notna() & table[denominator].notna()
    included = sorted(table.loc[both, STATE])
    excluded = sorted(table.loc[~both, STATE])
    if len(included) < max(min_states, 1):
        return AggregateRate(None, None, None, included, excluded)
    num = int(table.loc[both, numerator].sum())
    den = int(table.loc[both, denominator].sum())
    return AggregateRate(num, den, num / den if den else None, included, excluded)


def readmission_requests(statistics: pd.DataFrame, country: str, year: int, states: list[str]) -> pd.DataFrame:
    """(c) Requests accepted as a share of those submitted, and travel documents per request."""
    rows = statistics[(statistics["country"] == country) & (statistics["year"] == year)]
    rows = rows.set_index(STATE)
    out = pd.DataFrame({STATE: states})
    for column in ["readmission_requests_submitted", "readmission_requests_accepted",
                   "travel_documents_issued", "forced_returns", "days_to_travel_document"]:
        out[column] = out[STATE].map(rows[column]).astype("Int64")
    out["acceptance_rate"] = rate(out["readmission_requests_accepted"], out["readmission_requests_submitted"])
    out["issuance_rate"] = rate(out["travel_documents_issued"], out["readmission_requests_submitted"])
    out["accepted_exceed_submitted"] = (out["readmission_requests_accepted"]
                                        > out["readmission_requests_submitted"]).fillna(False).astype(bool)
    return out
