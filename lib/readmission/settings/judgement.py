"""Analyst judgement on record: the assessed level beside the method's, who assessed and reviewed it.

The rating method proposes a level; an analyst may assess another, with a justification, and a
reviewer signs it off. Entries live per country and edition in params/countries/<CODE>.yml under
`assessment:`, are validated by typed models like every settings file (models.py), and are hashed
into the results so an audit can tell which entry a page used. Without an entry the assessed level
is the method's, not reviewed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, ConfigDict, ValidationInfo, model_validator

from ..base.codes import is_country
from ..base.errors import InputError, Problem
from ..base.levels import LEVELS
from ..base.paths import Project
from .models import Settings, fail, rule, validated
from .params import load_edition, read_yaml_mapping

REVIEWED, NOT_REVIEWED = "reviewed", "not reviewed"
DRAFT = "draft, not reviewed"


def _known_level(value: str, info: ValidationInfo) -> str:
    levels = (info.context or {}).get("levels", LEVELS)
    if value not in levels:
        raise fail(f"not a level of params/method.yml ({'; '.join(levels)})")
    return value


def _plausible_date(day: dt.date | None, info: ValidationInfo) -> dt.date | None:
    """Not before the edition's reference date (the entry judges that edition), not in the future."""
    context = info.context or {}
    reference, today = context.get("reference_date"), context.get("today") or dt.date.today()
    if day is not None and reference is not None and day < reference:
        raise fail(f"{day} is before the edition's reference date {reference}")
    if day is not None and day > today:
        raise fail(f"{day} is in the future")
    return day


Who = Annotated[str, rule(bool, "expected a role or initials (text)"),
                rule(lambda v: "@" not in v, "a role or initials, never an e-mail address")]
Day = Annotated[dt.date, AfterValidator(_plausible_date)]


class AnalystAssessment(Settings):
    """One edition's assessed level for a country, its justification and its sign-off."""

    model_config = ConfigDict(**Settings.model_config, str_strip_whitespace=True)

    assessed_level: Annotated[str, AfterValidator(_known_level)]
    justification: Annotated[str, rule(bool, "a justification is required (free text)")]
    assessed_by: Who
    assessed_on: Day
    reviewed_by: Who | None = None
    reviewed_on: Day | None = None

    @model_validator(mode="after")
    def _signed_off_in_order(self) -> "AnalystAssessment":
        """A reviewer and a review date go together, and the review comes after the assessment."""
        broken = []
        if self.reviewed_on is not None and self.reviewed_on < self.assessed_on:
            broken.append(("reviewed_on", "the review is dated before the assessment"))
        if (self.reviewed_by is None) != (self.reviewed_on is None):
            broken.append(("reviewed_by", "reviewed_by and reviewed_on go together"))
        if broken:
            raise fail("the sign-off", broken)
        return self

    @property
    def reviewed(self) -> bool:
        return self.reviewed_by is not None and self.reviewed_on is not None

    def as_dict(self) -> dict:
        """The entry as the results carry it (dates as text; no reviewer reads "")."""
        return {"assessed_level": self.assessed_level, "justification": self.justification,
                "assessed_by": self.assessed_by, "assessed_on": self.assessed_on.isoformat(),
                "reviewed_by": self.reviewed_by or "",
                "reviewed_on": self.reviewed_on.isoformat() if self.reviewed_on else None}

    @property
    def sha256(self) -> str:
        return hashlib.sha256(json.dumps(self.as_dict(), sort_keys=True).encode()).hexdigest()


def _known_editions(entries: dict, info: ValidationInfo) -> dict:
    editions = (info.context or {}).get("editions")
    unknown = [year for year in entries if editions is not None and year not in editions]
    if unknown:
        raise fail("an entry for an edition that does not exist", [
            (str(year), f"{year} is not an edition's data year ({', '.join(map(str, sorted(editions)))})")
            for year in unknown])
    return entries


class CountrySettings(Settings):
    """params/countries/<CODE>.yml: a note shown on the country's page, and per edition (its data
    year) the analyst's assessment, each validated as an AnalystAssessment against its edition."""

    note: str = ""
    assessment: Annotated[dict[int, Any], AfterValidator(_known_editions)] = {}  # each entry: parse_entry


def parse_entry(path: Path, year: int, entry, levels: list[str], reference_date: dt.date | None,
                today: dt.date) -> tuple[AnalystAssessment | None, list[Problem]]:
    """Validate one edition's entry: known level, a justification, plausible and ordered dates."""
    context = {"levels": levels, "reference_date": reference_date, "today": today}
    try:
        return validated(AnalystAssessment, Path(path), entry, context=context, where=("assessment", str(year))), []
    except InputError as exc:
        return None, exc.problems


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


def load_country_params(project: Project, country: str) -> dict[str, Any]:
    """Per-country parameters (params/countries/<CODE>.yml): an analyst's note shown on the page, and
    per edition the analyst's assessed level with its justification and sign-off, each entry checked
    against its own edition's reference date."""
    path = project.country_params(country)
    if not path.exists():
        return {"note": "", "assessment": {}}
    editions = {int(p.stem) for p in project.edition_settings.glob("*.yml") if p.stem.isdigit()}
    settings = validated(CountrySettings, path, read_yaml_mapping(path), context={"editions": editions})
    found, problems = {}, []
    for year, entry in settings.assessment.items():
        parsed, more = parse_entry(path, year, entry, LEVELS, load_edition(year, project).reference_date,
                                   dt.date.today())
        problems += more
        if parsed is not None:
            found[year] = parsed
    if problems:
        raise InputError(problems)
    return {"note": settings.note, "assessment": found}
