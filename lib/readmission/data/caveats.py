"""Caveats of third-party inputs made machine-readable: values a source says are not available.

The snapshot's .meta.yml files are read-only and their caveats are prose. data/reference/caveats.yml
holds those about values, keyed by dataset and the sha256 of the file they were read for, so a
different data vintage never inherits them silently: a caveat for another sha256 is not applied,
and a note says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..base.errors import InputError, Problem
from .snapshot import sha256_file
from ..settings.params import read_yaml_mapping

CAVEATS_FILE = "caveats.yml"
ENTRY_KEYS = {"state", "year", "why"}


@dataclass(frozen=True)
class NotAvailable:
    """One reporting state x year whose values in one file of a dataset are not available."""

    dataset: str
    sha256: str
    state: str
    year: int
    why: str



@dataclass(frozen=True)
class Caveats:
    """Every not-available caveat of data/reference/caveats.yml."""

    path: Path
    not_available: tuple[NotAvailable, ...]

    def for_dataset(self, dataset: str) -> list[NotAvailable]:
        return [c for c in self.not_available if c.dataset == dataset]


def _entries(path: Path, dataset: str, sha: str, spec, problems: list[Problem]) -> list[NotAvailable]:
    field = f"{dataset}.{sha[:12]}"
    if not isinstance(spec, dict) or set(spec) != {"not_available"} or not isinstance(spec["not_available"], list):
        problems.append(Problem(str(path), "expected a mapping with a `not_available` list", field=field))
        return []
    found = []
    for index, entry in enumerate(spec["not_available"]):
        ok = (isinstance(entry, dict) and set(entry) == ENTRY_KEYS and isinstance(entry["state"], str)
              and len(entry["state"]) == 2 and entry["state"].isupper()
              and isinstance(entry["year"], int) and isinstance(entry["why"], str))
        if not ok:
            problems.append(Problem(str(path), "expected {state: CODE, year: YYYY, why: text}",
                                    field=f"{field}.not_available[{index}]"))
            continue
        found.append(NotAvailable(dataset, sha, entry["state"], entry["year"], entry["why"]))
    return found


def load_caveats(path: Path, datasets) -> Caveats:
    """Read and validate the caveats file; `datasets` are the dataset ids it may name."""
    content = read_yaml_mapping(Path(path))
    problems: list[Problem] = []
    entries: list[NotAvailable] = []
    for dataset, vintages in content.items():
        if dataset not in datasets:
            problems.append(Problem(str(path), f"unknown dataset (known: {', '.join(sorted(datasets))})",
                                    field=str(dataset)))
            continue
        for sha, spec in (vintages or {}).items():
            if not (isinstance(sha, str) and len(sha) == 64):
                problems.append(Problem(str(path), "expected the file's sha256 (64 hex digits) as key",
                                        field=f"{dataset}.{sha}"))
                continue
            entries += _entries(Path(path), dataset, sha, spec, problems)
    if problems:
        raise InputError(problems)
    return Caveats(Path(path), tuple(entries))


def mark_not_available(frame: pd.DataFrame, cells: list[NotAvailable]) -> pd.DataFrame:
    """The frame with every value of the caveats' reporting state x year set to NA (never 0)."""
    out = frame.copy()
    for cell in cells:
        out.loc[(out["geo"] == cell.state) & (out["year"] == cell.year), "value"] = pd.NA
    return out


def describe(dataset: str, cells: list[NotAvailable]) -> str:
    """One line for a dataset's applied caveats, cells grouped by their reason."""
    reasons = dict.fromkeys(c.why for c in cells)
    groups = [", ".join(f"{c.state} {c.year}" for c in cells if c.why == why) + f" ({why})" for why in reasons]
    return f"{dataset}: not available, read as n/a: " + "; ".join(groups)


def applicable(caveats: Caveats | None, dataset: str, path: Path) -> tuple[list[NotAvailable], list[str]]:
    """The caveats written for this very file (same sha256), and notes on what was (not) applied."""
    written = caveats.for_dataset(dataset) if caveats else []
    if not written:
        return [], []
    actual = sha256_file(path)
    matching = [c for c in written if c.sha256 == actual]
    notes = [describe(dataset, matching)] if matching else []
    others = sorted({c.sha256[:12] for c in written if c.sha256 != actual})
    if others and not matching:
        notes.append(f"{dataset}: the caveats in {caveats.path.name} are for sha256 {', '.join(others)}..., "
                     f"the loaded file is {actual[:12]}...: not applied (a different data vintage; "
                     "read its metadata and add its caveats)")
    return matching, notes
