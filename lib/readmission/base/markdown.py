"""Markdown for generated pages: escaping plain text and pipe tables."""

from __future__ import annotations

import re

MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~^$@!])")


def md_escape(text: str) -> str:
    """Plain text safe inside markdown and tables: one line, special characters escaped."""
    return MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def md_table(header: list[str], align: str, rows: list[list[str]]) -> str:
    """A pipe table; `align` has one letter per column (l or r)."""
    rule = ["---:" if a == "r" else "---" for a in align]
    lines = ["| " + " | ".join(cells) + " |" for cells in [header, rule, *rows]]
    return "\n".join(lines)


def share_text(part: int, whole: int) -> str:
    """part / whole as a whole percentage, e.g. '33%'; n/a when there is no whole."""
    return f"{part / whole:.0%}" if whole else "n/a"


