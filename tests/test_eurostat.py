"""Eurostat SDMX-CSV loaders and code vocabularies: flags, NA, aggregates, bad input, snapshot."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from readmission.base import codes
from readmission.data.eurostat import (
    DATASET_FILES,
    load_asylum_applications,
    load_caveats,
    load_return_decisions,
    load_returns,
    read_sdmx_csv,
)
from readmission.data.snapshot import sha256_file
from conftest import SNAPSHOT
from readmission.base.errors import InputError


EIORD_HEADER = "DATAFLOW,LAST UPDATE,freq,citizen,age,sex,unit,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG"
EIRTN_HEADER = ("DATAFLOW,LAST UPDATE,freq,citizen,c_dest,age,sex,unit,geo,TIME_PERIOD,"
                "OBS_VALUE,OBS_FLAG")
EU28 = ["AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU", "IE",
        "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "UK"]
EU27 = [c for c in EU28 if c != "UK"]


def eiord(citizen="IQ", geo="DE", year="2015", value="100", flag="",
          dataflow="ESTAT:MIGR_EIORD(1.0)", stamp="") -> str:
    return f"{dataflow},{stamp},A,{citizen},TOTAL,T,PER,{geo},{year},{value},{flag}"


def eirtn(citizen="IQ", geo="DE", year="2019", value="50", c_dest="THRD",
          stamp="20/09/24 23:00:00") -> str:
    return f"ESTAT:MIGR_EIRTN(1.0),{stamp},A,{citizen},{c_dest},TOTAL,T,PER,{geo},{year},{value},"


def write(public: Path, dataset: str, lines: list[str], header: str = EIORD_HEADER) -> Path:
    path = public / DATASET_FILES[dataset]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def load_eiord(tmp_path: Path, lines: list[str], header: str = EIORD_HEADER):
    write(tmp_path, "migr_eiord", lines, header)
    return load_return_decisions(tmp_path)


def problem_at(exc: InputError, path: Path, row: int | None, field: str | None):
    """The problem reported at row/field; its text must name the file, the row and the field."""
    found = [p for p in exc.problems if p.row == row and p.field == field]
    assert found, f"no problem at row {row}, field {field}: {exc.describe()}"
    text = str(found[0])
    assert str(path) in text
    if row is not None:
        assert f"row {row}" in text
    if field is not None:
        assert f"field '{field}'" in text
    return found[0]


# ---------------------------------------------------------------- values and flags


@pytest.mark.parametrize("flag", list("pebcdu"))
def test_each_known_flag_is_kept_from_obs_flag(tmp_path, flag):
    table = load_eiord(tmp_path, [eiord(flag=flag), eiord(citizen="AF")])
    obs = table.observations.set_index("citizen")
    assert obs.loc["IQ", "flags"] == flag
    assert obs.loc["AF", "flags"] == ""
    assert obs.loc["IQ", "value"] == 100


def test_flag_letters_written_in_the_value_cell_are_parsed(tmp_path):
    table = load_eiord(tmp_path, [eiord(value="123 p"), eiord(citizen="AF", value=": c"),
                                  eiord(citizen="MA", value="40 e", flag="p")])
    obs = table.observations.set_index("citizen")
    assert obs.loc["IQ", "value"] == 123 and obs.loc["IQ", "flags"] == "p"
    assert pd.isna(obs.loc["AF", "value"]) and obs.loc["AF", "flags"] == "c"
    assert obs.loc["MA", "value"] == 40 and obs.loc["MA", "flags"] == "ep"


@pytest.mark.parametrize("cell", ["", ":"])
def test_not_available_is_na_never_zero(tmp_path, cell):
    table = load_eiord(tmp_path, [eiord(value=cell), eiord(citizen="AF", value="0")])
    obs = table.observations.set_index("citizen")
    assert pd.isna(obs.loc["IQ", "value"])
    assert obs.loc["AF", "value"] == 0
    assert str(table.observations["value"].dtype) == "Int64"
    assert table.observations["value"].isna().sum() == 1


def test_unknown_flag_letter_is_rejected(tmp_path):
    path = write(tmp_path, "migr_eiord", [eiord(), eiord(citizen="AF", flag="z"),
                                          eiord(citizen="MA", value="5 x")])
    with pytest.raises(InputError) as info:
        load_return_decisions(tmp_path)
    assert "unknown flag" in problem_at(info.value, path, 3, "OBS_FLAG").message
    assert "unknown flag" in problem_at(info.value, path, 4, "OBS_VALUE").message


# ---------------------------------------------------------------- codes and aggregates


def test_aggregates_are_kept_apart_from_countries(tmp_path):
    lines = [eiord(), eiord(citizen="TOTAL"), eiord(geo="EU28"), eiord(citizen="ASI"),
             eiord(citizen="STLS"), eiord(citizen="UNK"), eiord(citizen="RNC"),
             eiord(citizen="UK_OCT"), eiord(citizen="TOTAL", geo="EU27_2020")]
    table = load_eiord(tmp_path, lines)
    assert table.observations[["citizen", "geo"]].values.tolist() == [["IQ", "DE"]]
    assert len(table.aggregates) == 8
    assert set(table.aggregates["citizen"]) == {"TOTAL", "IQ", "ASI", "STLS", "UNK", "RNC",
                                                "UK_OCT"}
    assert list(table.observations.columns) == ["citizen", "geo", "freq", "age", "sex", "unit",
                                                 "year", "value", "flags"]
    assert list(table.aggregates.columns) == list(table.observations.columns)


def test_namibia_code_na_is_a_country_not_missing(tmp_path):
    # The Namibia trap: pandas' default reading turns the code "NA" into NaN.
    table = load_eiord(tmp_path, [eiord(citizen="NA", value="15"), eiord(citizen="AF")])
    obs = table.observations
    assert obs["citizen"].isna().sum() == 0
    assert obs.loc[obs["citizen"] == "NA", "value"].tolist() == [15]
    assert codes.country_name("NA") == "Namibia"


def test_unknown_codes_are_rejected_including_iso_greece(tmp_path):
    path = write(tmp_path, "migr_eiord", [eiord(), eiord(citizen="XX"), eiord(geo="GR")])
    with pytest.raises(InputError) as info:
        load_return_decisions(tmp_path)
    assert "'XX'" in problem_at(info.value, path, 3, "citizen").message
    assert "'GR'" in problem_at(info.value, path, 4, "geo").message


def test_montenegro_reporting_and_documented_citizen_codes_in_returns(tmp_path):
    lines = [eirtn(geo="ME"), eirtn(citizen="ASI", geo="NL"), eirtn(citizen="UK_OCT"),
             eirtn(citizen="IQ", c_dest="EU27_2020_EFTA_FOR")]
    write(tmp_path, "migr_eirtn", lines, EIRTN_HEADER)
    table = load_returns(tmp_path)
    assert table.observations[["citizen", "geo"]].values.tolist() == [["IQ", "ME"]]
    assert sorted(table.aggregates["citizen"]) == ["ASI", "UK_OCT"]
    assert set(table.observations["c_dest"]) | set(table.aggregates["c_dest"]) == {"THRD"}
    assert table.last_update == "20/09/24 23:00:00"


def test_last_update_is_none_when_empty_and_header_order_is_free(tmp_path):
    header = ("DATAFLOW,LAST UPDATE,freq,unit,citizen,sex,age,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG,"
              "CONF_STATUS")
    line = "ESTAT:MIGR_EIORD(1.0),,A,PER,IQ,T,TOTAL,DE,2015,100,,F"
    table = load_eiord(tmp_path, [line], header)
    assert table.last_update is None
    row = table.observations.iloc[0]
    assert (row["citizen"], row["geo"], row["year"], row["value"], row["sex"]) == \
        ("IQ", "DE", 2015, 100, "T")


# ---------------------------------------------------------------- malformed input


def test_header_missing_and_extra_columns_are_named(tmp_path):
    header = "DATAFLOW,LAST UPDATE,freq,citizen,age,unit,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG,colour"
    path = write(tmp_path, "migr_eiord", ["ESTAT:MIGR_EIORD(1.0),,A,IQ,TOTAL,PER,DE,2015,1,,red"],
                 header)
    with pytest.raises(InputError) as info:
        load_return_decisions(tmp_path)
    problem_at(info.value, path, 1, "sex")
    problem_at(info.value, path, 1, "colour")


@pytest.mark.parametrize("field, line, fragment", [
    ("TIME_PERIOD", eiord(year="2015.0"), "year"),
    ("TIME_PERIOD", eiord(year="last year"), "year"),
    ("OBS_VALUE", eiord(value="12.5"), "whole number"),
    ("OBS_VALUE", eiord(value='"1,234"'), "whole number"),
    ("OBS_VALUE", eiord(value="-5"), "negative"),
    ("DATAFLOW", eiord(dataflow="ESTAT:MIGR_EIRTN(1.0)"), "migr_eiord"),
    ("freq", eiord().replace(",A,", ",Q,", 1), "annual"),
])
def test_malformed_cell_is_named_with_file_row_and_field(tmp_path, field, line, fragment):
    path = write(tmp_path, "migr_eiord", [eiord(citizen="AF"), eiord(citizen="MA"), line])
    with pytest.raises(InputError) as info:
        load_return_decisions(tmp_path)
    assert fragment in problem_at(info.value, path, 4, field).message
    assert len(info.value.problems) == 1


def test_duplicate_key_is_rejected_naming_both_rows(tmp_path):
    path = write(tmp_path, "migr_eiord", [eiord(value="5"), eiord(citizen="AF"),
                                          eiord(value="10")])
    with pytest.raises(InputError) as info:
        load_return_decisions(tmp_path)
    problem = problem_at(info.value, path, 4, "TIME_PERIOD")
    assert "duplicate" in problem.message and "row 2" in problem.message


def test_wrong_field_count_is_reported_with_its_line(tmp_path):
    path = write(tmp_path, "migr_eiord", [eiord(), eiord(citizen="AF") + ",extra"])
    with pytest.raises(InputError) as info:
        load_return_decisions(tmp_path)
    assert "fields" in problem_at(info.value, path, 3, None).message


def test_all_problems_are_collected_and_capped(tmp_path):
    lines = [eiord(citizen="AF", year=str(2000 + i), value="-1") for i in range(60)]
    path = write(tmp_path, "migr_eiord", [eiord(citizen="XX"), eiord(flag="z"), *lines])
    with pytest.raises(InputError) as info:
        load_return_decisions(tmp_path)
    problems = info.value.problems
    problem_at(info.value, path, 2, "citizen")
    problem_at(info.value, path, 3, "OBS_FLAG")
    assert len(problems) == 51
    assert "12 more problems" in problems[-1].message


def test_non_utf8_file_names_file_and_line(tmp_path):
    path = tmp_path / DATASET_FILES["migr_eiord"]
    path.parent.mkdir(parents=True)
    text = "\n".join([EIORD_HEADER, eiord(), eiord(citizen="CI", stamp="Côte")]) + "\n"
    path.write_bytes(text.encode("latin-1"))
    with pytest.raises(InputError) as info:
        load_return_decisions(tmp_path)
    problem = problem_at(info.value, path, 3, None)
    assert "UTF-8" in problem.message


def test_line_numbers_count_blank_lines_and_quoted_line_breaks(tmp_path):
    quoted = eiord(stamp='"20/09/24\n23:00:00"')  # one record over lines 4-5
    path = write(tmp_path, "migr_eiord", [eiord(), "", quoted.replace("IQ", "AF"),
                                          eiord(citizen="MA", value="x")])
    with pytest.raises(InputError) as info:
        load_return_decisions(tmp_path)
    problem_at(info.value, path, 6, "OBS_VALUE")
    assert len(info.value.problems) == 1


def test_header_only_file_is_rejected(tmp_path):
    path = write(tmp_path, "migr_eiord", [])
    with pytest.raises(InputError) as info:
        load_return_decisions(tmp_path)
    assert "no data rows" in problem_at(info.value, path, 2, None).message


def test_missing_file_and_unknown_dataset(tmp_path):
    with pytest.raises(InputError, match="not found"):
        load_return_decisions(tmp_path)
    with pytest.raises(ValueError):
        read_sdmx_csv(tmp_path / "x.csv", "migr_xyz")


# ---------------------------------------------------------------- code vocabularies


def test_country_codes_follow_eurostat_not_iso():
    known = codes.known_country_codes()
    assert {"EL", "UK", "XK", "NA", "ME", "CN_X_HK"} <= known
    assert not {"GR", "GB", "TOTAL", "EU28", "ASI"} & known
    assert codes.eurostat_from_iso2("GR") == "EL" and codes.eurostat_from_iso2("GB") == "UK"
    assert codes.eurostat_from_iso2("NA") == "NA"
    assert codes.country_name("EL") == "Greece" and codes.country_name("UK") == "United Kingdom"
    assert codes.country_name("XK") == "Kosovo*"
    with pytest.raises(KeyError):
        codes.country_name("TOTAL")
    with pytest.raises(KeyError):
        codes.eurostat_from_iso2("EL")


def test_aggregate_kinds():
    kinds = codes.AGGREGATE_CODES
    assert kinds["TOTAL"] == "total"
    assert kinds["EU28"] == kinds["EU27_2020"] == kinds["EFTA"] == "eu_aggregate"
    assert kinds["ASI"] == "regional"
    assert kinds["STLS"] == kinds["UNK"] == kinds["RNC"] == "stateless_unknown"
    assert kinds["UK_OCT"] == "territory_group"
    assert codes.is_aggregate("EU28") and not codes.is_aggregate("IQ")
    assert not set(kinds) & codes.known_country_codes()


# ---------------------------------------------------------------- the real snapshot

needs_snapshot = pytest.mark.skipif(not (SNAPSHOT / "eurostat" / "migr_eiord.csv").exists(),
                                    reason=f"offline snapshot not found at {SNAPSHOT}")


@needs_snapshot
def test_snapshot_return_decisions():
    table = load_return_decisions(SNAPSHOT)
    agg, obs = table.aggregates, table.observations
    eu28_2016 = agg[(agg["geo"] == "EU28") & (agg["citizen"] == "TOTAL") & (agg["year"] == 2016)]
    assert eu28_2016["value"].tolist() == [493785]  # meta check: published Eurostat total
    iraq = obs[(obs["citizen"] == "IQ") & (obs["year"] == 2015) & obs["geo"].isin(EU28)]
    assert iraq["geo"].nunique() == 28 and iraq["value"].sum() > 0
    both = pd.concat([obs, agg])
    assert both["value"].isna().sum() == 2310  # meta: observations_not_available
    assert (both["flags"] == "d").sum() == 268 and (both["flags"] == "p").sum() == 169
    assert len(both) == 28545


@needs_snapshot
def test_snapshot_returns():
    table = load_returns(SNAPSHOT)
    both = pd.concat([table.observations, table.aggregates])
    eu27 = both[both["geo"].isin(EU27)]
    assert eu27.loc[eu27["year"] == 2019, "value"].sum() == 141895  # meta check
    assert eu27.loc[eu27["year"] == 2023, "value"].sum() == 124510
    no_asia = table.observations[table.observations["geo"].isin(EU27)]
    assert no_asia.loc[no_asia["year"] == 2023, "value"].sum() < 124510
    assert "ME" in set(table.observations["geo"])
    assert table.last_update == "20/09/24 23:00:00"


@needs_snapshot
def test_snapshot_asylum_applications():
    table = load_asylum_applications(SNAPSHOT)
    eu = table.aggregates[table.aggregates["geo"] == "EU27_2020"]
    assert eu.loc[eu["year"] == 2023, "value"].sum() == 1130825  # meta: EU27_2020 sums
    assert set(table.observations["sex"]) == {"F", "M", "UNK"}


def caveats_for(tmp_path: Path, sha: str):
    """A caveats.yml saying Austria 2014 is not available in the migr_eiord file with `sha`."""
    (tmp_path / "ref").mkdir(exist_ok=True)
    (tmp_path / "ref" / "caveats.yml").write_text(
        f"migr_eiord:\n  '{sha}':\n    not_available:\n"
        '      - {state: "AT", year: 2014, why: "every value 0 in the source"}\n', encoding="utf-8")
    return load_caveats(tmp_path / "ref")


def test_caveat_reads_a_state_year_as_not_available_for_its_file_only(tmp_path):
    # issue 11, item 1: Austria 2014 written as 0 (as in the snapshot) is n/a once the caveat for
    # this file's sha256 applies; Austria 2015 and Germany 2014 keep their values
    path = write(tmp_path, "migr_eiord", [eiord(geo="AT", year="2014", value="0"),
                                          eiord(geo="AT", year="2015", value="10"),
                                          eiord(geo="DE", year="2014", value="0")])
    table = load_return_decisions(tmp_path, caveats_for(tmp_path, sha256_file(path)))
    values = table.observations.set_index(["geo", "year"])["value"]
    assert pd.isna(values[("AT", 2014)]) and values[("AT", 2015)] == 10 and values[("DE", 2014)] == 0
    assert table.caveats == ("migr_eiord: not available, read as n/a: AT 2014 (every value 0 in the source)",)
    # another vintage (another sha256) does not inherit the caveat, and a note says so
    other = load_return_decisions(tmp_path, caveats_for(tmp_path, "f" * 64))
    assert other.observations.set_index(["geo", "year"])["value"][("AT", 2014)] == 0
    assert "not applied" in other.caveats[0] and "ffffffffffff" in other.caveats[0]


def test_caveats_file_names_bad_entries(tmp_path):
    (tmp_path / "caveats.yml").write_text(
        'migr_eiord:\n  short: {}\nmigr_eiorx: {}\n', encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_caveats(tmp_path)
    assert "field 'migr_eiorx': unknown dataset" in str(err.value)
    assert "field 'migr_eiord.short': expected the file's sha256" in str(err.value)
