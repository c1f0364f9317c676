"""Confidential Member State inputs (indicators (c) and (d)): formats, validation, completeness.

Two files per edition, one row per reporting_state x country x year: readmission_statistics (counts
for indicator (c) and re-documentation) and questionnaire (Article 25a(2)(d)(i)-(iv) answers on
ANSWER_SCALE). An empty cell means "not reported" and is never read as 0. Real files live in
data/restricted/<year>/ (git-ignored); data/templates/ holds empty templates made by write_templates.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from ..errors import InputError, Problem, raise_if_any
from ..outputs import write_bytes_atomic, write_text_atomic
from .codes import SYNTHETIC_CODES, is_country, synthetic_countries_enabled

ITEMS: dict[str, str] = {
    "identification": "(d)(i) identification and timely issuance of travel documents",
    "laissez_passer": "(d)(ii) acceptance of the EU laissez-passer",
    "readmission_acceptance": "(d)(iii) acceptance of readmission",
    "return_operations": "(d)(iv) acceptance of return flights and operations",
}
ANSWER_SCALE: dict[int, str] = {1: "very poor", 2: "poor", 3: "average", 4: "good", 5: "very good"}
NO_ANSWER = "no experience / not answered"
KEY = ["reporting_state", "country", "year"]
COUNT_COLUMNS = ["readmission_requests_submitted", "readmission_requests_accepted",
                 "travel_documents_issued", "forced_returns", "days_to_travel_document"]
STATISTICS_COLUMNS = KEY + COUNT_COLUMNS + ["comment"]
QUESTIONNAIRE_COLUMNS = KEY + list(ITEMS) + ["comment"]
FILES = {"readmission_statistics": STATISTICS_COLUMNS, "questionnaire": QUESTIONNAIRE_COLUMNS}
SYNTHETIC_LABEL = "ILLUSTRATIVE, SYNTHETIC DATA - not real Member State answers"
DEMO_MARKER = "demo.yml"  # written by the demo writer beside its files: the set is synthetic
_CODE = re.compile(r"[A-Z]{2}")
_YEAR = re.compile(r"\d{4}")
_WHOLE = re.compile(r"\d+")
MAX_COUNT = 999_999_999  # keeps every count far inside Int64; real figures are far smaller
Rows = list[tuple[int, list[str]]]  # (line number, fields)
_SCALE_TEXT = ", ".join(f"{k} = {v}" for k, v in ANSWER_SCALE.items())

# column -> (type, allowed values, what an empty cell means, description); used by the templates
COLUMN_DOCS: dict[str, tuple[str, str, str, str]] = {
    "reporting_state": ("text", "Eurostat code of a reporting state on the edition's reference date "
                        "(EL = Greece)", "not allowed", "Member State or Schengen associated "
                        "country answering"),
    "country": ("text", "two-letter uppercase Eurostat code (UK, XK = Kosovo), one of the edition's "
                "selected countries", "not allowed", "third country the row is about"),
    "year": ("integer", "four digits", "not allowed", "calendar year the row refers to"),
    "readmission_requests_submitted": ("integer", ">= 0", "not reported (never read as 0)",
                                       "readmission requests submitted to the country in the year "
                                       "(indicator (c))"),
    "readmission_requests_accepted": ("integer", ">= 0; may exceed submitted (warning)",
                                      "not reported (never read as 0)", "requests accepted in the "
                                      "year, including requests submitted in earlier years"),
    "travel_documents_issued": ("integer", ">= 0", "not reported (never read as 0)",
                                "travel documents (passports, emergency travel documents) issued "
                                "by the country for returns in the year"),
    "forced_returns": ("integer", ">= 0", "not reported (never read as 0)",
                       "forced returns carried out to the country in the year"),
    "days_to_travel_document": ("integer", ">= 0, whole days", "not known",
                                "median days from the request to the travel document being issued"),
    **{item: ("integer", f"1-5: {_SCALE_TEXT}", NO_ANSWER, f"Article 25a(2){label}")
       for item, label in ITEMS.items()},
    "comment": ("text", "free text, no personal data", "no comment", "remarks on the row"),
}


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
    return pa.DataFrameSchema(columns, strict=True, ordered=True, unique=KEY)


STATISTICS_SCHEMA = _schema(COUNT_COLUMNS, pa.Check.ge(0))
QUESTIONNAIRE_SCHEMA = _schema(list(ITEMS), pa.Check.isin(list(ANSWER_SCALE)))


@dataclass(frozen=True)
class ConfidentialInputs:
    """Both confidential tables of an edition, typed, with provenance and a synthetic flag."""

    statistics: pd.DataFrame
    questionnaire: pd.DataFrame
    synthetic: bool
    label: str
    sources: dict[str, str] = field(default_factory=dict)  # file name -> sha256
    warnings: list[Problem] = field(default_factory=list)


# --- reading raw rows -------------------------------------------------------------------------

def _csv_rows(path: Path, raw: bytes) -> Rows:
    """(line number, fields) per CSV record; a record's line is where it starts."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise InputError.single(path, f"not UTF-8 text (bad byte at offset {exc.start}); save it "
                                "as 'CSV UTF-8'", line) from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    rows, start = [], 1
    try:
        for fields in reader:
            rows.append((start, fields))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise InputError.single(path, f"not readable as CSV: {exc}", start) from exc
    return rows


