"""Where everything is: a project's folders, and each audience's outputs of an edition.

The only module that joins folder names (tests/test_paths.py checks lib/ for any other `/ "folder"`).
Outputs have one root per audience, and the two never meet: everything public a run writes is in a
folder under `notebooks/` (pages, results, the release, selections, the site's includes); everything
restricted (full results, restricted pages, staging, logs, the demo set, the restricted site and its
sources, the Council document) under `data/restricted/out/`. Apart, and said so: the rendered public
site `_site/` (Quarto's output, with its swap folders `_site-*`), Quarto's state `.quarto/`, bundles in
`dist/`, and the cache `data/cache/`. An edition's outputs form one tree per audience (`OutputTree`).
The audience is where files go, not only a flag on a command.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import yaml

from .errors import InputError

PACKAGE_ROOT = Path(__file__).resolve().parents[3]
SITE_CHECK = PACKAGE_ROOT / "tools" / "site-check"  # the browser check and the document's printer (node)

INPUT_PATHS = ["params", "data/reference", "data/templates", "notebooks/country.ipynb", "notebooks/summary.ipynb",
               "_quarto.yml", "theme.scss", "index.qmd", "methodology.qmd", "countries.qmd", "audit.qmd",
               "_scroll-boxes.html", "favicon.svg", "countries-listing.ejs"]

PUBLIC, RESTRICTED = "public", "restricted"
AUDIENCES = (PUBLIC, RESTRICTED)
KEYS = ".runkeys"  # hidden: Quarto skips files and folders whose names start with '.'
RUN_RECORD = f"{KEYS}/run.json"
RELEASE_FILE = "release.json"  # an edition's release, in its public countries folder (release.py)
GENERATED = "notebooks/_generated"  # a site's run-specific includes (site_sources.py), from its _quarto.yml


@dataclass(frozen=True)
class Project:
    """The folders of one readmission project (the repository, or a copy made by a test)."""

    root: Path

    @classmethod
    def default(cls) -> "Project":
        """The project named by READMISSION_ROOT, else the repository this package lives in."""
        return cls(Path(os.environ.get("READMISSION_ROOT", PACKAGE_ROOT)).resolve())

    # ---- inputs: settings, reference facts, data ----

    @property
    def params(self) -> Path:
        return self.root / "params"

    @property
    def edition_settings(self) -> Path:
        """params/editions/: one <year>.yml per edition."""
        return self.params / "editions"

    def edition_params(self, year: int) -> Path:
        return self.edition_settings / f"{year}.yml"

    @property
    def country_settings(self) -> Path:
        """params/countries/: one <CODE>.yml per country with an analyst's note or assessment."""
        return self.params / "countries"

    def country_params(self, country: str) -> Path:
        return self.country_settings / f"{country}.yml"

    @property
    def reference(self) -> Path:
        return self.root / "data" / "reference"

    @property
    def templates(self) -> Path:
        return self.root / "data" / "templates"

    @property
    def public(self) -> Path:
        return self.root / "data" / "public"

    @property
    def public_fixture(self) -> Path:
        """The committed miniature of data/public/ the tests and the fixture project run on."""
        return self.root / "data" / "fixture" / "public"

    @property
    def default_snapshot(self) -> Path:
        """The offline snapshot of the public data `data import` and `run` read unless told otherwise."""
        return self.root.parent / "shared" / "data" / "snapshot"

    @property
    def restricted(self) -> Path:
        """data/restricted/: confidential inputs (<data year>/), releases and restricted outputs (git-ignored)."""
        return self.root / "data" / "restricted"

    @property
    def demo(self) -> Path:
        """The seeded synthetic stand-ins for the confidential inputs: restricted outputs, like them."""
        return self.restricted_outputs / "demo"

    @property
    def cache(self) -> Path:
        """The validated public data, cached between processes (public_cache.py; git-ignored)."""
        return self.root / "data" / "cache"

    @property
    def render_cache(self) -> Path:
        """What the public site's last render was made from (deleting it renders everything)."""
        return self.cache / "render"

    @property
    def notebooks(self) -> Path:
        """The notebook templates, and under them the public executed pages."""
        return self.root / "notebooks"

    # ---- public outputs ----

    @property
    def country_pages(self) -> Path:
        """notebooks/countries/: each edition's public country pages, <year>/<CODE>.ipynb."""
        return self.notebooks / "countries"

    @property
    def findings_pages(self) -> Path:
        """notebooks/findings/: each edition's executed findings notebook, <year>.ipynb."""
        return self.notebooks / "findings"

    def edition_results(self, year: int) -> Path:
        """notebooks/selection/<year>/: an edition's public inputs manifest and its selection of countries."""
        return self.notebooks / "selection" / str(year)

    @property
    def generated(self) -> Path:
        """The public site's run-specific includes (notebooks/_generated/: Quarto renders no `_` folder)."""
        return self.root / GENERATED

    @property
    def site(self) -> Path:
        """The rendered public site."""
        return self.root / "_site"

    @property
    def dist(self) -> Path:
        """Where `bundle` writes the public site's archive by default."""
        return self.root / "dist"

    # ---- restricted outputs (every edition's tree is under restricted_outputs) ----

    @property
    def restricted_outputs(self) -> Path:
        """The restricted root: every restricted output of every edition (git-ignored with data/restricted/)."""
        return self.restricted / "out"

    @property
    def restricted_site(self) -> Path:
        """The rendered restricted site (never _site)."""
        return self.restricted_outputs / "_site"

    def release_folder(self, year: int, synthetic: bool) -> Path:
        """Where an edition's releases are kept (the demo set's apart: they never block real figures)."""
        return self.restricted / "releases" / (f"{year}-demo" if synthetic else str(year))

    @property
    def kernel_log(self) -> Path:
        """The warm kernels' own stderr (start-up warnings, crashes), for every edition and audience:
        restricted, as a restricted page's kernel wrote it."""
        return self.restricted_outputs / "kernels.log"

    @property
    def git(self) -> Path:
        """The .git folder: present in a git checkout."""
        return self.root / ".git"

    @property
    def quarto_state(self) -> Path:
        """Quarto's own index of a rendered project (.quarto/)."""
        return self.root / ".quarto"

    @property
    def quarto_listing_cache(self) -> Path:
        """Quarto's cache of what its listings list, in its project state."""
        return self.quarto_state / "listing" / "listing-cache.json"

    def copy_inputs(self, target: Path) -> "Project":
        """A new project at `target` with this one's settings, legal facts, templates and site
        sources, but no data and no outputs (tests and benchmarks run in such copies)."""
        target = Path(target)
        for rel in INPUT_PATHS:
            source = self.root / rel
            if source.is_dir():
                shutil.copytree(source, target / rel)
            elif source.exists():
                (target / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target / rel)
        return Project(target)

    def write_edition(self, year: int, settings: dict) -> Path:
        """Write params/editions/<year>.yml from `settings` (tests and benchmarks set their own)."""
        path = self.edition_params(year)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")
        return path


