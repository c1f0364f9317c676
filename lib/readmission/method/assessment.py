"""One country's assessment: every indicator, the state ratings and the level, from loaded inputs."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from . import context, cooperation
from . import indicators as ind
from .indicators import STATE
from .vocabulary import country_name
from .disclosure import aggregate_states, confidential_rate, states_without_decisions
from ..inputs.loading import AssessmentInputs, caveat_notes
from ..settings.judgement import AnalystAssessment, judgement
from .rating import CountryLevel, component_summary, country_level, rate_states


REQUEST_COUNTS = ["readmission_requests_submitted", "readmission_requests_accepted", "travel_documents_issued"]


@dataclass(frozen=True)
class CountryAssessment:
    """Every table a country page shows, in the order of Article 25a(2)."""

    country: str
    name: str
    year: int
    decisions_trend: pd.DataFrame       # (a) over all years, EU+
    return_rates: pd.DataFrame          # (a), (b) per reporting state
    eu_return_rate: ind.AggregateRate   # (b) over states reporting both series
    requests: pd.DataFrame              # (c) per state [confidential]
    eu_acceptance: ind.AggregateRate
    eu_issuance: ind.AggregateRate
    answers: pd.DataFrame               # (d) per state [confidential]
    items: pd.DataFrame                 # (d) per item, EU level
    operations: pd.DataFrame            # (d)(iv) public evidence per year
    crossings: pd.DataFrame | None      # context
    asylum: pd.DataFrame | None
    instruments: pd.DataFrame
    strongest_instrument: str
    rcms: pd.DataFrame
    measures: pd.DataFrame
    indicators: pd.DataFrame            # all per-state indicators side by side [confidential parts]
    state_ratings: pd.DataFrame         # [confidential]
    level: CountryLevel
    component_scores: dict              # per rating component, the mean score over rated states (withheld if few)
    synthetic_label: str
    public_synthetic: bool
    note: str = ""
    judgement: dict | None = None       # method's level, assessed level, sign-off (judgement.py)
    caveats: tuple[str, ...] = ()       # data caveats applied to (or not applicable to) the inputs
    released: bool = False              # True: a public page's, its confidential figures from the release
    release_extras: dict | None = None  # a public page's released robustness levels


def trend_table(inputs: AssessmentInputs, country: str) -> pd.DataFrame:
    """Decisions and returns per year, every year of either series, with the flags behind each sum.

    Each year sums the same per-state tables as (a) and (b): a missing value is n/a, an absent
    returns row follows the `absent_returns` rule, and "states reporting" are the states with a value.
    """
    decisions, returns = inputs.public.decisions.observations, inputs.public.returns.observations
    states, rule = inputs.states, inputs.method.absent_returns
    years = ind.series_years(decisions, returns, until=inputs.edition.data_year)
    trend = ind.series_trend(ind.decisions_in_years(decisions, country, years, states), "return_decisions")
    returned = ind.series_trend(ind.returns_in_years(returns, country, years, states, rule), "returns")
    return trend.merge(returned, on="year", suffixes=("_decisions", "_returns"))


def per_state_indicators(rates: pd.DataFrame, requests: pd.DataFrame, answers: pd.DataFrame) -> pd.DataFrame:
    """One row per reporting state with every rating component beside the return decisions."""
    table = rates[["reporting_state", "return_decisions", "returns", "effective_return_rate",
                   "forced_returns", "rating_return_rate", "rating_return_basis", "small_numbers"]]
    table = table.merge(requests[["reporting_state", "readmission_requests_submitted",
                                  "readmission_requests_accepted", "acceptance_rate", "issuance_rate",
                                  "days_to_travel_document"]], on="reporting_state", how="left")
    return table.merge(answers[["reporting_state", "practical_cooperation", "items_answered"]],
                       on="reporting_state", how="left")


def rating_indicators(rates: pd.DataFrame, forced: pd.DataFrame, requests: pd.DataFrame,
                      answers: pd.DataFrame) -> pd.DataFrame:
    """The per-state table the rating scores: the return rate from forced returns where a state
    reported them (confidential), else the effective return rate, beside (c) and (d)."""
    return per_state_indicators(ind.forced_return_rate(rates, forced), requests, answers)


def forced_returns(statistics: pd.DataFrame, country: str, year: int) -> pd.DataFrame:
    """The forced returns each state reported for `country` in `year` (confidential; states without one left out)."""
    rows = statistics[(statistics["country"] == country) & (statistics["year"] == year)]
    return rows[["reporting_state", "forced_returns"]].dropna()


def public_parts(inputs: AssessmentInputs, country: str) -> dict:
    """Everything of a country's assessment that public data and legal facts alone decide."""
    year, states, method, public = inputs.edition.data_year, inputs.states, inputs.method, inputs.public
    rates = ind.state_return_rates(public.decisions.observations, public.returns.observations, country, year,
                                   states, method.absent_returns, method.small_numbers)
    instruments = context.instruments(inputs.reference, country, inputs.edition.reference_date)
    empty_ops = pd.DataFrame(columns=["year", *cooperation.OPERATION_COUNTS])
    return dict(
        country=country, name=country_name(country), year=year,
        decisions_trend=trend_table(inputs, country),
        return_rates=rates,
        eu_return_rate=ind.aggregate_rate(rates, "returns", "return_decisions"),
        operations=(cooperation.return_operations(public.operations, country, until=year)
                    if public.operations is not None else empty_ops),
        crossings=(context.irregular_crossings(public.crossings, country)
                   if public.crossings is not None else None),
        asylum=(context.asylum_applications(public.asylum.observations, country, states)
                if public.asylum is not None else None),
        instruments=instruments,
        strongest_instrument=context.strongest_instrument(instruments),
        rcms=context.rcms(inputs.reference, country, inputs.edition.reference_date),
        measures=context.visa_measures(inputs.reference, country, inputs.edition.reference_date),
        public_synthetic=public.synthetic,
        caveats=tuple(caveat_notes(public)),
    )


