"""Synthetic demo: reproducible, stable per country, valid by its own rules, plausibly correlated."""

from __future__ import annotations

import itertools
import math
import string

import numpy as np
import pandas as pd
import pytest

from readmission.data import confidential as conf
from readmission.data.demo import DEMO_LABEL, FEW_DECISIONS, make_demo, write_demo

STATES = ["BE", "DE", "EL", "FR", "IT", "LI", "NO"]
COUNTRIES = ["DZ", "MA", "PK", "UK", "XK"]


def public_frame(states, countries, seed=3, decisions=None):
    """Public inputs with every kind of decisions figure: many, few, zero and missing."""
    rng = np.random.default_rng(seed)
    rows = []
    for state, country in itertools.product(states, countries):
        if decisions is not None:
            value = decisions
        elif state == "LI":
            value = [0, 3, None][int(rng.integers(0, 3))]
        else:
            value = int(rng.integers(FEW_DECISIONS, 4000))
        rate = float("nan") if (state, country) == ("FR", "XK") else float(rng.uniform(0, 0.9))
        rows.append((state, country, value, rate))
    frame = pd.DataFrame(rows, columns=["reporting_state", "country", "return_decisions",
                                        "effective_return_rate"])
    frame["return_decisions"] = frame["return_decisions"].astype("Int64")
    return frame


@pytest.fixture
def public():
    return public_frame(STATES, COUNTRIES)


def test_demo_is_labelled_synthetic_and_covers_every_row(public):
    demo = make_demo(public, 2019)
    assert demo.synthetic and demo.label == DEMO_LABEL and demo.sources == {}
    for frame in (demo.statistics, demo.questionnaire):
        assert len(frame) == len(public) and (frame["year"] == 2019).all()
        assert frame["comment"].str.startswith("SYNTHETIC").all()
    conf.STATISTICS_SCHEMA.validate(demo.statistics)
    conf.QUESTIONNAIRE_SCHEMA.validate(demo.questionnaire)