def beside(folder: Path, purpose: str, hidden: bool = False) -> Path:
    """A sibling named after `folder` and a purpose (`_site-next`, hidden `.2016-old`): swapped in by a rename."""
    folder = Path(folder)
    return folder.parent / f"{'.' if hidden else ''}{folder.name}-{purpose}"


def rendering(site_sources: Path) -> Path:
    """Where Quarto renders a site from `site_sources` before it is swapped in (_site-next/)."""
    return beside(Project(Path(site_sources)).site, "next")


def keys_folder(countries: Path) -> Path:
    """Run keys and the run record of a countries folder (hidden: Quarto skips folders starting with '.')."""
    return Path(countries) / KEYS


def backup_folder(staging: Path) -> Path:
    """Where a staged swap of files keeps the old ones until it completes (data/snapshot.py)."""
    return Path(staging) / ".backup"


def npm_package(tool: Path, name: str) -> Path:
    return Path(tool) / "node_modules" / name  # an installed npm package of a node tool (SITE_CHECK)


def restricted_out(project: Project, year: int) -> Path:
    """The restricted tree of an edition (git-ignored with data/restricted/)."""
    return project.restricted_outputs / str(year)


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
            return self.project.country_pages / str(self.year)
        return self.restricted_root / "countries"

    @property
    def summary(self) -> Path:
        """The edition's executed findings notebook."""
        if self.audience == PUBLIC:
            return self.project.findings_pages / f"{self.year}.ipynb"
        return self.restricted_root / "summary.ipynb"

    @property
    def site_sources(self) -> Path:
        """The Quarto project this audience's site is rendered from."""
        return self.project.root if self.audience == PUBLIC else self.restricted_root / "site"

    @property
    def generated(self) -> Path:
        """The run-specific includes of this audience's site."""
        return self.site_sources / GENERATED

    @property
    def keys(self) -> Path:
        return keys_folder(self.countries)

    @property
    def run_file(self) -> Path:
        return self.countries / RUN_RECORD

    @property
    def next(self) -> Path:
        """Where a run builds the next version of `countries` before swapping it in."""
        return beside(self.countries, "next", hidden=True)

    @property
    def old(self) -> Path:
        return beside(self.countries, "old", hidden=True)

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
        return beside(self.store, "next", hidden=True)

    @property
    def store_old(self) -> Path:
        return beside(self.store, "old", hidden=True)

    @property
    def logs(self) -> Path:
        """Per-country logs: the full notebook's printed output, so restricted too."""
        return self.restricted_root / "logs"

    def country_inputs(self, country: str) -> Path:
        """A country's slice of the confidential inputs (the same for both audiences)."""
        return self.restricted_root / "inputs" / country

    @property
    def documents(self) -> Path:
        """The edition's Council document (council-<year>.pdf): never under notebooks/ or _site/."""
        return self.restricted_root / "document"

    @property
    def dry_run(self) -> Path:
        """A dry run's scratch copy of the store and the release (hidden; removed when it ends)."""
        return self.restricted_root / ".dry-run"

    @property
    def dry_run_store(self) -> Path:
        return self.dry_run / "store"

    @property
    def dry_run_out(self) -> Path:  # the dry run's stand-in for the countries folder (its release)
        return self.dry_run / "out"


