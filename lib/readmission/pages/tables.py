"""Every table of the report: readers' headers with units, formatted numbers, one small HTML writer.

Tables reach Quarto as a `text/markdown` output holding a raw HTML block (a `text/html` output
would make Quarto load require.js and jQuery from a CDN). Each table has a fixed id, so reruns are
byte-identical; its box scrolls sideways when wider than the column and can be reached with the
keyboard (`role="region"`, `tabindex="0"`, an `aria-label`: WCAG 2.1 `scrollable-region-focusable`).
The HTML is written here, not by a table library: the look of great_tables' default theme (which the
report used first) at a few milliseconds a table instead of about fifty, with its style sheet scoped
to the table's box.
"""

from __future__ import annotations

import html
import re

import numpy as np
import pandas as pd

from ..method.disclosure import SUPPRESSED
from ..method.vocabulary import flag_legend, term, value_name

NOT_AVAILABLE = "n/a"
# WCAG 2.1 AA on white: #595959 is 7.0:1, #8a3b00 is 7.3:1
NA_STYLE = "color:#595959;font-style:italic"
SUPPRESSED_STYLE = "color:#8a3b00;font-style:italic"
NUMERIC = {"count", "rate", "mean", "year", "answer"}
# a questionnaire answer's cell, 1 very poor .. 5 very good: a diverging scale (ColorBrewer RdYlBu),
# the value always written, text colour with WCAG AA contrast on each background
ANSWER_COLOURS = {1: ("#b2182b", "#ffffff"), 2: ("#fdae61", "#000000"), 3: ("#ffffbf", "#000000"),
                  4: ("#abd9e9", "#000000"), 5: ("#2166ac", "#ffffff")}
FLAG_SUFFIX = "_flags"
WITHHELD_SUFFIX = "_suppressed"  # a column's own disclosure-control reason, e.g. acceptance_rate_suppressed


def number(value, kind: str) -> str:
    """One value as written in a table: 33,665; 50.7 %; 2.53; 2016; an answer 4; missing -> ''."""
    if value is None or pd.isna(value):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if kind in ("text", "code"):
        return str(value) or "–"
    if kind == "count":
        return f"{int(value):,}"
    if kind == "rate":
        return f"{float(value) * 100:.1f}\u00a0%"
    if kind == "mean":
        return f"{float(value):.2f}"
    return str(int(value))


def percent(value) -> str:
    """0.2534 -> '25.3 %'; missing -> 'n/a' (never 0)."""
    return number(value, "rate").replace("\u00a0", " ") or NOT_AVAILABLE


def _missing(withheld: bool) -> str:
    if withheld:
        return f'<span class="suppressed" style="{SUPPRESSED_STYLE}">{SUPPRESSED}</span>'
    return f'<span class="not-available" style="{NA_STYLE}">{NOT_AVAILABLE}</span>'


def cell(value, kind: str, flags: str = "", withheld: bool = False) -> str:
    """A cell's HTML: the value written for readers, its flags as footnote marks, or n/a / suppressed."""
    text = number(value, kind)
    if not text:
        return _missing(withheld)
    letters = "".join(sorted(set(re.findall(r"[a-z]", flags))))  # 'UK: p; FR: e' -> 'ep'
    marks = f"<sup>{letters}</sup>" if letters else ""
    shown = f'<code style="word-break:break-all">{html.escape(text)}</code>' if kind == "code" else html.escape(text)
    if kind == "answer" and int(value) in ANSWER_COLOURS:
        background, colour = ANSWER_COLOURS[int(value)]
        shown = (f'<span class="answer" style="background:{background};color:{colour};display:inline-block;'
                 f'min-width:1.8em;text-align:center;border-radius:2px">{shown}</span>')
    return shown + marks


def _column_cells(frame: pd.DataFrame, column: str) -> list[str]:
    kind = term(column).kind
    flags = frame[column + FLAG_SUFFIX].fillna("") if column + FLAG_SUFFIX in frame else [""] * len(frame)
    withheld = pd.Series(False, index=frame.index)
    for reason in ("suppressed", column + WITHHELD_SUFFIX):  # the whole row's, or this column's
        if reason in frame:
            withheld |= frame[reason].fillna("").astype(str) != ""
    return [cell(value_name(column, v), kind, str(f), bool(w)) for v, f, w in zip(frame[column], flags, withheld)]


