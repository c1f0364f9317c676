"""Building a notebook template cell by cell, with stable cell ids (shared by the tools/ scripts)."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_raw_cell

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


class Cells:
    """The cells of one template, in order."""

    def __init__(self, title: str):
        self.cells = [new_raw_cell(f'---\ntitle: "{title}"\n---')]

    def md(self, text: str, tags: tuple[str, ...] = ()) -> None:
        self._add(new_markdown_cell(text.strip()), tags)

    def code(self, text: str, tags: tuple[str, ...] = ()) -> None:
        self._add(new_code_cell(text.strip()), tags)

    def _add(self, cell, tags) -> None:
        if tags:
            cell.metadata["tags"] = list(tags)
        self.cells.append(cell)

    def write(self, name: str) -> Path:
        """Write notebooks/<name> with ids cell-00, cell-01...: regenerating gives the same file."""
        for index, cell in enumerate(self.cells):
            cell["id"] = f"cell-{index:02d}"
        nb = new_notebook(cells=self.cells, metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python"}})
        path = NOTEBOOKS / name
        nbformat.write(nb, path)
        return path
