"""What `data check` tells a coordinator beyond validity: rows that no assessment will read, the
rows each Member State has not sent yet (named, not only counted), and rows that say they are
synthetic (the demo writer's comment): read only from a demo folder, refused as real input."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..base.errors import Problem, quote

FILES = ("readmission_statistics", "questionnaire")
SHOWN = 8  # countries named per state; the rest are counted
SYNTHETIC_MARK = "SYNTHETIC"  # how every row's comment of a synthetic set starts (data/templates/README.md)


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


def synthetic_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows whose comment says they are synthetic (it starts with SYNTHETIC_MARK), in file order."""
    marked = frame[frame["comment"].astype(str).str.lstrip().str.startswith(SYNTHETIC_MARK)]
    return marked.sort_values("source_row") if "source_row" in marked else marked


def synthetic_problems(path: Path, frame: pd.DataFrame) -> list[Problem]:
    """A file read as real Member State input whose rows say they are synthetic: one problem naming
    how many, the first row and what to do (they are never read as real)."""
    marked = synthetic_rows(frame)
    if marked.empty:
        return []
    first = int(marked["source_row"].iloc[0]) if "source_row" in marked else None
    return [Problem(str(path), f"{len(marked)} of {len(frame)} rows say they are synthetic (comment "
                    f"{quote(marked['comment'].iloc[0])}) but the folder is read as real Member State input "
                    "(no demo.yml beside the files): synthetic rows are never read as real. Use --demo to "
                    "run on the seeded synthetic demo set (data/restricted/out/demo/<year>/), or put the states' real "
                    "files here", first, "comment")]


def synthetic_line(kind: str, frame: pd.DataFrame) -> str | None:
    """`data check`'s line on a file's synthetic rows (a demo set: illustrative only), or None."""
    marked = synthetic_rows(frame)
    if marked.empty:
        return None
    return (f"{kind}: {len(marked)} of {len(frame)} rows are synthetic (comment "
            f"{quote(marked['comment'].iloc[0])}): illustrative only, never real Member State input")


def coverage_lines(inputs, states: list[str], countries: list[str], year: int) -> list[str]:
    """The lines `data check` prints after its table: synthetic rows, unused rows, then missing rows
    per file."""
    lines = []
    for kind, frame in zip(FILES, (inputs.statistics, inputs.questionnaire)):
        lines += [line for line in [synthetic_line(kind, frame)] if line]
        unused = unused_rows(frame, countries, year)
        if unused:
            lines.append(f"{kind}: rows for countries the edition does not assess, not used: {', '.join(unused)}")
        for state, codes in missing_rows(frame, states, countries, year).items():
            more = f" and {len(codes) - SHOWN} more" if len(codes) > SHOWN else ""
            lines.append(f"{kind}: {state} sent no row for {', '.join(codes[:SHOWN])}{more}")
    return lines
