"""Edition and method settings, loaded from params/ and validated before anything runs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import yaml

from ..base.errors import InputError, Problem, quote, shorten
from ..base.project import Project

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


def _as_int(path: Path, content: dict, key: str, problems: list[Problem]) -> int | None:
    value = content.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        problems.append(Problem(str(path), f"expected a whole number, got {quote(value)}", field=key))
        return None
    return value


def _as_year(path: Path, content: dict, key: str, problems: list[Problem]) -> int | None:
    """A whole number within YEARS (a year like 10000 would break every date computed from it)."""
    value = _as_int(path, content, key, problems)
    if value is not None and value not in YEARS:
        problems.append(Problem(str(path), f"{value} is not a plausible year "
                                f"({YEARS.start}-{YEARS.stop - 1})", field=key))
        return None
    return value


def _as_date(path: Path, content: dict, key: str, problems: list[Problem]) -> dt.date | None:
    value = content.get(key)
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            pass
    if not isinstance(value, dt.date):
        problems.append(Problem(str(path), f"expected a date YYYY-MM-DD, got {quote(value)}", field=key))
        return None
    return value


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


EDITION_KEYS = {"data_year", "selection_year", "threshold", "reference_date", "label", "excluded_states",
                "reporting_basis"}


def parse_edition(path: Path, content: dict[str, Any]) -> Edition:
    """Validate an edition's settings; defaults: selection year Y-1, reference date 31 Dec of Y."""
    problems = unknown_keys(path, content, EDITION_KEYS)
    if "data_year" not in content:
        problems.append(Problem(str(path), "missing required setting", field="data_year"))
        raise InputError(problems)
    year = _as_year(path, content, "data_year", problems)
    if year is None:
        raise InputError(problems)  # every default below derives from it
    settings = {"selection_year": year - 1, "threshold": 1000, "reference_date": dt.date(year, 12, 31),
                "label": "", "excluded_states": [], "reporting_basis": REPORTING_BASIS}
    settings.update({k: v for k, v in content.items() if k in EDITION_KEYS})
    selection_year = _as_year(path, settings, "selection_year", problems)
    threshold = _as_int(path, settings, "threshold", problems)
    reference_date = _as_date(path, settings, "reference_date", problems)
    if not isinstance(settings["label"], str):
        problems.append(Problem(str(path), f"expected text, got {quote(settings['label'])}",
                                field="label"))
    if threshold is not None and threshold < 0:
        problems.append(Problem(str(path), "threshold must not be negative", field="threshold"))
    if selection_year is not None and selection_year > year:
        problems.append(Problem(str(path), f"selection year {selection_year} is after the data year {year}",
                                field="selection_year"))
    if reference_date is not None and reference_date.year < year:
        problems.append(Problem(str(path), f"reference date {reference_date} is before the end of the "
                                f"data year {year}", field="reference_date"))
    excluded = settings["excluded_states"]
    if not isinstance(excluded, list) or not all(isinstance(s, str) and s.isupper() for s in excluded):
        problems.append(Problem(str(path), f"expected a list of state codes (e.g. [UK]), got {quote(excluded)}",
                                field="excluded_states"))
    if not isinstance(settings["reporting_basis"], str):
        problems.append(Problem(str(path), "expected text", field="reporting_basis"))
    if problems:
        raise InputError(problems)
    return Edition(year, selection_year, threshold, reference_date, settings["label"], tuple(excluded),
                   settings["reporting_basis"])


def load_edition(year: int, project: Project | None = None) -> Edition:
    """The edition for data year `year`, from params/editions/<year>.yml."""
    project = project or Project.default()
    path = project.edition_params(year)
    if not path.exists():
        known = sorted(p.stem for p in (project.params / "editions").glob("*.yml"))
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
        import copy

        raw = copy.deepcopy(self.raw)
        *parents, leaf = dotted.split(".")
        node = raw
        for key in parents:
            node = node[key]
        node[leaf] = value
        return parse_method(Path("<robustness>"), raw)


COMPONENT_NAMES = {"return_rate", "acceptance_rate", "issuance_rate", "practical_cooperation"}
ABSENT_RETURNS = {"zero_if_state_reports", "not_reported"}
METHOD_SHAPE = {
    "small_numbers": int, "absent_returns": str, "min_decisions_concerned": int,
    "min_states_for_aggregate": int, "dominance_share": float, "poor_answer": int,
    "near_miss_share": float, "context_years": dict, "rating": dict, "country_level": dict,
    "robustness": dict, "candidates": dict,
}
RATING_SHAPE = {"components": dict, "min_components": int, "good_from": float, "poor_below": float}
LEVEL_SHAPE = {"most_share": float, "min_rated_states": int}
CONTEXT_SHAPE = {"before": int, "after": int}


def check_shape(path: Path, content: dict, shape: dict, prefix: str) -> list[Problem]:
    problems = unknown_keys(path, content, set(shape))
    for key, kind in shape.items():
        name = f"{prefix}{key}"
        if key not in content:
            problems.append(Problem(str(path), "missing required setting", field=name))
            continue
        value = content[key]
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) if kind is float else \
            isinstance(value, kind) and not isinstance(value, bool)
        if not ok:
            problems.append(Problem(str(path), f"expected {kind.__name__}, got {quote(value)}", field=name))
    return problems


