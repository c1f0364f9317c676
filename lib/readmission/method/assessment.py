"""One country's assessment, assembled from the page's sections (sections.py): the results file of
a page is `assemble` of the values its visible cells computed; `assess_country` makes the same calls."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from . import indicators as ind
from .indicators import STATE
from .vocabulary import country_name
from ..inputs.loading import AssessmentInputs, caveat_notes
from ..settings.judgement import AnalystAssessment, judgement
from .rating import CountryLevel
from .sections import (Context, Rating, context_tables, practical_cooperation, rating, readmission_rates,
                       return_operations, return_rates, trend_table)

if TYPE_CHECKING:
    from .release import Released


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


def synthetic_label(inputs: AssessmentInputs, released: Released | None = None) -> str:
    """The mark of a page built on synthetic confidential inputs: the release's on a public page."""
    if released is not None:
        return released.synthetic_label
    return inputs.confidential.label if inputs.confidential.synthetic else ""


def assemble(inputs: AssessmentInputs, country: str, *, trend: pd.DataFrame, rates: pd.DataFrame,
             eu: ind.AggregateRate, acceptance: ind.AggregateRate, issuance: ind.AggregateRate,
             items: pd.DataFrame, operations: pd.DataFrame, context: Context, level: CountryLevel,
             requests: pd.DataFrame | None = None, answers: pd.DataFrame | None = None,
             rated: Rating | None = None, released: Released | None = None, note: str = "",
             entry: AnalystAssessment | None = None) -> CountryAssessment:
    """The assessment from a page's section values, computed nowhere else: a restricted page passes
    its per-state tables and rating, a public page the release it read instead."""
    empty = pd.DataFrame({STATE: pd.Series(dtype=object)})
    return CountryAssessment(
        country=country, name=country_name(country), year=inputs.edition.data_year,
        decisions_trend=trend, return_rates=rates if rated is None else rated.return_rates,
        eu_return_rate=eu, requests=empty if requests is None else requests,
        eu_acceptance=acceptance, eu_issuance=issuance,
        answers=empty if answers is None else answers, items=items, operations=operations,
        crossings=context.crossings, asylum=context.asylum, instruments=context.instruments,
        strongest_instrument=context.strongest_instrument, rcms=context.rcms, measures=context.measures,
        indicators=empty if rated is None else rated.indicators,
        state_ratings=empty if rated is None else rated.state_ratings,
        level=level, component_scores={} if rated is None else rated.component_scores,
        synthetic_label=synthetic_label(inputs, released), public_synthetic=inputs.public.synthetic,
        note=note, judgement=judgement(level.level, entry), caveats=tuple(caveat_notes(inputs.public)),
        released=released is not None,
        release_extras=None if released is None else {"robustness": released.robustness})


def public_sections(inputs: AssessmentInputs, country: str) -> dict:
    """The sections public data and legal facts alone decide, by the names `assemble` takes."""
    rates, eu = return_rates(inputs, country)
    return dict(trend=trend_table(inputs, country), rates=rates, eu=eu,
                operations=return_operations(inputs, country), context=context_tables(inputs, country))


def assess_country(inputs: AssessmentInputs, country: str, note: str = "",
                   entry: AnalystAssessment | None = None) -> CountryAssessment:
    """A restricted page's calls in one (the restricted phase and tests): every indicator for
    `country` in the edition's data year, from the confidential inputs, then the rating."""
    public = public_sections(inputs, country)
    requests, acceptance, issuance = readmission_rates(inputs, country, public["rates"])
    answers, items = practical_cooperation(inputs, country, public["rates"])
    rated = rating(inputs, country, public["rates"], requests, answers)
    return assemble(inputs, country, **public, acceptance=acceptance, issuance=issuance, items=items,
                    level=rated.level, requests=requests, answers=answers, rated=rated, note=note, entry=entry)


def assess_public(inputs: AssessmentInputs, country: str, released: Released, note: str = "",
                  entry: AnalystAssessment | None = None) -> CountryAssessment:
    """A public page's calls in one: public data computed here, confidential figures as released
    (release.read_country); no per-state confidential table."""
    return assemble(inputs, country, **public_sections(inputs, country), acceptance=released.acceptance,
                    issuance=released.issuance, items=released.items, level=released.level,
                    released=released, note=note, entry=entry)
