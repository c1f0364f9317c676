"""What `data check` tells a coordinator beyond validity: rows that no assessment will read, and
the rows each Member State has not sent yet (named, not only counted)."""

from __future__ import annotations

import pandas as pd

FILES = ("readmission_statistics", "questionnaire")
SHOWN = 8  # countries named per state; the rest are counted


def unused_rows(frame: pd.DataFrame, countries: list[str], year: int) -> list[str]:
    """Countries with rows for the edition's year that the edition does not assess (not used)."""
    rows = frame[frame["year"] == year]
    return sorted(set(rows["country"]) - set(countries))


def missing_rows(frame: pd.DataFrame, states: list[str], countries: list[str], year: int) -> dict[str, list[str]]:
    """Per reporting state, the selected countries it sent no row for in the edition's year."""
    rows = frame[frame["year"] == year]
    sent = set(zip(rows["reporting_state"], rows["country"]))
    missing = {state: [c for c in countries if (state, c) not in sent] for state in states}
    return {state: codes for state, codes in missing.items() if codes}


def coverage_lines(inputs, states: list[str], countries: list[str], year: int) -> list[str]:
    """The lines `data check` prints after its table: unused rows, then missing rows per file."""
    lines = []
    for kind, frame in zip(FILES, (inputs.statistics, inputs.questionnaire)):
        unused = unused_rows(frame, countries, year)
        if unused:
            lines.append(f"{kind}: rows for countries the edition does not assess, not used: {', '.join(unused)}")
        for state, codes in missing_rows(frame, states, countries, year).items():
            more = f" and {len(codes) - SHOWN} more" if len(codes) > SHOWN else ""
            lines.append(f"{kind}: {state} sent no row for {', '.join(codes[:SHOWN])}{more}")
    return lines