def _xlsx_rows(path: Path, raw: bytes) -> Rows:
    """(Excel row number, fields) for the first sheet, read with openpyxl via pandas."""
    try:
        sheet = pd.read_excel(io.BytesIO(raw), sheet_name=0, header=None, dtype=str,
                              keep_default_na=False, engine="openpyxl")
    except Exception as exc:  # openpyxl raises many types for a broken workbook
        raise InputError.single(path, f"not readable as an Excel workbook: {exc}") from exc
    return [(i + 1, ["" if v is None else str(v) for v in values])
            for i, values in enumerate(sheet.itertuples(index=False, name=None))]


def _read_rows(path: Path) -> tuple[Rows, str]:
    """Raw rows (line, stripped fields) of a CSV or XLSX file, and the file's sha256."""
    path = Path(path)
    if path.suffix.lower() not in (".csv", ".xlsx"):
        raise InputError.single(path, "unsupported file type: use .csv (UTF-8) or .xlsx")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError.single(path, f"cannot read: {exc.strerror or exc}") from exc
    rows = _csv_rows(path, raw) if path.suffix.lower() == ".csv" else _xlsx_rows(path, raw)
    stripped = [(line, [f.strip() for f in fields]) for line, fields in rows]
    return [(n, fields) for n, fields in stripped if any(fields)], hashlib.sha256(raw).hexdigest()


def _table(path: Path, rows: Rows, columns: list[str]) -> tuple[pd.DataFrame, list[Problem]]:
    """Check the header and field counts; return the rows as text with a '_line' column."""
    if not rows:
        raise InputError.single(path, "empty file: no header row")
    header_line, header = rows[0]
    while header and not header[-1]:
        header = header[:-1]
    if header != columns:
        missing = [c for c in columns if c not in header]
        extra = [c for c in header if c not in columns]
        detail = (f"missing {missing or 'none'}, unexpected {extra or 'none'}" if missing or extra
                  else f"columns in the wrong order, expected {', '.join(columns)}")
        raise InputError.single(path, f"header does not match the template: {detail}", header_line)
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
            problems.append(Problem(file, "missing (required)" if not state else f"{state!r} is not "
                                    f"a reporting state of this edition ({', '.join(sorted(states))})",
                                    line, "reporting_state"))
        if not _country_code(country):
            problems.append(Problem(file, f"{country!r} is not a two-letter uppercase country code "
                                    "(Eurostat: EL, UK, XK)", line, "country"))
        elif countries is not None and country not in countries:
            problems.append(Problem(file, f"{country!r} is not one of the edition's countries",
                                    line, "country"))
        elif not is_country(country):
            problems.append(Problem(file, f"{country!r} is not a Eurostat country code "
                                    "(EL = Greece, UK = United Kingdom, XK = Kosovo)", line, "country"))
        elif country in states:
            problems.append(Problem(file, f"{country} is a reporting state, not a third country",
                                    line, "country"))
        if not _YEAR.fullmatch(year):
            problems.append(Problem(file, f"{year!r} is not a year (four digits)", line, "year"))
        if (state, country, year) in seen:
            problems.append(Problem(file, f"duplicate of row {seen[state, country, year]}: same "
                                    f"reporting_state, country and year ({state}, {country}, {year})",
                                    line))
        else:
            seen[state, country, year] = line
    return problems


