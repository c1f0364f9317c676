"""One vocabulary: a country, instrument, level or (d) item reads the same on every page and file."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd

from conftest import REPO
from readmission.method import findings, vocabulary
from readmission.data import confidential
from readmission.data.reference import load_reference
from readmission.settings.params import Edition
from readmission.run.pipeline import front_matter
from readmission.base.levels import LEVELS
from readmission.method.selection import select_countries

LIB = REPO / "lib" / "readmission"


def test_labels_are_written_in_one_module_only():
    """No other module of the package spells an instrument or (d) item name itself (the items' words
    are the column schema's, base/columns.py); levels are the rating's own words (levels.LEVELS),
    each with its key and short name here."""
    names = [*vocabulary.INSTRUMENTS.values(), *vocabulary.ITEMS.values(), *vocabulary.ITEMS_SHORT.values()]
    names = [n for n in names if n != "none"]
    assert list(vocabulary.LEVEL_KEYS) == LEVELS and set(vocabulary.LEVEL_SHORT) == set(vocabulary.LEVEL_KEYS.values())
    homes = {"method/vocabulary.py": vocabulary.INSTRUMENTS.values(),
             "base/columns.py": [*vocabulary.ITEMS.values(), *vocabulary.ITEMS_SHORT.values()]}
    for path in sorted(LIB.rglob("*.py")):
        rel = path.relative_to(LIB).as_posix()
        text = path.read_text(encoding="utf-8")
        assert not [n for n in names if n in text and n not in homes.get(rel, [])], rel


def test_the_confidential_templates_describe_the_items_in_the_same_words():
    assert {k: v.removeprefix("(d)") for k, v in confidential.ITEMS.items()} == vocabulary.ITEMS
    assert confidential.ITEM_COLUMNS == list(vocabulary.ITEMS) == list(vocabulary.ITEMS_SHORT)


def test_every_term_is_the_column_schemas():
    """The vocabulary labels a column as the schema does; a column outside it reads as its name."""
    from readmission.base.columns import COLUMNS

    assert all(vocabulary.term(name) is column for name, column in COLUMNS.items())
    assert vocabulary.term("no_such_column").header == "No such column"
    assert vocabulary.term("acceptance_rate").file_header == "Acceptance rate (fraction, 1 = 100 %)"


def test_the_listing_and_findings_name_instruments_alike():
    results = {"public": {"name": "Iraq", "country": "IQ", "level": LEVELS[0], "return_decisions": 1,
                          "eu_return_rate": {"rate": None}, "strongest_instrument": "eu_agreement",
                          "synthetic_label": ""}, "provenance": {"edition": {"data_year": 2016}}}
    assert front_matter(results, "public")["instrument"] == "EU readmission agreement"
    row = dict(results["public"], eu_acceptance_rate={"rate": None}, eu_issuance_rate={"rate": None},
               level_counts={"states_rated": 0}, rcms_in_place=False, irregular_crossings_in_year=None,
               visa_measures=[])
    table = findings.country_table({"IQ": {"public": row}})
    assert table.loc[0, "instrument"] == "EU readmission agreement" and table.loc[0, "level_key"] == "well"


def test_the_selection_names_a_country_as_its_page_does():
    reference = load_reference(REPO / "data" / "reference")
    states = reference.reporting_states["eurostat_code"].tolist()
    decisions = pd.DataFrame({"citizen": "GM", "geo": states[:2], "year": 2015, "value": [900, 900],
                              "flags": ""})
    edition = Edition(data_year=2016, selection_year=2015, threshold=1000,
                      reference_date=dt.date(2016, 12, 31), label="")
    selection = select_countries(edition, decisions, reference, 0.5)
    name = selection.candidates.set_index("country").loc["GM", "name"]
    assert name == vocabulary.country_name("GM")
    visa = reference.visa_required.set_index("eurostat_code")
    assert re.sub(r"^The ", "", visa.loc["GM", "name"]) == name  # the reference table's spelling differs
