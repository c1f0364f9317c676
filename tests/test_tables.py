"""Every table: readers' headers with units, numbers written for readers, n/a apart from suppressed."""

from __future__ import annotations

import re

import pandas as pd

from readmission.method.disclosure import SUPPRESSED
from readmission.pages.tables import ANSWER_COLOURS, NA_STYLE, SUPPRESSED_STYLE, number, raw_block, table_html


def frame() -> pd.DataFrame:
    return pd.DataFrame({
        "reporting_state": ["AT", "BE", "DE"],
        "return_decisions": pd.array([33665, None, 2110], dtype="Int64"),
        "return_decisions_flags": ["", "", "p"],
        "effective_return_rate": pd.array([0.50712, None, 5.294], dtype="Float64"),
        "returns_basis": ["reported", "not reported", "reported"],
    })


def cells(html: str, column: str) -> list[str]:
    return re.findall(rf'<td style="([^"]*)" headers="table-t-{column}"[^>]*>(.*?)</td>', html)


def test_numbers_are_written_for_readers():
    assert number(33665, "count") == "33,665" and number(2016, "year") == "2016"
    assert number(0.50712, "rate") == "50.7\u00a0%" and number(2.529412, "mean") == "2.53"
    assert number(None, "count") == "" and number(True, "text") == "yes"


def test_headers_have_units_no_index_and_numbers_are_right_aligned():
    html = table_html(frame(), "t", "Per state")
    headers = re.findall(r'<th [^>]*scope="col"[^>]*>(.*?)</th>', html)
    assert [re.sub(r"<[^>]+>", " ", h).split() for h in headers] == [
        ["Reporting", "state"], ["Return", "decisions", "persons"],
        ["Effective", "return", "rate", "%"], ["Returns", "basis"]]  # no index, no flag column
    assert [c for _, c in cells(html, "return_decisions")][0] == "33,665"
    assert all("text-align: right" in style for style, _ in cells(html, "effective_return_rate"))
    assert all("text-align: left" in style for style, _ in cells(html, "returns_basis"))
    assert [c for _, c in cells(html, "effective_return_rate")][::2] == ["50.7\u00a0%", "529.4\u00a0%"]


def test_flags_are_footnote_marks_with_a_legend():
    html = table_html(frame(), "t", "Per state")
    assert [c for _, c in cells(html, "return_decisions")][2] == "2,110<sup>p</sup>"
    assert "Flags (Eurostat): p provisional." in html


def test_not_available_and_suppressed_read_apart():
    withheld = pd.DataFrame({"item": ["identification", "laissez_passer"],
                             "mean_answer": pd.array([None, None], dtype="Float64"),
                             "suppressed": ["fewer than 3 states answered", ""]})
    html = table_html(withheld, "t", "Items")
    means = [c for _, c in cells(html, "mean_answer")]
    assert SUPPRESSED in means[0] and SUPPRESSED_STYLE in means[0]
    assert ">n/a<" in means[1] and NA_STYLE in means[1]
    assert "(i) identification and timely issuance of travel documents" in html  # the vocabulary's name


def test_a_column_withheld_on_its_own_reads_suppressed_there_only():
    countries = pd.DataFrame({"name": ["Cabo Verde"], "acceptance_rate": pd.array([None], dtype="Float64"),
                              "acceptance_rate_suppressed": ["one state more than 80%"],
                              "issuance_rate": pd.array([None], dtype="Float64"), "issuance_rate_suppressed": [""]})
    html = table_html(countries, "t", "Countries")
    assert SUPPRESSED in cells(html, "acceptance_rate")[0][1] and ">n/a<" in cells(html, "issuance_rate")[0][1]
    assert "acceptance_rate_suppressed" not in html


def test_an_empty_withheld_column_is_left_out():
    html = table_html(pd.DataFrame({"item": ["identification"], "suppressed": [""]}), "t", "Items")
    assert "Withheld because" not in html


def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_n_a_and_suppressed_styles_pass_wcag_aa_contrast_on_white_and_stripes():
    for style in (NA_STYLE, SUPPRESSED_STYLE):
        colour = re.search(r"color:(#[0-9a-fA-F]{6})", style).group(1)
        for background in ("#ffffff", "#f4f4f4"):
            ratio = (luminance(background) + 0.05) / (luminance(colour) + 0.05)
            assert ratio >= 4.5, (style, background, ratio)


def test_same_table_same_bytes_in_a_keyboard_reachable_box_loading_nothing():
    first, second = table_html(frame(), "t", "Per state"), table_html(frame(), "t", "Per state")
    assert first == second
    assert first.startswith('<div id="table-t" role="region" tabindex="0" aria-label="Per state" ')
    assert "overflow-x:auto" in first.split(">")[0]
    assert not re.search(r"https?:|@import|<script", first)


def test_a_table_reaches_quarto_as_a_raw_html_block():
    block = raw_block(table_html(frame(), "t", "Per state"))
    assert block.startswith("```{=html}\n<div") and block.endswith("</div>\n```")


def test_answers_are_written_on_a_coloured_scale_with_readable_text():
    answers = pd.DataFrame({"reporting_state": ["AT", "BE", "DE"],
                            "identification": pd.array([1, None, 5], dtype="Int64")})
    html = table_html(answers, "t", "Answers")
    shown = [c for _, c in cells(html, "identification")]
    assert ">1</span>" in shown[0] and f"background:{ANSWER_COLOURS[1][0]}" in shown[0]
    assert f"background:{ANSWER_COLOURS[5][0]};color:{ANSWER_COLOURS[5][1]}" in shown[2]
    assert "n/a" in shown[1] and "background" not in shown[1], "no answer is n/a, never coloured"
    assert len({background for background, _ in ANSWER_COLOURS.values()}) == 5
