"""Input size limits (params/limits.yml): how large a file may be, checked before it is parsed."""

from __future__ import annotations

from dataclasses import dataclass

from ..base.errors import InputError, Problem, quote
from ..base.project import Project
from .params import check_shape, read_yaml_mapping


@dataclass(frozen=True)
class Limits:
    """How large an input file may be, checked before it is parsed (a bomb must fail fast).

    Defaults are far above real inputs (files under 5 MB, about 2,000 rows); `source` names the
    settings file so that a message can say where to change a limit.
    """

    max_file_mb: float = 50.0  # a CSV or XLSX file on disk
    max_unzipped_mb: float = 250.0  # an XLSX workbook's members once unzipped
    max_rows: int = 100_000  # lines of a CSV file, rows of an Excel sheet
    max_lines_in_field: int = 20  # lines one field may span, CSV or Excel (a stray quote spans many)
    max_columns: int = 50  # columns of an Excel sheet (the templates have 8 and 9), counted before loading it
    max_cells: int = 1_000_000  # cells of an Excel sheet, counted before loading it
    cell_timeout_seconds: int = 600  # a notebook cell running longer fails its country (whole seconds)
    source: str = "params/limits.yml"


LIMIT_TYPES = {"max_file_mb": float, "max_unzipped_mb": float, "max_rows": int,
               "max_lines_in_field": int, "max_columns": int, "max_cells": int, "cell_timeout_seconds": int}


def load_limits(project: Project | None = None) -> Limits:
    """The size limits of params/limits.yml; the defaults when the project has no such file."""
    path = (project or Project.default()).params / "limits.yml"
    if not path.exists():
        return Limits(source=str(path))
    content = read_yaml_mapping(path)
    problems = check_shape(path, {**{k: getattr(Limits, k) for k in LIMIT_TYPES}, **content},
                            LIMIT_TYPES, "")
    problems += [Problem(str(path), f"must be more than 0, got {quote(content[key])}", field=key)
                 for key in LIMIT_TYPES if key in content and not problems
                 and content[key] <= 0]
    if problems:
        raise InputError(problems)
    return Limits(**{k: LIMIT_TYPES[k](content.get(k, getattr(Limits, k))) for k in LIMIT_TYPES},
                  source=str(path))
