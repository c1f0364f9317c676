"""An edition's public inputs: bring them into data/public, record their manifest, select countries;
and what one country's notebook reads, checked before its kernel starts (`readmission country`)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from ..base.errors import InputError
from ..base.paths import Project, confidential_source, demo_folder
from ..base.outputs import write_csv, write_json
from ..data import eurostat, snapshot
from ..data.confidential import load_confidential
from ..data.demo import make_demo, write_demo
from ..data.fetch import fetch_datasets
from ..data.reference import load_reference
from ..inputs.loading import PublicData, load_public, reference_tables  # reference tables: read once per process
from ..method.indicators import countries_return_rates
from ..method.selection import (Selection, check_decisions_year, depends_on_state, outside_reason,
                                select_countries)
from ..settings.judgement import load_country_params
from ..settings.limits import load_limits
from ..settings.params import Edition, Method, load_method


def prepare_public_data(project: Project, snapshot_dir: Path | None, fetch: bool = False,
                        progress=None) -> list[dict]:
    """Import the snapshot when it exists (verified), else fetch from Eurostat; return the manifest."""
    if snapshot_dir is not None and Path(snapshot_dir).exists() and not fetch:
        return snapshot.import_snapshot(Path(snapshot_dir), project.public)

    fetch_datasets(project.public, progress=progress)
    return snapshot.input_manifest(project.public)


def edition_dir(project: Project, edition: Edition) -> Path:
    return project.edition_results(edition.data_year)


def record_manifest(project: Project, edition: Edition, manifest: list[dict] | None = None) -> list[str]:
    """Write the inputs' manifest for this edition; return how it differs from the last run's."""
    path = edition_dir(project, edition) / "inputs.json"
    manifest = manifest if manifest is not None else snapshot.input_manifest(project.public)
    changes: list[str] = []
    if path.exists():
        previous = json.loads(path.read_text(encoding="utf-8"))
        changes = snapshot.compare_manifests(previous.get("inputs", []), manifest)
    write_json(path, {"edition": edition.as_dict(), "inputs": manifest})
    return changes


def require_public_data(project: Project) -> None:
    """Stop with what to type when data/public has no return decisions yet (a new checkout)."""
    path = project.public / eurostat.DATASET_FILES["migr_eiord"]
    if not path.exists():
        raise InputError.single(path, "no public statistics yet: import the offline snapshot with "
                                "`readmission data import` (or `make report`), or fetch them with "
                                "`readmission data fetch`, then run this again")


def compute_selection(project: Project, edition: Edition,
                      decisions: eurostat.EurostatTable | None = None) -> Selection:
    """Select the edition's countries from data/public's return decisions (`decisions` when the
    caller has read them already; nothing written)."""
    return select_countries(edition, return_decisions(project, decisions).observations, reference_tables(project),
                            load_method(project).near_miss_share)


def return_decisions(project: Project, decisions: eurostat.EurostatTable | None = None) -> eurostat.EurostatTable:
    """data/public's return decisions, or `decisions` when the caller has read them already."""
    if decisions is not None:
        return decisions
    require_public_data(project)
    return eurostat.load_return_decisions(project.public, eurostat.load_caveats(project.reference))


def uk_dependence(project: Project, selection: Selection, decisions: eurostat.EurostatTable | None = None) -> dict:
    """The countries whose selection depends on counting the United Kingdom among the reporting states."""
    return depends_on_state(selection, return_decisions(project, decisions).observations, reference_tables(project),
                            load_method(project).near_miss_share, "UK")


def write_selection(project: Project, selection: Selection, depends_on_uk: dict | None = None) -> None:
    """selection.csv (every candidate with its numbers) and selection.json (the outcome, and which
    countries' selection depends on the United Kingdom being a reporting state)."""
    edition = selection.edition
    out = edition_dir(project, edition)
    write_csv(out / "selection.csv", selection.candidates)
    write_json(out / "selection.json", {
        "edition": edition.as_dict(),
        "selected": selection.codes,
        "reporting_states": selection.reporting_states,
        "near_misses": selection.near_misses["country"].tolist(),
        "excluded_visa_free": selection.visa_free_excluded["country"].tolist(),
        "source": {"dataset": "migr_eiord", "file": eurostat.DATASET_FILES["migr_eiord"]},
        "reporting_basis": edition.reporting_basis,
        "depends_on_uk": depends_on_uk or {"enter_without": [], "leave_without": []},
    })


def run_selection(project: Project, edition: Edition) -> Selection:
    """Select the edition's countries and write the selection files."""
    selection = compute_selection(project, edition)
    write_selection(project, selection, uk_dependence(project, selection))
    return selection


def public_rates(public: PublicData, countries: list[str], year: int, states: list[str],
                 method: Method) -> pd.DataFrame:
    """Return decisions and effective return rate per state x country: what the demo builds on."""
    table = countries_return_rates(public.decisions.observations, public.returns.observations, countries,
                                   year, states, method.absent_returns, method.small_numbers)
    frame = table.rename(columns={"citizen": "country"})[
        ["reporting_state", "country", "return_decisions", "effective_return_rate"]]
    frame["effective_return_rate"] = frame["effective_return_rate"].astype("Float64").astype(float)
    return frame


def write_demo_set(project: Project, edition: Edition, method: Method, countries: list[str],
                   public: PublicData, states: list[str]) -> Path:
    """Write the seeded synthetic demo set for `countries` to data/restricted/out/demo/<year>/ and return the folder."""
    rates = public_rates(public, countries, edition.data_year, states, method)
    folder = demo_folder(project, edition)
    write_demo(make_demo(rates, edition.data_year), folder)
    return folder


def check_country_inputs(project: Project, edition, code: str, states: list[str],
                         public_dir: Path | None, restricted_dir: Path | None, demo: bool) -> None:
    """What the country notebook reads, checked before a kernel starts; every problem at once.

    A folder given with --restricted-dir must hold the confidential files (a typo must not fall
    back to the synthetic demo). Confidential files hold rows for the edition's other countries
    too, so they are checked without restricting the country.
    """
    checks = [lambda: load_method(project), lambda: load_country_params(project, code),
              lambda: load_public(Path(public_dir or project.public), [], project.reference, project.cache)]
    if not demo:  # real files must be there and valid; the demo set is written by the run itself
        checks.append(lambda: load_confidential(confidential_source(project, edition, restricted_dir, False),
                                                set(states), year=edition.data_year,
                                                limits=load_limits(project)))
    problems = []
    for check in checks:
        try:
            check()
        except InputError as exc:
            problems += exc.problems
    if problems:
        raise InputError(problems)


def check_edition_scope(project: Project, edition, code: str, public_dir: Path | None,
                        outside_selection: bool) -> list[str]:
    """The data year has return decisions, and the country is in the edition's selection (or the
    run asks for one outside it): checked before a kernel starts, so nothing is read as 0.
    Returns the edition's selected countries."""
    decisions = load_public(Path(public_dir or project.public), [], project.reference, project.cache).decisions
    check_decisions_year(decisions.observations, edition.data_year,
                         f"Edition {edition.data_year} rates {edition.data_year}'s return decisions")
    selection = select_countries(edition, decisions.observations, load_reference(project.reference),
                                 load_method(project).near_miss_share)
    why = outside_reason(selection, code)
    if why and not outside_selection:
        raise InputError.single("command line", f"{why}. Run it anyway with --outside-selection "
                                "(its page then says that it is outside the selection, and why)",
                                field="code")
    return selection.codes
