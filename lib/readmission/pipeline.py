"""Running an edition: one country's notebook, then (see run_edition) every country and the summary."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from .data.codes import country_name, is_country
from .errors import InputError
from .execute import STAGING, clean_notebook, clear_staging, move_into_place, run_papermill, write_notebook
from .params import Edition
from .project import Project
from .report import RunReport, countries_dir  # noqa: F401  (re-exported)

KOSOVO_FOOTNOTE = ("*This designation is without prejudice to positions on status, and is in line "
                   "with UNSCR 1244/1999 and the ICJ Opinion on the Kosovo declaration of independence.")


@dataclass(frozen=True)
class CountryOutcome:
    """How one country's run ended: its files, or the error that stopped it."""

    country: str
    ok: bool
    notebook: Path | None
    error: str = ""
    log: Path | None = None


def check_country_code(code: str, states: list[str]) -> str:
    """A third country's Eurostat code, checked before any kernel starts (no code injection)."""
    if not isinstance(code, str) or not is_country(code):
        raise InputError.single("command line", f"{code!r} is not a Eurostat country code "
                                "(two capital letters, e.g. IQ, PK, XK)", field="country")
    if code in states:
        raise InputError.single("command line", f"{code} is a reporting state, not a third country",
                                field="country")
    return code


def log_path(project: Project, edition: Edition, country: str) -> Path:
    return project.root / "logs" / str(edition.data_year) / f"{country}.log"


def front_matter(results: dict) -> dict:
    """Title and listing fields of a country page, from its results file."""
    public = results["public"]
    rate = public["eu_return_rate"]["rate"]
    matter = {
        "title": public["name"],
        "country": public["country"],
        "level": public["level"],
        "decisions": public["return_decisions"],
        "return-rate": None if rate is None else round(rate * 100, 1),
        "instrument": public["strongest_instrument"].replace("_", " "),
    }
    if public["country"] == "XK":
        matter["description"] = KOSOVO_FOOTNOTE
    if public["synthetic_label"]:
        matter["subtitle"] = public["synthetic_label"]
    return matter


def notebook_parameters(project: Project, edition: Edition, country: str, public_dir: Path,
                        restricted_dir: Path | None) -> dict:
    """papermill parameters; paths relative to notebooks/ so executed notebooks do not vary by machine."""
    rel = lambda p: os.path.relpath(Path(p).resolve(), project.notebooks.resolve())  # noqa: E731
    return {"country": country, "year": edition.data_year, "public_dir": rel(public_dir),
            "restricted_dir": rel(restricted_dir) if restricted_dir else "",
            "results_dir": f"countries/{STAGING}/{country}"}


def run_country(project: Project, edition: Edition, country: str, public_dir: Path | None = None,
                restricted_dir: Path | None = None, warm: bool = False) -> CountryOutcome:
    """Execute the country notebook for one country; files move into place only when complete."""
    out = countries_dir(project)
    staging = out / STAGING / country
    clear_staging(staging)
    staging.mkdir(parents=True)
    notebook = staging / f"{country}.ipynb"
    log = log_path(project, edition, country)
    log.parent.mkdir(parents=True, exist_ok=True)
    params = notebook_parameters(project, edition, country, public_dir or project.public, restricted_dir)
    try:
        nb = run_papermill(project.notebooks / "country.ipynb", notebook, params, project.notebooks, log, warm)
        results = json.loads((staging / f"{country}.json").read_text(encoding="utf-8"))
        write_notebook(clean_notebook(nb, front_matter(results)), notebook)
        move_into_place([staging / f"{country}.json", staging / f"{country}.csv", notebook], out)
    except Exception as exc:  # a failing country must not stop the others: report it
        message = f"{type(exc).__name__}: {str(exc).strip().splitlines()[-1] if str(exc).strip() else ''}"
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(f"\nFAILED: {exc}\n")
        return CountryOutcome(country, False, None, message, log)
    finally:
        clear_staging(staging)
    return CountryOutcome(country, True, out / f"{country}.ipynb", "", log)


def page_title(country: str) -> str:
    return country_name(country)


# ---- a whole edition ----

def _run_country_task(root: str, year: int, country: str, public_dir: str | None,
                      restricted_dir: str | None, warm: bool) -> CountryOutcome:
    """Worker entry point (a separate process): one country's notebook."""
    from .params import load_edition

    project = Project(Path(root))
    return run_country(project, load_edition(year, project), country,
                       Path(public_dir) if public_dir else None,
                       Path(restricted_dir) if restricted_dir else None, warm)


def execute_countries(project: Project, edition: Edition, countries: list[str], workers: int,
                      public_dir: Path | None, restricted_dir: Path | None, progress=None,
                      warm: bool = True) -> list[CountryOutcome]:
    """Run countries in parallel worker processes; `progress(outcome)` is called as each ends."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    outcomes = []
    if not countries:
        return outcomes
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=max(1, workers), mp_context=context) as pool:
        futures = {pool.submit(_run_country_task, str(project.root), edition.data_year, code,
                               str(public_dir) if public_dir else None,
                               str(restricted_dir) if restricted_dir else None, warm): code
                   for code in countries}
        for future in as_completed(futures):
            try:
                outcome = future.result()
            except Exception as exc:  # the worker itself died
                outcome = CountryOutcome(futures[future], False, None, f"{type(exc).__name__}: {exc}")
            outcomes.append(outcome)
            if progress:
                progress(outcome)
    return sorted(outcomes, key=lambda o: o.country)