def _check_whole(path: Path, frame: pd.DataFrame, columns: list[str],
                 allowed: set[int] | None) -> list[Problem]:
    """Empty, or a whole number >= 0 (allowed=None) or in `allowed`; names row and field."""
    problems = []
    for column in columns:
        for line, text in zip(frame["_line"], frame[column]):
            if not text:
                continue
            if allowed is None and not _WHOLE.fullmatch(text):
                problems.append(Problem(str(path), f"{text!r} is not a whole number >= 0 (leave "
                                        "empty if not reported)", line, column))
            elif allowed is None and int(text) > MAX_COUNT:
                problems.append(Problem(str(path), f"{text!r} is implausibly large (more than "
                                        f"{MAX_COUNT:,})", line, column))
            elif allowed is not None and (not _WHOLE.fullmatch(text) or int(text) not in allowed):
                problems.append(Problem(str(path), f"{text!r} is not an answer on the scale "
                                        f"({_SCALE_TEXT}); leave empty for {NO_ANSWER}", line, column))
    return problems


def _typed(frame: pd.DataFrame, value_columns: list[str]) -> pd.DataFrame:
    """Text rows (already checked) -> typed frame: int year, Int64 values (empty -> NA)."""
    out = pd.DataFrame({"reporting_state": frame["reporting_state"].astype(str),
                        "country": frame["country"].astype(str),
                        "year": frame["year"].astype("int64")})
    for column in value_columns:
        out[column] = pd.array([int(v) if v else None for v in frame[column]], dtype="Int64")
    out["comment"] = frame["comment"].astype(str)
    return out.reset_index(drop=True)


def accepted_warnings(file: str, statistics: pd.DataFrame, lines: list[int]) -> list[Problem]:
    """Warn where accepted > submitted: allowed (earlier years' requests) but worth a check."""
    sub = statistics["readmission_requests_submitted"]
    acc = statistics["readmission_requests_accepted"]
    over = (acc > sub).fillna(False).to_numpy()
    return [Problem(file, f"accepted ({acc.iloc[i]}) exceeds submitted ({sub.iloc[i]}): fine if "
                    "it includes requests submitted in earlier years, otherwise please check",
                    lines[i], "readmission_requests_accepted") for i in over.nonzero()[0]]


def _read(path: Path, kind: str, states: set[str],
          countries: set[str] | None) -> tuple[pd.DataFrame, list[Problem], str]:
    """Read and validate one file of `kind`; return (typed frame, warnings, sha256)."""
    rows, sha = _read_rows(path)
    text, problems = _table(path, rows, FILES[kind])
    problems += _check_keys(path, text, set(states), None if countries is None else set(countries))
    statistics = kind == "readmission_statistics"
    values = COUNT_COLUMNS if statistics else list(ITEMS)
    problems += _check_whole(path, text, values, None if statistics else set(ANSWER_SCALE))
    columns = FILES[kind]
    raise_if_any(sorted(problems, key=lambda p: (p.row or 0, columns.index(p.field or "comment"))))
    frame = (STATISTICS_SCHEMA if statistics else QUESTIONNAIRE_SCHEMA).validate(_typed(text, values))
    warnings = accepted_warnings(str(path), frame, list(text["_line"])) if statistics else []
    return frame, warnings, sha


def read_statistics(path: Path, states: set[str],
                    countries: set[str] | None = None) -> tuple[pd.DataFrame, list[Problem]]:
    """Read readmission_statistics (.csv or .xlsx); InputError lists every problem in the file."""
    frame, warnings, _ = _read(path, "readmission_statistics", states, countries)
    return frame, warnings


def read_questionnaire(path: Path, states: set[str],
                       countries: set[str] | None = None) -> tuple[pd.DataFrame, list[Problem]]:
    """Read questionnaire (.csv or .xlsx); InputError lists every problem in the file."""
    frame, warnings, _ = _read(path, "questionnaire", states, countries)
    return frame, warnings


