"""Context indicators: asylum totals without double counting, instruments and RCMS by date."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from readmission.method import context
from readmission.data.reference import load_reference


def asylum(rows):
    frame = pd.DataFrame(rows, columns=["citizen", "geo", "sex", "year", "value"])
    frame["value"] = frame["value"].astype("Int64")
    return frame


def test_asylum_sums_sexes_when_there_is_no_total():
    table = context.asylum_applications(asylum([("IQ", "DE", "F", 2016, 10), ("IQ", "DE", "M", 2016, 30),
                                                ("IQ", "US", "M", 2016, 99)]), "IQ", ["DE"])
    assert table.set_index("year").loc[2016, "asylum_applications"] == 40


def test_asylum_uses_the_total_alone_when_present():
    table = context.asylum_applications(asylum([("IQ", "DE", "F", 2016, 10), ("IQ", "DE", "M", 2016, 30),
                                                ("IQ", "DE", "T", 2016, 40)]), "IQ", ["DE"])
    assert table.set_index("year").loc[2016, "asylum_applications"] == 40


def test_strongest_instrument_by_reference_date(reference_dir):
    tables = load_reference(reference_dir)
    before = context.instruments(tables, "BY", dt.date(2019, 12, 31))
    during = context.instruments(tables, "BY", dt.date(2020, 12, 31))
    assert context.strongest_instrument(before) == "none"
    assert context.strongest_instrument(during) == "eu_agreement"
    assert context.strongest_instrument(context.instruments(tables, "NG", dt.date(2016, 12, 31))) == "agreement_clause"


def test_rcms_with_an_unknown_launch_date_is_in_place_date_unknown(reference_dir):
    # issue 11, item 5: rcms.csv has Georgia's RCMS launched (stage) with no date: in place, date
    # unknown, never "none"; Iraq's is only planned (none); Pakistan's launched in 2018 (none by 2016)
    tables = load_reference(reference_dir)
    on = dt.date(2016, 12, 31)
    georgia = context.rcms(tables, "GE", on)
    assert georgia["in_place"].tolist() == ["in place, date unknown"]
    assert context.rcms_status(georgia) == "in place, date unknown"
    assert context.rcms_status(context.rcms(tables, "IQ", dt.date(2024, 12, 31))) == "none"
    assert context.rcms_status(context.rcms(tables, "PK", on)) == "none"
    assert context.rcms_status(context.rcms(tables, "PK", dt.date(2019, 12, 31))) == "in place"
