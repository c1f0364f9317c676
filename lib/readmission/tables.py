"""Every table of the report, made with great_tables: readers' headers with units, formatted numbers.

Tables reach Quarto as a `text/markdown` output holding a raw HTML block (a `text/html` output
would make Quarto load require.js and jQuery from a CDN). Each table has a fixed id, so reruns are
byte-identical; its box scrolls sideways when wider than the column and can be reached with the
keyboard (`role="region"`, `tabindex="0"`, an `aria-label`: WCAG 2.1 `scrollable-region-focusable`).
"""

from __future__ import annotations

import html
import re

import numpy as np
import pandas as pd
from great_tables import GT, html as gt_html, loc, style

from .disclosure import SUPPRESSED
from .vocabulary import flag_legend, term, value_name

NOT_AVAILABLE = "n/a"
# WCAG 2.1 AA on white: #595959 is 7.0:1, #8a3b00 is 7.3:1
NA_STYLE = "color:#595959;font-style:italic"
SUPPRESSED_STYLE = "color:#8a3b00;font-style:italic"
NUMERIC = {"count", "rate", "mean", "year"}
FLAG_SUFFIX = "_flags"
WITHHELD_SUFFIX = "_suppressed"  # a column's own disclosure-control reason, e.g. acceptance_rate_suppressed


def number(value, kind: str) -> str:
    """One value as written in a table: 33,665; 50.7 %; 2.53; 2016; missing -> ''."""
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


def table_html(frame: pd.DataFrame, table_id: str, caption: str, columns: list[str] | None = None,
               notes: tuple[str, ...] = ()) -> str:
    """A finished HTML table of `frame`'s `columns` (default: all but flag columns), fixed id."""
    columns = columns or [c for c in frame.columns if not c.endswith((FLAG_SUFFIX, WITHHELD_SUFFIX)) and not
                          (c == "suppressed" and not frame[c].fillna("").astype(bool).any())]
    shown = pd.DataFrame({c: _column_cells(frame, c) for c in columns}, columns=columns)
    numeric = [c for c in columns if term(c).kind in NUMERIC]
    text = [c for c in columns if c not in numeric]
    gt = (GT(shown, id=f"table-{table_id}")
          .fmt(lambda v: v, columns=columns)
          .cols_label(**{c: gt_html(_header(c)) for c in columns})
          .cols_align("right", columns=numeric)
          .tab_style(style.text(align="right"), locations=[loc.body(columns=numeric), loc.column_labels(columns=numeric)])
          .tab_style(style.text(align="left"), locations=[loc.body(columns=text), loc.column_labels(columns=text)])
          .tab_header(title=caption)
          .tab_options(quarto_disable_processing=True, table_font_size="90%", heading_align="left",
                       heading_title_font_size="100%"))
    for note in _notes(frame, columns, notes):
        gt = gt.tab_source_note(gt_html(note))
    return _focusable(gt.as_raw_html(), f"table-{table_id}", caption)



def _header(column: str) -> str:
    t = term(column)
    unit = f'<br><span style="font-weight:normal">{html.escape(t.unit)}</span>' if t.unit else ""
    return html.escape(t.label) + unit


def _focusable(table: str, box_id: str, caption: str) -> str:
    """The table's scroll box reachable with the keyboard and named for screen readers."""
    opening = f'<div id="{box_id}" '
    label = html.escape(caption, quote=True)
    return table.replace(opening, f'{opening}role="region" tabindex="0" aria-label="{label}" ', 1)


def raw_block(html_text: str) -> str:
    """HTML as a raw block of a Markdown output (Quarto passes it through untouched)."""
    return "```{=html}\n" + html_text.strip() + "\n```"
