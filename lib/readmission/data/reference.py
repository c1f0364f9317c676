"""Legal facts by date: who needed a visa, which states report, which instruments are in force.

The tables in data/reference/ give dates as YYYY-MM-DD, or with reduced precision (YYYY-MM, YYYY)
where the source gives no day. A reduced date is a period; "in force on D" is decided only when the
whole period is on one side of D, so an assessment never relies on a day nobody knows.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..base.errors import InputError, Problem, quote
from ..base.codes import SYNTHETIC_CODES, synthetic_countries_enabled
from .schemas import read_csv_strings
from ..settings.params import Edition

REFERENCE_FILES = {
    "visa_required": ["iso2", "iso3", "eurostat_code", "name", "valid_from", "valid_to",
                      "legal_act", "note", "source", "status"],
    "readmission_instruments": ["iso2", "name", "instrument_type", "instrument", "signed",
                                "in_force_from", "in_force_to", "note", "source", "status"],
    "reporting_states": ["eurostat_code", "iso2", "name", "group", "member_from", "member_to",
                         "source", "status"],
    "rcms": ["iso2", "name", "launched", "stage", "note", "source", "status"],
    "visa_measures": ["iso2", "name", "article", "measure", "proposal", "proposal_date", "decision",
                      "decision_date", "applies_from", "repealed_date", "status_text", "source",
                      "status"],
}
DATE_COLUMNS = {
    "visa_required": ["valid_from", "valid_to"],
    "readmission_instruments": ["signed", "in_force_from", "in_force_to"],
    "reporting_states": ["member_from", "member_to"],
    "rcms": ["launched"],
    "visa_measures": ["proposal_date", "decision_date", "applies_from", "repealed_date"],
}
INTERVALS = {  # table -> (start column, end column), both inclusive
    "visa_required": ("valid_from", "valid_to"),
    "readmission_instruments": ("in_force_from", "in_force_to"),
    "reporting_states": ("member_from", "member_to"),
}
STATUSES = {"confirmed", "secondary", "inferred"}
INSTRUMENT_TYPES = {"eu_agreement", "eu_arrangement", "agreement_clause"}
STATE_GROUPS = {"EU", "SAC"}
RCMS_STAGES = {"launched", "planned"}  # launched with an empty date: in place, date unknown
_DATE = re.compile(r"^([0-9]{4})(?:-([0-9]{2}))?(?:-([0-9]{2}))?$")  # ASCII digits only


@dataclass(frozen=True)
class DatePeriod:
    """A date as precise as its source: a day, or the first and last day of a month or year."""

    first: dt.date
    last: dt.date

    @property
    def precise(self) -> bool:
        return self.first == self.last


def parse_reduced_date(text: str) -> DatePeriod:
    """'2017-03-28' -> that day; '2017-07' -> 1-31 July 2017; '2018' -> the whole year."""
    match = _DATE.match(text.strip())
    if not match or (match.group(3) and not match.group(2)):
        raise ValueError(f"not a date YYYY-MM-DD, YYYY-MM or YYYY: {quote(text)}")
    year, month, day = match.group(1), match.group(2), match.group(3)
    if day:
        day_ = dt.date.fromisoformat(f"{year}-{month}-{day}")
        return DatePeriod(day_, day_)
    if month:
        first = dt.date(int(year), int(month), 1)
        next_month = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
        return DatePeriod(first, next_month - dt.timedelta(days=1))
    return DatePeriod(dt.date(int(year), 1, 1), dt.date(int(year), 12, 31))


def _check_dates(path: Path, table: str, frame: pd.DataFrame, lines) -> list[Problem]:
    problems = []
    start_col, end_col = INTERVALS.get(table, (None, None))
    for index, row in frame.iterrows():
        line = int(lines[index])
        periods = {}
        for column in DATE_COLUMNS[table]:
            if row[column]:
                try:
                    periods[column] = parse_reduced_date(row[column])
                except ValueError as exc:
                    problems.append(Problem(str(path), str(exc), line, column))
        if start_col in periods and end_col in periods and periods[end_col].last < periods[start_col].first:
            problems.append(Problem(str(path), f"ends ({row[end_col]}) before it starts "
                                    f"({row[start_col]})", line, end_col))
    return problems


def _check_values(path: Path, table: str, frame: pd.DataFrame, lines) -> list[Problem]:
    problems = []
    allowed = {"status": STATUSES}
    if table == "readmission_instruments":
        allowed["instrument_type"] = INSTRUMENT_TYPES
    if table == "reporting_states":
        allowed["group"] = STATE_GROUPS
    if table == "rcms":
        allowed["stage"] = RCMS_STAGES
    for column, values in allowed.items():
        for index in frame.index[~frame[column].isin(values)]:
            problems.append(Problem(str(path), f"{quote(frame.at[index, column])} is not one of "
                                    f"{', '.join(sorted(values))}", int(lines[index]), column))
    code_column = "eurostat_code" if "eurostat_code" in frame else "iso2"
    valid = frame[code_column].str.fullmatch(r"[A-Z]{2}")
    if synthetic_countries_enabled():
        valid |= frame[code_column].isin(SYNTHETIC_CODES)
    for index in frame.index[~valid]:
        problems.append(Problem(str(path), f"{quote(frame.at[index, code_column])} is not a two-letter "
                                "code", int(lines[index]), code_column))
    return problems


def read_reference_table(reference_dir: Path, table: str) -> pd.DataFrame:
    """Read one reference table, checking columns, codes, statuses and dates; all text columns."""
    path = reference_dir / f"{table}.csv"
    if not path.exists():
        raise InputError.single(path, "reference table not found")
    # every cell a string, with the line each row is on (blank lines skipped, header = 1)
    raw = read_csv_strings(path, allow_empty=True)
    frame, expected = raw.frame, REFERENCE_FILES[table]
    if raw.header != expected:
        missing = [c for c in expected if c not in raw.header]
        extra = [c for c in raw.header if c not in expected]
        raise InputError.single(path, f"header does not match: missing {missing or 'none'}, "
                                f"unexpected {extra or 'none'}", 1)
    if raw.problems:  # rows with more or fewer fields than the header
        raise InputError(raw.problems)
    problems = (_check_values(path, table, frame, raw.lines)
                + _check_dates(path, table, frame, raw.lines))
    if problems:
        raise InputError(problems)
    return frame


def _in_force(frame: pd.DataFrame, start: str, end: str, on: dt.date) -> pd.Series:
    """Rows whose [start, end] certainly contains `on` (reduced dates: the whole period must agree)."""
    def started(text: str) -> bool:
        return bool(text) and parse_reduced_date(text).last <= on

    def not_ended(text: str) -> bool:
        return not text or on <= parse_reduced_date(text).first

    return frame[start].map(started) & frame[end].map(not_ended)


def _uncertain_on(frame: pd.DataFrame, start: str, end: str, on: dt.date) -> pd.Series:
    """Rows where `on` falls inside a reduced-precision start or end period."""
    def inside(text: str) -> bool:
        if not text:
            return False
        period = parse_reduced_date(text)
        return not period.precise and period.first <= on <= period.last

    return frame[start].map(inside) | frame[end].map(inside)


def visa_required_on(visa_table: pd.DataFrame, on: dt.date) -> pd.DataFrame:
    """Countries (Eurostat codes) whose nationals needed a Schengen visa on `on` (Annex I)."""
    rows = visa_table[_in_force(visa_table, "valid_from", "valid_to", on)]
    return rows.drop_duplicates("eurostat_code").reset_index(drop=True)


def reporting_states_on(states_table: pd.DataFrame, on: dt.date) -> pd.DataFrame:
    """EU Member States on `on`, plus the Schengen associated countries (IS, LI, NO, CH)."""
    rows = states_table[_in_force(states_table, "member_from", "member_to", on)]
    return rows.reset_index(drop=True)


def reporting_state_codes(states_table: pd.DataFrame, on: dt.date) -> list[str]:
    """The Eurostat codes of the reporting states on `on`: the states every sum and table covers."""
    return reporting_states_on(states_table, on)["eurostat_code"].tolist()


def instruments_in_force(instruments: pd.DataFrame, on: dt.date) -> pd.DataFrame:
    """Readmission instruments certainly in force on `on`; `date_uncertain` marks the rest to check."""
    in_force = _in_force(instruments, "in_force_from", "in_force_to", on)
    uncertain = _uncertain_on(instruments, "in_force_from", "in_force_to", on)
    rows = instruments[in_force | uncertain].copy()
    rows["date_uncertain"] = uncertain[in_force | uncertain]
    return rows.reset_index(drop=True)


def rcms_launched_by(rcms: pd.DataFrame, on: dt.date) -> pd.DataFrame:
    """Readmission case-management systems in place by `on`: launched certainly by then, or launched
    on a date nobody knows (`in_place` says which); planned ones are left out."""
    dated = rcms["launched"].map(lambda t: bool(t) and parse_reduced_date(t).last <= on)
    unknown = rcms["launched"] == ""
    rows = rcms[(rcms["stage"] == "launched") & (dated | unknown)].copy()
    rows["in_place"] = rows["launched"].map(lambda t: f"in place since {t}" if t else RCMS_DATE_UNKNOWN)
    return rows.reset_index(drop=True)


RCMS_DATE_UNKNOWN = "in place, date unknown"


def visa_measures_by(measures: pd.DataFrame, on: dt.date) -> pd.DataFrame:
    """Article 25a measures proposed by `on`, with whether a decision had been taken by then."""
    proposed = measures["proposal_date"].map(lambda t: bool(t) and parse_reduced_date(t).last <= on)
    rows = measures[proposed].copy()
    rows["decided"] = rows["decision_date"].map(lambda t: bool(t) and parse_reduced_date(t).last <= on)
    return rows.reset_index(drop=True)


@dataclass(frozen=True)
class ReferenceTables:
    """All legal-fact tables of data/reference/, validated."""

    visa_required: pd.DataFrame
    readmission_instruments: pd.DataFrame
    reporting_states: pd.DataFrame
    rcms: pd.DataFrame
    visa_measures: pd.DataFrame


def load_reference(reference_dir: Path) -> ReferenceTables:
    """Load and validate every reference table; all problems in all tables are reported together."""
    tables, problems = {}, []
    for table in REFERENCE_FILES:
        try:
            tables[table] = read_reference_table(reference_dir, table)
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    return ReferenceTables(**tables)


def edition_state_codes(reference: ReferenceTables, edition: Edition) -> list[str]:
    """The edition's reporting states: those of the reference table on its reference date, less the
    states its settings leave out (`excluded_states`)."""
    return [s for s in reporting_state_codes(reference.reporting_states, edition.reference_date)
            if s not in edition.excluded_states]
