"""Confidential Member State inputs (indicators (c) and (d)): formats, validation, completeness.

Two files per edition, one row per reporting_state x country x year: readmission_statistics (counts
for indicator (c) and re-documentation) and questionnaire (Article 25a(2)(d)(i)-(iv) answers on
ANSWER_SCALE). An empty cell means "not reported" and is never read as 0. Real files live in
data/restricted/<year>/ (git-ignored); data/templates/ holds empty templates (templates.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
import yaml

from ..base.columns import ITEMS as ITEM_WORDS
from ..base.columns import QUESTIONNAIRE, STATISTICS, input_columns
from ..base.errors import InputError, Problem, quote, raise_if_any, shorten
from ..settings.limits import Limits
from ..base.codes import SYNTHETIC_CODES, is_country, synthetic_countries_enabled
from .coverage import synthetic_problems
from .inputfile import SUFFIXES, read_rows
from .workbook import Rows

ITEMS: dict[str, str] = {key: f"(d){words}" for key, words in ITEM_WORDS.items()}  # Article 25a(2)(d)
ANSWER_SCALE: dict[int, str] = {1: "very poor", 2: "poor", 3: "average", 4: "good", 5: "very good"}
NO_ANSWER = "no experience / not answered"
KEY = ["reporting_state", "country", "year"]
COUNT_COLUMNS = input_columns(STATISTICS)  # the value columns, as the column schema orders them
ITEM_COLUMNS = input_columns(QUESTIONNAIRE)
STATISTICS_COLUMNS = KEY + COUNT_COLUMNS + ["comment"]
QUESTIONNAIRE_COLUMNS = KEY + ITEM_COLUMNS + ["comment"]
FILES = {STATISTICS: STATISTICS_COLUMNS, QUESTIONNAIRE: QUESTIONNAIRE_COLUMNS}
# where a row came from: kept by the loader, and written into per-country slices (input_slices.py)
# so that a slice's row still traces to the Member State file and row it was read from
PROVENANCE = ["source_file", "source_row"]
SYNTHETIC_LABEL = "ILLUSTRATIVE, SYNTHETIC DATA - not real Member State answers"
DEMO_MARKER = "demo.yml"  # written by the demo writer beside its files: the set is synthetic
_CODE = re.compile(r"[A-Z]{2}")
_YEAR = re.compile(r"[0-9]{4}")  # ASCII digits only: int() would also read '２０１６' or '٢٠١٦'
_WHOLE = re.compile(r"[0-9]+")
MAX_COUNT = 999_999_999  # keeps every count far inside Int64; real figures are far smaller
SCALE_TEXT = ", ".join(f"{k} = {v}" for k, v in ANSWER_SCALE.items())


def _country_code(code: str) -> bool:
    """Two capital letters, or a synthetic Q-code in benchmark and demo mode."""
    return bool(_CODE.fullmatch(code)) or (code in SYNTHETIC_CODES and synthetic_countries_enabled())


def _schema(value_columns: list[str], check: pa.Check) -> pa.DataFrameSchema:
    """Typed output contract: text keys, int year, nullable Int64 values, one row per key."""
    columns = {"reporting_state": pa.Column(str, pa.Check.str_matches(r"^[A-Z]{2}$")),
               "country": pa.Column(str, pa.Check(_country_code, element_wise=True)),
               "year": pa.Column("int64")}
    columns.update({c: pa.Column("Int64", check, nullable=True) for c in value_columns})
    columns["comment"] = pa.Column(str)
    columns["source_file"] = pa.Column(str, required=False)
    columns["source_row"] = pa.Column("int64", pa.Check.ge(1), required=False)
    return pa.DataFrameSchema(columns, strict=True, ordered=True, unique=KEY)


STATISTICS_SCHEMA = _schema(COUNT_COLUMNS, pa.Check.ge(0))
QUESTIONNAIRE_SCHEMA = _schema(ITEM_COLUMNS, pa.Check.isin(list(ANSWER_SCALE)))


@dataclass(frozen=True)
class ConfidentialInputs:
    """Both confidential tables of an edition, typed, with provenance and a synthetic flag."""

    statistics: pd.DataFrame
    questionnaire: pd.DataFrame
    synthetic: bool
    label: str
    sources: dict[str, str] = field(default_factory=dict)  # file name -> sha256
    warnings: list[Problem] = field(default_factory=list)


# --- reading files ---------------------------------------------------------------------------

def _header_difference(header: list[str], columns: list[str]) -> str:
    """What differs between a header and the template's: repeated, missing, unexpected or order."""
    repeated = sorted({c for c in header if header.count(c) > 1})
    missing = [c for c in columns if c not in header]
    extra = [shorten(c) for c in header if c not in columns]
    if repeated:
        return f"column(s) {', '.join(map(quote, repeated))} appear more than once"
    if missing or extra:
        return f"missing {missing or 'none'}, unexpected {extra or 'none'}"
    return f"columns in the wrong order, expected {', '.join(columns)}"


