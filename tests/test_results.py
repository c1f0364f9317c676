"""A country's results files (results.py): public and restricted parts apart, in JSON and CSV."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest

from readmission.run.audience import audience_rows, audience_view
from readmission.method.results import (PUBLIC_RATE_COLUMNS, RESULTS_FORMAT, public_results, restricted_results,
                                 tidy_rows, write_results)

# per-state confidential values: never in the public part
CONFIDENTIAL_COLUMNS = ["forced_returns", "rating_return_rate", "readmission_requests_submitted",
                        "readmission_requests_accepted", "travel_documents_issued", "acceptance_rate",
                        "issuance_rate", "days_to_travel_document", "practical_cooperation", "score"]


def test_public_part_names_no_per_state_confidential_column(iraq):
    public = public_results(iraq)
    text = json.dumps(public, default=str)
    assert [c for c in CONFIDENTIAL_COLUMNS if f'"{c}"' in text] == []
    assert all(list(row) == PUBLIC_RATE_COLUMNS for row in public["return_rates_by_state"])
    assert public["return_decisions"] == int(iraq.return_rates["return_decisions"].sum())


def test_restricted_part_holds_every_states_confidential_values(fixture_2016, iraq):
    restricted = restricted_results(iraq)
    assert sorted(r["reporting_state"] for r in restricted["state_ratings"]) == sorted(fixture_2016.states)
    assert "forced_returns" in restricted["return_rates_by_state"][0]
    assert "readmission_requests_submitted" in restricted["requests_by_state"][0]


def test_tidy_rows_mark_confidential_indicators_restricted_and_eu_figures_public(iraq):
    rows = tidy_rows(iraq)
    restricted = rows[rows["audience"] == "restricted"]
    public = rows[rows["audience"] == "public"]
    assert set(restricted["indicator"]) <= set(CONFIDENTIAL_COLUMNS) and not restricted.empty
    # per state, only the public series; EU-level rates (aggregates) are public
    states_public = public[public["reporting_state"] != "EU+"]
    assert set(states_public["indicator"]) == {"return_decisions", "returns", "effective_return_rate"}
    assert "EU+" not in set(restricted["reporting_state"])
    eu = public[public["reporting_state"] == "EU+"].set_index("indicator")["value"]
    assert eu["effective_return_rate"] == pytest.approx(iraq.eu_return_rate.rate)
    assert rows["value"].notna().all() and (rows["country"] == "IQ").all()


def test_written_files_keep_the_parts_apart_and_the_public_views_drop_the_restricted(fixture_2016, iraq, tmp_path):
    json_path, csv_path = write_results(iraq, fixture_2016, tmp_path)
    written = json.loads(json_path.read_text(encoding="utf-8"))
    assert sorted(written) == ["format", "provenance", "public", "restricted"]
    assert written["format"] == RESULTS_FORMAT
    assert written["provenance"]["confidential_inputs"]["synthetic"] is True
    assert sorted(audience_view(written, "public")) == ["format", "provenance", "public"]
    public_csv = pd.read_csv(io.StringIO(audience_rows(csv_path.read_text(encoding="utf-8"), "public")))
    assert set(public_csv["audience"]) == {"public"}
    assert len(public_csv) == int((tidy_rows(iraq)["audience"] == "public").sum())


def test_each_indicator_name_in_the_downloads_states_the_unit_of_its_value(iraq):
    """Rates are fractions in the files: their names say so, never "(%)" (issue 25, item 3)."""
    from readmission.method.results import tidy_rows
    from readmission.method.vocabulary import term

    rows = tidy_rows(iraq)
    rates = rows[rows["indicator"].map(lambda c: term(c).kind) == "rate"]
    assert not rates.empty and not rows["indicator_name"].str.contains("(%)", regex=False).any()
    assert rates["indicator_name"].str.endswith("(fraction, 1 = 100 %)").all()
    at = rows[rows["reporting_state"] == "AT"].set_index("indicator")["value"].astype(float)
    assert at["effective_return_rate"] == at["returns"] / at["return_decisions"]  # the fraction, not percent
    counts = rows[rows["indicator"] == "return_decisions"]
    assert (counts["indicator_name"] == "Return decisions (persons)").all()
