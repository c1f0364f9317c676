"""What a published page says, for the publish gate (gate.py): the numbers in its text, in every format.

A number is read in every way a reader could read it: digits with `,` `.` or a space (also the
no-break U+00A0 and narrow no-break U+202F) between groups of three or none (33,665 = 33.665 =
33 665 = 33665), a decimal part that is zero (12345.0, 1,234.0, 1.234,0), an exponent (1.2345e4)
and an ordinal ending (12345th). A token can be read several ways (12.345: 12345 or 12.345) and
every reading is kept; only whole readings are returned, since every confidential value is a
whole number (a decimal with a non-zero fraction never equals one). Digits glued to letters (a
hash, an identifier) are not a number. Text is what a reader sees: HTML text and alt/title/label
attributes, SVG <text> (and the comments where matplotlib keeps the text of a glyph drawn as a
path). A PNG (or any raster image) cannot be read: a value drawn only into its pixels is not seen,
so charts must be checked from the data they are drawn from.
"""

from __future__ import annotations

import re
from decimal import Decimal
from html.parser import HTMLParser

SPACES = " \u00a0\u202f"  # space, no-break space, narrow no-break space: all group digits alike
TOKEN = re.compile(r"(?<![\w.])(?<!\d,)(\d+(?:[.,\u00a0\u202f ]\d+)*)(?:[eE]([+-]?\d{1,2}))?"
                   r"(?:st|nd|rd|th)?(?!\w|[.,]\d)")
MAX_GROUPS = 6  # a number grouped by spaces has at most this many groups (10^18)


def _grouped(groups: list[str], seps: list[str]) -> bool:
    """Groups of three after a first group of 1-3 digits, all with one separator (1,234,567)."""
    return (len(set(seps)) == 1 and 1 <= len(groups[0]) <= 3
            and all(len(g) == 3 for g in groups[1:]))


def _values(groups: list[str], seps: list[str]) -> set[Decimal]:
    """The values one number as written can have: whole, grouped, or with a decimal part."""
    if not seps:
        return {Decimal(groups[0])}
    found = {Decimal("".join(groups))} if _grouped(groups, seps) else set()
    decimal, whole, whole_seps = seps[-1], groups[:-1], seps[:-1]
    if decimal in ".," and (not whole_seps or (decimal not in whole_seps and _grouped(whole, whole_seps))):
        found.add(Decimal(f"{''.join(whole)}.{groups[-1]}"))
    return found


def _whole(values: set[Decimal], scale: int) -> set[int]:
    """The values (times 10 ** `scale`, exactly) that are whole numbers."""
    scaled = {value.scaleb(scale) if scale else value for value in values}
    return {int(value) for value in scaled if value == value.to_integral_value()}


def readings(number: str, exponent: str | None = None) -> set[int]:
    """Every whole number that `number` (digits and separators) reads as: the whole token, else
    the parts of the list it may be, split at spaces ("2015 2016"), longest first. A comma joins
    ("20152,610", Quarto's search index gluing table cells, is not read): CSV fields and JSON
    values are split by their own parsers before they are read."""
    parts = re.split(r"([.,\u00a0\u202f ])", number)
    groups, seps = parts[0::2], [" " if s in SPACES else s for s in parts[1::2]]
    cuts = [i for i, s in enumerate(seps) if s == " "]
    starts, ends = [0] + [i + 1 for i in cuts], cuts + [len(groups) - 1]
    spans = sorted(((a, b) for a in starts for b in ends if a <= b < a + MAX_GROUPS),
                   key=lambda span: span[0] - span[1])
    scale = int(exponent) if exponent else 0
    found: set[int] = set()
    taken: list[tuple[int, int]] = []  # spans read as one number: their parts are not read again
    for start, end in spans:
        if any(a <= start and end <= b for a, b in taken):
            continue
        whole = _whole(_values(groups[start:end + 1], seps[start:end]), scale)
        if whole:
            found |= whole
            taken.append((start, end))
    return found


def numbers_in(text: str) -> set[int]:
    """Every whole number `text` can be read as, in any format (see the module docstring)."""
    found: set[int] = set()
    for match in TOKEN.finditer(text):
        found |= readings(match.group(1), match.group(2))
    return found


class _Text(HTMLParser):
    """The text a reader sees in an HTML page or SVG drawing (with alt/title/label attributes):
    all of it, and the prose outside code blocks (shown code may name columns; a header may not).
    Inside <svg>, comments are read too: matplotlib writes a glyph-drawn text there."""

    def __init__(self, svg: bool = False) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.prose: list[str] = []
        self._skip = self._code = 0
        self._svg = int(svg)

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("script", "style")
        self._code += tag in ("pre", "code")
        self._svg += tag == "svg"
        self.parts += [v for k, v in attrs if k in ("alt", "title", "aria-label") and v]

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1
        if tag in ("pre", "code") and self._code:
            self._code -= 1
        if tag == "svg" and self._svg:
            self._svg -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)
            if not self._code:
                self.prose.append(data)

    def handle_comment(self, data):
        if self._svg:
            self.parts.append(data)


def html_text(html: str, svg: bool = False) -> tuple[str, str]:
    """(all visible text, prose outside code) of an HTML page, or of an SVG drawing (`svg`)."""
    parser = _Text(svg)
    parser.feed(html)
    parser.close()
    return "\n".join(parser.parts), "\n".join(parser.prose)


def svg_text(svg: str) -> str:
    """The text of an SVG drawing: its <text>/<tspan>/<title>/<desc> content and comments."""
    return html_text(svg, svg=True)[0]
