"""Analyst judgement on record: the assessed level beside the method's, who assessed and reviewed it.

The rating method proposes a level; an analyst may assess another, with a justification, and a
reviewer signs it off. Entries live per country and edition in params/countries/<CODE>.yml under
`assessment:`, are validated like every other input, and are hashed into the results so an audit
can tell which entry a page used. Without an entry the assessed level is the method's, not reviewed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..base.codes import is_country
from ..base.errors import InputError, Problem
from ..base.levels import LEVELS
from ..base.paths import Project
from .params import load_edition, read_yaml_mapping, unknown_keys

ENTRY_KEYS = {"assessed_level", "justification", "assessed_by", "assessed_on", "reviewed_by", "reviewed_on"}
REQUIRED = ("assessed_level", "justification", "assessed_by", "assessed_on")
REVIEWED, NOT_REVIEWED = "reviewed", "not reviewed"
DRAFT = "draft, not reviewed"


@dataclass(frozen=True)
class AnalystAssessment:
    """One edition's assessed level for a country, its justification and its sign-off."""

    assessed_level: str
    justification: str
    assessed_by: str
    assessed_on: dt.date
    reviewed_by: str = ""
    reviewed_on: dt.date | None = None

    @property
    def reviewed(self) -> bool:
        return bool(self.reviewed_by) and self.reviewed_on is not None

    def as_dict(self) -> dict:
        return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in asdict(self).items()}

    @property
    def sha256(self) -> str:
        return hashlib.sha256(json.dumps(self.as_dict(), sort_keys=True).encode()).hexdigest()


def _date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def _who(path: Path, field: str, value, problems: list[Problem]) -> str:
    """A role or initials: text, not empty, never a personal e-mail address."""
    if not isinstance(value, str) or not value.strip():
        problems.append(Problem(str(path), "expected a role or initials (text)", field=field))
        return ""
    if "@" in value:
        problems.append(Problem(str(path), "a role or initials, never an e-mail address", field=field))
    return value.strip()


def parse_entry(path: Path, year: int, entry, levels: list[str], reference_date: dt.date | None,
                today: dt.date) -> tuple[AnalystAssessment | None, list[Problem]]:
    """Validate one edition's entry: known level, a justification, plausible and ordered dates."""
    where = f"assessment.{year}"
    if not isinstance(entry, dict):
        return None, [Problem(str(path), "expected the entry's settings", field=where)]
    problems = [Problem(str(path), f"unknown setting (allowed: {', '.join(sorted(ENTRY_KEYS))})",
                        field=f"{where}.{key}") for key in entry if key not in ENTRY_KEYS]
    problems += [Problem(str(path), "missing required setting", field=f"{where}.{key}")
                 for key in REQUIRED if key not in entry]
    level = entry.get("assessed_level")
    if "assessed_level" in entry and level not in levels:
        problems.append(Problem(str(path), f"not a level of params/method.yml ({'; '.join(levels)})",
                                field=f"{where}.assessed_level"))
    justification = entry.get("justification")
    if "justification" in entry and (not isinstance(justification, str) or not justification.strip()):
        problems.append(Problem(str(path), "a justification is required (free text)", field=f"{where}.justification"))
    assessed_by = _who(path, f"{where}.assessed_by", entry.get("assessed_by"), problems) \
        if "assessed_by" in entry else ""
    reviewed_by = _who(path, f"{where}.reviewed_by", entry["reviewed_by"], problems) \
        if entry.get("reviewed_by") is not None else ""
    dates = {}
    for key in ("assessed_on", "reviewed_on"):
        if entry.get(key) is None:
            continue
        dates[key] = _date(entry[key])
        if dates[key] is None:
            problems.append(Problem(str(path), f"expected a date YYYY-MM-DD, got {str(entry[key])[:40]!r}",
                                    field=f"{where}.{key}"))
        elif reference_date is not None and dates[key] < reference_date:
            problems.append(Problem(str(path), f"{dates[key]} is before the edition's reference date "
                                    f"{reference_date}", field=f"{where}.{key}"))
        elif dates[key] > today:
            problems.append(Problem(str(path), f"{dates[key]} is in the future", field=f"{where}.{key}"))
    if dates.get("reviewed_on") and dates.get("assessed_on") and dates["reviewed_on"] < dates["assessed_on"]:
        problems.append(Problem(str(path), "the review is dated before the assessment", field=f"{where}.reviewed_on"))
    if bool(reviewed_by) != ("reviewed_on" in dates):
        problems.append(Problem(str(path), "reviewed_by and reviewed_on go together", field=f"{where}.reviewed_by"))
    if problems:
        return None, problems
    return AnalystAssessment(level, justification.strip(), assessed_by, dates["assessed_on"], reviewed_by,
                             dates.get("reviewed_on")), []


