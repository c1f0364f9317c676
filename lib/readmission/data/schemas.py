"""Shape of the public statistics: CSV reading, row-problem collection and pandera schemas.

Row checks are vectorised pandas masks reported with the file's line numbers (header = line 1);
pandera then guards the column types of the tidy frames the loaders hand on.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from ..base.errors import InputError, Problem, quote

MAX_PROBLEMS = 50
NEGATIVE_NUMBER = r"\s*-\s*[0-9]+(?:\.[0-9]*)?\s*"
# Eurostat flags: break in series, confidential, definition differs, estimated, provisional,
# low reliability. ':' (not available) is not a flag here: it makes the value NA.
FLAG_LETTERS = "bcdepu"


# ---------------------------------------------------------------- reading


@dataclass(frozen=True)
class RawCsv:
    """A CSV file as strings: header, rows with the header's field count, and their line numbers."""

    path: Path
    header: list[str]
    frame: pd.DataFrame  # one str column per header field; NA is never produced
    lines: np.ndarray  # line number (header = 1) of each frame row
    problems: list[Problem]  # rows whose field count differs from the header's


def decode_utf8(path: Path) -> str:
    """The file's text; InputError naming the line if it is missing or not UTF-8."""
    if not path.is_file():
        raise InputError.single(path, "file not found")
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        bad = data[exc.start: exc.start + 1].hex()
        raise InputError.single(
            path, f"not UTF-8 text (byte 0x{bad} at byte offset {exc.start}; "
                  "re-save the file as UTF-8)", row=line) from exc


