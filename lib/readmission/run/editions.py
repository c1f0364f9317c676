"""An edition's public inputs: bring them into data/public, record their manifest, select countries."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..base.errors import InputError
from ..base.paths import Project, demo_folder
from ..base.outputs import write_csv, write_json
from ..data import eurostat, snapshot
from ..data.demo import make_demo
from ..inputs.loading import PublicData
from ..method.indicators import countries_return_rates
from ..method.selection import Selection, depends_on_state, select_countries
from ..settings.params import Edition, Method, load_method


def prepare_public_data(project: Project, snapshot_dir: Path | None, fetch: bool = False,
                        progress=None) -> list[dict]:
    """Import the snapshot when it exists (verified), else fetch from Eurostat; return the manifest."""
    if snapshot_dir is not None and Path(snapshot_dir).exists() and not fetch:
        return snapshot.import_snapshot(Path(snapshot_dir), project.public)
    from ..data.fetch import fetch_datasets  # only needed online

    fetch_datasets(project.public, progress=progress)
    return snapshot.input_manifest(project.public)


def edition_dir(project: Project, edition: Edition) -> Path:
    return project.edition_results(edition.data_year)


def record_manifest(project: Project, edition: Edition, manifest: list[dict] | None = None) -> list[str]:
    """Write the inputs' manifest for this edition; return how it differs from the last run's."""
    import json

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
    from ..inputs.loading import reference_tables  # read once per process, shared with the run's inputs

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
    from ..inputs.loading import reference_tables

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
    from ..data.demo import write_demo

    rates = public_rates(public, countries, edition.data_year, states, method)
    folder = demo_folder(project, edition)
    write_demo(make_demo(rates, edition.data_year), folder)
    return folder