CANDIDATE_FIELDS = {"share_states_poor", "share_states_good", "eu_return_rate", "return_decisions",
                    "acceptance_rate", "issuance_rate", "mean_answer"}


def _candidate_problems(path: Path, settings: dict) -> list[Problem]:
    """The candidates' ordering rules: known fields with a direction, and a rate change in 0..1."""
    problems = unknown_keys(path, settings, {"restrictive_order", "favourable_order", "improving_rate_change"})
    for key in ("restrictive_order", "favourable_order"):
        order = settings.get(key)
        if not isinstance(order, list) or not order or not all(
                isinstance(o, str) and len(o.split()) == 2 and o.split()[0] in CANDIDATE_FIELDS
                and o.split()[1] in ("asc", "desc") for o in order):
            problems.append(Problem(str(path), f"expected a list of 'field asc|desc', fields: "
                                    f"{', '.join(sorted(CANDIDATE_FIELDS))}", field=f"candidates.{key}"))
    change = settings.get("improving_rate_change")
    if isinstance(change, bool) or not isinstance(change, (int, float)) or not 0 <= change <= 1:
        problems.append(Problem(str(path), "expected a number between 0 and 1",
                                field="candidates.improving_rate_change"))
    return problems


def parse_method(path: Path, content: dict[str, Any]) -> Method:
    """Validate method settings: known names only, right types, coherent thresholds."""
    problems = check_shape(path, content, METHOD_SHAPE, "")
    for key, shape in (("rating", RATING_SHAPE), ("country_level", LEVEL_SHAPE),
                       ("context_years", CONTEXT_SHAPE)):
        if isinstance(content.get(key), dict):
            problems += check_shape(path, content[key], shape, f"{key}.")
    rating, level = content.get("rating"), content.get("country_level")
    if any(not p.message.startswith("unknown setting") for p in problems):
        raise InputError(problems)  # the checks below need every setting present and typed
    components = {}
    for name, spec in rating["components"].items():
        field = f"rating.components.{name}"
        if name not in COMPONENT_NAMES:
            problems.append(Problem(str(path), f"unknown component (allowed: "
                                    f"{', '.join(sorted(COMPONENT_NAMES))})", field=field))
            continue
        if not isinstance(spec, dict) or set(spec) != {"weight", "poor", "good"} or not all(
                isinstance(spec[k], (int, float)) and not isinstance(spec[k], bool) for k in spec):
            problems.append(Problem(str(path), "expected {weight, poor, good} numbers", field=field))
            continue
        if spec["good"] == spec["poor"] or spec["weight"] < 0:
            problems.append(Problem(str(path), "needs good != poor and a weight >= 0", field=field))
            continue
        components[name] = Component(float(spec["weight"]), float(spec["poor"]), float(spec["good"]))
    if content["absent_returns"] not in ABSENT_RETURNS:
        problems.append(Problem(str(path), f"expected one of {sorted(ABSENT_RETURNS)}",
                                field="absent_returns"))
    if not rating["poor_below"] <= rating["good_from"]:
        problems.append(Problem(str(path), "must not exceed rating.good_from", field="rating.poor_below"))
    problems += _candidate_problems(path, content["candidates"])
    if content["min_states_for_aggregate"] < 3:
        problems.append(Problem(str(path), "must be at least 3 (disclosure control)",
                                field="min_states_for_aggregate"))
    for dotted, value in (("country_level.most_share", level["most_share"]),
                          ("near_miss_share", content["near_miss_share"]),
                          ("dominance_share", content["dominance_share"])):
        if not 0 < value < 1:
            problems.append(Problem(str(path), "must be between 0 and 1", field=dotted))
    if not 1 <= content["poor_answer"] <= 5:
        problems.append(Problem(str(path), "must be an answer on the 1..5 scale", field="poor_answer"))
    context_years = content["context_years"]
    if min(context_years.values()) < 0:
        problems.append(Problem(str(path), "years must not be negative", field="context_years"))
    robustness = {}
    for dotted, values in content["robustness"].items():
        if not isinstance(values, list) or not values or not all(
                isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
            problems.append(Problem(str(path), "expected a list of numbers", field=f"robustness.{dotted}"))
            continue
        node = content
        for key in dotted.split("."):
            node = node.get(key) if isinstance(node, dict) else None
        if node is None or isinstance(node, dict):
            problems.append(Problem(str(path), "names no setting of this file",
                                    field=f"robustness.{dotted}"))
            continue
        robustness[dotted] = [float(v) if isinstance(node, float) else v for v in values]
    if problems:
        raise InputError(problems)
    return Method(content["small_numbers"], content["absent_returns"],
                  content["min_decisions_concerned"], content["min_states_for_aggregate"],
                  float(content["dominance_share"]), content["poor_answer"],
                  float(content["near_miss_share"]), context_years["before"], context_years["after"],
                  components,
                  rating["min_components"], float(rating["good_from"]), float(rating["poor_below"]),
                  float(level["most_share"]), level["min_rated_states"], robustness, content)


def load_method(project: Project | None = None, path: Path | None = None) -> Method:
    """The method settings of params/method.yml (or `path`)."""
    path = path or (project or Project.default()).params / "method.yml"
    return parse_method(path, read_yaml_mapping(path))
