"""Frontex loaders: nationality codes, documented oddities accepted, the rest rejected, snapshot."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from readmission.method import cooperation
from readmission.base import codes
from readmission.data.frontex import (
    BORDER_CROSSINGS_FILE,
    FRONTEX_PARTICIPANT,
    RETURN_OPERATIONS_FILE,
    load_border_crossings,
    load_return_operations,
)
from conftest import SNAPSHOT
from readmission.base.errors import InputError


CROSSINGS_HEADER = "route,border_type,nationality_iso3,month,detections"
OPERATIONS_HEADER = ("operation_id,date,participating_state,destination,returnees,"
                     "participating_state_label,destination_label")


def crossing(nat="SYR", month="2015-09", detections="120", route="Eastern Mediterranean Route",
             border="Sea") -> str:
    return f"{route},{border},{nat},{month},{detections}"


def operation(op="RO-02000", date="2022-03-01", state="DE", dest="NG", returnees="12",
              state_label="Germany", dest_label="Nigeria") -> str:
    return f"{op},{date},{state},{dest},{returnees},{state_label},{dest_label}"


def write(public: Path, rel: str, header: str, lines: list[str]) -> Path:
    path = public / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def crossings(tmp_path: Path, lines: list[str]) -> pd.DataFrame:
    write(tmp_path, BORDER_CROSSINGS_FILE, CROSSINGS_HEADER, lines)
    return load_border_crossings(tmp_path)


def operations(tmp_path: Path, lines: list[str]) -> pd.DataFrame:
    write(tmp_path, RETURN_OPERATIONS_FILE, OPERATIONS_HEADER, lines)
    return load_return_operations(tmp_path)


def problem_at(exc: InputError, path: Path, row: int | None, field: str | None):
    """The problem reported at row/field; its text must name the file, the row and the field."""
    found = [p for p in exc.problems if p.row == row and p.field == field]
    assert found, f"no problem at row {row}, field {field}: {exc.describe()}"
    text = str(found[0])
    assert str(path) in text and (row is None or f"row {row}" in text)
    assert field is None or f"field '{field}'" in text
    return found[0]


# ---------------------------------------------------------------- border crossings


def test_nationalities_become_eurostat_codes_including_iom_specials(tmp_path):
    iso3 = ["GRC", "GBR", "XKX", "STL", "OOO", "OOS", "NAM", "SYR"]
    frame = crossings(tmp_path, [crossing(nat=n) for n in iso3])
    assert frame["nationality"].tolist() == ["EL", "UK", "XK", "STLS", "UNK",
                                             codes.SUB_SAHARAN_UNIDENTIFIED, "NA", "SY"]
    assert frame["nationality_iso3"].tolist() == iso3
    assert codes.is_aggregate(codes.SUB_SAHARAN_UNIDENTIFIED)
    assert codes.AGGREGATE_CODES[codes.eurostat_from_iso3("OOS")] == "regional"


def test_crossings_columns_and_types(tmp_path):
    frame = crossings(tmp_path, [crossing(), crossing(month="2016-01", detections="0")])
    assert list(frame.columns) == ["route", "border_type", "nationality", "nationality_iso3",
                                   "month", "year", "detections"]
    assert frame["year"].tolist() == [2015, 2016]
    assert frame["month"].tolist() == ["2015-09", "2016-01"]
    assert frame["detections"].tolist() == [120, 0]
    assert str(frame["detections"].dtype) == "int64"


@pytest.mark.parametrize("field, line, fragment", [
    ("nationality_iso3", crossing(nat="ZZZ"), "'ZZZ'"),
    ("nationality_iso3", crossing(nat="GR"), "'GR'"),
    ("month", crossing(month="2015-13"), "YYYY-MM"),
    ("month", crossing(month="2015-09-01"), "YYYY-MM"),
    ("detections", crossing(detections="-4"), "negative"),
    ("detections", crossing(detections="41.0"), "whole number"),
    ("route", crossing(route="Arctic Route"), "unknown route"),
    ("border_type", crossing(border="Air"), "'Land' or 'Sea'"),
])
def test_malformed_crossing_is_named(tmp_path, field, line, fragment):
    path = write(tmp_path, BORDER_CROSSINGS_FILE, CROSSINGS_HEADER, [crossing(nat="AFG"), line])
    with pytest.raises(InputError) as info:
        load_border_crossings(tmp_path)
    assert fragment in problem_at(info.value, path, 3, field).message
    assert len(info.value.problems) == 1


def test_duplicate_crossing_key_is_rejected(tmp_path):
    path = write(tmp_path, BORDER_CROSSINGS_FILE, CROSSINGS_HEADER,
                 [crossing(), crossing(nat="AFG"), crossing(detections="7")])
    with pytest.raises(InputError) as info:
        load_border_crossings(tmp_path)
    assert "row 2" in problem_at(info.value, path, 4, "route").message


def test_crossings_header_and_encoding(tmp_path):
    path = write(tmp_path, BORDER_CROSSINGS_FILE, "route,border_type,nat,month,detections",
                 [crossing()])
    with pytest.raises(InputError) as info:
        load_border_crossings(tmp_path)
    problem_at(info.value, path, 1, "nationality_iso3")
    problem_at(info.value, path, 1, "nat")
    path.write_bytes(("\n".join([CROSSINGS_HEADER, crossing(), crossing(nat="CIV"),
                                 "Western African Route,Sea,CIV,2015-10,3 \u00e0"]) + "\n")
                     .encode("cp1252"))
    with pytest.raises(InputError) as info:
        load_border_crossings(tmp_path)
    assert "UTF-8" in problem_at(info.value, path, 4, None).message


# ---------------------------------------------------------------- return operations


def test_iso_states_become_eurostat_codes_and_namibia_survives(tmp_path):
    frame = operations(tmp_path, [operation(state="GR", dest="PK"), operation(state="GB"),
                                  operation(op="RO-02001", dest="NA", dest_label="Namibia")])
    assert frame["participating_state"].tolist() == ["EL", "UK", "DE"]
    assert frame["destination"].tolist() == ["PK", "NG", "NA"]
    assert frame["destination"].isna().sum() == 0
    assert str(frame["date"].dtype).startswith("datetime64")
    assert frame["year"].tolist() == [2022, 2022, 2022]
    assert frame["returnees"].tolist() == [12, 12, 12]


def test_frontex_rows_voluntary_and_documented_repeats_are_accepted(tmp_path):
    lines = [operation(op="RO-02582", state="", returnees="0", state_label="Frontex"),
             operation(op="VRD-00029", dest="GE", dest_label="Georgia"),
             operation(op="RO-02510", date="2023-05-09", dest="BA", returnees="42"),
             operation(op="RO-02510", date="2023-05-09", dest="BA", returnees="1"),
             operation(op="RO-02511")]
    frame = operations(tmp_path, lines)
    assert frame["participating_state"].tolist()[0] == FRONTEX_PARTICIPANT
    assert frame["voluntary"].tolist() == [False, True, False, False, False]
    assert frame["repeated_key"].tolist() == [False, False, True, True, False]
    assert frame.loc[frame["repeated_key"], "returnees"].sum() == 43


def test_frontex_itself_is_no_participating_state(tmp_path):
    # issue 11, item 3: an operation to NG with DE and IT and a 'Frontex' row (empty code, as in the
    # snapshot's RO-02582) has 2 participating states, not 3; DE's 12 + IT's 12 = 24 returnees
    lines = [operation(op="RO-02582"), operation(op="RO-02582", state="IT", state_label="Italy"),
             operation(op="RO-02582", state="", returnees="0", state_label="Frontex")]
    frame = operations(tmp_path, lines)
    table = cooperation.return_operations(frame, "NG").set_index("year")
    assert table.loc[2022, ["operations", "returnees", "participating_states"]].tolist() == [1, 24, 2]


def test_undocumented_repeated_key_is_rejected(tmp_path):
    path = write(tmp_path, RETURN_OPERATIONS_FILE, OPERATIONS_HEADER,
                 [operation(), operation(returnees="3")])
    with pytest.raises(InputError) as info:
        load_return_operations(tmp_path)
    problem = problem_at(info.value, path, 3, "operation_id")
    assert "duplicate" in problem.message and "row 2" in problem.message


def test_documented_key_seen_three_times_is_rejected(tmp_path):
    line = operation(op="RO-02510", date="2023-05-09", dest="BA")
    path = write(tmp_path, RETURN_OPERATIONS_FILE, OPERATIONS_HEADER, [line, line, line])
    with pytest.raises(InputError) as info:
        load_return_operations(tmp_path)
    problem_at(info.value, path, 4, "operation_id")
    assert len(info.value.problems) == 1


@pytest.mark.parametrize("field, line, fragment", [
    ("returnees", operation(state="", state_label="Frontex", returnees="5"), "0 returnees"),
    ("participating_state", operation(state="", state_label="Germany"), "''"),
    ("participating_state", operation(state="EL"), "'EL'"),
    ("destination", operation(dest="ZZ"), "'ZZ'"),
    ("date", operation(date="2022-02-30"), "YYYY-MM-DD"),
    ("date", operation(date="2022-03-01T00:00:00Z"), "YYYY-MM-DD"),
    ("returnees", operation(returnees="-1"), "negative"),
    ("returnees", operation(returnees="two"), "whole number"),
    ("operation_id", operation(op="XX-1"), "operation id"),
])
def test_malformed_operation_is_named(tmp_path, field, line, fragment):
    path = write(tmp_path, RETURN_OPERATIONS_FILE, OPERATIONS_HEADER,
                 [operation(op="RO-00001"), line])
    with pytest.raises(InputError) as info:
        load_return_operations(tmp_path)
    assert fragment in problem_at(info.value, path, 3, field).message
    assert len(info.value.problems) == 1


def test_missing_operations_file_says_not_found(tmp_path):
    with pytest.raises(InputError, match="not found"):
        load_return_operations(tmp_path)


# ---------------------------------------------------------------- the real snapshot

needs_snapshot = pytest.mark.skipif(not (SNAPSHOT / BORDER_CROSSINGS_FILE).exists(),
                                    reason=f"offline snapshot not found at {SNAPSHOT}")


@needs_snapshot
def test_snapshot_border_crossings():
    frame = load_border_crossings(SNAPSHOT)
    assert len(frame) == 34273
    by_year = frame.groupby("year")["detections"].sum()
    assert by_year[2015] == 1822102 and by_year[2023] == 381319  # meta checks
    assert {"UNK", "STLS", "XK", codes.SUB_SAHARAN_UNIDENTIFIED} <= set(frame["nationality"])


@needs_snapshot
def test_snapshot_return_operations():
    frame = load_return_operations(SNAPSHOT)
    assert len(frame) == 6477
    assert frame.groupby("year")["returnees"].sum()[2022] == 9919  # meta check
    voluntary = frame[frame["voluntary"]]
    assert len(voluntary) == 34 and voluntary["returnees"].sum() == 1777
    frontex = frame[frame["participating_state"] == FRONTEX_PARTICIPANT]
    assert len(frontex) == 7 and frontex["returnees"].sum() == 0
    repeated = frame[frame["repeated_key"]]
    assert len(repeated) == 16 and set(repeated["year"]) == {2023, 2024}
    assert not {"GR", "GB"} & set(frame["participating_state"])
