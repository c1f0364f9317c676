"""Bad inputs through the real command line: every input the tool reads, broken one way at a time.

Each case copies a project on the synthetic fixture that already has outputs (a real selection and
input manifest, stand-ins for country pages and run keys), breaks one input, runs one command, and
checks that
  1. the message names the file, and the row and field where they apply;
  2. the exit code is not 0 (2: an input problem; typer's usage errors are 2 too);
  3. no existing output changed: every byte under data/public, notebooks/selection/, notebooks/countries/ and
     notebooks/findings/ is as before, and no file appeared or vanished anywhere in the project
     (so no kernel started: a notebook run writes its logs first).
Most cases go through typer's CliRunner (fast); a few representative ones through the installed
`readmission` script in a subprocess. Only test_note_is_shown_as_text_and_never_executed runs a
notebook, because proving the note inert needs the real page.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from openpyxl import Workbook
from typer.testing import CliRunner

from conftest import REPO
from readmission.run import editions
from readmission.cli import app
from readmission.settings.params import load_edition
from conftest import make_project

READMISSION = Path(sys.executable).parent / "readmission"
OUTPUT_AREAS = ("data/public", "notebooks/selection", "notebooks/countries", "notebooks/findings",
                "data/restricted/out")
PUBLIC = "data/public"
EIORD, EIRTN, ASYLUM = (f"{PUBLIC}/eurostat/{d}.csv" for d in ("migr_eiord", "migr_eirtn",
                                                                 "migr_asyappctza"))
CROSSINGS, OPERATIONS = f"{PUBLIC}/frontex/illegal_border_crossings.csv", f"{PUBLIC}/frontex/return_operations.csv"
REFERENCE = "data/reference"
RESTRICTED = "data/restricted/2016"
EDITION, METHOD, IQ_PARAMS = "params/editions/2016.yml", "params/method.yml", "params/countries/IQ.yml"
INCOMING = "incoming"  # a snapshot folder to import, inside the project copy but outside its outputs
MARKER = "pwned"       # what injected code would create in the project root

QUESTIONNAIRE = [
    ["reporting_state", "country", "year", "identification", "laissez_passer",
     "readmission_acceptance", "return_operations", "comment"],
    ["DE", "IQ", "2016", "3", "4", "2", "5", ""],
    ["FR", "IQ", "2016", "2", "", "3", "4", "late answer"],
    ["DE", "MA", "2016", "4", "4", "4", "4", ""],
]
STATISTICS = [
    ["reporting_state", "country", "year", "readmission_requests_submitted",
     "readmission_requests_accepted", "travel_documents_issued", "forced_returns",
     "days_to_travel_document", "comment"],
    ["DE", "IQ", "2016", "120", "80", "75", "60", "45", ""],
    ["FR", "IQ", "2016", "40", "", "12", "10", "", ""],
    ["DE", "PK", "2016", "10", "4", "4", "3", "90", ""],
]


# ---------------------------------------------------------------- the project and its outputs


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """A project on the fixture with outputs of an earlier run, built once and copied per case."""
    root = tmp_path_factory.mktemp("template")
    project = make_project(root)
    edition = load_edition(2016, project)
    editions.run_selection(project, edition)      # notebooks/selection/2016/selection.csv, .json
    editions.record_manifest(project, edition)    # notebooks/selection/2016/inputs.json
    countries = root / "notebooks" / "countries" / "2016"
    for name in [f"{c}.{ext}" for c in ("IQ", "MA", "PK") for ext in ("ipynb", "json", "csv")] + \
            [".runkeys/run.json", *(f".runkeys/{k}.key" for k in ("IQ", "MA", "PK", "summary", "edition"))]:
        stand_in(countries / name)
    for name in ("IQ.json", "IQ.csv", "MA.json", "MA.csv"):
        stand_in(root / "data" / "restricted" / "out" / "2016" / "results" / name)
    stand_in(root / "notebooks" / "findings" / "2016.ipynb")
    confidential(root)  # valid real-format confidential files: cases break them or the others
    return root


def stand_in(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"output of an earlier run: {path.name}\n", encoding="utf-8")


@pytest.fixture
def root(template, tmp_path) -> Path:
    target = tmp_path / "project"
    shutil.copytree(template, target)
    return target


def output_bytes(root: Path) -> dict[str, bytes]:
    """Every file under the output areas, with its bytes."""
    found = {}
    for area in OUTPUT_AREAS:
        for path in sorted((root / area).rglob("*")):
            if path.is_file():
                found[path.relative_to(root).as_posix()] = path.read_bytes()
    return found


def all_names(root: Path) -> set[str]:
    """Every file and folder in the project."""
    return {p.relative_to(root).as_posix() for p in root.rglob("*")}


def assert_untouched(root: Path, before: dict[str, bytes], names: set[str]) -> None:
    after = output_bytes(root)
    changed = sorted(k for k in before.keys() & after.keys() if before[k] != after[k])
    assert changed == [], f"outputs changed by a failed command: {changed}"
    appeared, vanished = sorted(all_names(root) - names), sorted(names - all_names(root))
    assert (appeared, vanished) == ([], []), \
        f"a failed command left files behind or removed some: +{appeared} -{vanished}"


# ---------------------------------------------------------------- ways to break an input


def set_cell(root: Path, rel: str, line: int, column: str, value: str) -> None:
    """Set one CSV cell (line numbers as an editor shows them, header = 1)."""
    path = root / rel
    lines = path.read_text(encoding="utf-8").split("\n")
    header = next(csv.reader([lines[0]]))
    row = next(csv.reader([lines[line - 1]]))
    row[header.index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(row)
    lines[line - 1] = out.getvalue()
    path.write_text("\n".join(lines), encoding="utf-8")


def replace_bytes(root: Path, rel: str, line: int, old: bytes, new: bytes) -> None:
    path = root / rel
    lines = path.read_bytes().split(b"\n")
    assert old in lines[line - 1], f"{old!r} not on line {line} of {rel}"
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    path.write_bytes(b"\n".join(lines))


def repeat_line(root: Path, rel: str, line: int) -> int:
    """Append a copy of a line; return the line number of the copy."""
    path = root / rel
    lines = path.read_text(encoding="utf-8").rstrip("\n").split("\n")
    lines.append(lines[line - 1])
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)


def line_starting(root: Path, rel: str, prefix: str) -> int:
    lines = (root / rel).read_text(encoding="utf-8").split("\n")
    return next(i for i, text in enumerate(lines, start=1) if text.startswith(prefix))


def rewrite_columns(root: Path, rel: str, drop: str | None = None, add: str | None = None) -> None:
    path = root / rel
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    if drop is not None:
        index = rows[0].index(drop)
        rows = [r[:index] + r[index + 1:] for r in rows]
    if add is not None:
        rows = [r + [add if i == 0 else "x"] for i, r in enumerate(rows)]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def edit_yaml_text(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} not once in {rel}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def append_text(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(text)


def changed(table: list[list[str]], row: int, column: str, value: str) -> list[list[str]]:
    """A copy of a table (header = row 1) with one cell changed."""
    rows = [list(r) for r in table]
    rows[row - 1][rows[0].index(column)] = value
    return rows


def write_csv_rows(path: Path, rows: list[list], encoding: str = "utf-8") -> None:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(out.getvalue().encode(encoding))


def write_xlsx_rows(path: Path, rows: list[list]) -> None:
    """An Excel workbook as an analyst types it: numbers as numbers, empty cells empty."""
    def cell(value):
        if not isinstance(value, str) or value == "":
            return value if value != "" else None
        try:
            return int(value)
        except ValueError:
            try:
                return float(value)
            except ValueError:
                return value

    book = Workbook()
    sheet = book.active
    for i, row in enumerate(rows):
        sheet.append(row if i == 0 else [cell(v) for v in row])
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)


def confidential(root: Path, questionnaire=QUESTIONNAIRE, statistics=STATISTICS,
                 fmt: str = "csv", encoding: str = "utf-8") -> None:
    """Both confidential files of the 2016 edition (valid unless a broken table is passed)."""
    folder = root / RESTRICTED
    for old in folder.glob("*.*") if folder.is_dir() else []:
        old.unlink()
    for kind, rows in (("questionnaire", questionnaire), ("readmission_statistics", statistics)):
        if fmt == "xlsx":
            write_xlsx_rows(folder / f"{kind}.xlsx", rows)
        else:
            write_csv_rows(folder / f"{kind}.csv", rows, encoding)


def incoming_snapshot(root: Path) -> Path:
    """A snapshot folder to import: the fixture's files plus the two code lists, all with sha256."""
    folder = root / INCOMING
    shutil.copytree(REPO / "data" / "fixture" / "public", folder)
    for rel, text in (("eurostat/country_labels.csv", "code,label\nIQ,Iraq\n"),
                      ("eurostat/iso3_codes.csv", "iso3,code\nIRQ,IQ\n")):
        (folder / rel).write_text(text, encoding="utf-8")
        reseal(folder / rel)
    return folder


