"""Indicators (a)-(c): hand-computed values and every edge case the issue names."""

from __future__ import annotations

import pandas as pd
import pytest

from readmission.method import indicators as ind

STATES = ["DE", "FR", "IT", "NO"]


def obs(rows):
    frame = pd.DataFrame(rows, columns=["citizen", "geo", "year", "value", "flags"])
    frame["value"] = frame["value"].astype("Int64")
    return frame


DECISIONS = obs([("IQ", "DE", 2016, 1000, ""), ("IQ", "FR", 2016, 0, ""), ("IQ", "IT", 2016, None, ""),
                 ("IQ", "NO", 2016, 40, "p"), ("IQ", "DE", 2015, 800, ""), ("PK", "DE", 2016, 77, "")])
RETURNS = obs([("IQ", "DE", 2016, 250, ""), ("IQ", "FR", 2016, 5, ""), ("PK", "IT", 2016, 9, ""),
               ("IQ", "NO", 2016, 60, "")])


def test_return_decisions_per_state_keep_na_and_flags():
    table = ind.return_decisions(DECISIONS, "IQ", 2016, STATES)
    assert table["return_decisions"].tolist()[:2] == [1000, 0]
    assert pd.isna(table.loc[2, "return_decisions"])
    assert table.loc[3, "return_decisions_flags"] == "p"


def test_effective_return_rate_edge_cases():
    table = ind.effective_return_rate(ind.return_decisions(DECISIONS, "IQ", 2016, STATES),
                                      ind.returns_carried_out(RETURNS, "IQ", 2016, STATES),
                                      small_numbers=50).set_index("reporting_state")
    assert table.loc["DE", "effective_return_rate"] == pytest.approx(0.25)
    # zero decisions: undefined, not 0 and not infinity
    assert pd.isna(table.loc["FR", "effective_return_rate"]) and table.loc["FR", "rate_undefined"]
    # missing decisions: undefined too; Italy reports returns that year, so its absent IQ row reads 0
    assert pd.isna(table.loc["IT", "effective_return_rate"])
    assert table.loc["IT", "returns"] == 0 and table.loc["IT", "returns_basis"] == "absent row read as 0"
    # returns above decisions: shown and flagged, never capped
    assert table.loc["NO", "effective_return_rate"] == pytest.approx(1.5)
    assert table.loc["NO", "returns_exceed_decisions"] and not table.loc["DE", "returns_exceed_decisions"]
    assert table.loc["NO", "small_numbers"] and not table.loc["DE", "small_numbers"]


def test_state_return_rates_follow_the_absent_returns_setting():
    # the one recipe the pages and the demo set share: with "not_reported", Italy's absent IQ row
    # stays NA instead of reading 0; DE is 250 / 1000 either way
    read_zero = ind.state_return_rates(DECISIONS, RETURNS, "IQ", 2016, STATES, "zero_if_state_reports", 50)
    not_read = ind.state_return_rates(DECISIONS, RETURNS, "IQ", 2016, STATES, "not_reported", 50)
    assert read_zero.set_index("reporting_state").loc["IT", "returns"] == 0
    assert pd.isna(not_read.set_index("reporting_state").loc["IT", "returns"])
    assert not_read.set_index("reporting_state").loc["DE", "effective_return_rate"] == pytest.approx(0.25)
    assert not_read.set_index("reporting_state").loc["NO", "small_numbers"]


def test_absent_returns_not_reported_when_state_reports_nothing_that_year():
    returns = obs([("IQ", "DE", 2016, 250, "")])
    table = ind.returns_carried_out(returns, "IQ", 2016, ["DE", "CH"]).set_index("reporting_state")
    assert pd.isna(table.loc["CH", "returns"]) and table.loc["CH", "returns_basis"] == "not reported"
    strict = ind.returns_carried_out(RETURNS, "IQ", 2016, STATES, absent_returns="not_reported")
    assert pd.isna(strict.set_index("reporting_state").loc["IT", "returns"])


def test_eu_rate_only_over_states_reporting_both_series():
    table = ind.effective_return_rate(ind.return_decisions(DECISIONS, "IQ", 2016, STATES),
                                      ind.returns_carried_out(RETURNS, "IQ", 2016, STATES), 50)
    eu = ind.aggregate_rate(table, "returns", "return_decisions")
    # DE 1000/250, FR 0/5, NO 40/60 report both; IT has no decisions -> excluded
    assert (eu.numerator, eu.denominator) == (315, 1040)
    assert eu.rate == pytest.approx(315 / 1040)
    assert eu.states_included == ["DE", "FR", "NO"] and eu.states_excluded == ["IT"]
    assert ind.aggregate_rate(table, "returns", "return_decisions", min_states=4).rate is None


def test_forced_returns_give_the_rating_rate_where_given():
    forced = pd.DataFrame({"reporting_state": ["DE"], "forced_returns": pd.array([100], dtype="Int64")})
    rates = ind.effective_return_rate(ind.return_decisions(DECISIONS, "IQ", 2016, STATES),
                                      ind.returns_carried_out(RETURNS, "IQ", 2016, STATES), 50)
    table = ind.forced_return_rate(rates, forced).set_index("reporting_state")
    assert table.loc["DE", "forced_return_rate"] == pytest.approx(0.10)
    assert table.loc["DE", "effective_return_rate"] == pytest.approx(0.25)  # public rate kept
    assert table.loc["DE", "rating_return_rate"] == pytest.approx(0.10)
    assert table.loc["NO", "rating_return_rate"] == pytest.approx(1.5)
    assert table.loc["DE", "rating_return_basis"].startswith("forced")
    assert table.loc["NO", "rating_return_basis"].startswith("returns to third countries")