def _notes(frame: pd.DataFrame, columns: list[str], notes: tuple[str, ...]) -> list[str]:
    flagged = "".join(str(f) for c in columns if c + FLAG_SUFFIX in frame for f in frame[c + FLAG_SUFFIX].fillna(""))
    legend = [f"Flags (Eurostat): {flag_legend(flagged)}."] if flag_legend(flagged) else []
    return [html.escape(n) for n in notes] + legend


# great_tables' default theme, reduced to what these tables use; {box} is the table's box id
STYLE = """<style>
#{box} table {{ border-collapse: collapse; line-height: normal; color: #333333; font-size: 90%;
  background-color: #FFFFFF; border-top: 2px solid #A8A8A8; border-bottom: 2px solid #A8A8A8; }}
#{box} caption {{ caption-side: top; text-align: left; padding: 4px 5px; color: #333333; }}
#{box} thead th {{ font-weight: normal; vertical-align: bottom; padding: 5px; border-top: 2px solid #D3D3D3;
  border-bottom: 2px solid #D3D3D3; }}
#{box} tbody td {{ padding: 8px 5px; border-top: 1px solid #D3D3D3; vertical-align: middle; }}
#{box} tbody {{ border-bottom: 2px solid #D3D3D3; }}
#{box} tfoot td {{ font-size: 90%; padding: 4px 5px; text-align: left; }}
#{box} .rm-right {{ text-align: right; font-variant-numeric: tabular-nums; }}
#{box} sup {{ font-size: 75%; }}
</style>"""


def _align(column: str) -> str:
    return "right" if term(column).kind in NUMERIC else "left"


def table_html(frame: pd.DataFrame, table_id: str, caption: str, columns: list[str] | None = None,
               notes: tuple[str, ...] = ()) -> str:
    """A finished HTML table of `frame`'s `columns` (default: all but flag columns), fixed id."""
    columns = columns or [c for c in frame.columns if not c.endswith((FLAG_SUFFIX, WITHHELD_SUFFIX)) and not
                          (c == "suppressed" and not frame[c].fillna("").astype(bool).any())]
    box, width = f"table-{table_id}", len(columns)
    headers = "".join(
        f'<th class="rm-{_align(c)}" style="text-align: {_align(c)};" scope="col" id="{box}-{c}">{_header(c)}</th>'
        for c in columns)
    body = [[(c, text) for text in _column_cells(frame, c)] for c in columns]
    rows = "".join(
        "<tr>" + "".join(f'<td style="text-align: {_align(c)};" headers="{box}-{c}" class="rm-{_align(c)}">{text}</td>'
                         for c, text in row) + "</tr>\n"
        for row in zip(*body))
    foot = "".join(f'<tr><td colspan="{width}">{note}</td></tr>' for note in _notes(frame, columns, notes))
    label = html.escape(caption, quote=True)
    return (f'<div id="{box}" role="region" tabindex="0" aria-label="{label}" '
            'style="padding:10px 0;overflow-x:auto;overflow-y:auto;">\n'
            + STYLE.format(box=box)
            + '\n<table data-quarto-disable-processing="true" data-quarto-bootstrap="false">\n'
            f'<caption id="{box}-title">{html.escape(caption)}</caption>\n'
            f"<thead>\n<tr>{headers}</tr>\n</thead>\n<tbody>\n{rows}</tbody>\n"
            + (f"<tfoot>{foot}</tfoot>\n" if foot else "") + "</table>\n</div>")


def _header(column: str) -> str:
    t = term(column)
    unit = f'<br><span style="font-weight:normal">{html.escape(t.unit)}</span>' if t.unit else ""
    return html.escape(t.label) + unit


def raw_block(html_text: str) -> str:
    """HTML as a raw block of a Markdown output (Quarto passes it through untouched)."""
    return "```{=html}\n" + html_text.strip() + "\n```"
