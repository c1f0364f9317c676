"""A page's front matter: the raw YAML cell Quarto reads first (title, listing fields, subtitle)."""

from __future__ import annotations

import nbformat
import yaml

from ..base.codes import DESIGNATION_FOOTNOTES
from ..base.levels import final_level
from ..method.vocabulary import instrument


def front_matter_cell(front_matter: dict) -> nbformat.NotebookNode:
    """A raw cell holding YAML front matter, the first cell of a Quarto page."""
    text = yaml.safe_dump(front_matter, sort_keys=True, allow_unicode=True).strip()
    return nbformat.v4.new_raw_cell(f"---\n{text}\n---")


def page_title(name: str, year: int) -> str:
    """A country page's title names its edition: the search and the browser's tabs tell them apart."""
    return f"{name}, {year} edition"


def front_matter(results: dict, audience: str) -> dict:
    """Title and listing fields of a country page, from its results file, and its audience."""
    public = results["public"]
    rate = public["eu_return_rate"]["rate"]
    matter = {
        "title": page_title(public["name"], results["provenance"]["edition"]["data_year"]),
        "country-name": public["name"],  # the listing's first column (its edition has its own)
        "country": public["country"],
        "audience": audience,
        "edition": results["provenance"]["edition"]["data_year"],
        "level": final_level(public),
        "method-level": public["level"],
        "review": (public.get("assessment") or {}).get("status", "not reviewed"),
        "decisions": public["return_decisions"],
        "return-rate": None if rate is None else round(rate * 100, 1),
        "instrument": instrument(public["strongest_instrument"]),
    }
    if public["country"] in DESIGNATION_FOOTNOTES:
        matter["description"] = DESIGNATION_FOOTNOTES[public["country"]]
    if public["synthetic_label"]:
        matter["subtitle"] = public["synthetic_label"]
    if public.get("outside_selection"):
        matter["outside-selection"] = public["outside_selection"]
    return matter
