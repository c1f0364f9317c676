"""Edition and method settings, loaded from params/ and validated before anything runs."""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

import yaml
from pydantic import AfterValidator, BeforeValidator, Field, ValidationInfo, field_validator

from ..base.errors import InputError, Problem, quote, shorten
from ..base.paths import Project
from .models import Settings, fail, field_type, rule, validated

DEFAULT_EDITION = 2016
YEARS = range(1990, 2101)  # data and selection years an edition may name


class StrictLoader(yaml.SafeLoader):
    """yaml.safe_load, but a repeated key, an impossible date or an anchor/alias is an error with its line.

    PyYAML keeps the last of two equal keys silently and raises a bare ValueError on 2016-02-30;
    aliases can expand a few lines into gigabytes (an alias bomb), and settings never need them.
    """

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise yaml.composer.ComposerError(
                None, None, "anchors and aliases (&name, *name) are not allowed in settings files",
                event.start_mark)
        return super().compose_node(parent, index)


def _construct_mapping(loader: StrictLoader, node: yaml.MappingNode) -> dict:
    first_line: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            repeated = key in first_line
        except TypeError:  # unhashable: construct_mapping reports it
            continue
        if repeated:
            raise yaml.constructor.ConstructorError(
                None, None, f"setting {quote(key)} appears twice (first on line {first_line[key]})",
                key_node.start_mark)
        first_line[key] = key_node.start_mark.line + 1
    return loader.construct_mapping(node, deep=True)


def _construct_timestamp(loader: StrictLoader, node: yaml.ScalarNode):
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError as exc:
        raise yaml.constructor.ConstructorError(
            None, None, f"{quote(node.value)} is not a valid date ({exc})", node.start_mark) from exc


StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