def _find(folder: Path, kind: str) -> Path:
    """The one file folder/<kind>.csv or .xlsx; none or both is an error."""
    found = [p for p in (folder / f"{kind}.csv", folder / f"{kind}.xlsx") if p.is_file()]
    if not found:
        raise InputError.single(folder / f"{kind}.csv", f"not found: put {kind}.csv or {kind}.xlsx "
                                f"in {folder} (templates in data/templates/)")
    if len(found) > 1:
        raise InputError.single(found[0], f"both {kind}.csv and {kind}.xlsx are present: keep one")
    return found[0]


def load_confidential(folder: Path, states: set[str],
                      countries: set[str] | None = None) -> ConfidentialInputs:
    """Read both files of `folder`; problems of both files are raised together in one InputError.

    The set is synthetic when the demo writer's marker file sits beside the files (never decided
    from a comment's text): a demo folder can never pass for real Member State answers.
    """
    folder = Path(folder)
    frames, warnings, sources, problems = {}, [], {}, []
    for kind in FILES:
        try:
            path = _find(folder, kind)
            frames[kind], found, sources[path.name] = _read(path, kind, states, countries)
            warnings += found
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
    import yaml

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
                                ("questionnaire", inputs.questionnaire, list(ITEMS))):
        part = frame[(frame["year"] == year) & frame["country"].isin(countries)]
        for state in states:
            mine = part[part["reporting_state"] == state]
            expected, filled = len(countries) * len(values), int(mine[values].notna().sum().sum())
            records.append({"reporting_state": state, "file": kind, "rows_expected": len(countries),
                            "rows_present": len(mine), "fields_expected": expected,
                            "fields_filled": filled,
                            "share_filled": filled / expected if expected else float("nan")})
    return pd.DataFrame(records)


# --- templates ---------------------------------------------------------------------------------

def _readme_rows(kind: str) -> list[list[str | int]]:
    """The README sheet of a template: every column, then the answer scale for the questionnaire."""
    rows: list[list[str | int]] = [
        [f"{kind}: one row per reporting_state x country x year. Fill the first sheet; do not "
         "rename, reorder or add columns. Save filled files in data/restricted/<year>/ (never "
         "commit them)."],
        ["Numbers are whole numbers without decimals, signs or separators (counts at most "
         f"{MAX_COUNT:,}). An empty cell means not reported / no experience: it is never read "
         "as 0."], [],
        ["column", "type", "allowed values", "empty cell means", "description"]]
    rows += [[column, *COLUMN_DOCS[column]] for column in FILES[kind]]
    if kind == "questionnaire":
        rows += [[], ["answer", "meaning"], *[[k, v] for k, v in ANSWER_SCALE.items()],
                 ["(empty)", NO_ANSWER]]
    return rows


def _template_xlsx(kind: str) -> bytes:
    """An XLSX template: header-only data sheet (with input rules) and a README sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    sheet.title = kind
    sheet.append(FILES[kind])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for index, column in enumerate(FILES[kind], start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(column) + 2)
        if column in COUNT_COLUMNS or column in ITEMS:
            rule = (DataValidation("whole", "between", 1, 5) if column in ITEMS
                    else DataValidation("whole", "greaterThanOrEqual", 0))
            rule.allow_blank = True
            rule.add(f"{get_column_letter(index)}2:{get_column_letter(index)}5000")
            sheet.add_data_validation(rule)
    readme = book.create_sheet("README")
    for row in _readme_rows(kind):
        readme.append(row)
    book.properties.creator = "readmission"
    book.properties.created = book.properties.modified = pd.Timestamp("2020-01-01").to_pydatetime()
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write_templates(folder: Path) -> list[Path]:
    """(Re)write the empty templates: <kind>.csv (header only, UTF-8) and <kind>.xlsx for each file."""
    folder, written = Path(folder), []
    for kind, columns in FILES.items():
        write_text_atomic(folder / f"{kind}.csv", ",".join(columns) + "\n")
        write_bytes_atomic(folder / f"{kind}.xlsx", _template_xlsx(kind))
        written += [folder / f"{kind}.csv", folder / f"{kind}.xlsx"]
    return written
