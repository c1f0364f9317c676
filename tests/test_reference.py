"""Reference tables: validation, reduced-precision dates, and date-exact legal facts."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from readmission.data import reference as ref
from readmission.base.errors import InputError

D = dt.date


def test_parse_reduced_date_precisions():
    assert ref.parse_reduced_date("2017-03-28") == ref.DatePeriod(D(2017, 3, 28), D(2017, 3, 28))
    assert ref.parse_reduced_date("2016-02") == ref.DatePeriod(D(2016, 2, 1), D(2016, 2, 29))
    assert ref.parse_reduced_date("2016-12") == ref.DatePeriod(D(2016, 12, 1), D(2016, 12, 31))
    assert ref.parse_reduced_date("2002") == ref.DatePeriod(D(2002, 1, 1), D(2002, 12, 31))
    for bad in ["2017-13", "17-03-28", "2017/03/28", "2017-02-30", ""]:
        with pytest.raises(ValueError):
            ref.parse_reduced_date(bad)


@pytest.fixture
def tables(reference_dir):
    return ref.load_reference(reference_dir)


@pytest.mark.parametrize("code, last_required, first_free", [
    ("GE", D(2017, 3, 27), D(2017, 3, 28)),
    ("UA", D(2017, 6, 10), D(2017, 6, 11)),
    ("CO", D(2015, 12, 2), D(2015, 12, 3)),
    ("MD", D(2014, 4, 27), D(2014, 4, 28)),
    ("XK", D(2023, 12, 31), D(2024, 1, 1)),
])
def test_visa_boundaries_are_exact_by_day(tables, code, last_required, first_free):
    assert code in set(ref.visa_required_on(tables.visa_required, last_required)["eurostat_code"])
    assert code not in set(ref.visa_required_on(tables.visa_required, first_free)["eurostat_code"])


def test_visa_list_sizes_match_the_readme_cross_check(tables):
    # data/reference/README.md: 126 entries on 2012-06-30, 105 on 2019-06-30 and 2024-06-30
    sizes = {d: len(ref.visa_required_on(tables.visa_required, d))
             for d in [D(2012, 6, 30), D(2019, 6, 30), D(2024, 6, 30)]}
    assert sizes == {D(2012, 6, 30): 126, D(2019, 6, 30): 105, D(2024, 6, 30): 105}


def test_vanuatu_required_again_from_2022(tables):
    codes = lambda d: set(ref.visa_required_on(tables.visa_required, d)["eurostat_code"])  # noqa: E731
    assert "VU" in codes(D(2015, 5, 27)) and "VU" not in codes(D(2015, 5, 28))
    assert "VU" not in codes(D(2022, 5, 3)) and "VU" in codes(D(2022, 5, 4)) and "VU" in codes(D(2025, 1, 1))


def test_reporting_states_by_date(tables):
    on_2016 = set(ref.reporting_states_on(tables.reporting_states, D(2016, 12, 31))["eurostat_code"])
    on_adoption = set(ref.reporting_states_on(tables.reporting_states, D(2021, 2, 10))["eurostat_code"])
    assert len(on_2016) == 32 and "UK" in on_2016 and {"IS", "LI", "NO", "CH"} <= on_2016
    assert len(on_adoption) == 31 and "UK" not in on_adoption
    assert "UK" in set(ref.reporting_states_on(tables.reporting_states, D(2020, 1, 31))["eurostat_code"])
    assert "HR" not in set(ref.reporting_states_on(tables.reporting_states, D(2013, 6, 30))["eurostat_code"])


def test_month_only_dates_are_uncertain_inside_their_month(tables):
    inst = tables.readmission_instruments
    guinea = lambda d: ref.instruments_in_force(inst, d).query("iso2 == 'GN' and instrument_type == 'eu_arrangement'")  # noqa: E731
    assert guinea(D(2017, 6, 30)).empty
    assert bool(guinea(D(2017, 7, 15))["date_uncertain"].all())
    assert not bool(guinea(D(2017, 8, 1))["date_uncertain"].any())


def test_belarus_agreement_ends(tables):
    inst = tables.readmission_instruments
    in_force = lambda d: set(ref.instruments_in_force(inst, d).query("instrument_type == 'eu_agreement'")["iso2"])  # noqa: E731
    assert "BY" in in_force(D(2021, 6, 28)) and "BY" not in in_force(D(2021, 6, 29))


def _copy(reference_dir, tmp_path):
    target = tmp_path / "reference"
    shutil.copytree(reference_dir, target)
    return target


def test_bad_date_names_file_row_and_field(reference_dir, tmp_path):
    target = _copy(reference_dir, tmp_path)
    path = target / "reporting_states.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace("1958-01-01", "1958-31-01")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        ref.load_reference(target)
    assert "reporting_states.csv, row 4, field 'member_from'" in str(err.value)


def test_dates_out_of_order_and_bad_status_reported_together(reference_dir, tmp_path):
    target = _copy(reference_dir, tmp_path)
    path = target / "visa_required.csv"
    text = path.read_text(encoding="utf-8")
    text = text.replace("Georgia,2012-01-01,2017-03-27", "Georgia,2018-01-01,2017-03-27", 1)
    text = text.replace(",secondary\n", ",rumour\n", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as err:
        ref.load_reference(target)
    message = str(err.value)
    assert "field 'valid_to': ends (2017-03-27) before it starts (2018-01-01)" in message
    assert "'rumour' is not one of" in message and "field 'status'" in message


def test_missing_column_is_a_header_error(reference_dir, tmp_path):
    target = _copy(reference_dir, tmp_path)
    path = target / "rcms.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(line.rsplit(",", 1)[0] for line in lines[:1]) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"rcms.csv, row 1: header does not match: missing \['status'\]"):
        ref.read_reference_table(target, "rcms")


def test_latin1_file_is_rejected_with_its_name(reference_dir, tmp_path):
    target = _copy(reference_dir, tmp_path)
    path = target / "readmission_instruments.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("latin-1", errors="replace"))
    with pytest.raises(InputError, match=r"readmission_instruments.csv, row \d+: not UTF-8"):
        ref.read_reference_table(target, "readmission_instruments")
