"""Input errors that name the file, row and field, so an analyst can fix the input at once."""

from __future__ import annotations

import reprlib
from dataclasses import dataclass
from pathlib import Path

QUOTE_LIMIT = 80  # characters of a value shown in a message
_REPR = reprlib.Repr()
_REPR.maxstring = _REPR.maxother = QUOTE_LIMIT
_REPR.maxlevel, _REPR.maxlist, _REPR.maxdict = 2, 4, 4


def shorten(text: str, limit: int = QUOTE_LIMIT) -> str:
    """Text cut to `limit` characters, marked with '...' where cut."""
    return text if len(text) <= limit else f"{text[:limit - 3]}..."


def quote(value: object, limit: int = QUOTE_LIMIT) -> str:
    """repr(value), bounded: a message never carries (or first builds) an unbounded value."""
    return shorten(_REPR.repr(value), limit)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input: where it is and what is wrong."""

    file: str
    message: str
    row: int | None = None  # line number in the file as an editor shows it (header = line 1)
    field: str | None = None
    sheet: str | None = None  # Excel: the sheet read
    cell: str | None = None  # Excel: the cell reference (e.g. D7), shown instead of the row

    def __str__(self) -> str:
        where = [self.file]
        if self.sheet is not None:
            where.append(f"sheet {self.sheet}")
        if self.cell is not None:
            where.append(f"cell {self.cell}")
        elif self.row is not None:
            where.append(f"row {self.row}")
        if self.field is not None:
            where.append(f"field '{self.field}'")
        return f"{', '.join(where)}: {self.message}"


class InputError(Exception):
    """Raised when an input is unusable; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem] | Problem):
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__(self.describe())

    def describe(self, limit: int = 20) -> str:
        lines = [str(p) for p in self.problems[:limit]]
        if len(self.problems) > limit:
            lines.append(f"... and {len(self.problems) - limit} more problems")
        return "\n".join(lines)

    @classmethod
    def single(cls, file: str | Path, message: str, row: int | None = None,
               field: str | None = None) -> "InputError":
        return cls(Problem(str(file), message, row, field))


def raise_if_any(problems: list[Problem]) -> None:
    """Raise one InputError carrying all problems, if there are any."""
    if problems:
        raise InputError(problems)
