"""The empty templates of the confidential input files (data/templates/): a header-only CSV, and an
XLSX with input rules on its data sheet and a README sheet describing every column.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from ..base.outputs import write_bytes_atomic, write_text_atomic
from .confidential import ANSWER_SCALE, COUNT_COLUMNS, FILES, ITEMS, MAX_COUNT, NO_ANSWER, SCALE_TEXT

# column -> (type, allowed values, what an empty cell means, description)
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
    **{item: ("integer", f"1-5: {SCALE_TEXT}", NO_ANSWER, f"Article 25a(2){label}")
       for item, label in ITEMS.items()},
    "comment": ("text", "free text, no personal data", "no comment", "remarks on the row"),
}


def _readme_rows(kind: str) -> list[list[str | int]]:
    """The README sheet of a template: every column, then the answer scale for the questionnaire."""
    rows: list[list[str | int]] = [
        [f"{kind}: one row per reporting_state x country x year. Fill the sheet named {kind}; "
         "do not rename, reorder or add columns, merge cells or leave formulas unsaved. Save "
         "filled files in data/restricted/<year>/ (never commit them)."],
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