def test_same_seed_same_frames_and_bytes(public, tmp_path):
    first = make_demo(public, 2019, seed=7)
    second = make_demo(public.sample(frac=1, random_state=1), 2019, seed=7)  # order is irrelevant
    pd.testing.assert_frame_equal(first.statistics, second.statistics)
    pd.testing.assert_frame_equal(first.questionnaire, second.questionnaire)
    write_demo(first, tmp_path / "a")
    write_demo(second, tmp_path / "b")
    for name in ("readmission_statistics.csv", "questionnaire.csv", "README.txt"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_different_seed_or_year_gives_different_values(public):
    base = make_demo(public, 2019, seed=7)
    for other in (make_demo(public, 2019, seed=8), make_demo(public, 2020, seed=7)):
        assert not base.questionnaire[list(conf.ITEMS)].equals(other.questionnaire[list(conf.ITEMS)])
        assert not base.statistics[conf.COUNT_COLUMNS].equals(other.statistics[conf.COUNT_COLUMNS])


def test_adding_a_country_keeps_other_countries_values(public):
    before = make_demo(public, 2019)
    after = make_demo(pd.concat([public, public_frame(STATES, ["AF"], seed=9)]), 2019)
    pairs = ((before.statistics, after.statistics), (before.questionnaire, after.questionnaire))
    for old, new in pairs:
        kept = new[new["country"] != "AF"].reset_index(drop=True)
        pd.testing.assert_frame_equal(kept, old)
        assert (new["country"] == "AF").sum() == len(STATES)


def test_demo_passes_its_own_validation_when_written_and_read_back(public, tmp_path):
    demo = make_demo(public, 2019)
    write_demo(demo, tmp_path)
    back = conf.load_confidential(tmp_path, set(STATES), set(COUNTRIES))
    # read back, every row also says where it sits in the written file
    pd.testing.assert_frame_equal(back.statistics.drop(columns=conf.PROVENANCE), demo.statistics)
    pd.testing.assert_frame_equal(back.questionnaire.drop(columns=conf.PROVENANCE), demo.questionnaire)
    assert back.synthetic and back.label == DEMO_LABEL
    assert [(w.row, w.message) for w in back.warnings] == [(w.row, w.message) for w in demo.warnings]
    assert "SYNTHETIC" in (tmp_path / "README.txt").read_text(encoding="utf-8")
    assert not (tmp_path / "readmission_statistics.csv").read_text(encoding="utf-8").startswith("#")


def test_write_demo_refuses_real_inputs(public, tmp_path):
    demo = make_demo(public, 2019)
    real = conf.ConfidentialInputs(demo.statistics, demo.questionnaire, False, "")
    with pytest.raises(ValueError):
        write_demo(real, tmp_path)
    assert not any(tmp_path.iterdir())


def test_make_demo_needs_the_public_columns(public):
    with pytest.raises(ValueError, match="effective_return_rate"):
        make_demo(public.drop(columns="effective_return_rate"), 2019)


def many_countries(n):
    return ["".join(p) for p in itertools.product(string.ascii_uppercase, repeat=2)][:n]


def test_less_experience_leaves_more_empty():
    countries = many_countries(150)
    frames = [public_frame(["BE"], countries, decisions=d).assign(reporting_state=s)
              for s, d in (("DE", 2000), ("LU", 10), ("MT", 0))]
    demo = make_demo(pd.concat(frames), 2019)
    filled = {s: demo.questionnaire[demo.questionnaire["reporting_state"] == s][list(conf.ITEMS)]
              .notna().to_numpy().mean() for s in ("DE", "LU", "MT")}
    assert filled["DE"] > 0.85 > filled["LU"] > 0.4 > 0.2 > filled["MT"]
    none = demo.statistics[demo.statistics["reporting_state"] == "MT"]
    assert none[conf.COUNT_COLUMNS].notna().to_numpy().mean() < 0.45


def test_counts_are_consistent_with_one_another():
    demo = make_demo(public_frame(STATES[:5], many_countries(100)), 2019)
    s = demo.statistics.dropna(subset=conf.COUNT_COLUMNS[:3])
    over = s["readmission_requests_accepted"] > s["readmission_requests_submitted"]
    assert 0 < over.mean() < 0.1  # rare, but present so that the warning path is exercised
    flagged = demo.statistics.loc[[w.row - 2 for w in demo.warnings]]
    assert (flagged["readmission_requests_accepted"] > flagged["readmission_requests_submitted"]).all()
    assert len(demo.warnings) >= over.sum()
    assert (s["travel_documents_issued"] <= s["readmission_requests_accepted"]).all()


def rank_correlation(x, y):
    """Spearman's rho (Pearson on ranks) and its normal z under no association."""
    rho = pd.Series(x).rank().corr(pd.Series(y).rank())
    return rho, rho * math.sqrt(len(x) - 1)


def test_answers_rise_with_the_return_rate_and_days_fall():
    countries = many_countries(300)
    public = public_frame(STATES[:5], countries, seed=11, decisions=1000)
    rates = np.random.default_rng(12).uniform(0, 1, len(countries))
    public["effective_return_rate"] = public["country"].map(dict(zip(countries, rates)))
    demo = make_demo(public, 2019, seed=25)
    per_country = demo.questionnaire.groupby("country")[list(conf.ITEMS)].mean().mean(axis=1)
    rho, z = rank_correlation(per_country.loc[countries].to_numpy(), rates)
    assert rho > 0.3 and z > 4  # one-sided p < 0.0001 under no association
    days = demo.statistics.groupby("country")["days_to_travel_document"].median()
    rho_days, z_days = rank_correlation(days.loc[countries].to_numpy(dtype=float), rates)
    assert rho_days < -0.2 and z_days < -3


def test_cooperation_drifts_between_editions_it_does_not_jump():
    from readmission.data.demo import ROW_SPREAD, state_view

    pairs = [(s, c) for s in STATES for c in ("AF", "IQ", "MA", "PK", "NG")]
    step = np.mean([abs(state_view(25, 2016, s, c) - state_view(25, 2015, s, c)) for s, c in pairs])
    apart = np.mean([abs(state_view(25, 2016, s, c) - state_view(25, 2016, s, "Q" + c)) for s, c in pairs])
    # one year's step is a ROW_DRIFT-sized move; two different views differ by about ROW_SPREAD * 1.1
    assert step < 0.5 * apart and apart > 0.5 * ROW_SPREAD
    assert all(state_view(25, 2016, s, c) != state_view(25, 2015, s, c) for s, c in pairs[:5])
