"""The `readmission` command line: data, select, country, run, render, report."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Optional

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from . import editions
from .errors import InputError
from .outputs import OutputError
from .params import DEFAULT_EDITION, load_edition
from .project import Project
from .selection import MissingDataError

app = typer.Typer(help="Article 25a Visa Code assessment of cooperation on readmission.",
                  no_args_is_help=True, add_completion=False)
data_app = typer.Typer(help="Public statistics: import a snapshot or fetch from Eurostat.",
                       no_args_is_help=True)
app.add_typer(data_app, name="data")
console = Console()
err_console = Console(stderr=True)

NEAR_MISSES_SHOWN = 10
DEFAULT_SNAPSHOT = Path("../shared/data/snapshot")
YearOption = typer.Option(DEFAULT_EDITION, "--year", "-y", help="Data year of the edition.")


def _known_failures():
    from .data.fetch import FetchError

    return (InputError, MissingDataError, OutputError, FetchError)


def friendly_errors(command):
    """Turn known input/output problems into a clear message and exit code 2, not a traceback."""
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except _known_failures() as exc:
            err_console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None
    return wrapper


@data_app.command("import")
@friendly_errors
def data_import(source: Path = typer.Argument(DEFAULT_SNAPSHOT, help="Snapshot folder.")):
    """Copy a verified offline snapshot into data/public (checksums checked first)."""
    project = Project.default()
    manifest = editions.prepare_public_data(project, source)
    console.print(f"imported {len(manifest)} files from {source} into {project.public}")


@data_app.command("fetch")
@friendly_errors
def data_fetch():
    """Download current extracts of migr_eiord, migr_eirtn, migr_asyappctza from Eurostat."""
    project = Project.default()
    manifest = editions.prepare_public_data(project, None, fetch=True)
    console.print(f"fetched {len(manifest)} files into {project.public}")


def selection_table(selection) -> Table:
    table = Table(title=f"Edition {selection.edition.data_year}: return decisions in "
                        f"{selection.edition.selection_year}, visa status on "
                        f"{selection.edition.reference_date}")
    for column in ["country", "name", "decisions", "states reporting", "outcome"]:
        table.add_column(column, justify="right" if column in {"decisions", "states reporting"} else "left")
    candidates = selection.candidates
    shown = pd.concat([candidates[candidates["outcome"].isin(["selected", "excluded: visa-free"])],
                       candidates[candidates["outcome"] == "near miss"].head(NEAR_MISSES_SHOWN)])
    shown = shown.sort_values(["decisions", "country"], ascending=[False, True])
    for row in shown.itertuples():
        table.add_row(row.country, row.name, f"{row.decisions:,}",
                      f"{row.states_reporting}/{row.states_total}", row.outcome)
    return table


@app.command()
@friendly_errors
def select(year: int = YearOption):
    """List the countries an edition assesses, with the numbers behind each inclusion."""
    project = Project.default()
    edition = load_edition(year, project)
    selection = editions.run_selection(project, edition)
    console.print(selection_table(selection))
    console.print(f"{len(selection.codes)} countries selected; written to "
                  f"{editions.edition_dir(project, edition)}/selection.csv")


@app.command()
@friendly_errors
def country(code: str = typer.Argument(..., help="Eurostat code of the third country, e.g. IQ."),
            year: int = YearOption,
            public_dir: Optional[Path] = typer.Option(None, help="Public data (default data/public)."),
            restricted_dir: Optional[Path] = typer.Option(
                None, help="Confidential inputs (default data/restricted/<year>, else the demo).")):
    """Run the country notebook for one country into notebooks/countries/<CODE>.ipynb."""
    from .data.reference import load_reference, reporting_states_on
    from .pipeline import check_country_code, run_country

    project = Project.default()
    edition = load_edition(year, project)
    states = reporting_states_on(load_reference(project.reference).reporting_states,
                                 edition.reference_date)["eurostat_code"].tolist()
    code = check_country_code(code.strip().upper() if code.strip().isalpha() else code, states)
    with console.status(f"running the {code} notebook for {year}"):
        outcome = run_country(project, edition, code, public_dir, restricted_dir)
    if not outcome.ok:
        err_console.print(f"[bold red]{code} failed:[/] {outcome.error} (log: {outcome.log})")
        raise typer.Exit(1)
    console.print(f"{code}: {outcome.notebook} (log: {outcome.log})")


def main() -> None:  # pragma: no cover - console entry point
    app()