def reseal(path: Path) -> None:
    """(Re)write a data file's .meta.yml with its current sha256, as a producer would."""
    data = path.read_bytes()
    meta = path.with_name(path.name + ".meta.yml")
    content = yaml.safe_load(meta.read_text(encoding="utf-8")) if meta.exists() else {}
    content["outs"] = [{"path": path.name, "sha256": hashlib.sha256(data).hexdigest(),
                        "size": len(data)}]
    meta.write_text(yaml.safe_dump(content, sort_keys=False), encoding="utf-8")


# ---------------------------------------------------------------- the cases


@dataclass(frozen=True)
class Case:
    id: str
    breaks: Callable[[Path], dict | None]  # may return values for the expected fragments
    args: list[str]                        # "{root}" is replaced by the project's folder
    expect: list[str]                      # fragments of the message ("{root}", "{line}"...)
    subprocess: bool = False               # through the installed script, else CliRunner
    exit_code: int = 2
    defect: str = ""                       # a known defect outside this test's reach: xfail


SELECT, RUN, COUNTRY = ["select"], ["run", "--workers", "1"], ["country", "IQ"]
SCALE = "is not an answer on the scale"


def _ok(root: Path) -> None:
    return None


def _dup_eiord(root: Path) -> dict:
    return {"line": repeat_line(root, EIORD, 2)}


