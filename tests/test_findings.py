"""Summary findings from results files: shares, instruments, obstacles, robustness."""

from __future__ import annotations

import pytest

from readmission.method.vocabulary import setting_label

from readmission.method import findings
from readmission.settings.params import load_method
from readmission.base.levels import LEVEL_AVERAGE, LEVEL_POOR, LEVEL_WELL


def result(code, level, instrument="none", items=None, indicators=None):
    return {"public": {
        "country": code, "name": code, "level": level, "return_decisions": 1000,
        "eu_return_rate": {"rate": 0.3}, "eu_acceptance_rate": {"rate": None}, "eu_issuance_rate": {"rate": None},
        "level_counts": {"states_rated": 5}, "strongest_instrument": instrument, "rcms_in_place": False,
        "irregular_crossings_in_year": None, "visa_measures": [], "synthetic_label": "",
        "cooperation_items": [{"item": k, "mean_answer": v} for k, v in (items or {}).items()]},
        "restricted": {"indicators_by_state": indicators or []}}


RESULTS = {
    "AA": result("AA", LEVEL_WELL, "eu_agreement", {"identification": 2.0, "laissez_passer": 3.0}),
    "BB": result("BB", LEVEL_POOR, "none", {"identification": 1.5, "laissez_passer": 1.5}),
    "CC": result("CC", LEVEL_POOR, "none", {"identification": 2.5, "return_operations": 4.0}),
    "DD": result("DD", LEVEL_AVERAGE, "eu_agreement", {}),
}


def test_level_shares_and_instruments():
    table = findings.country_table(RESULTS)
    shares = findings.level_shares(table).set_index("level")
    assert shares.loc[LEVEL_POOR, "countries"] == 2 and shares.loc[LEVEL_POOR, "share"] == pytest.approx(0.5)
    cross = findings.levels_by(table, "instrument")
    assert cross.loc["EU readmission agreement", "well"] == 1 and cross.loc["none", "improve"] == 2


def test_worst_items_count_ties_in_every_country():
    worst = findings.worst_items(RESULTS).set_index("item")["countries_rated_worst"]
    # AA: identification; BB: tie identification+laissez_passer; CC: identification; DD: none
    assert worst["identification"] == 3 and worst["laissez_passer"] == 1 and worst["return_operations"] == 0


def test_headlines_say_the_shares():
    table = findings.country_table(RESULTS)
    lines = findings.headlines(table, findings.worst_items(RESULTS))
    assert lines[0].startswith("Of 4 countries assessed") and "for 2 (50%)" in lines[0]
    assert "(i) identification" in lines[-1]


def test_robustness_counts_level_changes():
    indicators = [{"reporting_state": s, "return_decisions": 100, "rating_return_rate": r,
                   "acceptance_rate": None, "issuance_rate": None, "practical_cooperation": p}
                  for s, r, p in [("DE", 0.5, 4.0), ("FR", 0.5, 4.0), ("IT", 0.1, 1.5)]]
    method = load_method()
    results = {"AA": result("AA", LEVEL_WELL, indicators=indicators)}
    table = findings.robustness(results, method)
    # settings in plain words, never their keys (issue 22, item 7)
    assert set(table["setting"]) == {setting_label(key) for key in method.robustness}
    assert not any("_" in label or "." in label for label in table["setting"])
    # most_share 0.60 or more: 2 good of 3 rated (67 %) is still "most"; nothing changes at 0.40
    moved = table.set_index(["setting", "value"])["countries_changing_level"]
    assert moved[(setting_label("most_share"), "40 %")] == 0
    assert (table["countries_changing_level"] >= 0).all()
    assert findings.level_under(results["AA"], method) == LEVEL_WELL
    assert findings.level_under(results["AA"], method.with_setting("min_decisions_concerned", 500)) == \
        "not enough information"


def test_rcms_with_unknown_date_counts_as_in_place_date_unknown():
    # issue 11, item 5: a country whose RCMS has no known launch date (Georgia) is its own row of the
    # summary's RCMS table, not counted under "none"; AA (level well) has one, the other three none
    results = {code: dict(r, public=dict(r["public"], rcms_status="none")) for code, r in RESULTS.items()}
    results["AA"]["public"].update(rcms_status="in place, date unknown", rcms_in_place=True)
    cross = findings.levels_by(findings.country_table(results), "rcms")
    assert cross.loc["in place, date unknown", "well"] == 1
    assert cross.loc["none"].sum() == 3
