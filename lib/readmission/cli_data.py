"""`readmission data`: the public statistics brought in (a verified snapshot, or Eurostat's API) and
cached for the first run, and the confidential inputs of an edition checked."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.table import Table
from rich.text import Text

from .base.errors import InputError
from .base.paths import Project, confidential_source, demo_folder, has_confidential_files
from .cli import SNAPSHOT_HELP, YearOption, console, data_app, default_snapshot, exclusive, flagged, friendly_errors
from .data.snapshot import import_snapshot
from .settings.limits import load_limits
from .settings.params import load_edition


# Each module a command needs loads when the command runs, in one function here: none is needed to
# start the CLI (`readmission --help`, ~0.3 s).

def _loading():
    """inputs/loading.py, with pandas and pandera (~0.4 s): `data import`, `data fetch` and `data check`."""
    from .inputs import loading
    return loading


def _editions():
    """run/editions.py, with pandas and pandera (~0.4 s): `data fetch` and `data check`."""
    from .run import editions
    return editions


def _confidential():
    """data/confidential.py, with pandas and pandera (~0.5 s): `data check`."""
    from .data import confidential
    return confidential


def _coverage_lines(inputs, states: list[str], codes: list[str], year: int) -> list[str]:
    """What `data check` notes about coverage (data/coverage.py, with pandas: loaded with the command)."""
    from .data.coverage import coverage_lines
    return coverage_lines(inputs, states, codes, year)


@data_app.command("import")
@friendly_errors
@exclusive
def data_import(source: Optional[Path] = typer.Argument(None, help=SNAPSHOT_HELP, show_default=False)):
    """Copy a verified offline snapshot into data/public (checksums checked first)."""
    load_public = _loading().load_public
    project = Project.default()
    source = default_snapshot(project, source)
    # never falls back to a download: a mistyped folder is an error, not a fetch; data the loaders
    # refuse are an error too, and data/public keeps the files a run can read
    manifest = import_snapshot(source, project.public,
                               validate=lambda folder: load_public(folder, [], project.reference))
    console.print(Text(f"imported {len(manifest)} files from {source} into {project.public}"))
    cache_public(project)


@data_app.command("fetch")
@friendly_errors
@exclusive
def data_fetch():
    """Download current extracts of migr_eiord, migr_eirtn, migr_asyappctza from Eurostat."""
    project = Project.default()
    manifest = _editions().prepare_public_data(project, None, fetch=True)
    console.print(Text(f"fetched {len(manifest)} files into {project.public}"))
    cache_public(project)


def cache_public(project: Project) -> None:
    """The new public data read, validated and cached for the first run. `data import` refused any
    file the loaders refuse before copying it; after `data fetch` such a file is reported here as
    a warning (the data stay fetched: a run stops on it, naming file and row)."""
    try:
        _loading().store_public(project)
    except InputError as exc:
        console.print(flagged("warning: ", "yellow", f"the imported data do not validate: {exc}"),
                      highlight=False, soft_wrap=True)


@data_app.command("check")
@friendly_errors
def data_check(year: int = YearOption,
               restricted_dir: Optional[Path] = typer.Option(
                   None, help="Confidential inputs (default data/restricted/<year>).")):
    """Validate the confidential inputs of an edition and show each state's completeness."""
    confidential, editions = _confidential(), _editions()
    project = Project.default()
    edition = load_edition(year, project)
    # whichever set exists: the real files, else the demo set a `--demo` run wrote
    demo = restricted_dir is None and not has_confidential_files(project.restricted / str(year)) \
        and has_confidential_files(demo_folder(project, edition))
    folder = confidential_source(project, edition, restricted_dir, demo)
    states = _loading().edition_states(project, edition)
    inputs = confidential.load_confidential(folder, set(states), year=year, limits=load_limits(project))
    codes = editions.compute_selection(project, edition).codes
    table = confidential.completeness(inputs, states, codes, year)
    wide = table.pivot(index="reporting_state", columns="file", values="share_filled")
    rows = table.pivot(index="reporting_state", columns="file", values="rows_present")
    out = Table(title=Text(f"Confidential inputs in {folder}: completeness over {len(codes)} "
                           "selected countries" + (" (SYNTHETIC)" if inputs.synthetic else "")))
    for column in ["state", "statistics rows", "statistics filled", "questionnaire rows", "questionnaire filled"]:
        out.add_column(column, justify="left" if column == "state" else "right")
    for state in states:
        out.add_row(state, str(rows.loc[state, "readmission_statistics"]),
                    f"{wide.loc[state, 'readmission_statistics']:.0%}",
                    str(rows.loc[state, "questionnaire"]), f"{wide.loc[state, 'questionnaire']:.0%}")
    console.print(out)
    for warning in inputs.warnings:
        console.print(Text(f"warning: {warning}"))
    for line in _coverage_lines(inputs, states, codes, year):
        console.print(Text(f"note: {line}"), soft_wrap=True)
    console.print("valid: every row passed the checks")
