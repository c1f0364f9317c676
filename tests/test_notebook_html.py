"""Issue 26, item 1: an executed notebook read without Quarto. nbconvert, with the project's settings
(jupyter_nbconvert_config.json, which `make install` puts into the environment), shows its tables as
tables and leaves out the cells Quarto leaves out; the notebook itself stays as Quarto reads it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup
from nbconvert import HTMLExporter
from traitlets.config import Config

from conftest import REPO, active_project, public_tree, run_fixture
from readmission.pages.notebook_html import QuartoCells, RawHtmlTables, cell_options

CONFIG = REPO / "jupyter_nbconvert_config.json"
SET_UP = ("load_inputs(", "include: false", "import matplotlib")  # the hidden set-up cells' source


@pytest.fixture(scope="module")
def iraq_page(tmp_path_factory):
    """Iraq's executed page of a fixture run, as the pipeline wrote it."""
    with active_project(tmp_path_factory, "project") as (project, _):
        report = run_fixture(project)
        assert report.ok, report.notes
        yield public_tree(project).countries / "IQ.ipynb"


def html_text(page, config: Config) -> tuple[str, str]:
    """nbconvert's HTML of `page` with `config`, and the text a reader sees in it."""
    body, _ = HTMLExporter(config=config).from_filename(str(page))
    return body, BeautifulSoup(body, "html.parser").get_text()


def project_config() -> Config:
    return Config(json.loads(CONFIG.read_text(encoding="utf-8")))


@pytest.mark.slow
def test_nbconvert_with_the_project_config_shows_tables_and_no_set_up_cell(iraq_page):
    body, text = html_text(iraq_page, project_config())
    assert body.count("<table") >= 5 and "&lt;table" not in body and "{=html}" not in text
    assert [s for s in SET_UP if s in text] == []
    assert "rates, eu = return_rates(" in text  # `echo: true` code is shown, as on the site
    assert "show.context(context, inputs)" not in text  # `echo: false` code is not
    assert "<title>Iraq, 2016 edition</title>" in body and "audience: public" not in text  # front matter


@pytest.mark.slow
def test_without_the_project_config_nbconvert_shows_html_source_and_set_up_cells(iraq_page):
    """What the issue saw: the failing case the config fixes (so the test above can fail)."""
    body, text = html_text(iraq_page, Config())
    assert "&lt;table" in body and "load_inputs(" in text


@pytest.mark.slow
def test_the_tables_stay_markdown_outputs_and_the_page_loads_nothing_from_other_hosts(iraq_page):
    from test_no_third_party import third_party_triggers

    nb = nbformat.read(iraq_page, as_version=4)
    markdown = [o["data"]["text/markdown"] for c in nb.cells for o in c.get("outputs", [])
                if "text/markdown" in o.get("data", {})]
    assert sum("```{=html}" in m for m in markdown) >= 5 and third_party_triggers(nb) == []


@pytest.mark.slow
def test_the_readme_command_uses_the_config_installed_in_the_environment(iraq_page, tmp_path):
    """`jupyter nbconvert --to html` run from any folder: make install put the config where it reads."""
    installed = Path(sys.prefix) / "etc" / "jupyter" / CONFIG.name
    assert installed.exists() and installed.read_text() == CONFIG.read_text(), "run make install"
    done = subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "html", "--stdout",
                           str(iraq_page)], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert "<table" in done.stdout and "&lt;table" not in done.stdout


def test_quarto_cells_drops_include_false_hides_echo_false_and_reads_the_title():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_raw_cell('---\ntitle: "Iraq"\naudience: public\n---'),
        nbformat.v4.new_code_cell("#| include: false\nx = load_inputs()"),
        nbformat.v4.new_code_cell("#| echo: false\n#| fig-alt: a chart\nshow(x)"),
        nbformat.v4.new_code_cell("#| echo: true\n#| code-fold: true\ny = 2"),
        nbformat.v4.new_markdown_cell("#| include: false is text here")])
    nb, _ = QuartoCells().preprocess(nb, {})
    assert nb.metadata["title"] == "Iraq"
    assert [c.source.splitlines()[-1] for c in nb.cells] == ["show(x)", "y = 2", "#| include: false is text here"]
    assert [c.metadata.get("transient", {}).get("remove_source", False) for c in nb.cells] == [True, False, False]
    assert cell_options("#| echo: false\n#| fig-alt: \"a: b\"\nx\n#| later: no") == {"echo": "false", "fig-alt": '"a: b"'}


def test_raw_html_tables_unwraps_only_pandoc_raw_html_blocks():
    text = "Before **bold**.\n\n```{=html}\n<div><table><tr><td>1</td></tr></table></div>\n```\n\n```python\nx = 1\n```"
    out = nbformat.v4.new_output("display_data", data={"text/markdown": text, "text/plain": "<md>"})
    cell = nbformat.v4.new_code_cell("show()", outputs=[out])
    cell, _ = RawHtmlTables().preprocess_cell(cell, {}, 0)
    assert cell.outputs[0].data["text/markdown"] == (
        "Before **bold**.\n\n<div><table><tr><td>1</td></tr></table></div>\n\n```python\nx = 1\n```")
    assert cell.outputs[0].data["text/plain"] == "<md>"
