"""The sections of a country page, one named call each: the page's visible cells and `assess_country`
call the same functions, so every figure of a page and of its results file has one path."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from . import context, cooperation
from . import indicators as ind
from .disclosure import aggregate_states, confidential_rate, states_without_decisions
from ..inputs.loading import AssessmentInputs
from .rating import CountryLevel, component_summary, country_level, rate_states

REQUEST_COUNTS = ["readmission_requests_submitted", "readmission_requests_accepted", "travel_documents_issued"]


def trend_table(inputs: AssessmentInputs, country: str) -> pd.DataFrame:
    """(a) Decisions and returns per year, every year of either series, with the flags behind each sum.

    Each year sums the same per-state tables as (a) and (b): a missing value is n/a, an absent
    returns row follows the `absent_returns` rule, and "states reporting" are the states with a value.
    """
    decisions, returns = inputs.public.decisions.observations, inputs.public.returns.observations
    states, rule = inputs.states, inputs.method.absent_returns
    years = ind.series_years(decisions, returns, until=inputs.edition.data_year)
    trend = ind.series_trend(ind.decisions_in_years(decisions, country, years, states), "return_decisions")
    returned = ind.series_trend(ind.returns_in_years(returns, country, years, states, rule), "returns")
    return trend.merge(returned, on="year", suffixes=("_decisions", "_returns"))


def return_rates(inputs: AssessmentInputs, country: str) -> tuple[pd.DataFrame, ind.AggregateRate]:
    """(b) The effective return rate per reporting state from the public series, and the EU+ rate
    over the states reporting both series."""
    public, method = inputs.public, inputs.method
    rates = ind.state_return_rates(public.decisions.observations, public.returns.observations, country,
                                   inputs.edition.data_year, inputs.states, method.absent_returns,
                                   method.small_numbers)
    return rates, ind.aggregate_rate(rates, "returns", "return_decisions")


def readmission_rates(inputs: AssessmentInputs, country: str, rates: pd.DataFrame
                      ) -> tuple[pd.DataFrame, ind.AggregateRate, ind.AggregateRate]:
    """(c) Each state's readmission requests (confidential), and the acceptance and issuance rates
    over one common set of states, so no two published figures differ by one state."""
    method = inputs.method
    requests = ind.readmission_requests(inputs.confidential.statistics, country, inputs.edition.data_year,
                                        inputs.states)
    submitted, accepted, issued = REQUEST_COUNTS
    shared = aggregate_states(requests, REQUEST_COUNTS, rates)
    rules = (method.min_states_for_aggregate, method.dominance_share)
    return (requests, confidential_rate(requests, accepted, submitted, shared, *rules),
            confidential_rate(requests, issued, submitted, shared, *rules))


def practical_cooperation(inputs: AssessmentInputs, country: str, rates: pd.DataFrame
                          ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(d) Each state's questionnaire answers (confidential), and the EU-level summary per item over
    the states with return decisions, as for (c)."""
    method = inputs.method
    answers = cooperation.answers(inputs.confidential.questionnaire, country, inputs.edition.data_year,
                                  inputs.states)
    answered = cooperation.without_states(answers, states_without_decisions(rates))
    return answers, cooperation.item_summary(answered, method.min_states_for_aggregate, method.poor_answer)


def return_operations(inputs: AssessmentInputs, country: str) -> pd.DataFrame:
    """(d)(iv) public evidence: Frontex-coordinated return operations to the country, per year."""
    if inputs.public.operations is None:
        return pd.DataFrame(columns=["year", *cooperation.OPERATION_COUNTS])
    return cooperation.return_operations(inputs.public.operations, country, until=inputs.edition.data_year)


@dataclass(frozen=True)
class Context:
    """What the page shows beside the indicators; none of it enters the rating."""

    crossings: pd.DataFrame | None      # Frontex detections per year (None: not in the inputs)
    asylum: pd.DataFrame | None         # asylum applications per year (None: not in the inputs)
    instruments: pd.DataFrame           # EU readmission instruments in force on the reference date
    strongest_instrument: str
    rcms: pd.DataFrame
    measures: pd.DataFrame              # Article 25a visa measures


def context_tables(inputs: AssessmentInputs, country: str) -> Context:
    """The context of a country on the edition's reference date, from public data and legal facts."""
    public, on = inputs.public, inputs.edition.reference_date
    instruments = context.instruments(inputs.reference, country, on)
    return Context(
        crossings=context.irregular_crossings(public.crossings, country) if public.crossings is not None else None,
        asylum=(context.asylum_applications(public.asylum.observations, country, inputs.states)
                if public.asylum is not None else None),
        instruments=instruments, strongest_instrument=context.strongest_instrument(instruments),
        rcms=context.rcms(inputs.reference, country, on),
        measures=context.visa_measures(inputs.reference, country, on))


def per_state_indicators(rates: pd.DataFrame, requests: pd.DataFrame, answers: pd.DataFrame) -> pd.DataFrame:
    """One row per reporting state with every rating component beside the return decisions."""
    table = rates[["reporting_state", "return_decisions", "returns", "effective_return_rate",
                   "forced_returns", "rating_return_rate", "rating_return_basis", "small_numbers"]]
    table = table.merge(requests[["reporting_state", "readmission_requests_submitted",
                                  "readmission_requests_accepted", "acceptance_rate", "issuance_rate",
                                  "days_to_travel_document"]], on="reporting_state", how="left")
    return table.merge(answers[["reporting_state", "practical_cooperation", "items_answered"]],
                       on="reporting_state", how="left")


def forced_returns(statistics: pd.DataFrame, country: str, year: int) -> pd.DataFrame:
    """The forced returns each state reported for `country` in `year` (confidential; states without one left out)."""
    rows = statistics[(statistics["country"] == country) & (statistics["year"] == year)]
    return rows[["reporting_state", "forced_returns"]].dropna()


@dataclass(frozen=True)
class Rating:
    """The rating of a country (restricted): each state's indicators and rating, and the level."""

    return_rates: pd.DataFrame          # (b) with the forced returns a state gave [confidential parts]
    indicators: pd.DataFrame            # every rating component per state [confidential parts]
    state_ratings: pd.DataFrame         # [confidential]
    level: CountryLevel
    component_scores: dict              # per component, the mean score over rated states (withheld if few)


def rating(inputs: AssessmentInputs, country: str, rates: pd.DataFrame, requests: pd.DataFrame,
           answers: pd.DataFrame) -> Rating:
    """Rate each concerned state from its indicators, the return rate from forced returns where the
    state reported them (the Visa Code's wording), else the public rate; then count the level."""
    method = inputs.method
    forced = forced_returns(inputs.confidential.statistics, country, inputs.edition.data_year)
    rates = ind.forced_return_rate(rates, forced)
    table = per_state_indicators(rates, requests, answers)
    ratings = rate_states(table, method)
    return Rating(rates, table, ratings, country_level(ratings, method),
                  component_summary(ratings, method.min_states_for_aggregate))