def _table(path: Path, rows: Rows, columns: list[str]) -> tuple[pd.DataFrame, list[Problem]]:
    """Check the header and field counts; return the rows as text with a '_line' column.

    A header may end with the PROVENANCE columns (a per-country slice): they are kept."""
    if not rows:
        raise InputError.single(path, "empty file: no header row")
    header_line, header = rows[0]
    while header and not header[-1]:
        header = header[:-1]
    if header == columns + PROVENANCE:
        columns = header
    if header != columns:
        raise InputError.single(path, f"header does not match the template: "
                                f"{_header_difference(header, columns)}", header_line)
    records, problems = [], []
    for line, fields in rows[1:]:
        if len(fields) < len(columns) or any(fields[len(columns):]):
            problems.append(Problem(str(path), f"has {len(fields)} fields, expected "
                                    f"{len(columns)}", line))
            continue
        records.append(fields[:len(columns)] + [line])
    return pd.DataFrame(records, columns=columns + ["_line"], dtype=object), problems


# --- row checks --------------------------------------------------------------------------------

def _check_keys(path: Path, frame: pd.DataFrame, states: set[str],
                countries: set[str] | None) -> list[Problem]:
    """Reporting state, country and year of every row; duplicate keys name both rows."""
    file, problems, seen = str(path), [], {}
    for line, state, country, year in frame[["_line"] + KEY].itertuples(index=False):
        if state not in states:
            hint = {"GR": "; Greece is EL in Eurostat's codes", "GB": "; the United Kingdom is UK"}.get(state, "")
            problems.append(Problem(file, "missing (required)" if not state else f"{quote(state)} is not "
                                    f"a reporting state of this edition ({', '.join(sorted(states))}){hint}",
                                    line, "reporting_state"))
        if not _country_code(country):
            problems.append(Problem(file, f"{quote(country)} is not a two-letter uppercase country code "
                                    "(Eurostat: EL, UK, XK)", line, "country"))
        elif countries is not None and country not in countries:
            problems.append(Problem(file, f"{quote(country)} is not one of the edition's countries",
                                    line, "country"))
        elif not is_country(country):
            problems.append(Problem(file, f"{quote(country)} is not a Eurostat country code "
                                    "(EL = Greece, UK = United Kingdom, XK = Kosovo)", line, "country"))
        elif country in states:
            problems.append(Problem(file, f"{country} is a reporting state, not a third country",
                                    line, "country"))
        if not _YEAR.fullmatch(year):
            problems.append(Problem(file, f"{quote(year)} is not a year (four digits)", line, "year"))
        if (state, country, year) in seen:
            problems.append(Problem(file, f"duplicate of row {seen[state, country, year]}: same "
                                    f"reporting_state, country and year ({shorten(f'{state}, {country}, {year}')})",
                                    line))
        else:
            seen[state, country, year] = line
    return problems


def _check_year(path: Path, frame: pd.DataFrame, year: int | None) -> list[Problem]:
    """Rows of another year than the edition's data year: one problem saying how many and which."""
    years = frame["year"][frame["year"].str.fullmatch(_YEAR.pattern)]
    other = years[years != str(year)] if year is not None else years[:0]
    if other.empty:
        return []
    first = int(frame.loc[other.index[0], "_line"])
    found = ", ".join(sorted(set(other)))
    return [Problem(str(path), f"{len(other)} of {len(frame)} rows are for year {found}, not the "
                    f"edition's data year {year} (first on row {first}): put each year's rows in "
                    f"data/restricted/<year>/", first, "year")]