def assess_country(inputs: AssessmentInputs, country: str, note: str = "",
                   entry: AnalystAssessment | None = None) -> CountryAssessment:
    """Compute every indicator for `country` in the edition's data year, then rate it (restricted:
    it reads the confidential inputs; a public page is built by `assess_public` from the release)."""
    year, states, method = inputs.edition.data_year, inputs.states, inputs.method
    confidential = inputs.confidential
    stats = confidential.statistics
    parts = public_parts(inputs, country)
    rates = ind.forced_return_rate(parts.pop("return_rates"), forced_returns(stats, country, year))
    requests = ind.readmission_requests(stats, country, year, states)
    # one set of states for both (c) rates, so no two published figures differ by one state
    shared = aggregate_states(requests, REQUEST_COUNTS, rates)
    rules = (method.min_states_for_aggregate, method.dominance_share)
    answers = cooperation.answers(confidential.questionnaire, country, year, states)
    answered = cooperation.without_states(answers, states_without_decisions(rates))
    table = per_state_indicators(rates, requests, answers)
    ratings = rate_states(table, method)
    level = country_level(ratings, method)
    return CountryAssessment(
        **parts, return_rates=rates, requests=requests,
        eu_acceptance=confidential_rate(requests, "readmission_requests_accepted",
                                        "readmission_requests_submitted", shared, *rules),
        eu_issuance=confidential_rate(requests, "travel_documents_issued",
                                      "readmission_requests_submitted", shared, *rules),
        answers=answers,
        items=cooperation.item_summary(answered, method.min_states_for_aggregate, method.poor_answer),
        indicators=table, state_ratings=ratings,
        level=level,
        component_scores=component_summary(ratings, method.min_states_for_aggregate),
        synthetic_label=confidential.label if confidential.synthetic else "",
        note=note,
        judgement=judgement(level.level, entry),
    )


def assess_public(inputs: AssessmentInputs, country: str, released: dict, note: str = "",
                  entry: AnalystAssessment | None = None) -> CountryAssessment:
    """A country's public page: public data computed here, confidential figures as released (the
    release's entry for the country, release.read_country); no per-state confidential table."""
    from .release import released_items, released_level, released_rate

    level = released_level(released)
    empty = pd.DataFrame({STATE: pd.Series(dtype=object)})
    return CountryAssessment(
        **public_parts(inputs, country), requests=empty,
        eu_acceptance=released_rate(released["acceptance"]), eu_issuance=released_rate(released["issuance"]),
        answers=empty, items=released_items(released), indicators=empty, state_ratings=empty,
        level=level, component_scores={}, synthetic_label=released["synthetic_label"],
        note=note, judgement=judgement(level.level, entry), released=True,
        release_extras={"robustness": released["robustness"]},
    )
