"""An Excel workbook's data sheet as raw rows, refusing what Excel users cannot see is wrong.

Checked before and while reading: an encrypted or old .xls file, a zip bomb (members' unzipped
size), the data sheet's rows, columns and cells (streamed and counted before the sheet is loaded),
which sheet is read (by name, else the first visible one, said in a warning), formulas without a
cached value and merged cells (both would read as empty, i.e. "not reported"), and a cell of more
lines than a CSV field may span (the rule of every input file, its per-country slices included).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import openpyxl
from openpyxl.reader.excel import ExcelReader
from openpyxl.xml.functions import iterparse  # openpyxl's own parser (defusedxml where installed)

from ..base.errors import InputError, Problem, quote, raise_if_any
from ..settings.limits import Limits

OLE2_MAGIC = b"\xd0\xcf\x11\xe0"  # a compound file: an encrypted .xlsx or an Excel 97-2003 .xls
Rows = list[tuple[int, list[str]]]  # (line or Excel row number, fields)
LINE_BREAK = re.compile(r"\r\n|\r|\n")  # what ends a line of a CSV file read with newline=""


def megabytes(size: float) -> str:
    """A size in bytes, with MB for the eye."""
    return f"{int(size):,} bytes ({size / 1e6:,.1f} MB)"


def over_limit(path: Path, what: str, size: float, limit: float, setting: str,
               limits: Limits, unit=megabytes) -> InputError:
    """The error for an input over a size limit: the file, its size, the limit and where to change it."""
    return InputError.single(path, f"{what} is {unit(size)}, over the limit of {unit(limit)} "
                             f"({setting} in {limits.source}; raise it there if the file is genuine)")


def check_archive(path: Path, raw: bytes, limits: Limits) -> None:
    """An .xlsx is a zip archive whose unzipped members stay within the limit (no zip bomb)."""
    if raw.startswith(OLE2_MAGIC):
        raise InputError.single(path, "is encrypted (password-protected) or an old Excel 97-2003 "
                                ".xls workbook: remove the password, then save it in Excel as "
                                "'Excel Workbook (*.xlsx)'")
    try:
        members = zipfile.ZipFile(io.BytesIO(raw)).infolist()
    except zipfile.BadZipFile as exc:
        raise InputError.single(path, "not an Excel .xlsx workbook (not a zip archive): save it "
                                "in Excel as 'Excel Workbook (*.xlsx)'") from exc
    unzipped = sum(member.file_size for member in members)
    if unzipped > limits.max_unzipped_mb * 1e6:
        raise over_limit(path, "unzipped, the workbook", unzipped, limits.max_unzipped_mb * 1e6,
                         "max_unzipped_mb", limits)


def column_letter(number: int) -> str:
    """Excel's name of the column `number` (1 -> A, 27 -> AA, 400 -> OJ)."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def field_lines(text: str) -> int:
    """Lines a field spans once written to a CSV file: its line breaks plus one."""
    return len(LINE_BREAK.findall(text)) + 1


def _too_large(sheet: str, what: str, count: str, setting: str, limit: int, limits: Limits, fix: str) -> str:
    return (f"sheet {quote(sheet)} has {count} {what}, over the limit of {limit:,} ({setting} in "
            f"{limits.source}): {fix}, or raise the limit there if the file is genuine")


def extent_problem(sheet: str, rows: Iterable[tuple[int, int]], limits: Limits) -> str | None:
    """Why a sheet is too large, reading its (row number, last cell's column) pairs only until a limit
    is passed; None when its rows, columns and cells are all within the limits."""
    cells = 0
    for number, width in rows:
        cells += width
        if width > limits.max_columns:
            return _too_large(sheet, "columns", f"cells in {width:,}", "max_columns", limits.max_columns,
                              limits, f"row {number} reaches column {column_letter(width)}; delete the "
                              "columns right of the table")
        if number > limits.max_rows:
            return _too_large(sheet, "rows", f"more than {limits.max_rows:,}", "max_rows", limits.max_rows,
                              limits, "delete the rows below the table")
        if cells > limits.max_cells:
            return _too_large(sheet, "cells", f"more than {limits.max_cells:,}", "max_cells", limits.max_cells,
                              limits, f"counted to row {number}; delete the rows and columns outside the table")
    return None