def _check_whole(path: Path, frame: pd.DataFrame, columns: list[str],
                 allowed: set[int] | None) -> list[Problem]:
    """Empty, or a whole number >= 0 (allowed=None) or in `allowed`; names row and field."""
    problems = []
    for column in columns:
        for line, text in zip(frame["_line"], frame[column]):
            if not text:
                continue
            if allowed is None and not _WHOLE.fullmatch(text):
                problems.append(Problem(str(path), f"{quote(text)} is not a whole number >= 0 (leave "
                                        "empty if not reported)", line, column))
            elif allowed is None and int(text) > MAX_COUNT:
                problems.append(Problem(str(path), f"{quote(text)} is implausibly large (more than "
                                        f"{MAX_COUNT:,})", line, column))
            elif allowed is not None and (not _WHOLE.fullmatch(text) or int(text) not in allowed):
                problems.append(Problem(str(path), f"{quote(text)} is not an answer on the scale "
                                        f"({SCALE_TEXT}); leave empty for {NO_ANSWER}", line, column))
    return problems


def _typed(frame: pd.DataFrame, value_columns: list[str], source_file: str) -> pd.DataFrame:
    """Text rows (already checked) -> typed frame: int year, Int64 values (empty -> NA), and where
    each row came from (this file's name and row, or a slice's PROVENANCE columns)."""
    out = pd.DataFrame({"reporting_state": frame["reporting_state"].astype(str),
                        "country": frame["country"].astype(str),
                        "year": frame["year"].astype("int64")})
    for column in value_columns:
        out[column] = pd.array([int(v) if v else None for v in frame[column]], dtype="Int64")
    out["comment"] = frame["comment"].astype(str)
    out["source_file"] = frame["source_file"].astype(str) if "source_file" in frame else source_file
    out["source_row"] = (frame["source_row"] if "source_row" in frame else frame["_line"]).astype("int64")
    return out.reset_index(drop=True)


def accepted_warnings(file: str, statistics: pd.DataFrame, lines: list[int]) -> list[Problem]:
    """Warn where accepted > submitted: allowed (earlier years' requests) but worth a check."""
    sub = statistics["readmission_requests_submitted"]
    acc = statistics["readmission_requests_accepted"]
    over = (acc > sub).fillna(False).to_numpy()
    return [Problem(file, f"accepted ({acc.iloc[i]}) exceeds submitted ({sub.iloc[i]}): fine if "
                    "it includes requests submitted in earlier years, otherwise please check",
                    lines[i], "readmission_requests_accepted") for i in over.nonzero()[0]]


def _read(path: Path, kind: str, states: set[str], countries: set[str] | None, year: int | None,
          limits: Limits | None) -> tuple[pd.DataFrame, list[Problem], str]:
    """Read and validate one file of `kind`; return (typed frame, warnings, sha256)."""
    rows, sha, warnings = read_rows(path, kind, limits or Limits())
    text, problems = _table(path, rows, FILES[kind])
    problems += _check_keys(path, text, set(states), None if countries is None else set(countries))
    problems += _check_year(path, text, year)
    statistics = kind == "readmission_statistics"
    values = COUNT_COLUMNS if statistics else ITEM_COLUMNS
    problems += _check_whole(path, text, values, None if statistics else set(ANSWER_SCALE))
    columns = FILES[kind]
    raise_if_any(sorted(problems, key=lambda p: (p.row or 0, columns.index(p.field or "comment"))))
    frame = (STATISTICS_SCHEMA if statistics else QUESTIONNAIRE_SCHEMA).validate(_typed(text, values, path.name))
    if statistics:
        warnings += accepted_warnings(str(path), frame, list(text["_line"]))
    return frame, warnings, sha


def read_statistics(path: Path, states: set[str], countries: set[str] | None = None,
                    year: int | None = None, limits: Limits | None = None
                    ) -> tuple[pd.DataFrame, list[Problem]]:
    """Read readmission_statistics (.csv or .xlsx); InputError lists every problem in the file."""
    frame, warnings, _ = _read(path, "readmission_statistics", states, countries, year, limits)
    return frame, warnings


