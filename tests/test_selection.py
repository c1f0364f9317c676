"""Country selection: threshold (strictly more than), visa status by date, reporting states, gaps."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from readmission.data.reference import load_reference
from readmission.settings.params import Edition
from readmission.method.selection import REPORTING_STATE, MissingDataError, select_countries

NEAR_MISS = 0.5  # the near-miss share, fixed here so the expected outcomes do not move with method.yml


def decisions(rows):
    frame = pd.DataFrame(rows, columns=["citizen", "geo", "year", "value"])
    frame["value"] = frame["value"].astype("Int64")
    return frame


@pytest.fixture
def tables(reference_dir):
    return load_reference(reference_dir)


def edition(year=2016, threshold=1000, on=None):
    return Edition(year, year - 1, threshold, on or dt.date(year, 12, 31))


def test_threshold_is_strictly_more_than(tables):
    data = decisions([("IQ", "DE", 2015, 600), ("IQ", "FR", 2015, 401),    # 1001: selected
                      ("PK", "DE", 2015, 1000),                             # 1000: tie, not selected
                      ("NG", "IT", 2015, 999), ("NG", "ES", 2015, 2)])      # 1001
    sel = select_countries(edition(), data, tables, NEAR_MISS)
    assert sel.codes == ["IQ", "NG"]
    pk = sel.candidates.set_index("country").loc["PK"]
    assert pk["decisions"] == 1000 and pk["outcome"] == "near miss"


def test_only_reporting_states_on_the_reference_date_count(tables):
    # UK data count on 2016-12-31 but not on the 2021-02-10 adoption date
    data = decisions([("IQ", "UK", 2018, 900), ("IQ", "DE", 2018, 200), ("IQ", "US", 2018, 5000)])
    on_2016 = select_countries(Edition(2019, 2018, 1000, dt.date(2019, 12, 31)), data, tables, NEAR_MISS)
    on_adoption = select_countries(Edition(2019, 2018, 1000, dt.date(2021, 2, 10)), data, tables, NEAR_MISS)
    assert on_2016.codes == ["IQ"] and on_adoption.codes == []
    assert on_adoption.candidates.set_index("country").loc["IQ", "decisions"] == 200


@pytest.mark.parametrize("on, selected", [(dt.date(2017, 3, 27), True), (dt.date(2017, 3, 28), False)])
def test_georgia_visa_boundary_decides_selection(tables, on, selected):
    data = decisions([("GE", "DE", 2016, 5000)])
    sel = select_countries(Edition(2017, 2016, 1000, on), data, tables, NEAR_MISS)
    assert ("GE" in sel.codes) is selected
    if not selected:
        assert sel.visa_free_excluded["country"].tolist() == ["GE"]


def test_missing_values_are_not_zero_and_states_reporting_counted(tables):
    data = decisions([("AF", "DE", 2015, 800), ("AF", "NO", 2015, None), ("AF", "SE", 2015, 300),
                      ("ZW", "DE", 2015, None)])
    cand = select_countries(edition(), data, tables, NEAR_MISS).candidates.set_index("country")
    assert cand.loc["AF", "decisions"] == 1100 and cand.loc["AF", "states_reporting"] == 2
    assert pd.isna(cand.loc["ZW", "decisions"]) and cand.loc["ZW", "states_reporting"] == 0
    assert cand.loc["AF", "states_total"] == 32


def test_missing_selection_year_names_dataset_year_and_fix(tables):
    data = decisions([("IQ", "DE", 2016, 600)])
    with pytest.raises(MissingDataError, match=r"migr_eiord.*2018.*2016-2016.*readmission data fetch"):
        select_countries(Edition(2019, 2018, 1000, dt.date(2021, 2, 10)), data, tables, NEAR_MISS)


def test_near_miss_share_is_a_setting(tables):
    # issue 11, item 9: 600 decisions against a threshold of 1000 is a near miss at share 0.5
    # (600 >= 500) and only "below threshold" at share 0.7 (600 < 700)
    data = decisions([("PK", "DE", 2015, 600)])
    assert select_countries(edition(), data, tables, 0.5).near_misses["country"].tolist() == ["PK"]
    strict = select_countries(edition(), data, tables, 0.7).candidates.set_index("country")
    assert strict.loc["PK", "outcome"] == "below threshold"


def test_citizens_of_reporting_states_are_not_visa_free_candidates(tables):
    # issue 11, item 8: HR, CH, IS, LI and NO are reporting states on 2016-12-31 (reporting_states.csv),
    # so their citizenships are no third countries; US is visa-free and not a reporting state.
    # On 2021-02-10 the UK is no longer a reporting state: its citizens are then a visa-free candidate.
    codes = ["HR", "CH", "IS", "LI", "NO", "UK", "US"]
    data = decisions([(code, "DE", 2015, 2000) for code in codes]
                     + [(code, "DE", 2018, 2000) for code in codes])
    outcome = select_countries(edition(), data, tables, NEAR_MISS).candidates.set_index("country")["outcome"]
    assert {code: outcome[code] for code in codes} == {
        **{code: REPORTING_STATE for code in ["HR", "CH", "IS", "LI", "NO", "UK"]},
        "US": "excluded: visa-free"}
    later = select_countries(Edition(2019, 2018, 1000, dt.date(2021, 2, 10)), data, tables, NEAR_MISS)
    assert later.candidates.set_index("country").loc["UK", "outcome"] == "excluded: visa-free"


def test_an_edition_the_data_cannot_support_names_what_is_missing(tmp_path, monkeypatch):
    # the fixture has return decisions 2012-2016 but returns to third countries only from 2014
    from conftest import make_project
    from readmission.run.edition_run import RunRequest, run_edition
    from readmission.settings.params import load_edition
    from readmission.method.selection import MissingDataError

    project = make_project(tmp_path / "p")
    monkeypatch.setenv("READMISSION_ROOT", str(project.root))
    (project.params / "editions" / "2013.yml").write_text("data_year: 2013\nthreshold: 5000\n")
    with pytest.raises(MissingDataError, match=r"no returns to third countries \(migr_eirtn.*for 2013.*2014-2016"):
        run_edition(project, RunRequest(load_edition(2013, project), demo=True))
    assert not (project.demo).exists() and not (project.notebooks / "countries").exists()


@pytest.mark.parametrize("year", [2014, 2015, 2016])
def test_every_edition_the_offline_data_allow_is_defined(year):
    from conftest import REPO
    from readmission.settings.params import load_edition
    from readmission.base.paths import Project

    edition = load_edition(year, Project(REPO))
    assert edition.selection_year == year - 1 and str(edition.reference_date) == f"{year}-12-31"
