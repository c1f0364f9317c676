"""Input size limits (params/limits.yml): how large a file may be, checked before it is parsed."""

from __future__ import annotations

from pydantic import Field

from ..base.paths import Project
from .models import Settings, validated
from .params import read_yaml_mapping


class LimitSettings(Settings):
    """What params/limits.yml may set: every limit a number above 0.

    Defaults are far above real inputs (files under 5 MB, about 2,000 rows).
    """

    max_file_mb: float = Field(50.0, gt=0)  # a CSV or XLSX file on disk
    max_unzipped_mb: float = Field(250.0, gt=0)  # an XLSX workbook's members once unzipped
    max_rows: int = Field(100_000, gt=0)  # lines of a CSV file, rows of an Excel sheet
    max_lines_in_field: int = Field(20, gt=0)  # lines one field may span, CSV or Excel (a stray quote spans many)
    max_columns: int = Field(50, gt=0)  # columns of an Excel sheet (the templates have 8 and 9), counted before loading it
    max_cells: int = Field(1_000_000, gt=0)  # cells of an Excel sheet, counted before loading it
    cell_timeout_seconds: int = Field(600, gt=0)  # a notebook cell running longer fails its country (whole seconds)


class Limits(LimitSettings):
    """How large an input file may be, checked before it is parsed (a bomb must fail fast); `source`
    names the settings file so that a message can say where to change a limit."""

    source: str = "params/limits.yml"


def load_limits(project: Project | None = None) -> Limits:
    """The size limits of params/limits.yml; the defaults when the project has no such file."""
    path = (project or Project.default()).params / "limits.yml"
    if not path.exists():
        return Limits(source=str(path))
    settings = validated(LimitSettings, path, read_yaml_mapping(path))
    return Limits(**settings.model_dump(), source=str(path))
