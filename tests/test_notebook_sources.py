"""The notebook templates' `.py` sources and the `.ipynb` papermill runs (and the run keys hash) agree."""

from __future__ import annotations

import shutil

import jupytext
import pytest
from jupytext.config import load_jupytext_config

from readmission.pages.notebook_sources import differences, notebook_text, sources, write_notebooks

PAIRS = sources()


@pytest.mark.parametrize("source, notebook", PAIRS, ids=[s.stem for s, _ in PAIRS])
def test_each_source_and_its_notebook_have_the_same_cells(source, notebook):
    found = differences(source, notebook)
    assert not found, (f"{source.name} and {notebook.name} are out of sync "
                       "(run `make notebooks`):\n" + "\n".join(found))


@pytest.mark.parametrize("source, notebook", PAIRS, ids=[s.stem for s, _ in PAIRS])
def test_each_notebook_is_exactly_what_its_source_writes(source, notebook):
    assert notebook.read_bytes() == notebook_text(source).encode(), f"run `make notebooks` ({notebook.name})"


def test_writing_twice_gives_the_same_bytes(tmp_path):
    for source, _ in PAIRS:
        shutil.copy(source, tmp_path / source.name)
    first = {p.name: p.read_bytes() for p in write_notebooks(tmp_path)}
    second = {p.name: p.read_bytes() for p in write_notebooks(tmp_path)}
    assert first == second and set(first) == {"country.ipynb", "summary.ipynb"}


@pytest.mark.parametrize("source, notebook", PAIRS, ids=[s.stem for s, _ in PAIRS])
def test_saving_a_notebook_as_a_script_gives_its_source_back(source, notebook):
    """With the project's Jupytext settings, magics stay commented and no header is added."""
    config = load_jupytext_config(str(source.parent))
    text = jupytext.writes(jupytext.read(notebook), fmt="py:percent", config=config)
    assert text == source.read_text(encoding="utf-8")
    assert "# %matplotlib inline" in text


def test_a_changed_cell_is_named(tmp_path):
    source, notebook = PAIRS[0]
    edited = tmp_path / source.name
    edited.write_text(source.read_text(encoding="utf-8").replace('country = "IQ"', 'country = "MA"'),
                      encoding="utf-8")
    found = differences(edited, notebook)
    cells = jupytext.read(notebook).cells
    parameters = next(i for i, cell in enumerate(cells) if "parameters" in cell.metadata.get("tags", []))
    assert len(found) == 1 and found[0].startswith(f"cell {parameters}: source line 3 differs")
