"""The declared steps (steps.py): the architecture doc shows exactly them."""

from __future__ import annotations

import re

from conftest import REPO
from readmission.base.steps import KEYED, STEPS, kinds, markdown_table


def test_architecture_doc_shows_the_declared_steps():
    doc = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    shown = re.search(r"<!-- steps:begin -->\n(.*?)<!-- steps:end -->", doc, re.S)
    assert shown, "docs/architecture.md lost its steps table markers"
    assert shown.group(1) == markdown_table(), "regenerate it: python -m readmission.base.steps"


def test_each_step_declares_each_kind_once_and_keyed_steps_exist():
    for step in STEPS:
        assert len(kinds(step)) == len(set(kinds(step))), step
    assert set(KEYED) <= set(STEPS)


def test_a_country_depends_on_its_own_settings_and_rows_and_the_summary_on_results():
    assert {"country settings", "country rows", "parameters"} <= set(kinds("country"))
    assert "results" in kinds("summary") and "country rows" not in kinds("summary")
    assert set(kinds("selection")) == {"settings", "reference", "decisions"}
