"""The notebook templates' sources: `notebooks/<name>.py`, Jupytext percent scripts, and the `.ipynb`
papermill runs, written from them (`python -m readmission.pages.notebook_sources` after editing a `.py`)."""

from __future__ import annotations

from itertools import zip_longest
from pathlib import Path

import jupytext
import nbformat

from ..base.paths import PACKAGE_ROOT, Project

NOTEBOOKS = Project(PACKAGE_ROOT).notebooks
NAMES = ("country", "summary")
METADATA = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python"}}
FIELDS = ("type", "source", "tags")


def sources(notebooks: Path = NOTEBOOKS) -> list[tuple[Path, Path]]:
    """Each template's `.py` source and the `.ipynb` written from it."""
    return [(notebooks / f"{name}.py", notebooks / f"{name}.ipynb") for name in NAMES]


def notebook_text(source: Path) -> str:
    """The `.ipynb` text of a percent script: fixed metadata and ids cell-00, cell-01...,
    so the same script always gives the same bytes (and the same run keys)."""
    nb = jupytext.read(source, fmt="py:percent")
    for index, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{index:02d}"
    nb.metadata = nbformat.from_dict(METADATA)
    return nbformat.writes(nb).rstrip("\n") + "\n"


def write_notebooks(notebooks: Path = NOTEBOOKS) -> list[Path]:
    """Write every template's `.ipynb` from its `.py`."""
    for source, target in sources(notebooks):
        target.write_text(notebook_text(source), encoding="utf-8", newline="\n")
    return [target for _, target in sources(notebooks)]


def differences(source: Path, notebook: Path) -> list[str]:
    """Where a `.py` source and its `.ipynb` disagree (cell type, source, tags); empty when in sync."""
    ours, theirs = (_cells(jupytext.read(path)) for path in (source, notebook))
    found = [f"cell {index}: {_mismatch(field, a, b)} ({source.name} vs {notebook.name})"
             for index, (cell, other) in enumerate(zip(ours, theirs))
             for field, a, b in zip(FIELDS, cell, other) if a != b]
    if len(ours) != len(theirs):
        found.append(f"{len(ours)} cells in {source.name}, {len(theirs)} in {notebook.name}")
    return found


def _mismatch(field: str, ours, theirs) -> str:
    """What differs, briefly: for a source, its first differing line."""
    if field == "source":
        lines = zip_longest(ours.split("\n"), theirs.split("\n"))
        line, (ours, theirs) = next((n, pair) for n, pair in enumerate(lines, 1) if pair[0] != pair[1])
        field = f"source line {line}"
    return f"{field} differs: {ours!r} vs {theirs!r}"


def _cells(nb) -> list[tuple[str, str, list[str]]]:
    """What must agree between a source and its notebook, cell by cell (in the order of FIELDS)."""
    return [(cell.cell_type, cell.source, cell.metadata.get("tags", [])) for cell in nb.cells]


if __name__ == "__main__":
    for path in write_notebooks():
        print(f"wrote {path}")