def read_questionnaire(path: Path, states: set[str], countries: set[str] | None = None,
                       year: int | None = None, limits: Limits | None = None
                       ) -> tuple[pd.DataFrame, list[Problem]]:
    """Read questionnaire (.csv or .xlsx); InputError lists every problem in the file."""
    frame, warnings, _ = _read(path, "questionnaire", states, countries, year, limits)
    return frame, warnings


def _find(folder: Path, kind: str) -> Path:
    """The one file folder/<kind>.csv or .xlsx (any case: QUESTIONNAIRE.CSV); none or both is an error."""
    names = {f"{kind}{suffix}" for suffix in SUFFIXES}
    entries = sorted(folder.iterdir()) if folder.is_dir() else []
    found = [p for p in entries if p.name.lower() in names and (p.is_file() or p.is_symlink())]
    if not found:
        near = [p.name for p in entries if p.name.lower().startswith(f"{kind}.")]
        hint = f" ({', '.join(map(quote, near))} found: only .csv and .xlsx are read)" if near else ""
        raise InputError.single(folder / f"{kind}.csv", f"not found: put {kind}.csv or {kind}.xlsx "
                                f"in {folder} (templates in data/templates/){hint}")
    if len(found) > 1:
        raise InputError.single(found[0], f"both {kind}.csv and {kind}.xlsx are present: keep one "
                                f"({', '.join(p.name for p in found)})")
    return found[0]


def load_confidential(folder: Path, states: set[str], countries: set[str] | None = None,
                      year: int | None = None, limits: Limits | None = None) -> ConfidentialInputs:
    """Read both files of `folder`; problems of both files are raised together in one InputError.

    With `year` (the edition's data year), rows of any other year are an error; `limits` (default:
    the built-in ones) bound the files' sizes.

    The set is synthetic when the demo writer's marker file sits beside the files; without it, rows
    whose comment says they are synthetic are refused: synthetic values never pass for real answers.
    """
    folder = Path(folder)
    frames, warnings, sources, problems = {}, [], {}, []
    for kind in FILES:
        try:
            path = _find(folder, kind)
            frames[kind], found, sources[path.name] = _read(path, kind, states, countries,
                                                            year, limits)
            warnings += found
            problems += [] if is_demo_folder(folder) else synthetic_problems(path, frames[kind])
        except InputError as exc:
            problems += exc.problems
    raise_if_any(problems)
    synthetic = is_demo_folder(folder)
    return ConfidentialInputs(frames["readmission_statistics"], frames["questionnaire"], synthetic,
                              SYNTHETIC_LABEL if synthetic else "", sources, warnings)


def is_demo_folder(folder: Path) -> bool:
    """True when `folder` holds the demo writer's marker (`demo.yml` with `synthetic: true`)."""
    marker = Path(folder) / DEMO_MARKER
    if not marker.is_file():
        return False

    try:
        content = yaml.safe_load(marker.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError):
        return True  # an unreadable marker still marks the folder: synthetic is the safe reading
    return not (isinstance(content, dict) and content.get("synthetic") is False)


def completeness(inputs: ConfidentialInputs, states: list[str], countries: list[str],
                 year: int) -> pd.DataFrame:
    """Per reporting state and file: rows expected/present and the share of value fields filled.

    Expected = one row per selected country; a missing row counts as all fields empty. Comments and
    rows for other countries or years are not counted.
    """
    countries = list(dict.fromkeys(countries))
    records = []
    for kind, frame, values in (("readmission_statistics", inputs.statistics, COUNT_COLUMNS),
                                ("questionnaire", inputs.questionnaire, ITEM_COLUMNS)):
        part = frame[(frame["year"] == year) & frame["country"].isin(countries)]
        for state in states:
            mine = part[part["reporting_state"] == state]
            expected, filled = len(countries) * len(values), int(mine[values].notna().sum().sum())
            records.append({"reporting_state": state, "file": kind, "rows_expected": len(countries),
                            "rows_present": len(mine), "fields_expected": expected,
                            "fields_filled": filled,
                            "share_filled": filled / expected if expected else float("nan")})
    return pd.DataFrame(records)