def decisions_trend(frame, years):
    return ind.series_trend(ind.decisions_in_years(frame, "IQ", years, STATES), "return_decisions")


def returns_trend(frame, years, rule="zero_if_state_reports"):
    return ind.series_trend(ind.returns_in_years(frame, "IQ", years, STATES, rule), "returns")


def test_trend_sums_years_and_counts_states():
    trend = decisions_trend(DECISIONS, [2015, 2016]).set_index("year")
    # 2016: DE 1000 + FR 0 + NO 40 (IT n/a) over 3 states; 2015: DE 800 alone
    assert trend.loc[2016, "return_decisions"] == 1040 and trend.loc[2016, "states_reporting"] == 3
    assert trend.loc[2015, "return_decisions"] == 800


def test_trend_states_reporting_returns_are_the_rates_states():
    # issue 11, item 2: IT has no IQ row but reported returns in 2016 (PK 9): under the
    # absent_returns rule it reports 0 for IQ, as in the rate's per-state table. States reporting
    # returns are DE, FR, IT, NO = 4 (not the 3 with a non-zero IQ row); 250 + 5 + 0 + 60 = 315.
    trend = returns_trend(RETURNS, [2016]).set_index("year")
    per_state = ind.returns_carried_out(RETURNS, "IQ", 2016, STATES)
    assert trend.loc[2016, "returns"] == 315 and trend.loc[2016, "states_reporting"] == 4
    assert trend.loc[2016, "states_reporting"] == per_state["returns"].notna().sum()
    # with the other rule only the 3 states with an IQ row report
    assert returns_trend(RETURNS, [2016], "not_reported").loc[0, "states_reporting"] == 3


def test_trend_has_every_year_of_both_series_missing_years_na():
    # issue 11, item 6: decisions 2015-2016, returns 2016-2018 -> years 2015-2018. IQ has no 2018
    # returns row but DE reported returns in 2018 (PK 7): 0 from the states that reported (DE), or
    # n/a under not_reported. 2017: no returns from anyone: n/a with 0 states. Decisions 2017-2018: n/a.
    returns = pd.concat([RETURNS, obs([("PK", "DE", 2018, 7, "")])], ignore_index=True)
    years = ind.series_years(DECISIONS, returns)
    assert years == [2015, 2016, 2017, 2018]
    trend = returns_trend(returns, years).set_index("year")
    assert trend.loc[2018, "returns"] == 0 and trend.loc[2018, "states_reporting"] == 1
    assert pd.isna(trend.loc[2017, "returns"]) and trend.loc[2017, "states_reporting"] == 0
    assert pd.isna(returns_trend(returns, years, "not_reported").set_index("year").loc[2018, "returns"])
    assert decisions_trend(DECISIONS, years)["return_decisions"].isna().tolist() == [False, False, True, True]


def test_trend_keeps_the_flags_of_the_values_it_sums():
    # issue 11, item 8: NO's 2016 value (40) is provisional 'p': the sum says so
    trend = decisions_trend(DECISIONS, [2015, 2016]).set_index("year")
    assert trend.loc[2016, "return_decisions_flags"] == "NO: p" and trend.loc[2015, "return_decisions_flags"] == ""


def test_a_year_without_data_totals_na_never_zero():
    # issue 11, item 7: no decisions at all in 2019 -> the EU+ total is n/a (None), not 0
    table = ind.return_decisions(DECISIONS, "IQ", 2019, STATES)
    assert ind.total(table["return_decisions"]) is None
    assert ind.total(ind.return_decisions(DECISIONS, "IQ", 2016, STATES)["return_decisions"]) == 1040


def test_readmission_requests_rates():
    stats = pd.DataFrame({"reporting_state": ["DE", "FR"], "country": ["IQ", "IQ"], "year": [2016, 2016],
                          "readmission_requests_submitted": pd.array([200, 0], dtype="Int64"),
                          "readmission_requests_accepted": pd.array([150, 3], dtype="Int64"),
                          "travel_documents_issued": pd.array([50, None], dtype="Int64"),
                          "forced_returns": pd.array([40, None], dtype="Int64"),
                          "days_to_travel_document": pd.array([30, None], dtype="Int64")})
    table = ind.readmission_requests(stats, "IQ", 2016, ["DE", "FR", "IT"]).set_index("reporting_state")
    assert table.loc["DE", "acceptance_rate"] == pytest.approx(0.75)
    assert table.loc["DE", "issuance_rate"] == pytest.approx(0.25)
    assert pd.isna(table.loc["FR", "acceptance_rate"]) and table.loc["FR", "accepted_exceed_submitted"]
    assert pd.isna(table.loc["IT", "readmission_requests_submitted"])


def test_many_countries_at_once_give_each_country_its_own_rates():
    """countries_return_rates (the demo set's base) is state_return_rates per country, in the order asked."""
    both = ind.countries_return_rates(DECISIONS, RETURNS, ["PK", "IQ"], 2016, STATES, "zero_if_state_reports", 10)
    assert list(dict.fromkeys(both["citizen"])) == ["PK", "IQ"]
    for country in ("PK", "IQ"):
        one = ind.state_return_rates(DECISIONS, RETURNS, country, 2016, STATES, "zero_if_state_reports", 10)
        part = both[both["citizen"] == country].drop(columns="citizen").reset_index(drop=True)
        pd.testing.assert_frame_equal(part, one)