def _visa_dates(root: Path) -> dict:
    line = line_starting(root, f"{REFERENCE}/visa_required.csv", "IQ,IRQ,IQ,")
    set_cell(root, f"{REFERENCE}/visa_required.csv", line, "valid_to", "2011-06-30")
    return {"line": line}


def _dup_operation(root: Path) -> dict:
    return {"line": repeat_line(root, OPERATIONS, 2)}


def _import_mismatch(root: Path) -> None:
    incoming_snapshot(root)
    replace_bytes(root, f"{INCOMING}/eurostat/migr_eirtn.csv", 2, b",115,", b",116,")


def _import_missing(root: Path) -> None:
    (incoming_snapshot(root) / "frontex" / "return_operations.csv").unlink()


def _import_no_meta(root: Path) -> None:
    (incoming_snapshot(root) / "eurostat" / "migr_eiord.csv.meta.yml").unlink()


def _questionnaire_as_ods(root: Path) -> None:
    confidential(root)
    (root / RESTRICTED / "questionnaire.csv").rename(root / RESTRICTED / "questionnaire.ods")


def _questionnaire_twice(root: Path) -> None:
    confidential(root)
    write_xlsx_rows(root / RESTRICTED / "questionnaire.xlsx", QUESTIONNAIRE)


def _frontex_bad_but_sealed(root: Path) -> None:
    """A bad row in a file whose checksum matches: what importing a bad snapshot leaves behind."""
    set_cell(root, CROSSINGS, 3, "detections", "-387")
    reseal(root / CROSSINGS)


def _import_bad_row_sealed(root: Path) -> None:
    """A snapshot whose checksums match but with a row a run would refuse: refused at the import."""
    rel = f"{INCOMING}/frontex/illegal_border_crossings.csv"
    incoming_snapshot(root)
    set_cell(root, rel, 3, "detections", "-387")
    reseal(root / rel)


def _import_meta_bad_date(root: Path) -> None:
    folder = incoming_snapshot(root)
    append_text(folder, "frontex/illegal_border_crossings.csv.meta.yml", "accessed: 2024-02-30\n")


