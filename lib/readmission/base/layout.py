"""Where each audience's outputs of an edition go: two trees that never meet.

Public outputs live under `notebooks/` (the only folder the public site reads pages from);
everything restricted (full results, restricted notebooks, staging, logs, the restricted site's
sources) lives under `data/restricted/out/<year>/`, a path that never ends in `notebooks/countries/`.
The audience is a property of where files go, not only a flag on a command.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import InputError
from .project import Project

PUBLIC, RESTRICTED = "public", "restricted"
AUDIENCES = (PUBLIC, RESTRICTED)
RESTRICTED_SITE_DIR = "_site-restricted"
KEYS = ".runkeys"  # hidden: Quarto skips files and folders whose names start with '.'
RUN_RECORD = f"{KEYS}/run.json"
RELEASE_FILE = "release.json"  # an edition's release, in its public countries folder (release.py)


def restricted_out(project: Project, year: int) -> Path:
    """The restricted tree of an edition (git-ignored with data/restricted/)."""
    return project.restricted / "out" / str(year)


@dataclass(frozen=True)
class OutputTree:
    """The folders of one audience's outputs for one edition."""

    project: Project
    year: int
    audience: str

    def __post_init__(self) -> None:
        if self.audience not in AUDIENCES:
            raise ValueError(f"unknown audience {self.audience!r} (expected one of {AUDIENCES})")

    @property
    def restricted_root(self) -> Path:
        return restricted_out(self.project, self.year)

    @property
    def countries(self) -> Path:
        """The published country pages and their results files."""
        if self.audience == PUBLIC:
            return self.project.notebooks / "countries" / str(self.year)
        return self.restricted_root / "countries"

    @property
    def summary(self) -> Path:
        """The edition's executed findings notebook."""
        if self.audience == PUBLIC:
            return self.project.notebooks / "findings" / f"{self.year}.ipynb"
        return self.restricted_root / "summary.ipynb"

    @property
    def site_sources(self) -> Path:
        """The Quarto project this audience's site is rendered from."""
        return self.project.root if self.audience == PUBLIC else self.restricted_root / "site"

    @property
    def keys(self) -> Path:
        """Run keys and the run record (hidden: Quarto skips folders starting with '.')."""
        return self.countries / KEYS

    @property
    def run_file(self) -> Path:
        return self.countries / RUN_RECORD

    @property
    def next(self) -> Path:
        """Where a run builds the next version of `countries` before swapping it in."""
        return self.countries.parent / f".{self.countries.name}-next"

    @property
    def old(self) -> Path:
        return self.countries.parent / f".{self.countries.name}-old"

    # Always restricted, whatever the audience: they hold per-state confidential values.

    @property
    def staging(self) -> Path:
        """Where a country's full outputs wait while its notebook runs."""
        return self.restricted_root / ".staging"

    @property
    def store(self) -> Path:
        """Full results of every country (per-state confidential values included)."""
        return self.restricted_root / "results"

    @property
    def store_next(self) -> Path:
        """Where a run builds the next store; swapped in with its pages, so the store only ever holds
        what a completed run published (hidden)."""
        return self.restricted_root / ".results-next"

    @property
    def logs(self) -> Path:
        """Per-country logs: the full notebook's printed output, so restricted too."""
        return self.restricted_root / "logs"


def published_editions(project: Project, audience: str = PUBLIC) -> list[int]:
    """The editions whose run left a record in this audience's tree, oldest first."""
    if audience == PUBLIC:
        years = [p.name for p in (project.notebooks / "countries").glob("*") if p.name.isdigit()]
    else:
        years = [p.name for p in (project.restricted / "out").glob("*") if p.name.isdigit()]
    return sorted(int(y) for y in years if OutputTree(project, int(y), audience).run_file.exists())


# ---- where an edition's confidential inputs are read from (pandas-free: the no-change path uses it) ----

def confidential_folder(project: Project, edition) -> Path:
    """Where an edition's real confidential inputs are put (git-ignored)."""
    return project.restricted / str(edition.data_year)


def demo_folder(project: Project, edition) -> Path:
    """Where `--demo` writes the seeded synthetic stand-in for the confidential inputs (git-ignored)."""
    return project.root / "data" / "demo" / str(edition.data_year)


def has_confidential_files(folder: Path) -> bool:
    folder = Path(folder)
    names = [p.name.lower() for p in folder.iterdir()] if folder.is_dir() else []  # any case, as the loader
    return any(n.startswith(("questionnaire.", "readmission_statistics.")) for n in names)


def confidential_source(project: Project, edition, restricted_dir: Path | None,
                        demo: bool) -> Path:
    """The folder a run reads confidential inputs from: the demo folder, or real files that must exist."""
    if demo:
        return demo_folder(project, edition)
    folder = Path(restricted_dir) if restricted_dir else confidential_folder(project, edition)
    if not has_confidential_files(folder):
        raise InputError.single(folder, "no confidential inputs here: put the Member States' "
                                "readmission_statistics and questionnaire files in this folder "
                                "(formats and templates in data/templates/, see its README.md); `run`, "
                                "`country` and `report` take --demo to use the seeded synthetic demo set "
                                "instead (illustrative only)")
    return folder