def pages_link(year: int | str) -> str:
    """An edition's country pages folder from the site root (the same in the public and restricted sites)."""
    return OutputTree(Project(Path()), int(year), PUBLIC).countries.as_posix()


def page_link(year: int | str, country: str, suffix: str = "ipynb") -> str:
    """A country page's path from the site root (the same in the public and restricted sites)."""
    return f"{pages_link(year)}/{country}.{suffix}"


def findings_link(year: int | str, suffix: str = "ipynb") -> str:
    """An edition's Findings page from the site root: its one address, in both sites."""
    return (Project(Path()).findings_pages / f"{year}.{suffix}").as_posix()


def published_editions(project: Project, audience: str = PUBLIC) -> list[int]:
    """The editions whose run left a record in this audience's tree, oldest first."""
    folder = project.country_pages if audience == PUBLIC else project.restricted_outputs
    years = [p.name for p in folder.glob("*") if p.name.isdigit()]
    return sorted(int(y) for y in years if OutputTree(project, int(y), audience).run_file.exists())


# ---- where an edition's confidential inputs are read from (pandas-free: the no-change path uses it) ----

def confidential_folder(project: Project, edition) -> Path:
    """Where an edition's real confidential inputs are put (git-ignored)."""
    return project.restricted / str(edition.data_year)


def demo_folder(project: Project, edition) -> Path:
    """Where `--demo` writes the seeded synthetic stand-in for the confidential inputs (git-ignored)."""
    return project.demo / str(edition.data_year)


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
