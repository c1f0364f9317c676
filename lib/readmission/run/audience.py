"""What each audience may see of a country's results (no pandas: workers import this module)."""

from __future__ import annotations

import csv
import io


def audience_view(results: dict, audience: str) -> dict:
    """The results a given audience may see: the public one loses the per-state confidential part."""
    if audience == "restricted":
        return results
    return {key: value for key, value in results.items() if key != "restricted"}


def audience_rows(csv_text: str, audience: str) -> str:
    """The tidy CSV for an audience: the public one keeps only rows marked `public`."""
    if audience == "restricted":
        return csv_text

    rows = list(csv.reader(io.StringIO(csv_text)))
    column = rows[0].index("audience")
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([rows[0]] + [r for r in rows[1:] if r[column] == "public"])
    return out.getvalue()
