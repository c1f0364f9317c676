"""Input errors that name the file, row and field, so an analyst can fix the input at once."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input: where it is and what is wrong."""

    file: str
    message: str
    row: int | None = None  # line number in the file as an editor shows it (header = line 1)
    field: str | None = None

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
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
