"""An Excel workbook's data sheet as raw rows, refusing what Excel users cannot see is wrong.

Checked before and while reading: an encrypted or old .xls file, a zip bomb (members' unzipped
size), which sheet is read (by name, else the first visible one, said in a warning), formulas
without a cached value and merged cells (both would read as empty, i.e. "not reported").
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from ..errors import InputError, Problem, quote, raise_if_any
from ..params import Limits

OLE2_MAGIC = b"\xd0\xcf\x11\xe0"  # a compound file: an encrypted .xlsx or an Excel 97-2003 .xls
Rows = list[tuple[int, list[str]]]  # (line or Excel row number, fields)


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


def _data_sheet(path: Path, book, name: str) -> tuple[object, list[Problem]]:
    """The sheet called `name`, else the first visible sheet, with a warning saying which."""
    if name in book.sheetnames:
        return book[name], []
    visible = [sheet for sheet in book.worksheets if sheet.sheet_state == "visible"]
    if not visible:
        raise InputError.single(path, "has no visible sheet to read")
    chosen = visible[0]
    skipped = [s.title for s in book.worksheets if s.sheet_state != "visible"]
    others = [s.title for s in visible[1:] if s.title != "README"]
    if not skipped and not others:
        return chosen, []
    detail = "; ".join(part for part in (
        skipped and f"hidden sheets not read: {', '.join(map(quote, skipped))}",
        others and f"other sheets not read: {', '.join(map(quote, others))}") if part)
    return chosen, [Problem(str(path), f"no sheet named {name!r}: read the first visible sheet "
                            f"({detail}); name the data sheet {name!r} to choose it", sheet=chosen.title)]


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
    from openpyxl import load_workbook

    check_archive(path, raw, limits)
    try:
        books = [load_workbook(io.BytesIO(raw), data_only=only) for only in (False, True)]
    except Exception as exc:  # openpyxl raises many types for a broken workbook
        raise InputError.single(path, f"not readable as an Excel workbook: "
                                f"{quote(str(exc))}") from exc
    formulas, warnings = _data_sheet(path, books[0], sheet_name)
    values = books[1][formulas.title]
    if values.max_row > limits.max_rows:
        raise over_limit(path, f"sheet {quote(formulas.title)}", values.max_row, limits.max_rows,
                         "max_rows", limits, unit=lambda n: f"{n:,} rows")
    raise_if_any(_hidden_value_problems(path, formulas, values))
    rows = [(cells[0].row, [_cell_text(c.value) for c in cells]) for cells in values.iter_rows()]
    return rows, warnings