def declared_extent_problem(sheet: str, rows: int, columns: int, limits: Limits) -> str | None:
    """The same limits on the size a sheet declares (its `dimension`)."""
    if columns > limits.max_columns:
        return _too_large(sheet, "columns", f"cells in {columns:,}", "max_columns", limits.max_columns, limits,
                          f"it reaches column {column_letter(columns)}; delete the columns right of the table")
    if rows > limits.max_rows:
        return _too_large(sheet, "rows", f"{rows:,}", "max_rows", limits.max_rows, limits,
                          "delete the rows below the table")
    if rows * columns > limits.max_cells:
        return _too_large(sheet, "cells", f"{rows * columns:,}", "max_cells", limits.max_cells, limits,
                          f"{rows:,} rows by {columns:,} columns; delete the rows and columns outside the table")
    return None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def cell_column(reference: str | None, previous: int) -> int:
    """A cell reference's column number ('OJ7' -> 400); the column after `previous` without one."""
    letters = (reference or "").rstrip("0123456789")
    if not letters:
        return previous + 1
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def declared_size(source) -> tuple[int, int] | None:
    """(rows, columns) a worksheet's XML declares in its `dimension`, read no further than its data."""
    for _, element in iterparse(source, events=("start",)):
        if _local(element.tag) == "dimension":
            corner = element.get("ref", "").split(":")[-1]
            row = corner.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
            return (int(row), cell_column(corner, 0)) if row.isdigit() else None
        if _local(element.tag) == "sheetData":
            return None
    return None


def row_widths(source) -> Iterator[tuple[int, int]]:
    """(row number, last cell's column) of each row of a worksheet's XML, parsed as a stream: a
    reader stopping early has parsed only the rows it was given."""
    number, width, data = 0, 0, None
    for event, element in iterparse(source, events=("start", "end")):
        tag = _local(element.tag)
        if event == "start":
            if tag == "sheetData":
                data = element
            elif tag == "row":
                number, width = int(element.get("r") or number + 1), 0
        elif tag == "c":
            width = cell_column(element.get("r"), width)
            element.clear()
        elif tag == "row":
            yield number, width
            if data is not None:
                data.remove(element)  # the rows read are not kept


def check_sheet_size(path: Path, raw: bytes, sheet_name: str, limits: Limits) -> None:
    """The data sheet within max_rows, max_columns and max_cells before it is loaded: its declared
    size first, then its rows parsed as a stream and counted, stopping at the first limit passed."""
    reader = ExcelReader(io.BytesIO(raw), read_only=True)
    reader.read_manifest()
    reader.read_workbook()  # the sheets' names, states and parts; no sheet is read
    parts = {sheet.name: (sheet.state or "visible", rel.target) for sheet, rel in reader.parser.find_sheets()
             if rel.Type.endswith("/worksheet") and rel.target in reader.valid_files}
    title, _ = _choose_sheet(path, [(name, state) for name, (state, _) in parts.items()], sheet_name)
    with reader.archive.open(parts[title][1]) as source:
        declared = declared_size(source)
    problem = declared and declared_extent_problem(title, *declared, limits)
    if not problem:
        with reader.archive.open(parts[title][1]) as source:  # a declared size may be false
            problem = extent_problem(title, row_widths(source), limits)
    if problem:
        raise InputError.single(path, problem)


def long_field_problems(path: Path, sheet: str, rows: Rows, limits: Limits) -> list[Problem]:
    """Cells of more lines than a field may span (max_lines_in_field), each named with its header."""
    header = next((fields for _, fields in rows if any(fields)), [])
    return [Problem(str(path), f"holds {field_lines(text)} lines, more than the {limits.max_lines_in_field} "
                    f"lines a field may span (max_lines_in_field in {limits.source}): shorten it",
                    line, header[i] if i < len(header) and header[i] else None, sheet=sheet,
                    cell=f"{column_letter(i + 1)}{line}")
            for line, fields in rows for i, text in enumerate(fields)
            if field_lines(text) > limits.max_lines_in_field]