CASES = [
    # --- snapshot import and the checksums of data/public
    Case("import-checksum-mismatch", _import_mismatch, ["data", "import", "{root}/incoming"],
         ["{root}/incoming/eurostat/migr_eirtn.csv", "sha256 mismatch",
          "migr_eirtn.csv.meta.yml says"], subprocess=True),
    Case("import-missing-file", _import_missing, ["data", "import", "{root}/incoming"],
         ["{root}/incoming/frontex/return_operations.csv", "data file missing"]),
    Case("import-missing-metadata", _import_no_meta, ["data", "import", "{root}/incoming"],
         ["{root}/incoming/eurostat/migr_eiord.csv.meta.yml", "metadata file missing"]),
    Case("import-metadata-impossible-date", _import_meta_bad_date,
         ["data", "import", "{root}/incoming"],
         ["illegal_border_crossings.csv.meta.yml", "not readable as YAML", "day is out of range"]),
    Case("import-bad-row-valid-checksum", _import_bad_row_sealed, ["data", "import", "{root}/incoming"],
         [f"{{root}}/{INCOMING}/frontex/illegal_border_crossings.csv", "row 3", "field 'detections'",
          "negative count"]),
    Case("import-folder-not-found", _ok, ["data", "import", "{root}/no-such-snapshot"],
         ["{root}/no-such-snapshot", "snapshot folder not found"]),
    Case("run-snapshot-folder-not-found", _ok, [*RUN, "--snapshot", "{root}/no-such-snapshot"],
         ["{root}/no-such-snapshot", "snapshot folder not found"]),
    Case("public-file-changed-since-import",
         lambda r: set_cell(r, CROSSINGS, 2, "detections", "141"), RUN,
         [f"{{root}}/{CROSSINGS}", "sha256 mismatch"]),
    # --- Eurostat SDMX-CSV
    Case("eurostat-wrong-encoding",
         lambda r: replace_bytes(r, EIORD, 4, b"TOTAL", b"TOT\xc9L"), SELECT,
         [f"{{root}}/{EIORD}", "row 4", "not UTF-8"]),
    Case("eurostat-missing-column", lambda r: rewrite_columns(r, EIORD, drop="OBS_FLAG"), SELECT,
         [f"{{root}}/{EIORD}", "row 1", "field 'OBS_FLAG'", "required column not in the header"]),
    Case("eurostat-extra-column", lambda r: rewrite_columns(r, EIORD, add="geo_label"), SELECT,
         [f"{{root}}/{EIORD}", "row 1", "field 'geo_label'", "unexpected column"]),
    Case("eurostat-negative-count", lambda r: set_cell(r, EIORD, 3, "OBS_VALUE", "-240"), SELECT,
         [f"{{root}}/{EIORD}", "row 3", "field 'OBS_VALUE'", "negative count"], subprocess=True),
    Case("eurostat-non-integer-count", lambda r: set_cell(r, EIORD, 5, "OBS_VALUE", "12.5"), SELECT,
         [f"{{root}}/{EIORD}", "row 5", "field 'OBS_VALUE'", "expected a whole number"]),
    Case("eurostat-duplicate-key", _dup_eiord, SELECT,
         [f"{{root}}/{EIORD}", "row {line}", "field 'TIME_PERIOD'", "duplicate key",
          "same series and year as row 2"]),
    Case("eurostat-unknown-citizen", lambda r: set_cell(r, EIORD, 2, "citizen", "ZZ"), SELECT,
         [f"{{root}}/{EIORD}", "row 2", "field 'citizen'", "unknown code 'ZZ'"]),
    Case("eurostat-returns-year-wrong-type", lambda r: set_cell(r, EIRTN, 2, "TIME_PERIOD", "14"),
         COUNTRY, [f"{{root}}/{EIRTN}", "row 2", "field 'TIME_PERIOD'", "expected a year YYYY"]),
    Case("eurostat-asylum-unknown-flag", lambda r: set_cell(r, ASYLUM, 3, "OBS_FLAG", "x"), COUNTRY,
         [f"{{root}}/{ASYLUM}", "row 3", "field 'OBS_FLAG'", "unknown flag"]),
    # --- Frontex
    Case("frontex-unknown-nationality",
         lambda r: set_cell(r, CROSSINGS, 2, "nationality_iso3", "QQQ"), COUNTRY,
         [f"{{root}}/{CROSSINGS}", "row 2", "field 'nationality_iso3'", "unknown code 'QQQ'"]),
    Case("frontex-negative-detections", lambda r: set_cell(r, CROSSINGS, 3, "detections", "-387"),
         COUNTRY, [f"{{root}}/{CROSSINGS}", "row 3", "field 'detections'", "negative count"]),
    Case("frontex-month-out-of-range", lambda r: set_cell(r, CROSSINGS, 4, "month", "2015-13"),
         COUNTRY, [f"{{root}}/{CROSSINGS}", "row 4", "field 'month'", "expected a month YYYY-MM"]),
    Case("frontex-duplicate-operation", _dup_operation, COUNTRY,
         [f"{{root}}/{OPERATIONS}", "row {line}", "field 'operation_id'", "duplicate key",
          "already on row 2"]),
    Case("frontex-date-wrong-format", lambda r: set_cell(r, OPERATIONS, 3, "date", "15/03/2016"),
         COUNTRY, [f"{{root}}/{OPERATIONS}", "row 3", "field 'date'", "expected a date YYYY-MM-DD"]),
    Case("frontex-bad-row-valid-checksum-run", _frontex_bad_but_sealed, RUN,
         [f"{{root}}/{CROSSINGS}", "row 3", "field 'detections'", "negative count"]),
    Case("frontex-missing-column", lambda r: rewrite_columns(r, OPERATIONS, drop="destination_label"),
         COUNTRY, [f"{{root}}/{OPERATIONS}", "row 1", "field 'destination_label'",
                   "required column not in the header"]),
    # --- reference tables
    Case("reference-dates-out-of-order", _visa_dates, SELECT,
         [f"{{root}}/{REFERENCE}/visa_required.csv", "row {line}", "field 'valid_to'",
          "ends (2011-06-30) before it starts (2012-01-01)"]),
    Case("reference-missing-column", lambda r: rewrite_columns(r, f"{REFERENCE}/reporting_states.csv",
                                                               drop="group"), SELECT,
         [f"{{root}}/{REFERENCE}/reporting_states.csv", "row 1", "missing ['group']"]),
    Case("reference-wrong-encoding",
         lambda r: replace_bytes(r, f"{REFERENCE}/rcms.csv", 3, b"Sri Lanka", b"Sr\xee Lanka"),
         SELECT, [f"{{root}}/{REFERENCE}/rcms.csv", "row 3", "not UTF-8"]),
    Case("reference-extra-field-in-row",
         lambda r: replace_bytes(r, f"{REFERENCE}/reporting_states.csv", 3, b",Germany,",
                                 b",Germany, Federal Republic,"), SELECT,
         [f"{{root}}/{REFERENCE}/reporting_states.csv", "row 3", "has 9 fields, the header has 8"]),
    Case("reference-unknown-status",
         lambda r: set_cell(r, f"{REFERENCE}/rcms.csv", 2, "status", "confirmd"), SELECT,
         [f"{{root}}/{REFERENCE}/rcms.csv", "row 2", "field 'status'", "'confirmd' is not one of"]),
    Case("reference-unknown-state-code",
         lambda r: set_cell(r, f"{REFERENCE}/reporting_states.csv", 2, "eurostat_code", "BEL"),
         SELECT, [f"{{root}}/{REFERENCE}/reporting_states.csv", "row 2", "field 'eurostat_code'",
                  "'BEL' is not a two-letter code"]),
    # --- confidential inputs: questionnaire and readmission statistics, CSV and XLSX
    Case("questionnaire-outside-scale",
         lambda r: confidential(r, changed(QUESTIONNAIRE, 2, "readmission_acceptance", "7")), RUN,
         [f"{{root}}/{RESTRICTED}/questionnaire.csv", "row 2", "field 'readmission_acceptance'",
          f"'7' {SCALE}"], subprocess=True),
    Case("questionnaire-xlsx-outside-scale",
         lambda r: confidential(r, changed(QUESTIONNAIRE, 3, "identification", "0"), fmt="xlsx"),
         RUN, [f"{{root}}/{RESTRICTED}/questionnaire.xlsx", "row 3", "field 'identification'",
               f"'0' {SCALE}"]),
    Case("questionnaire-unknown-reporting-state",
         lambda r: confidential(r, changed(QUESTIONNAIRE, 4, "reporting_state", "GR")), RUN,
         [f"{{root}}/{RESTRICTED}/questionnaire.csv", "row 4", "field 'reporting_state'",
          "'GR' is not a reporting state of this edition"]),
    Case("questionnaire-unknown-country",
         lambda r: confidential(r, changed(QUESTIONNAIRE, 3, "country", "ZZ")), RUN,
         [f"{{root}}/{RESTRICTED}/questionnaire.csv", "row 3", "field 'country'",
          "'ZZ' is not a Eurostat country code"]),
    Case("questionnaire-reporting-state-as-country",
         lambda r: confidential(r, changed(QUESTIONNAIRE, 2, "country", "FR")), RUN,
         [f"{{root}}/{RESTRICTED}/questionnaire.csv", "row 2", "field 'country'",
          "FR is a reporting state, not a third country"]),
    Case("questionnaire-wrong-encoding",
         lambda r: confidential(r, changed(QUESTIONNAIRE, 3, "comment", "réponse du ministère"),
                                encoding="cp1252"), RUN,
         [f"{{root}}/{RESTRICTED}/questionnaire.csv", "row 3", "not UTF-8"]),
    Case("questionnaire-year-not-integer",
         lambda r: confidential(r, changed(QUESTIONNAIRE, 2, "year", "2016.0")), RUN,
         [f"{{root}}/{RESTRICTED}/questionnaire.csv", "row 2", "field 'year'",
          "'2016.0' is not a year"]),
    Case("statistics-negative-count",
         lambda r: confidential(r, statistics=changed(STATISTICS, 2, "forced_returns", "-3")), RUN,
         [f"{{root}}/{RESTRICTED}/readmission_statistics.csv", "row 2", "field 'forced_returns'",
          "'-3' is not a whole number >= 0"]),
    Case("statistics-xlsx-non-integer",
         lambda r: confidential(r, statistics=changed(STATISTICS, 4, "travel_documents_issued",
                                                      "2.5"), fmt="xlsx"), RUN,
         [f"{{root}}/{RESTRICTED}/readmission_statistics.xlsx", "row 4",
          "field 'travel_documents_issued'", "'2.5' is not a whole number >= 0"]),
    Case("statistics-duplicate-key",
         lambda r: confidential(r, statistics=STATISTICS + [STATISTICS[1]]), RUN,
         [f"{{root}}/{RESTRICTED}/readmission_statistics.csv", "row 5", "duplicate of row 2",
          "(DE, IQ, 2016)"]),
    Case("statistics-missing-column",
         lambda r: confidential(r, statistics=[row[:7] + row[8:] for row in STATISTICS]), RUN,
         [f"{{root}}/{RESTRICTED}/readmission_statistics.csv", "row 1",
          "missing ['days_to_travel_document']"]),
    Case("statistics-extra-column",
         lambda r: confidential(r, statistics=[row + (["source"] if i == 0 else ["x"])
                                               for i, row in enumerate(STATISTICS)]), RUN,
         [f"{{root}}/{RESTRICTED}/readmission_statistics.csv", "row 1", "unexpected ['source']"]),
    Case("statistics-short-row",
         lambda r: confidential(r, statistics=STATISTICS[:3] + [STATISTICS[3][:6]]), RUN,
         [f"{{root}}/{RESTRICTED}/readmission_statistics.csv", "row 4", "has 6 fields, expected 9"]),
    Case("questionnaire-unsupported-format", _questionnaire_as_ods, RUN,
         [f"{{root}}/{RESTRICTED}/questionnaire.csv", "not found: put questionnaire.csv or "
                                                      "questionnaire.xlsx"]),
    Case("questionnaire-csv-and-xlsx", _questionnaire_twice, RUN,
         [f"{{root}}/{RESTRICTED}/questionnaire.csv",
          "both questionnaire.csv and questionnaire.xlsx are present"]),
    # --- parameters: edition, method, country
    Case("edition-unknown-setting", lambda r: append_text(r, EDITION, "treshold: 2000\n"), SELECT,
         [f"{{root}}/{EDITION}", "field 'treshold'", "unknown setting"]),
    Case("edition-dates-out-of-order",
         lambda r: edit_yaml_text(r, EDITION, "reference_date: 2016-12-31", "reference_date: 2015-06-30"),
         SELECT, [f"{{root}}/{EDITION}", "field 'reference_date'",
                  "reference date 2015-06-30 is before the end of the data year 2016"]),
    Case("edition-impossible-date",
         lambda r: edit_yaml_text(r, EDITION, "reference_date: 2016-12-31", "reference_date: 2016-02-30"),
         SELECT, [f"{{root}}/{EDITION}", "row 4", "'2016-02-30' is not a valid date"]),
    Case("edition-duplicate-setting", lambda r: append_text(r, EDITION, "threshold: 100\n"), SELECT,
         [f"{{root}}/{EDITION}", "row 5", "setting 'threshold' appears twice (first on line 3)"]),
    Case("edition-wrong-type",
         lambda r: edit_yaml_text(r, EDITION, "threshold: 5000", "threshold: many"), SELECT,
         [f"{{root}}/{EDITION}", "field 'threshold'", "expected a whole number, got 'many'"]),
    Case("edition-year-without-data", _ok, ["select", "--year", "2019"],
         ["migr_eiord", "no return decisions", "for 2018", "years available: 2012-2016",
          "Edition 2019"], subprocess=True),
    Case("method-unknown-setting",
         lambda r: append_text(r, METHOD, "smal_numbers: 10\n"), RUN,
         [f"{{root}}/{METHOD}", "field 'smal_numbers'", "unknown setting"]),
    Case("method-wrong-type",
         lambda r: edit_yaml_text(r, METHOD, "good_from: 0.60", "good_from: high"), RUN,
         [f"{{root}}/{METHOD}", "field 'rating.good_from'", "expected float, got 'high'"]),
    Case("method-out-of-range",
         lambda r: edit_yaml_text(r, METHOD, "most_share: 0.5 ", "most_share: 1.5 "), RUN,
         [f"{{root}}/{METHOD}", "field 'country_level.most_share'", "must be between 0 and 1"]),
    Case("country-params-unknown-setting",
         lambda r: append_text(r, IQ_PARAMS, "notes: a typo in the setting's name\n"), COUNTRY,
         [f"{{root}}/{IQ_PARAMS}", "field 'notes'", "unknown setting (allowed: assessment, note)"]),
    Case("country-params-yaml-code",
         lambda r: append_text(r, IQ_PARAMS, 'note: !!python/object/apply:os.system '
                                             f'["touch {r}/{MARKER}"]\n'), COUNTRY,
         [f"{{root}}/{IQ_PARAMS}", "row 1", "not valid YAML", "could not determine a constructor"]),
    Case("country-params-note-not-text", lambda r: append_text(r, IQ_PARAMS, "note: [1, 2]\n"),
         COUNTRY, [f"{{root}}/{IQ_PARAMS}", "field 'note'", "expected text"]),
    # --- the command line
    Case("cli-country-code-injection", _ok,
         ["country", f'IQ"; import os; os.system("touch {{root}}/{MARKER}") #'],
         ["command line", "field 'country'", "is not a Eurostat country code",
          "os.system"], subprocess=True),
    Case("cli-country-markup", _ok, ["country", "[/bold]IQ"],
         ["command line", "field 'country'", "'[/bold]IQ' is not a Eurostat country code"]),
    Case("cli-country-is-a-reporting-state", _ok, ["country", "DE"],
         ["command line", "field 'country'", "DE is a reporting state, not a third country"]),
    Case("cli-year-not-integer", _ok, ["select", "--year", "twenty"],
         ["Invalid value for '--year'"]),
    Case("cli-year-without-edition", _ok, ["select", "--year", "2031"],
         ["{root}/params/editions/2031.yml", "no edition for data year 2031",
          "editions defined: 2014, 2015, 2016, 2019"]),
    Case("cli-workers-negative", _ok, ["run", "--workers", "-1"], ["Invalid value for '--workers'"]),
    Case("cli-restricted-dir-missing", _ok, [*COUNTRY, "--restricted-dir", "{root}/typo"],
         ["{root}/typo", "no confidential inputs here", "data/templates/", "--demo"]),
    Case("cli-public-dir-missing", _ok, [*COUNTRY, "--public-dir", "{root}/nowhere"],
         ["{root}/nowhere/eurostat/migr_eiord.csv", "public data missing"]),
]