def read_csv_strings(path: Path, allow_empty: bool = False) -> RawCsv:
    """Read a UTF-8 CSV, every cell a string ('NA' is Namibia, not missing); skip blank lines.

    A file with a header and no rows is a problem unless allow_empty.
    """
    reader = csv.reader(io.StringIO(decode_utf8(path), newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise InputError.single(path, "empty file: no header line", row=1) from None
    except csv.Error as exc:
        raise InputError.single(path, f"unreadable CSV header: {exc}", row=1) from exc
    rows, lines, problems = [], [], []
    try:
        for record in reader:
            if not record:
                continue
            if len(record) != len(header):
                problems.append(Problem(str(path), f"has {len(record)} fields, the header has "
                                                   f"{len(header)}", row=reader.line_num))
                continue
            rows.append(record)
            lines.append(reader.line_num)
    except csv.Error as exc:
        problems.append(Problem(str(path), f"unreadable CSV: {exc}", row=reader.line_num))
    if not rows and not problems and not allow_empty:
        problems.append(Problem(str(path), "no data rows after the header", row=2))
    columns = list(zip(*rows)) if rows else [()] * len(header)
    frame = pd.DataFrame({name: pd.array(list(col), dtype="str")
                          for name, col in zip(header, columns)})
    return RawCsv(path, header, frame, np.asarray(lines, dtype=np.int64), problems)


def check_header(path: Path, header: Sequence[str], required: Sequence[str],
                 optional: Sequence[str] = ()) -> None:
    """Raise naming every missing, unexpected or repeated column (any order accepted)."""
    file = str(path)
    expected = f"expected columns: {', '.join(required)}"
    # worded without 'missing': callers treat 'missing'/'not found' as an absent optional file
    problems = [Problem(file, f"required column not in the header; {expected}", 1, name)
                for name in required if name not in header]
    problems += [Problem(file, f"unexpected column; {expected}", 1, name)
                 for name in header if name not in required and name not in optional]
    problems += [Problem(file, "column appears more than once", 1, name)
                 for name in sorted(set(header)) if list(header).count(name) > 1]
    if problems:
        raise InputError(problems)


# ---------------------------------------------------------------- row problems


@dataclass
class RowProblems:
    """Problems found in one file's rows, reported in line order and capped at MAX_PROBLEMS."""

    path: Path
    lines: np.ndarray
    problems: list[Problem] = field(default_factory=list)
    total: int = 0

    def add(self, mask: pd.Series | np.ndarray, field_name: str | None,
            message: str | Callable[[int], str]) -> None:
        """Record a problem on each row where mask is True; message may depend on the position."""
        positions = np.flatnonzero(np.asarray(mask, dtype=bool))
        self.total += len(positions)
        for pos in positions[:MAX_PROBLEMS]:
            text = message(int(pos)) if callable(message) else message
            self.problems.append(Problem(str(self.path), text, int(self.lines[pos]), field_name))

    def add_bad_values(self, mask: pd.Series, values: pd.Series, field_name: str,
                       text: str) -> None:
        """Record '<text>, got <value>' on each masked row."""
        cells = values.to_numpy()
        self.add(mask, field_name, lambda pos: f"{text}, got {quote(cells[pos])}")

    def raise_if_any(self, earlier: Sequence[Problem] = ()) -> None:
        """Raise one InputError: the first MAX_PROBLEMS problems by line and a count of the rest."""
        everything = sorted([*earlier, *self.problems], key=lambda p: (p.row or 0))
        if not everything:
            return
        total = self.total + len(earlier)
        shown = everything[:MAX_PROBLEMS]
        if total > len(shown):
            shown.append(Problem(str(self.path), f"... {total - len(shown)} more problems "
                                                 f"not listed (listing stops at {MAX_PROBLEMS})"))
        raise InputError(shown)


def map_unique(values: pd.Series, func: Callable[[str], object], dtype: str | None = None
               ) -> pd.Series:
    """func applied once per distinct cell (fast on columns with few distinct values)."""
    codes, uniques = pd.factorize(values)
    results = pd.array([func(u) for u in uniques], dtype=dtype)
    return pd.Series(results.take(codes) if len(uniques) else results[:0], index=values.index)


def fullmatch_mask(values: pd.Series, pattern: str) -> pd.Series:
    """True where the whole cell matches the regular expression."""
    regex = re.compile(pattern)
    return map_unique(values, lambda cell: regex.fullmatch(cell) is not None, "bool").astype(bool)


def unsigned_int_mask(values: pd.Series) -> pd.Series:
    """True where the cell is a whole number written with digits only."""
    return fullmatch_mask(values, r"[0-9]+")


def report_integer_problems(problems: RowProblems, values: pd.Series, field_name: str
                            ) -> pd.Series:
    """Flag negative and non-integer cells; return the mask of acceptable cells."""
    ok = unsigned_int_mask(values)
    negative = fullmatch_mask(values, NEGATIVE_NUMBER)
    problems.add_bad_values(negative, values, field_name, "negative count (expected 0 or more)")
    problems.add_bad_values(~ok & ~negative, values, field_name, "expected a whole number")
    return ok


def report_code_problems(problems: RowProblems, values: pd.Series, field_name: str,
                         accepted: Callable[[pd.Series], pd.Series], what: str) -> pd.Series:
    """Flag cells whose code is not accepted; return the mask of accepted cells."""
    ok = accepted(values)
    cells = values.to_numpy()
    problems.add(~ok, field_name, lambda pos: f"unknown code {quote(cells[pos])}: not {what}")
    return ok


# ---------------------------------------------------------------- pandera schemas

_CODE = r"^[A-Z0-9_]+$"


def eurostat_schema(dimensions: Sequence[str]) -> pa.DataFrameSchema:
    """Tidy Eurostat frame: citizen, geo, other dimensions, year, value (nullable), flags."""
    others = [d for d in dimensions if d not in ("citizen", "geo")]
    columns = {
        "citizen": pa.Column(str, pa.Check.str_matches(_CODE)),
        "geo": pa.Column(str, pa.Check.str_matches(_CODE)),
        **{d: pa.Column(str, pa.Check.str_length(min_value=1)) for d in others},
        "year": pa.Column("int64", pa.Check.in_range(1900, 2100)),
        "value": pa.Column("Int64", pa.Check.ge(0), nullable=True),
        "flags": pa.Column(str, pa.Check.str_matches(f"^[{FLAG_LETTERS}]*$")),
    }
    return pa.DataFrameSchema(columns, strict=True, ordered=True)


BORDER_CROSSINGS_SCHEMA = pa.DataFrameSchema(
    {
        "route": pa.Column(str),
        "border_type": pa.Column(str, pa.Check.isin(["Land", "Sea"])),
        "nationality": pa.Column(str, pa.Check.str_matches(_CODE)),
        "nationality_iso3": pa.Column(str, pa.Check.str_matches(r"^[A-Z]{3}$")),
        "month": pa.Column(str, pa.Check.str_matches(r"^[0-9]{4}-(0[1-9]|1[0-2])$")),
        "year": pa.Column("int64", pa.Check.in_range(1900, 2100)),
        "detections": pa.Column("int64", pa.Check.ge(0)),
    },
    strict=True, ordered=True,
)

RETURN_OPERATIONS_SCHEMA = pa.DataFrameSchema(
    {
        "operation_id": pa.Column(str, pa.Check.str_matches(r"^(RO|VRD)-")),
        "date": pa.Column("datetime64[ns]"),
        "year": pa.Column("int64", pa.Check.in_range(1900, 2100)),
        "participating_state": pa.Column(str, pa.Check.str_matches(_CODE)),
        "destination": pa.Column(str, pa.Check.str_matches(_CODE)),
        "returnees": pa.Column("int64", pa.Check.ge(0)),
        "voluntary": pa.Column(bool),
        "repeated_key": pa.Column(bool),
    },
    strict=True, ordered=True,
)
