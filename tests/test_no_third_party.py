"""No published page loads anything from another host (issue 10).

Quarto adds require.js and jQuery from a CDN to any notebook page holding a `text/html` or
`application/javascript` output; the cosmo theme imports a Google font; MathJax comes from a CDN.
"""

from __future__ import annotations

import re

import nbformat
import yaml

from conftest import REPO

CDN_OUTPUTS = ("text/html", "application/javascript")
REMOTE = re.compile(r"""<script[^>]+src=["']?https?:|<link[^>]+href=["']?https?:|@import\s+url\(["']?https?:|"""
                    r"""<img[^>]+src=["']?https?:""", re.I)
SITE_SOURCES = ["_quarto.yml", "theme.scss", "index.qmd", "countries.qmd", "methodology.qmd"]


def third_party_triggers(nb: nbformat.NotebookNode) -> list[str]:
    """What in an executed notebook makes a page load from another host, or show printed text."""
    problems = []
    for index, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            problems += [f"cell {index}: a {kind} output" for kind in CDN_OUTPUTS if kind in data]
            problems += [f"cell {index}: printed text" for _ in [1] if out.get("output_type") == "stream"]
            problems += [f"cell {index}: a remote resource" for _ in [1] if REMOTE.search(data.get("text/markdown", ""))]
    return problems


def test_the_scan_names_what_triggers_third_party_loads():
    html = nbformat.v4.new_output("display_data", data={"text/html": "<table></table>", "text/plain": "x"})
    remote = nbformat.v4.new_output("display_data", data={"text/markdown": '<script src="https://cdn.x/a.js">'})
    printed = nbformat.v4.new_output("stream", name="stdout", text="Source: ...\n")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x", outputs=[html, remote, printed])])
    assert third_party_triggers(nb) == ["cell 0: a text/html output", "cell 0: a remote resource",
                                        "cell 0: printed text"]


def test_site_configuration_turns_off_web_fonts_and_mathjax():
    html = yaml.safe_load((REPO / "_quarto.yml").read_text(encoding="utf-8"))["format"]["html"]
    assert html["theme"] == ["cosmo", "theme.scss"]
    assert html["html-math-method"] == "plain"  # no MathJax (and its polyfill) from a CDN
    theme = (REPO / "theme.scss").read_text(encoding="utf-8")
    assert theme.startswith("/*-- scss:defaults --*/") and re.search(r"^\$web-font-path:\s*false;", theme, re.M)


def test_site_sources_reference_no_remote_script_style_or_font():
    for name in SITE_SOURCES:
        assert not REMOTE.search((REPO / name).read_text(encoding="utf-8")), name


def test_templates_print_nothing():
    """A printed line is a monospace block running past the column: pages say everything in Markdown."""
    for source in sorted((REPO / "notebooks").glob("*.py")):
        assert not re.search(r"^\s*print\(", source.read_text(encoding="utf-8"), re.M), source.name