def judgement(method_level: str, entry: AnalystAssessment | None) -> dict:
    """What a page and the results show: the method's level, the assessed level, and the sign-off."""
    if entry is None:
        return {"method_level": method_level, "assessed_level": method_level, "analyst_entry": False,
                "status": NOT_REVIEWED, "justification": "", "assessed_by": "", "assessed_on": None,
                "reviewed_by": "", "reviewed_on": None, "entry_sha256": None}
    return {"method_level": method_level, "analyst_entry": True,
            "status": REVIEWED if entry.reviewed else NOT_REVIEWED, **entry.as_dict(),
            "entry_sha256": entry.sha256}


def direction(method_level: str, assessed_level: str, levels: list[str]) -> str:
    """'better', 'worse' or 'same': the assessed level against the method's (levels ordered best first)."""
    ranked = levels[:3]  # well, average, poor; "not enough information" has no direction
    if method_level == assessed_level or method_level not in ranked or assessed_level not in ranked:
        return "same" if method_level == assessed_level else "not comparable"
    return "better" if ranked.index(assessed_level) < ranked.index(method_level) else "worse"


def country_settings_problems(project) -> list[Problem]:
    """Every problem of params/countries/: a file not named exactly <CODE>.yml for a known country
    (it would be silently ignored, and its page would say "No analyst entry"), and every invalid
    entry of the files that are. Checked before a run starts any country."""

    folder = project.country_settings
    problems = []
    for path in sorted(folder.iterdir()) if folder.is_dir() else []:
        if path.name.startswith(".") or path.name.lower() == "readme.md":
            continue
        code = path.name.split(".")[0]
        if path.name != f"{code}.yml" or not is_country(code):
            expected = f"{code.upper()}.yml" if is_country(code.upper()) else "<CODE>.yml, CODE a Eurostat country code"
            problems.append(Problem(str(path), "not read: a country's settings file is named exactly "
                                    f"<CODE>.yml (expected {expected})"))
            continue
        try:
            load_country_params(project, code)
        except InputError as exc:
            problems += exc.problems
    return problems


COUNTRY_KEYS = {"note", "assessment"}


def load_country_params(project: Project, country: str) -> dict[str, Any]:
    """Per-country parameters (params/countries/<CODE>.yml): an analyst's note shown on the page, and
    per edition the analyst's assessed level with its justification and sign-off (judgement.py)."""
    path = project.country_params(country)
    if not path.exists():
        return {"note": "", "assessment": {}}
    content = read_yaml_mapping(path)
    problems = unknown_keys(path, content, COUNTRY_KEYS)
    if not isinstance(content.get("note", ""), str):
        problems.append(Problem(str(path), "expected text", field="note"))
    assessments, found = _assessments(project, path, content.get("assessment") or {})
    problems += found
    if problems:
        raise InputError(problems)
    return {"note": content.get("note", ""), "assessment": assessments}


def _assessments(project: Project, path: Path, entries) -> tuple[dict, list[Problem]]:
    """Each edition's analyst assessment, validated against the method's levels and the edition's dates."""

    if not isinstance(entries, dict):
        return {}, [Problem(str(path), "expected one entry per edition (data year: settings)", field="assessment")]
    found, problems = {}, []
    known = {p.stem for p in project.edition_settings.glob("*.yml")}
    for year, entry in entries.items():
        if isinstance(year, bool) or not isinstance(year, int) or str(year) not in known:
            problems.append(Problem(str(path), f"{str(year)[:20]!r} is not an edition's data year "
                                    f"({', '.join(sorted(known))})", field="assessment"))
            continue
        edition = load_edition(year, project)
        parsed, more = parse_entry(path, year, entry, LEVELS, edition.reference_date, dt.date.today())
        problems += more
        if parsed is not None:
            found[year] = parsed
    return found, problems
