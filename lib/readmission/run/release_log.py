"""The release log: every published release of an edition, kept with its inputs' hashes and each
figure's contributors, so that a new release cannot difference with an earlier one to one state.

It lives in data/restricted/releases/<year>/ (or <year>-demo/ for the synthetic demo set): restricted,
git-ignored, and outside every folder `make clean-outputs` removes (a clean never switches the
protection off). A figure released again with another value, whose contributions changed for fewer
than `min_states_for_aggregate` states since a published release, is withheld unless a named person
approved it in params/release_approvals.yml.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from ..method.disclosure import comparison_reason
from ..base.errors import InputError, Problem
from ..base.outputs import write_json
from ..base.paths import Project
from ..method.release import Figure, withhold

APPROVALS_FILE = "release_approvals.yml"  # in params/
APPROVAL_FIELDS = ("edition", "country", "figure", "approved_by", "reason")


def log_folder(project: Project, year: int, synthetic: bool) -> Path:
    """Where an edition's releases are kept (the demo set's apart: they never block real figures)."""
    return project.release_folder(year, synthetic)


def published(folder: Path) -> list[dict]:
    """The releases published so far, oldest first."""
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(Path(folder).glob("release-*.json"))]


def load_approvals(project: Project) -> set[tuple[int, str, str]]:
    """Approved re-releases (edition, country, figure), each with the name of who approved and why."""
    path = project.params / APPROVALS_FILE
    if not path.exists():
        return set()
    content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    entries = content.get("approvals") if isinstance(content, dict) else None
    if not isinstance(entries, list):
        raise InputError.single(path, "expected a mapping with a list `approvals:`", field="approvals")
    problems, approved = [], set()
    for number, entry in enumerate(entries, start=1):
        where = f"approvals entry {number}"
        if not isinstance(entry, dict):
            problems.append(Problem(str(path), "expected a mapping", field=where))
            continue
        for key in sorted(set(entry) - set(APPROVAL_FIELDS)):
            problems.append(Problem(str(path), f"unknown field (expected {', '.join(APPROVAL_FIELDS)})",
                                    field=f"{where}: {key}"))
        for key in APPROVAL_FIELDS:
            value = entry.get(key)
            wrong = (not isinstance(value, int) or isinstance(value, bool)) if key == "edition" \
                else not (isinstance(value, str) and value.strip())
            if wrong:
                problems.append(Problem(str(path), "required: " + ("a year" if key == "edition" else "non-empty text"),
                                        field=f"{where}: {key}"))
        if not problems:
            approved.add((entry["edition"], entry["country"], entry["figure"]))
    if problems:
        raise InputError(problems)
    return approved


def changed_states(now: dict[str, str], then: dict[str, str]) -> int:
    """How many states' contributions differ: joined, left, or another value."""
    return sum(now.get(s) != then.get(s) for s in set(now) | set(then))


def against_published(country: str, key: str, figure: Figure, releases: list[dict], min_states: int) -> str:
    """Why `figure` may not be released again ('' if it may): it differs from a published value by
    the contributions of fewer than `min_states` states."""
    for number, release in enumerate(releases, start=1):
        before = release["figures"].get(country, {}).get(key)
        if not before or before["withheld"] or before["value"] == figure.value:
            continue
        if comparison_reason(changed_states(figure.contributors, before["contributors"]), min_states):
            return (f"released again, it would differ from release {number} by fewer than {min_states} "
                    f"states' contributions (an approval goes in params/{APPROVALS_FILE})")
    return ""


def checked(year: int, figures: dict[str, dict[str, Figure]], releases: list[dict], min_states: int,
            approvals: set) -> dict[str, dict[str, Figure]]:
    """Every country's figures after the rule 'between releases' (approved ones pass)."""
    out = {}
    for country, by_key in figures.items():
        out[country] = {}
        for key, figure in by_key.items():
            reason = "" if figure.withheld or (year, country, key) in approvals else \
                against_published(country, key, figure, releases, min_states)
            out[country][key] = withhold(figure, reason) if reason else figure
    return out


def log_entry(figures: dict[str, dict[str, Figure]], inputs: dict) -> dict:
    """What the log keeps of a release: its inputs' hashes and every figure with its contributors."""
    return {"inputs": inputs,
            "figures": {c: {k: {"value": f.value, "contributors": f.contributors, "withheld": f.withheld}
                            for k, f in sorted(by_key.items())} for c, by_key in sorted(figures.items())}}


def record(folder: Path, entry: dict) -> Path | None:
    """Keep a published release, unless it repeats the last one; returns the file written."""
    releases = published(folder)
    last = releases[-1] if releases else None
    if last is not None and {c: last["figures"].get(c) for c in entry["figures"]} == entry["figures"]:
        return None
    path = Path(folder) / f"release-{len(releases) + 1:04d}.json"
    write_json(path, entry)
    return path
