"""The country page's structure: the same headed sections in both audiences, calculations folded."""

from __future__ import annotations

import re

import nbformat
import pytest

from conftest import REPO

SECTIONS = ["## (a) ", "## (b) ", "## (c) ", "## (d) ", "## Context", "## Rating", "## Assessment", "## Across editions"]
SECTION_FUNCTIONS = ("trend_table", "return_rates", "readmission_rates", "practical_cooperation",
                     "return_operations", "context_tables", "rating")  # method/sections.py, in page order
FOLD = ['#| echo: true', '#| code-fold: true', '#| code-summary: "How this was computed"']


@pytest.fixture(scope="module")
def template() -> nbformat.NotebookNode:
    return nbformat.read(str(REPO / "notebooks" / "country.ipynb"), as_version=4)


def restricted(cell) -> bool:
    return "restricted" in cell.metadata.get("tags", [])


def section_of(nb) -> list[tuple[str, nbformat.NotebookNode]]:
    """Each cell with the section heading it falls under."""
    current, found = "", []
    for cell in nb.cells:
        heading = next((s for s in SECTIONS if cell.cell_type == "markdown" and cell.source.startswith(s)), None)
        current = heading or current
        found.append((current, cell))
    return found


def test_every_section_is_headed_in_a_cell_both_audiences_keep(template):
    headings = [c.source.split("\n")[0] for c in template.cells
                if c.cell_type == "markdown" and c.source.startswith("## ")]
    assert [h for h in headings if any(h.startswith(s) for s in SECTIONS)] == [
        h for s in SECTIONS for h in headings if h.startswith(s)]
    assert len(headings) == len(SECTIONS)
    assert not [c for c in template.cells if restricted(c) and (c.cell_type != "code" or "## " in c.source)]


def test_each_indicator_section_folds_its_calculation(template):
    folded = {section for section, cell in section_of(template)
              if cell.cell_type == "code" and all(line in cell.source for line in FOLD) and not restricted(cell)}
    # context, the analyst's assessment and the trajectory show inputs and published results: nothing to fold
    assert folded == {s for s in SECTIONS if s not in ("## Context", "## Assessment", "## Across editions")}


def test_calculations_call_the_section_functions_on_named_frames(template):
    source = "\n".join(c.source for c in template.cells if c.cell_type == "code" and FOLD[1] in c.source)
    for call in ("trend = trend_table(", "rates, eu = return_rates(",
                 "requests, acceptance, issuance = readmission_rates(", "answers, items = practical_cooperation(",
                 "operations = return_operations(", "rated = rating("):
        assert call in source, call


def test_the_results_file_is_assembled_from_the_cells_values_and_nothing_computes_a_second_time(template):
    """One computation path: no cell assesses the whole country, and the results written are `a`,
    assembled from the variables the visible cells computed, after the last of them."""
    code = [c.source for c in template.cells if c.cell_type == "code"]
    everything = "\n".join(code)
    assert "assess_country" not in everything and "assess_public" not in everything and "assert " not in everything
    assembled = next(i for i, c in enumerate(code) if "a = assemble(" in c)
    written = next(i for i, c in enumerate(code) if "write_results(a," in c)
    last_section = max(i for i, c in enumerate(code) for name in SECTION_FUNCTIONS if f"{name}(" in c)
    assert last_section <= assembled < written
    assert not [c for c in code[:assembled] if re.search(r"\ba\.", c)]  # nothing reads `a` before it exists


def test_public_sections_say_what_is_withheld_and_why(template):
    withheld = {section for section, cell in section_of(template)
                if not restricted(cell) and "show.withheld(" in cell.source}
    assert withheld == {"## (c) ", "## (d) ", "## Rating"}


def test_set_up_and_parameter_cells_stay_hidden(template):
    """The parameters cell first (papermill injects its values after it), then one set-up cell:
    imports, settings and inputs, hidden; every cell says whether its code shows."""
    code = [c for c in template.cells if c.cell_type == "code"]
    assert "parameters" in code[0].metadata.get("tags", [])
    assert all(c.source.startswith("#| include: false") for c in code[:2])
    assert "load_public_inputs(" in code[1].source and "%matplotlib inline" in code[1].source
    assert not [c for c in code[2:] if c.source.startswith("#| include: false")]
    for cell in code:
        assert re.match(r"#\| (include|echo): ", cell.source), cell.source[:60]


@pytest.mark.parametrize("name", ["country", "summary"])
def test_charts_are_shown_in_place_and_described(name):
    """A chart goes out through show.chart(), after the Markdown its cell showed before it (plain
    plt.show() would put it above that Markdown, which waits for the cell's end), in a cell with alt text."""
    nb = nbformat.read(str(REPO / "notebooks" / f"{name}.ipynb"), as_version=4)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert not [c for c in code if "plt.show()" in c]
    drawn = [c for c in code if "show.chart()" in c]
    assert drawn and all("#| fig-alt: " in c for c in drawn)


def test_public_cells_name_no_per_state_confidential_column(template):
    """Folded code is shown on public pages: it names confidential columns only through constants."""
    from readmission.publish.gate import NAMED_IN_OUTPUT

    public = "\n".join(c.source for c in template.cells if not restricted(c))
    assert [name for name in sorted(NAMED_IN_OUTPUT) if name in public] == []
