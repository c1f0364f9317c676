"""What each audience may see of a country's results (audience.py)."""

from __future__ import annotations

from readmission.run.audience import audience_rows, audience_view

RESULTS = {"format": 1, "public": {"level": "insufficient"}, "restricted": {"state_ratings": [{"DE": 1}]},
           "provenance": {"notes": []}}
CSV = ("country,year,reporting_state,indicator,value,audience\n"
       "IQ,2016,DE,returns,30,public\n"
       "IQ,2016,DE,forced_returns,20,restricted\n"
       "IQ,2016,EU+,acceptance_rate,0.5,public\n")


def test_the_public_view_drops_the_restricted_part_and_keeps_the_rest():
    view = audience_view(RESULTS, "public")
    assert view == {k: v for k, v in RESULTS.items() if k != "restricted"}
    assert "restricted" in RESULTS, "the full results are not modified"


def test_the_restricted_view_is_everything():
    assert audience_view(RESULTS, "restricted") == RESULTS


def test_the_public_csv_keeps_the_header_and_public_rows_only():
    rows = audience_rows(CSV, "public").splitlines()
    assert rows == ["country,year,reporting_state,indicator,value,audience",
                    "IQ,2016,DE,returns,30,public", "IQ,2016,EU+,acceptance_rate,0.5,public"]
    assert audience_rows(CSV, "restricted") == CSV


def test_the_audience_column_is_found_wherever_it_is():
    moved = "audience,value\nrestricted,1\npublic,2\n"
    assert audience_rows(moved, "public") == "audience,value\npublic,2\n"
