"""One level: the final level (assessed where recorded, else the method's) is what every count,
listing, key figure, headline and history uses, and the method's is shown beside it where the two
differ (issue 25, item 1)."""

from __future__ import annotations

import dataclasses

from readmission import history, presentation
from readmission.levels import LEVEL_AVERAGE, LEVEL_POOR, LEVEL_WELL, final_level, level_with_method
from readmission.site_sources import key_figures_md, level_counts

COUNTS = {"states_rated": 5, "states_good": 0, "states_average": 1, "states_poor": 4}


def public(code: str, level: str, assessed: str | None = None) -> dict:
    result = {"country": code, "name": {"IQ": "Iraq", "MA": "Morocco"}[code], "level": level,
              "level_counts": COUNTS, "return_decisions": 1000, "eu_return_rate": {"rate": 0.5},
              "strongest_instrument": "none", "component_scores": {}}
    if assessed:
        result["assessment"] = {"assessed_level": assessed, "status": "reviewed"}
    return result


def test_the_final_level_is_the_assessed_one_where_recorded():
    assert final_level(public("IQ", LEVEL_POOR, LEVEL_AVERAGE)) == LEVEL_AVERAGE
    assert final_level(public("MA", LEVEL_POOR)) == LEVEL_POOR
    assert level_with_method(public("IQ", LEVEL_POOR, LEVEL_AVERAGE)) == \
        f"{LEVEL_AVERAGE} (the method proposed: {LEVEL_POOR})"
    assert level_with_method(public("MA", LEVEL_POOR)) == LEVEL_POOR


def test_key_figures_count_final_levels_and_show_the_methods_beside():
    records = [{"country": "IQ", "name": "Iraq", "ok": True, "public": public("IQ", LEVEL_POOR, LEVEL_AVERAGE)},
               {"country": "MA", "name": "Morocco", "ok": True, "public": public("MA", LEVEL_POOR)}]
    groups = level_counts(records)
    assert [r["country"] for r in groups[LEVEL_AVERAGE]] == ["IQ"]
    assert [r["country"] for r in groups[LEVEL_POOR]] == ["MA"]
    text = key_figures_md({"edition": {"data_year": 2016}}, records)
    assert f"[Iraq](notebooks/countries/2016/IQ.ipynb) (the method proposed: {LEVEL_POOR})" in text
    assert "[Morocco](notebooks/countries/2016/MA.ipynb) (the method" not in text


def test_history_counts_compares_and_shows_final_levels():
    before = history.EditionRecord(2015, {}, {"IQ": public("IQ", LEVEL_POOR), "MA": public("MA", LEVEL_WELL)}, None)
    now = history.EditionRecord(2016, {}, {"IQ": public("IQ", LEVEL_POOR, LEVEL_AVERAGE),
                                           "MA": public("MA", LEVEL_WELL)}, None)
    assert now.level("IQ") == LEVEL_AVERAGE
    shares = history.level_shares_by_edition([now]).set_index("level")["countries"]
    assert shares[LEVEL_AVERAGE] == 1 and shares[LEVEL_POOR] == 0
    changes = history.level_changes(before, now)
    assert changes["country"].tolist() == ["IQ"]  # the method's level did not move; the final one did
    assert changes.loc[0, "to"] == f"{LEVEL_AVERAGE} (the method proposed: {LEVEL_POOR})"
    trajectory = history.country_trajectory([before, now], "IQ")
    assert trajectory["level"].tolist() == [LEVEL_POOR, LEVEL_AVERAGE]
    assert trajectory["method_level"].tolist()[1] == LEVEL_POOR
    assert "method_level" not in history.country_trajectory([before, now], "MA").columns


def test_the_listing_and_the_headline_show_the_final_level_and_the_methods(iraq, monkeypatch):
    from readmission.pipeline import front_matter

    results = {"public": public("IQ", LEVEL_POOR, LEVEL_AVERAGE), "provenance": {"edition": {"data_year": 2016}}}
    results["public"].update(synthetic_label="")
    matter = front_matter(results, "public")
    assert (matter["level"], matter["method-level"]) == (LEVEL_AVERAGE, LEVEL_POOR)
    shown = []
    monkeypatch.setattr(presentation, "display", lambda obj: shown.append(obj.data))
    assessed = dataclasses.replace(iraq, judgement={"assessed_level": LEVEL_AVERAGE, "status": "reviewed"})
    presentation.overview(assessed)
    assert shown[0].startswith(f"**Iraq (IQ), data year 2016: {LEVEL_AVERAGE}.** (the rating method proposed: "
                               f"{iraq.level.level})")


def test_a_withheld_figure_reads_withheld_across_editions_not_n_a():
    """Withheld is not missing (issue 25, item 4): the across-editions table says suppressed."""
    from readmission.disclosure import SUPPRESSED
    from readmission.tables import table_html

    withheld = public("IQ", LEVEL_POOR)
    withheld.update(eu_acceptance_rate={"rate": None, "suppressed": "fewer than 3 states contribute"},
                    eu_issuance_rate={"rate": 0.2}, cooperation_items=[{"item": "identification", "mean_answer": None}])
    missing = public("IQ", LEVEL_POOR)  # an edition without the figure at all
    records = [history.EditionRecord(2015, {}, {"IQ": missing}, None),
               history.EditionRecord(2016, {}, {"IQ": withheld}, None)]
    trajectory = history.country_trajectory(records, "IQ")
    assert trajectory["acceptance_rate_suppressed"].tolist() == ["", "fewer than 3 states contribute"]
    assert trajectory["mean_answer_suppressed"].tolist()[1] == history.ANSWERS_WITHHELD
    html = table_html(trajectory, "trajectory", "IQ")
    rows = html.split("<tr>")[2:]
    assert SUPPRESSED not in rows[0] and rows[1].count(SUPPRESSED) == 2  # acceptance and mean answer
    assert "_suppressed" not in html.split("<tbody")[0]  # the reasons are not columns of their own