def read_yaml_mapping(path: Path) -> dict[str, Any]:
    """Read a YAML file that must hold a mapping; name the file on any problem."""
    if not path.exists():
        raise InputError.single(path, "file not found")
    try:
        content = yaml.load(path.read_text(encoding="utf-8"), Loader=StrictLoader)
    except UnicodeDecodeError as exc:
        raise InputError.single(path, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        raise InputError.single(path, f"not valid YAML: {getattr(exc, 'problem', exc)}", row) from exc
    if not isinstance(content, dict):
        raise InputError.single(path, "expected a mapping of settings at the top level")
    return content


def unknown_keys(path: Path, content: dict, allowed: set[str]) -> list[Problem]:
    return [Problem(str(path), f"unknown setting (allowed: {', '.join(sorted(allowed))})",
                    field=shorten(str(k))) for k in content if k not in allowed]


# ---- Edition settings (params/editions/<year>.yml) ----

# Who reports, unless an edition says otherwise: the states bound by the Visa Code on the reference date.
REPORTING_BASIS = ("the Member States applying the Visa Code (Regulation (EC) No 810/2009, Article 25a) and the "
                   "Schengen associated states, on the edition's reference date; the United Kingdom and Ireland "
                   "report to Eurostat as Member States while they are ones")


@dataclass(frozen=True)
class Edition:
    """One annual assessment: which data year it covers and how countries are selected."""

    data_year: int
    selection_year: int
    threshold: int
    reference_date: dt.date
    label: str = ""
    excluded_states: tuple[str, ...] = ()  # reporting states left out of this edition (e.g. ("UK",))
    reporting_basis: str = REPORTING_BASIS

    def as_dict(self) -> dict[str, Any]:
        return {f.name: (getattr(self, f.name).isoformat() if f.name == "reference_date" else
                         list(getattr(self, f.name)) if f.name == "excluded_states" else getattr(self, f.name))
                for f in fields(self)}


def _plausible_year(year: int) -> int:
    """A year within YEARS (a year like 10000 would break every date computed from it)."""
    if year not in YEARS:
        raise fail(f"{year} is not a plausible year ({YEARS.start}-{YEARS.stop - 1})")
    return year


def _as_date(value):
    """YAML reads a date; a caller may give ISO text or a datetime (anything else fails as not a date)."""
    if isinstance(value, dt.datetime):
        return value.date()
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else value
    except ValueError:
        return value


def _state_codes(value):
    if not isinstance(value, list) or not all(isinstance(s, str) and s.isupper() for s in value):
        raise fail(f"expected a list of state codes (e.g. [UK]), got {quote(value)}")
    return value


Year = Annotated[int, AfterValidator(_plausible_year)]


class EditionFile(Settings):
    """params/editions/<year>.yml. A default is not validated but a value is: an empty
    `selection_year:` is refused, a missing one is the data year - 1 (reference date: 31 Dec)."""

    type_words: ClassVar[dict[str, str]] = {**Settings.type_words, "int_type": "a whole number"}

    data_year: Year
    selection_year: Year = None  # data_year - 1
    threshold: int = Field(1000, ge=0)
    reference_date: Annotated[dt.date, BeforeValidator(_as_date)] = None  # 31 December of data_year
    label: str = ""
    excluded_states: Annotated[list[str], BeforeValidator(_state_codes)] = []
    reporting_basis: str = REPORTING_BASIS

    @field_validator("selection_year")
    @classmethod
    def _not_after_the_data_year(cls, year: int, info: ValidationInfo) -> int:
        if year > info.data.get("data_year", year):
            raise fail(f"selection year {year} is after the data year {info.data['data_year']}")
        return year

    @field_validator("reference_date")
    @classmethod
    def _not_before_the_year_ends(cls, date: dt.date, info: ValidationInfo) -> dt.date:
        if date.year < info.data.get("data_year", date.year):
            raise fail(f"reference date {date} is before the end of the data year {info.data['data_year']}")
        return date


def parse_edition(path: Path, content: dict[str, Any]) -> Edition:
    """Validate an edition's settings; defaults: selection year Y-1, reference date 31 Dec of Y."""
    settings = validated(EditionFile, path, content)
    year = settings.data_year
    return Edition(year, year - 1 if settings.selection_year is None else settings.selection_year,
                   settings.threshold, settings.reference_date or dt.date(year, 12, 31), settings.label,
                   tuple(settings.excluded_states), settings.reporting_basis)


def load_edition(year: int, project: Project | None = None) -> Edition:
    """The edition for data year `year`, from params/editions/<year>.yml."""
    project = project or Project.default()
    path = project.edition_params(year)
    if not path.exists():
        known = sorted(p.stem for p in project.edition_settings.glob("*.yml"))
        meant = [k for k in known if k.endswith(f"{year:02d}") and len(str(year)) <= 2]
        hint = (f"; a data year has four digits: did you mean --year {meant[0]}?" if meant
                else f" (to add one: params/editions/{year}.yml)" if len(str(year)) == 4
                else "; a data year has four digits, e.g. --year 2016")
        raise InputError.single(path, f"no edition for data year {year}; editions defined: "
                                f"{', '.join(known) or 'none'}{hint}")
    edition = parse_edition(path, read_yaml_mapping(path))
    if edition.data_year != year:
        raise InputError.single(path, f"file is named for {year} but says data_year {edition.data_year}",
                                field="data_year")
    return edition


# ---- Method settings (params/method.yml) ----

@dataclass(frozen=True)
class Component:
    """One rating component: scored 0 at `poor`, 1 at `good`, linear between, clipped."""

    weight: float
    poor: float
    good: float


@dataclass(frozen=True)
class Method:
    """Every threshold and weight of the rating, as read from params/method.yml."""

    small_numbers: int
    absent_returns: str
    min_decisions_concerned: int
    min_states_for_aggregate: int
    dominance_share: float
    poor_answer: int
    near_miss_share: float
    context_before: int
    context_after: int
    components: dict[str, Component]
    min_components: int
    good_from: float
    poor_below: float
    most_share: float
    min_rated_states: int
    robustness: dict[str, list[float]]
    raw: dict[str, Any]

    @property
    def candidates(self) -> dict[str, Any]:
        """How the Article 25a(5) and (8) candidate lists are ordered (restricted report)."""
        return self.raw["candidates"]

    def with_setting(self, dotted: str, value: float) -> "Method":
        """A copy with one setting (e.g. 'rating.good_from') changed, re-validated."""
        raw = copy.deepcopy(self.raw)
        *parents, leaf = dotted.split(".")
        node = raw
        for key in parents:
            node = node[key]
        node[leaf] = value
        return parse_method(Path("<robustness>"), raw)


Share = Annotated[float, rule(lambda share: 0 < share < 1, "must be between 0 and 1")]


class ComponentSettings(Settings):
    weight: float = Field(ge=0)
    poor: float
    good: float

    @field_validator("good")
    @classmethod
    def _a_range(cls, good: float, info: ValidationInfo) -> float:
        if good == info.data.get("poor"):
            raise fail(f"must differ from poor (the score runs from poor to good), both are {good}")
        return good


class Components(Settings):
    """The rating's components, each optional; an empty value (`return_rate:`) is refused."""

    return_rate: ComponentSettings = None
    acceptance_rate: ComponentSettings = None
    issuance_rate: ComponentSettings = None
    practical_cooperation: ComponentSettings = None


class Rating(Settings):
    components: Components
    min_components: int
    good_from: float
    poor_below: float

    @field_validator("poor_below")
    @classmethod
    def _not_above_good(cls, poor_below: float, info: ValidationInfo) -> float:
        if poor_below > info.data.get("good_from", poor_below):
            raise fail(f"must not exceed rating.good_from ({info.data['good_from']}), got {poor_below}")
        return poor_below


class CountryLevel(Settings):
    most_share: Share
    min_rated_states: int


class ContextYears(Settings):
    before: int = Field(ge=0)
    after: int = Field(ge=0)


CANDIDATE_FIELDS = {"share_states_poor", "share_states_good", "eu_return_rate", "return_decisions",
                    "acceptance_rate", "issuance_rate", "mean_answer"}


def _sort_key(text: str) -> bool:
    words = text.split()
    return len(words) == 2 and words[0] in CANDIDATE_FIELDS and words[1] in ("asc", "desc")


SortKey = Annotated[str, rule(_sort_key, "expected 'field asc' or 'field desc', fields: "
                              + ", ".join(sorted(CANDIDATE_FIELDS)))]
Order = Annotated[list[SortKey], Field(min_length=1)]


class Candidates(Settings):
    """How the candidate lists are ordered, and the rate change that counts as improving."""

    restrictive_order: Order
    favourable_order: Order
    improving_rate_change: Annotated[float, rule(lambda change: 0 <= change <= 1, "must be between 0 and 1")]


def _names_a_number(dotted: str, info: ValidationInfo) -> str:
    """A robustness entry names a number setting that this file sets (e.g. rating.good_from)."""
    node = info.context["content"]
    for key in dotted.split("."):
        node = node.get(key) if isinstance(node, dict) else None
    kind = field_type(MethodFile, dotted.split("."))
    if node is None or kind is None or isinstance(node, dict):
        raise fail("names no setting of this file")
    if kind not in (int, float):
        raise fail("names a setting that is not a number")
    return dotted


class MethodFile(Settings):
    """params/method.yml: every threshold and weight of the rating, and the rules that keep them coherent."""

    small_numbers: int
    absent_returns: Literal["zero_if_state_reports", "not_reported"]
    min_decisions_concerned: int
    min_states_for_aggregate: Annotated[int, rule(lambda n: n >= 3, "must be at least 3 (disclosure control)")]
    dominance_share: Share
    poor_answer: Annotated[int, rule(lambda answer: 1 <= answer <= 5, "must be an answer on the 1..5 scale")]
    near_miss_share: Share
    context_years: ContextYears
    rating: Rating
    country_level: CountryLevel
    candidates: Candidates
    robustness: dict[Annotated[str, AfterValidator(_names_a_number)], Annotated[list[float], Field(min_length=1)]]

    @field_validator("robustness")
    @classmethod
    def _typed_as_the_setting(cls, robustness: dict[str, list[float]]) -> dict[str, list[float]]:
        """Each entry's values take the type of the setting they replace: whole numbers for an int."""
        kinds = {dotted: field_type(cls, dotted.split(".")) for dotted in robustness}
        broken = [(dotted, f"expected whole numbers ({dotted} is one), got {quote(values)}")
                  for dotted, values in robustness.items()
                  if kinds[dotted] is int and not all(value.is_integer() for value in values)]
        if broken:
            raise fail("robustness values", each=broken)
        return {dotted: [kinds[dotted](value) for value in values] for dotted, values in robustness.items()}


def parse_method(path: Path, content: dict[str, Any]) -> Method:
    """Validate method settings: known names only, right types, coherent thresholds."""
    settings = validated(MethodFile, path, content)
    rating, level, years = settings.rating, settings.country_level, settings.context_years
    components = {name: Component(**getattr(rating.components, name).model_dump())
                  for name in content["rating"]["components"]}  # in the file's order
    return Method(settings.small_numbers, settings.absent_returns, settings.min_decisions_concerned,
                  settings.min_states_for_aggregate, settings.dominance_share, settings.poor_answer,
                  settings.near_miss_share, years.before, years.after, components, rating.min_components,
                  rating.good_from, rating.poor_below, level.most_share, level.min_rated_states,
                  settings.robustness, content)


def load_method(project: Project | None = None, path: Path | None = None) -> Method:
    """The method settings of params/method.yml (or `path`)."""
    path = path or (project or Project.default()).params / "method.yml"
    return parse_method(path, read_yaml_mapping(path))
