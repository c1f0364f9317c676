"""An executed notebook read without Quarto: nbconvert preprocessors showing it as its Quarto page does.

The notebooks stay as Quarto reads them (tables are `text/markdown` outputs holding a Pandoc raw
HTML block, set-up cells carry `#| include: false`); nbconvert knows neither, so it would print each
table's HTML as a code block and show every set-up cell. `jupyter_nbconvert_config.json` (installed
into the environment by `make install`) adds these two preprocessors to nbconvert's HTML exporter.
"""

from __future__ import annotations

import re

import yaml
from nbconvert.preprocessors import Preprocessor

RAW_HTML = re.compile(r"^```\{=html\}\n(.*?)\n```$", re.S | re.M)
OPTION = re.compile(r"^#\|\s*([\w-]+):\s*(.*?)\s*$")


def cell_options(source: str) -> dict[str, str]:
    """A code cell's Quarto options, its leading `#| name: value` lines."""
    options = {}
    for line in source.splitlines():
        match = OPTION.match(line)
        if not match:
            break
        options[match.group(1)] = match.group(2)
    return options


def unwrap_raw_html(markdown: str) -> str:
    """Markdown with each Pandoc raw HTML block (```{=html} ... ```) replaced by the HTML itself."""
    return RAW_HTML.sub(lambda m: m.group(1), markdown)


def front_matter_title(cell) -> str | None:
    """The title of a leading raw cell of YAML front matter, or None when it is not one."""
    if cell.cell_type != "raw" or not cell.source.startswith("---"):
        return None
    front = yaml.safe_load(cell.source.strip().strip("-")) or {}
    return str(front.get("title") or "")


class QuartoCells(Preprocessor):
    """Drop the cells Quarto leaves out (`include: false`, the front matter), hide `echo: false` code."""

    def preprocess(self, nb, resources):
        kept = []
        for cell in nb.cells:
            title = front_matter_title(cell)
            if title is not None:
                if title:
                    nb.metadata["title"] = title
                continue
            options = cell_options(cell.source) if cell.cell_type == "code" else {}
            if options.get("include") == "false":
                continue
            if options.get("echo") == "false":
                cell.metadata.setdefault("transient", {})["remove_source"] = True
            kept.append(cell)
        nb.cells = kept
        return nb, resources


class RawHtmlTables(Preprocessor):
    """Show the raw HTML blocks of `text/markdown` outputs as HTML, not as their source."""

    def preprocess_cell(self, cell, resources, index):
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if "text/markdown" in data:
                data["text/markdown"] = unwrap_raw_html(data["text/markdown"])
        return cell, resources
