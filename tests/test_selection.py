"""Country selection: threshold (strictly more than), visa status by date, reporting states, gaps."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from readmission.data.reference import load_reference
from readmission.params import Edition
from readmission.selection import MissingDataError, select_countries


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
    sel = select_countries(edition(), data, tables)
    assert sel.codes == ["IQ", "NG"]
    pk = sel.candidates.set_index("country").loc["PK"]
    assert pk["decisions"] == 1000 and pk["outcome"] == "near miss"


def test_only_reporting_states_on_the_reference_date_count(tables):
    # UK data count on 2016-12-31 but not on the 2021-02-10 adoption date
    data = decisions([("IQ", "UK", 2018, 900), ("IQ", "DE", 2018, 200), ("IQ", "US", 2018, 5000)])
    on_2016 = select_countries(Edition(2019, 2018, 1000, dt.date(2019, 12, 31)), data, tables)
    on_adoption = select_countries(Edition(2019, 2018, 1000, dt.date(2021, 2, 10)), data, tables)
    assert on_2016.codes == ["IQ"] and on_adoption.codes == []
    assert on_adoption.candidates.set_index("country").loc["IQ", "decisions"] == 200


@pytest.mark.parametrize("on, selected", [(dt.date(2017, 3, 27), True), (dt.date(2017, 3, 28), False)])
def test_georgia_visa_boundary_decides_selection(tables, on, selected):
    data = decisions([("GE", "DE", 2016, 5000)])
    sel = select_countries(Edition(2017, 2016, 1000, on), data, tables)
    assert ("GE" in sel.codes) is selected
    if not selected:
        assert sel.visa_free_excluded["country"].tolist() == ["GE"]


def test_missing_values_are_not_zero_and_states_reporting_counted(tables):
    data = decisions([("AF", "DE", 2015, 800), ("AF", "NO", 2015, None), ("AF", "SE", 2015, 300),
                      ("ZW", "DE", 2015, None)])
    cand = select_countries(edition(), data, tables).candidates.set_index("country")
    assert cand.loc["AF", "decisions"] == 1100 and cand.loc["AF", "states_reporting"] == 2
    assert pd.isna(cand.loc["ZW", "decisions"]) and cand.loc["ZW", "states_reporting"] == 0
    assert cand.loc["AF", "states_total"] == 32


def test_missing_selection_year_names_dataset_year_and_fix(tables):
    data = decisions([("IQ", "DE", 2016, 600)])
    with pytest.raises(MissingDataError, match=r"migr_eiord.*2018.*2016-2016.*readmission data fetch"):
        select_countries(Edition(2019, 2018, 1000, dt.date(2021, 2, 10)), data, tables)
