"""Frontex border-crossing detections and return operations as tidy frames with Eurostat codes.

Only the oddities documented in the snapshot's .meta.yml are accepted (IOM's OOO/OOS/STL/XKX,
the 'Frontex' participating rows, the repeated 2023-2024 keys, 'VRD-' operations); anything
else is reported with file, line and field.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..base.codes import iso2_to_eurostat, iso3_to_eurostat
from .schemas import (
    BORDER_CROSSINGS_SCHEMA,
    RETURN_OPERATIONS_SCHEMA,
    RowProblems,
    check_header,
    fullmatch_mask,
    read_csv_strings,
    report_code_problems,
    report_integer_problems,
)

BORDER_CROSSINGS_FILE = "frontex/illegal_border_crossings.csv"
RETURN_OPERATIONS_FILE = "frontex/return_operations.csv"

ROUTES = frozenset({
    "Black Sea Route", "Central Mediterranean Route", "Circular Route from Albania to Greece",
    "Eastern Borders Route", "Eastern Mediterranean Route", "Other", "Western African Route",
    "Western Balkan Route", "Western Mediterranean Route",
})
BORDER_TYPES = frozenset({"Land", "Sea"})

# Frontex itself as participating state: empty code and label 'Frontex' in the source (7 rows,
# 2022-2023, all 0 returnees). Given this explicit non-country code rather than NA so that
# group-bys do not drop the rows silently and the rows never match a country code.
FRONTEX_PARTICIPANT = "FRONTEX"
FRONTEX_LABEL = "Frontex"
VOLUNTARY_PREFIX = "VRD-"

# The 8 (operation_id, participating_state, destination) combinations that the snapshot's
# return_operations.csv.meta.yml documents as appearing twice with different counts (16 rows,
# 2023-2024), as listed in that file (ISO codes). Any other repeated key is rejected.
DOCUMENTED_REPEATED_KEYS = frozenset({
    ("RO-02504", "DE", "GH"), ("RO-02506", "DE", "XK"), ("RO-02510", "DE", "BA"),
    ("RO-02676", "DE", "AL"), ("RO-02701", "DE", "XK"), ("RO-02719", "DE", "GH"),
    ("RO-03032", "IT", "NG"), ("RO-03044", "IT", "NG"),
})
RETURN_KEY = ["operation_id", "participating_state", "destination"]


def _report_duplicates(frame: pd.DataFrame, key: list[str], problems: RowProblems,
                       allowed: pd.Series | None = None) -> None:
    """Report each repeat of a key (except allowed rows), naming the row it repeats."""
    repeated = frame.duplicated(key, keep="first")
    if allowed is not None:
        repeated &= ~allowed
    if not repeated.any():
        return
    group = frame.groupby(key, sort=False).ngroup().to_numpy()
    first_line = pd.Series(problems.lines).groupby(group).transform("min").to_numpy()
    keys = frame[key].to_numpy()

    def message(pos: int) -> str:
        described = ", ".join(f"{k}={v}" for k, v in zip(key, keys[pos]))
        return f"duplicate key ({described}): already on row {first_line[pos]}"

    problems.add(repeated, key[0], message)


# ---------------------------------------------------------------- border crossings


def _check_month(months: pd.Series, problems: RowProblems) -> pd.Series:
    ok = fullmatch_mask(months, r"(19|20)[0-9]{2}-(0[1-9]|1[0-2])")
    problems.add_bad_values(~ok, months, "month", "expected a month YYYY-MM")
    return ok


def load_border_crossings(public_dir: Path) -> pd.DataFrame:
    """Monthly detections of illegal border-crossings by route, border type and nationality."""
    path = Path(public_dir) / BORDER_CROSSINGS_FILE
    raw = read_csv_strings(path)
    check_header(path, raw.header,
                 ["route", "border_type", "nationality_iso3", "month", "detections"])
    frame, problems = raw.frame, RowProblems(path, raw.lines)
    routes = frame["route"]
    problems.add_bad_values(~routes.isin(ROUTES), routes, "route",
                            f"unknown route (known: {', '.join(sorted(ROUTES))})")
    types = frame["border_type"]
    problems.add_bad_values(~types.isin(BORDER_TYPES), types, "border_type",
                            "expected 'Land' or 'Sea'")
    iso3 = iso3_to_eurostat()
    report_code_problems(problems, frame["nationality_iso3"], "nationality_iso3",
                         lambda v: v.isin(iso3.keys()),
                         "an ISO 3166 alpha-3 code or IOM's OOO, OOS, STL, XKX")
    _check_month(frame["month"], problems)
    report_integer_problems(problems, frame["detections"], "detections")
    _report_duplicates(frame, ["route", "border_type", "nationality_iso3", "month"], problems)
    problems.raise_if_any(raw.problems)

    tidy = pd.DataFrame({
        "route": frame["route"],
        "border_type": frame["border_type"],
        "nationality": frame["nationality_iso3"].map(iso3).astype("str"),
        "nationality_iso3": frame["nationality_iso3"],
        "month": frame["month"],
        "year": frame["month"].str.slice(0, 4).astype("int64"),
        "detections": frame["detections"].astype("int64"),
    })
    return BORDER_CROSSINGS_SCHEMA.validate(tidy)


# ---------------------------------------------------------------- return operations


def _check_participants(frame: pd.DataFrame, problems: RowProblems) -> pd.Series:
    """Participating states must be ISO codes; an empty code only for 'Frontex' with 0 returnees."""
    iso2 = iso2_to_eurostat()
    states = frame["participating_state"]
    frontex = (states == "") & (frame["participating_state_label"] == FRONTEX_LABEL)
    report_code_problems(problems, states, "participating_state",
                         lambda v: v.isin(iso2.keys()) | frontex,
                         "an ISO 3166 alpha-2 code (GR, GB), or empty with label 'Frontex'")
    returnees = frame["returnees"]
    problems.add_bad_values(frontex & (returnees != "0"), returnees, "returnees",
                            "'Frontex' as participating state is documented with 0 returnees only")
    return frontex


def _check_operation_ids(ids: pd.Series, problems: RowProblems) -> None:
    ok = fullmatch_mask(ids, r"(RO|VRD)-[0-9][0-9-]*")
    problems.add_bad_values(~ok, ids, "operation_id",
                            "expected an operation id 'RO-...' or 'VRD-...' (voluntary)")


def _check_dates(dates: pd.Series, problems: RowProblems) -> pd.Series:
    parsed = pd.to_datetime(dates.where(fullmatch_mask(dates, r"[0-9]{4}-[0-9]{2}-[0-9]{2}")),
                            format="%Y-%m-%d", errors="coerce")
    problems.add_bad_values(parsed.isna(), dates, "date", "expected a date YYYY-MM-DD")
    return parsed


def _documented_repeats(frame: pd.DataFrame) -> pd.Series:
    """Rows whose key is a documented repeated combination, seen at most twice."""
    keys = pd.Series(list(zip(*(frame[k] for k in RETURN_KEY))), index=frame.index)
    documented = keys.isin(DOCUMENTED_REPEATED_KEYS)
    return documented & (frame.groupby(RETURN_KEY).cumcount() < 2)


def load_return_operations(public_dir: Path) -> pd.DataFrame:
    """Persons returned on Frontex-coordinated operations, by operation, state and destination."""
    path = Path(public_dir) / RETURN_OPERATIONS_FILE
    raw = read_csv_strings(path)
    check_header(path, raw.header,
                 ["operation_id", "date", "participating_state", "destination", "returnees",
                  "participating_state_label", "destination_label"])
    frame, problems = raw.frame, RowProblems(path, raw.lines)
    _check_operation_ids(frame["operation_id"], problems)
    dates = _check_dates(frame["date"], problems)
    frontex = _check_participants(frame, problems)
    iso2 = iso2_to_eurostat()
    report_code_problems(problems, frame["destination"], "destination",
                         lambda v: v.isin(iso2.keys()), "an ISO 3166 alpha-2 code (GR, GB)")
    report_integer_problems(problems, frame["returnees"], "returnees")
    documented = _documented_repeats(frame)
    _report_duplicates(frame, RETURN_KEY, problems, allowed=documented)
    problems.raise_if_any(raw.problems)

    state = frame["participating_state"].map(iso2).where(~frontex, FRONTEX_PARTICIPANT)
    repeated = frame.duplicated(RETURN_KEY, keep=False)
    tidy = pd.DataFrame({
        "operation_id": frame["operation_id"],
        "date": dates.astype("datetime64[ns]"),
        "year": dates.dt.year.astype("int64"),
        "participating_state": state.astype("str"),
        "destination": frame["destination"].map(iso2).astype("str"),
        "returnees": frame["returnees"].astype("int64"),
        "voluntary": frame["operation_id"].str.startswith(VOLUNTARY_PREFIX).astype(bool),
        "repeated_key": repeated.astype(bool),
    })
    return RETURN_OPERATIONS_SCHEMA.validate(tidy)