def _choose_sheet(path: Path, sheets: list[tuple[str, str]], name: str) -> tuple[str, list[Problem]]:
    """Of the (title, state) sheets, the one called `name`, else the first visible one, with a
    warning saying which."""
    if name in [title for title, _ in sheets]:
        return name, []
    visible = [title for title, state in sheets if state == "visible"]
    if not visible:
        raise InputError.single(path, "has no visible sheet to read")
    chosen = visible[0]
    skipped = [title for title, state in sheets if state != "visible"]
    others = [title for title in visible[1:] if title != "README"]
    if not skipped and not others:
        return chosen, []
    detail = "; ".join(part for part in (
        skipped and f"hidden sheets not read: {', '.join(map(quote, skipped))}",
        others and f"other sheets not read: {', '.join(map(quote, others))}") if part)
    return chosen, [Problem(str(path), f"no sheet named {name!r}: read the first visible sheet "
                            f"({detail}); name the data sheet {name!r} to choose it", sheet=chosen)]


def _data_sheet(path: Path, book, name: str) -> tuple[object, list[Problem]]:
    """The worksheet `_choose_sheet` chooses, with its warnings."""
    title, warnings = _choose_sheet(path, [(s.title, s.sheet_state) for s in book.worksheets], name)
    return book[title], warnings


def _cell_text(value: object) -> str:
    """A cell as text, as the CSV would have it: whole floats without '.0', empty as ''."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _hidden_value_problems(path: Path, formulas, values) -> list[Problem]:
    """Formulas without a cached value, Excel errors and merged cells: each names its cell."""
    file, title, problems = str(path), formulas.title, []
    for merged in sorted(formulas.merged_cells.ranges, key=lambda r: (r.min_row, r.min_col)):
        problems.append(Problem(file, f"cells {merged.coord} are merged: only the first holds a "
                                "value, the others would read as empty; unmerge them and fill "
                                "every cell", merged.min_row, sheet=title,
                                cell=merged.coord.split(":")[0]))
    for row in formulas.iter_rows():
        for cell in row:
            cached = values[cell.coordinate]
            if cell.data_type == "f" and cached.value is None:
                problems.append(Problem(file, f"formula {quote(str(cell.value))} has no saved "
                                        "value (the file was not saved by Excel after it was "
                                        "computed): open and save it in Excel, or type the value",
                                        cell.row, sheet=title, cell=cell.coordinate))
            elif cached.data_type == "e":
                problems.append(Problem(file, f"holds the Excel error {quote(cached.value)}: "
                                        "type the value", cell.row, sheet=title,
                                        cell=cell.coordinate))
    return problems


def xlsx_rows(path: Path, raw: bytes, sheet_name: str, limits: Limits) -> tuple[Rows, list[Problem]]:
    """(Excel row number, fields) of the data sheet, and warnings (which sheet was read)."""
    check_archive(path, raw, limits)
    try:
        check_sheet_size(path, raw, sheet_name, limits)
        books = [openpyxl.load_workbook(io.BytesIO(raw), data_only=only) for only in (False, True)]
    except InputError:
        raise
    except Exception as exc:  # openpyxl raises many types for a broken workbook
        raise InputError.single(path, f"not readable as an Excel workbook: "
                                f"{quote(str(exc))}") from exc
    formulas, warnings = _data_sheet(path, books[0], sheet_name)
    values = books[1][formulas.title]
    raise_if_any(_hidden_value_problems(path, formulas, values))
    rows = [(cells[0].row, [_cell_text(c.value) for c in cells]) for cells in values.iter_rows()]
    raise_if_any(long_field_problems(path, formulas.title, rows, limits))
    return rows, warnings
