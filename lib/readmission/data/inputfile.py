"""One confidential input file (CSV or XLSX) as raw rows, read only within the size limits.

What can go wrong before a row is validated is an InputError naming the file and the line (or the
sheet and cell): a link, a size over a limit, the encoding, the separator, a quote left open, a
field of more than max_lines_in_field lines. The same rules read a country's slice (input_slices.py),
written from rows that passed them, so a slice always reads back.
"""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path

from ..base.errors import InputError, Problem
from ..settings.limits import Limits
from .workbook import Rows, field_lines, over_limit, xlsx_rows

SUFFIXES = (".csv", ".xlsx")
SEPARATORS = {";": "a semicolon ';'", "\t": "a tab"}
SAVE_AS_CSV = "in Excel: File > Save As > 'CSV UTF-8 (Comma delimited) (*.csv)'"


def _decode(path: Path, raw: bytes) -> str:
    """UTF-8 text (a BOM is allowed); a bad byte names its line."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise InputError.single(path, f"not UTF-8 text (bad byte at offset {exc.start}); save it "
                                f"as 'CSV UTF-8' ({SAVE_AS_CSV})", line) from exc


def _check_separator(path: Path, lines: list[str]) -> None:
    """A header split by ';' or tabs (Excel's CSV in most EU locales) is named as such."""
    first = next((n, line) for n, line in enumerate(lines, start=1) if line.strip())
    for separator, name in SEPARATORS.items():
        if first[1].count(separator) > first[1].count(","):
            raise InputError.single(path, f"the separator looks like {name}, not a comma: save the "
                                    f"file as comma-separated UTF-8 ({SAVE_AS_CSV})", first[0])


def quote_opened(lines: list[str], start: int, end: int) -> int | None:
    """Line (start..end) where the quoted field that stayed open longest opened; None if none did.

    A '"' toggles the quoted state; an escaped '""' toggles it twice, so a line's parity decides.
    """
    longest, opened_on = None, None
    for number in range(start, end + 1):
        if lines[number - 1].count('"') % 2 == 0:
            continue
        if opened_on is None:
            opened_on = number
            continue
        if longest is None or number - opened_on > longest[0]:
            longest = (number - opened_on, opened_on)
        opened_on = None
    if opened_on is not None and (longest is None or end - opened_on >= longest[0]):
        return opened_on
    return longest[1] if longest else None


def _open_quote_error(path: Path, lines: list[str], start: int, end: int, limits: Limits,
                      detail: str) -> InputError:
    """A record that ran too far or broke the CSV rules: name the line where its quote opened."""
    opened = quote_opened(lines, start, end)
    if opened is None:
        return InputError.single(path, f"not readable as CSV: {detail}", start)
    return InputError.single(path, f"a quoted field opens on this line and {detail} (it runs to "
                             f"line {end}): look for a stray or unbalanced '\"' on line {opened}; "
                             f"a field may span at most {limits.max_lines_in_field} lines "
                             f"(max_lines_in_field in {limits.source})", opened)


def csv_rows(path: Path, raw: bytes, limits: Limits) -> Rows:
    """(line number, fields) per CSV record; a record's line is where it starts."""
    lines = io.StringIO(_decode(path, raw), newline="").readlines()
    if len(lines) > limits.max_rows:
        raise over_limit(path, "the file", len(lines), limits.max_rows, "max_rows", limits,
                         unit=lambda n: f"{n:,} lines")
    if not any(line.strip() for line in lines):
        return []
    _check_separator(path, lines)
    reader = csv.reader(lines, strict=True)
    rows, start = [], 1
    try:
        for fields in reader:  # the rule of an Excel cell too (workbook.long_field_problems)
            if reader.line_num - start >= limits.max_lines_in_field and \
                    any(field_lines(f) > limits.max_lines_in_field for f in fields):
                raise _open_quote_error(path, lines, start, reader.line_num, limits,
                                        f"spans more than {limits.max_lines_in_field} lines")
            rows.append((start, fields))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise _open_quote_error(path, lines, start, reader.line_num, limits,
                                f"is not closed properly ({exc})") from exc
    return rows


def _check_path(path: Path) -> None:
    """A .csv or .xlsx file, not a link (a link's target, any file, must never reach a message)."""
    if path.suffix.lower() not in SUFFIXES:
        raise InputError.single(path, "unsupported file type: use .csv (UTF-8) or .xlsx")
    if path.is_symlink():
        raise InputError.single(path, "is a symbolic link: put the file itself here (links are "
                                "not followed, so that no other file's content is read)")


def read_rows(path: Path, sheet_name: str, limits: Limits) -> tuple[Rows, str, list[Problem]]:
    """Non-empty rows (line, stripped fields) of a CSV or XLSX file, its sha256 and warnings."""
    path = Path(path)
    _check_path(path)
    try:
        size = path.stat().st_size
        if size > limits.max_file_mb * 1e6:
            raise over_limit(path, "the file", size, limits.max_file_mb * 1e6, "max_file_mb", limits)
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError.single(path, f"cannot read: {exc.strerror or exc}") from exc
    if path.suffix.lower() == ".csv":
        rows, warnings = csv_rows(path, raw, limits), []
    else:
        rows, warnings = xlsx_rows(path, raw, sheet_name, limits)
    stripped = [(line, [f.strip() for f in fields]) for line, fields in rows]
    return ([(n, fields) for n, fields in stripped if any(fields)], hashlib.sha256(raw).hexdigest(),
            warnings)
