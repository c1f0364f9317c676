"""Where a project's folders are: one root, everything else relative to it."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parents[3]


INPUT_PATHS = ["params", "data/reference", "data/templates", "notebooks/country.ipynb",
               "notebooks/summary.ipynb", "_quarto.yml", "theme.scss", "index.qmd", "methodology.qmd",
               "countries.qmd", "audit.qmd", "_scroll-boxes.html", "favicon.svg",
               "countries-listing.ejs"]


@dataclass(frozen=True)
class Project:
    """The folders of one readmission project (the repository, or a copy made by a test)."""

    root: Path

    @classmethod
    def default(cls) -> "Project":
        """The project named by READMISSION_ROOT, else the repository this package lives in."""
        return cls(Path(os.environ.get("READMISSION_ROOT", PACKAGE_ROOT)).resolve())

    @property
    def params(self) -> Path:
        return self.root / "params"

    @property
    def reference(self) -> Path:
        return self.root / "data" / "reference"

    @property
    def public(self) -> Path:
        return self.root / "data" / "public"

    @property
    def cache(self) -> Path:
        """The validated public data, cached between processes (public_cache.py; git-ignored)."""
        return self.root / "data" / "cache"

    @property
    def restricted(self) -> Path:
        return self.root / "data" / "restricted"

    @property
    def templates(self) -> Path:
        return self.root / "data" / "templates"

    @property
    def notebooks(self) -> Path:
        return self.root / "notebooks"

    @property
    def results(self) -> Path:
        return self.root / "results"

    def copy_inputs(self, target: Path) -> "Project":
        """A new project at `target` with this one's settings, legal facts, templates and site
        sources, but no data and no outputs (tests and benchmarks run in such copies)."""
        import shutil

        target = Path(target)
        for rel in INPUT_PATHS:
            source = self.root / rel
            if source.is_dir():
                shutil.copytree(source, target / rel)
            elif source.exists():
                (target / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target / rel)
        return Project(target)

    def edition_params(self, year: int) -> Path:
        return self.params / "editions" / f"{year}.yml"

    def write_edition(self, year: int, settings: dict) -> Path:
        """Write params/editions/<year>.yml from `settings` (tests and benchmarks set their own)."""
        import yaml

        path = self.edition_params(year)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")
        return path