def invoke(root: Path, args: list[str], through_subprocess: bool) -> tuple[int, str]:
    """Run the command line against the project in `root`: (exit code, everything it printed)."""
    env = {"READMISSION_ROOT": str(root), "COLUMNS": "250"}
    if through_subprocess:
        done = subprocess.run([str(READMISSION), *args], env={**os.environ, **env}, cwd=root,
                              capture_output=True, text=True, timeout=120)
        assert "Traceback" not in done.stderr, done.stderr
        return done.returncode, done.stdout + done.stderr
    result = CliRunner().invoke(app, args, env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        f"a traceback instead of a message: {result.exception!r}\n{result.output}"
    return result.exit_code, result.output


def test_the_matrix_is_wide_enough():
    assert len({c.id for c in CASES}) == len(CASES) >= 20
    assert sum(c.subprocess for c in CASES) >= 4


@pytest.mark.parametrize("case", [
    pytest.param(c, id=c.id, marks=[pytest.mark.xfail(reason=c.defect, strict=True)] if c.defect else [])
    for c in CASES])
def test_bad_input_is_named_fails_and_leaves_outputs_alone(case: Case, root: Path):
    values = case.breaks(root) or {}
    before, names = output_bytes(root), all_names(root)
    assert before, "the project has no outputs to protect"
    args = [a.replace("{root}", str(root)) for a in case.args]
    code, output = invoke(root, args, case.subprocess)
    message = " ".join(output.split())  # rich may wrap long lines
    for fragment in case.expect:
        expected = fragment.format(root=root, **values)
        assert " ".join(expected.split()) in message, f"{expected!r} not in:\n{output}"
    assert code == case.exit_code, output
    assert_untouched(root, before, names)
    assert not (root / MARKER).exists(), "injected code ran"
    assert not (root / "logs").exists() and not (root / "data/restricted/out/2016/logs").exists(), \
        "a notebook kernel was started"


# ---------------------------------------------------------------- a note crafted as code


NOTE = ('He said "stop"; import os; os.system("touch {root}/pwned") #\n'
        "')); __import__('os').system('touch {root}/pwned'); (('\n"
        "{{{{ __import__('os').system('touch {root}/pwned') }}}} $(touch {root}/pwned)\n"
        "<script>document.title='pwned'</script>")


@pytest.fixture(scope="module")
def noted_page(template, tmp_path_factory):
    """`readmission country IQ` with a note full of quotes, newlines and code: one real notebook."""
    root = tmp_path_factory.mktemp("noted") / "project"
    shutil.copytree(template, root)
    note = NOTE.format(root=root)
    (root / IQ_PARAMS).write_text(yaml.safe_dump({"note": note}), encoding="utf-8")
    code, output = invoke(root, ["country", "IQ"], through_subprocess=True)
    return root, note, code, output


def markdown_shown(page: dict) -> list[str]:
    """The Markdown a page's code cells display (what Quarto puts on the site)."""
    return ["".join(output.get("data", {}).get("text/markdown", ""))
            for cell in page["cells"] if cell["cell_type"] == "code" for output in cell["outputs"]]


def test_note_is_shown_as_text_and_never_executed(noted_page):
    root, note, code, output = noted_page
    assert code == 0, output
    assert not (root / MARKER).exists(), "the note was executed"
    page = json.loads((root / "notebooks" / "countries" / "2016" / "IQ.ipynb").read_text(encoding="utf-8"))
    template = json.loads((root / "notebooks" / "country.ipynb").read_text(encoding="utf-8"))
    code_sources = {"".join(c["source"]) for c in template["cells"] if c["cell_type"] == "code"}
    for cell in page["cells"]:
        source = "".join(cell["source"])
        assert "os.system" not in source and "__import__" not in source, \
            f"the note reached the notebook's code:\n{source}"
        if cell["cell_type"] == "code" and "injected-parameters" not in cell["metadata"].get("tags", []):
            assert source in code_sources, f"a code cell not in the template:\n{source}"
    from readmission.pages.presentation import escape_markdown

    shown = escape_markdown(note)  # the note, escaped so that Markdown and HTML show it as text
    assert "os" in shown and any(shown in text for text in markdown_shown(page)), \
        "the note is not on the page as text"


def test_country_runs_quietly_kernel_chatter_goes_to_the_log(noted_page):
    output = noted_page[3]
    assert "without encryption" not in output and "Traceback" not in output, output


def test_note_markup_is_escaped_on_the_page(noted_page):
    root = noted_page[0]
    page = json.loads((root / "notebooks" / "countries" / "2016" / "IQ.ipynb").read_text(encoding="utf-8"))
    assert not any("<script>" in text for text in markdown_shown(page))
