"""Settings as typed models (pydantic), and the one translation of their errors into Problems.

A settings file is validated by a model: unknown names are refused (extra="forbid"), types are
checked strictly (no "5" read as 5, no `true` read as 1; a whole number is a number), and each rule
sits beside the field it constrains. `validated` turns pydantic's ValidationError into one
InputError listing every problem, each naming the file and the setting's dotted path
(e.g. `rating.good_from`, `candidates.restrictive_order[1]`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, ClassVar, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError
from pydantic_core import PydanticCustomError

from ..base.errors import InputError, Problem, quote, shorten

RULE = "settings_rule"  # the error type of the project's own rules: their message is shown as written


class Settings(BaseModel):
    """A settings file or one of its sections: known names only, strict types, read-only."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)
    # how a wrong type reads in a message ("expected int, got 'many'"); a file's model may word its own
    type_words: ClassVar[dict[str, str]] = {
        "int_type": "int", "float_type": "float", "string_type": "text", "bool_type": "true or false",
        "list_type": "a list", "dict_type": "a mapping of settings", "model_type": "a mapping of settings",
        "date_type": "a date YYYY-MM-DD"}


Model = TypeVar("Model", bound=Settings)


def fail(message: str, each: list[tuple[str, str]] | None = None) -> PydanticCustomError:
    """A broken rule, its message final; `each` lists (entry, message) when a rule checks several entries."""
    return PydanticCustomError(RULE, message, {"each": each} if each else None)


def rule(holds: Callable[[Any], bool], message: str) -> AfterValidator:
    """A check on one (already typed) value; the message is shown with the value when it fails."""

    def check(value):
        if not holds(value):
            raise fail(f"{message}, got {quote(value)}")
        return value

    return AfterValidator(check)


def validated(model: type[Model], path: Path, content: Any, context: dict | None = None,
              where: tuple = ()) -> Model:
    """`content` as `model`, or one InputError naming `path` and every setting that is wrong. `context`
    is what rules may read beside the content (the edition a setting is checked against); `where` the
    settings' place in their file, when `content` is one section of it."""
    try:  # "content": for rules naming other settings
        return model.model_validate(content, context={"content": content, **(context or {})})
    except ValidationError as exc:
        raise InputError([problem for error in exc.errors(include_url=False)
                          for problem in _problems(model, path, {**error, "loc": (*where, *error["loc"])},
                                                   len(where))]) from None


BOUNDS = {"greater_than": "more than {gt}", "greater_than_equal": "at least {ge}",
          "less_than": "less than {lt}", "less_than_equal": "at most {le}"}


def _problems(model: type[Settings], path: Path, error: dict, outside: int = 0) -> list[Problem]:
    """One pydantic error as Problems; the first `outside` places of its location are outside `model`."""
    loc, kind, ctx = list(error["loc"]), error["type"], error.get("ctx") or {}
    if loc[-1:] == ["[key]"] or kind in ("extra_forbidden", "invalid_key"):  # a key: named, never [0]
        loc = [*loc[:-2], str(loc[-2])] if loc[-1] == "[key]" else [*loc[:-1], str(loc[-1])]
    if kind == RULE:  # the project's words; a rule over several entries names each one
        return [Problem(str(path), message, field=_dotted(loc if entry is None else [*loc, entry]))
                for entry, message in ctx.get("each") or [(None, error["msg"])]]
    got = f", got {quote(error.get('input'))}"
    if kind in ("extra_forbidden", "invalid_key"):
        section = field_type(model, loc[outside:-1])
        allowed = ", ".join(sorted(section.model_fields)) if _is_settings(section) else "?"
        message = f"unknown setting (allowed: {allowed})"
    elif kind == "missing":
        message = "missing required setting"
    elif kind in model.type_words:
        message = f"expected {model.type_words[kind]}{got}"
    elif kind in BOUNDS:
        bound = BOUNDS[kind].format(**{k: f"{v:g}" if isinstance(v, float) else v for k, v in ctx.items()})
        message = f"must {'not be negative' if bound == 'at least 0' else 'be ' + bound}{got}"
    elif kind == "literal_error":
        message = f"expected one of {ctx['expected']}{got}"
    elif kind == "too_short":
        message = f"must not be empty{got}"
    else:  # pydantic's own words for anything the project has not worded
        message = f"{error['msg']}{got}"
    return [Problem(str(path), message, field=_dotted(loc))]


def field_type(model: type[Settings], names: list) -> Any:
    """The type declared at `names`, a path of setting names from `model` (None: no such setting)."""
    kind: Any = model
    for name in names:
        field = kind.model_fields.get(name) if _is_settings(kind) and isinstance(name, str) else None
        if field is None:
            return None
        kind = field.annotation
    return kind


def _is_settings(kind: Any) -> bool:
    return isinstance(kind, type) and issubclass(kind, Settings)


def _dotted(loc: list) -> str | None:
    """('rating', 'good_from') -> 'rating.good_from'; a list's position reads [0]."""
    text = "".join(f"[{part}]" if isinstance(part, int) else f".{shorten(str(part))}" for part in loc)
    return text.lstrip(".") or None
