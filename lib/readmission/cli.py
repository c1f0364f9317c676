"""The `readmission` command line: data, select, country, run, render, report."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .errors import InputError
from .outputs import OutputError
from .params import DEFAULT_EDITION, load_edition
from .project import Project

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
AudienceOption = typer.Option("public", "--audience", help="public: confidential values only as "
                              "EU-level aggregates and levels; restricted: everything.")


def check_audience(audience: str) -> str:
    if audience not in ("public", "restricted"):
        raise InputError.single("command line", f"{audience!r} is not an audience (public, restricted)",
                                field="audience")
    return audience


def _known_failures():
    from .data.fetch import FetchError
    from .selection import MissingDataError
    from .site import QuartoMissing, RenderError

    return (InputError, MissingDataError, OutputError, FetchError, QuartoMissing, RenderError)


def friendly_errors(command):
    """Turn known input/output problems into a clear message and exit code 2, not a traceback."""
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except _known_failures() as exc:
            # escaped: the message quotes input values, which rich must not read as markup
            err_console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False,
                              soft_wrap=True)
            raise typer.Exit(2) from None
    return wrapper


@data_app.command("import")
@friendly_errors
def data_import(source: Path = typer.Argument(DEFAULT_SNAPSHOT, help="Snapshot folder.")):
    """Copy a verified offline snapshot into data/public (checksums checked first)."""
    from .data.snapshot import import_snapshot

    project = Project.default()
    # never falls back to a download: a mistyped folder is an error, not a fetch
    manifest = import_snapshot(source, project.public)
    console.print(f"imported {len(manifest)} files from {source} into {project.public}")


@data_app.command("fetch")
@friendly_errors
def data_fetch():
    """Download current extracts of migr_eiord, migr_eirtn, migr_asyappctza from Eurostat."""
    from . import editions

    project = Project.default()
    manifest = editions.prepare_public_data(project, None, fetch=True)
    console.print(f"fetched {len(manifest)} files into {project.public}")


@data_app.command("check")
@friendly_errors
def data_check(year: int = YearOption,
               restricted_dir: Optional[Path] = typer.Option(
                   None, help="Confidential inputs (default data/restricted/<year>).")):
    """Validate the confidential inputs of an edition and show each state's completeness."""
    from .data.confidential import completeness, load_confidential
    from .data.reference import load_reference, reporting_states_on
    from . import editions

    project = Project.default()
    edition = load_edition(year, project)
    folder = restricted_dir or project.restricted / str(year)
    if not folder.is_dir():
        raise InputError.single(folder, "no confidential inputs here: put readmission_statistics "
                                "and questionnaire files (see data/templates/README.md) in this folder")
    states = reporting_states_on(load_reference(project.reference).reporting_states,
                                 edition.reference_date)["eurostat_code"].tolist()
    inputs = load_confidential(folder, set(states))
    codes = editions.compute_selection(project, edition).codes
    table = completeness(inputs, states, codes, year)
    wide = table.pivot(index="reporting_state", columns="file", values="share_filled")
    rows = table.pivot(index="reporting_state", columns="file", values="rows_present")
    out = Table(title=f"Confidential inputs in {folder}: completeness over {len(codes)} selected countries"
                + (" (SYNTHETIC)" if inputs.synthetic else ""))
    for column in ["state", "statistics rows", "statistics filled", "questionnaire rows", "questionnaire filled"]:
        out.add_column(column, justify="left" if column == "state" else "right")
    for state in states:
        out.add_row(state, str(rows.loc[state, "readmission_statistics"]),
                    f"{wide.loc[state, 'readmission_statistics']:.0%}",
                    str(rows.loc[state, "questionnaire"]), f"{wide.loc[state, 'questionnaire']:.0%}")
    console.print(out)
    for warning in inputs.warnings:
        console.print(f"warning: {warning}", markup=False)
    console.print("valid: every row passed the checks")


def selection_table(selection) -> Table:
    import pandas as pd

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
    from . import editions

    project = Project.default()
    edition = load_edition(year, project)
    selection = editions.run_selection(project, edition)
    console.print(selection_table(selection))
    console.print(f"{len(selection.codes)} countries selected; written to "
                  f"{editions.edition_dir(project, edition)}/selection.csv")


def check_country_inputs(project: Project, edition, code: str, states: list[str],
                         public_dir: Optional[Path], restricted_dir: Optional[Path]) -> None:
    """What the country notebook reads, checked before a kernel starts; every problem at once.

    A folder given with --restricted-dir must hold the confidential files (a typo must not fall
    back to the synthetic demo). Confidential files hold rows for the edition's other countries
    too, so they are checked without restricting the country.
    """
    from .data.confidential import load_confidential
    from .inputs import confidential_folder, load_public
    from .params import load_country_params, load_method

    folder = Path(restricted_dir) if restricted_dir else confidential_folder(project, edition)
    checks = [lambda: load_method(project), lambda: load_country_params(project, code),
              lambda: load_public(Path(public_dir or project.public), [], project.reference)]
    if restricted_dir is not None or any(folder.glob("questionnaire.*")) or \
            any(folder.glob("readmission_statistics.*")):
        checks.append(lambda: load_confidential(folder, set(states)))
    problems = []
    for check in checks:
        try:
            check()
        except InputError as exc:
            problems += exc.problems
    if problems:
        raise InputError(problems)


def check_edition_scope(project: Project, edition, code: str, public_dir: Optional[Path],
                        outside_selection: bool) -> None:
    """The data year has return decisions, and the country is in the edition's selection (or the
    run asks for one outside it): checked before a kernel starts, so nothing is read as 0."""
    from .inputs import load_public
    from .params import load_method
    from .selection import check_decisions_year, outside_reason, select_countries
    from .data.reference import load_reference

    decisions = load_public(Path(public_dir or project.public), [], project.reference).decisions
    check_decisions_year(decisions.observations, edition.data_year,
                         f"Edition {edition.data_year} rates {edition.data_year}'s return decisions")
    selection = select_countries(edition, decisions.observations, load_reference(project.reference),
                                 load_method(project).near_miss_share)
    why = outside_reason(selection, code)
    if why and not outside_selection:
        raise InputError.single("command line", f"{why}. Run it anyway with --outside-selection "
                                "(its page then says that it is outside the selection, and why)",
                                field="code")


@app.command()
@friendly_errors
def country(code: str = typer.Argument(..., help="Eurostat code of the third country, e.g. IQ."),
            year: int = YearOption,
            public_dir: Optional[Path] = typer.Option(None, help="Public data (default data/public)."),
            restricted_dir: Optional[Path] = typer.Option(
                None, help="Confidential inputs (default data/restricted/<year>, else the demo)."),
            audience: str = AudienceOption,
            outside_selection: bool = typer.Option(
                False, "--outside-selection", help="Run a country the edition did not select; "
                "its page says so and why.")):
    """Run the country notebook for one country into notebooks/countries/<CODE>.ipynb."""
    from .data.reference import load_reference, reporting_states_on
    from .pipeline import check_country_code, run_country

    project = Project.default()
    edition = load_edition(year, project)
    states = reporting_states_on(load_reference(project.reference).reporting_states,
                                 edition.reference_date)["eurostat_code"].tolist()
    code = check_country_code(code.strip().upper() if code.strip().isalpha() else code, states)
    audience = check_audience(audience)
    check_country_inputs(project, edition, code, states, public_dir, restricted_dir)
    check_edition_scope(project, edition, code, public_dir, outside_selection)
    with console.status(f"running the {code} notebook for {year}"):
        outcome = run_country(project, edition, code, public_dir, restricted_dir,
                              audience=audience, outside_selection=outside_selection)
    if not outcome.ok:
        err_console.print(f"[bold red]{code} failed:[/] {escape(outcome.error)} (log: {outcome.log})",
                          highlight=False, soft_wrap=True)
        raise typer.Exit(1)
    console.print(f"{code}: {outcome.notebook} (log: {outcome.log})")


def _cores() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def run_with_progress(year: int, workers: int, force: bool, snapshot: Optional[Path],
                      audience: str = "public"):
    """Prepare the data, then run the edition under one progress bar; return the report."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from .edition_run import run_edition

    project = Project.default()
    edition = load_edition(year, project)
    if snapshot is not None:
        from .data.snapshot import import_snapshot

        import_snapshot(snapshot, project.public)  # a missing folder is an error, never a fetch
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console, transient=False) as bar:
        task = bar.add_task(f"edition {year}: selecting countries", total=None)

        def on_start(pending: int, total: int) -> None:
            bar.update(task, total=pending, description=f"edition {year}: {pending} of {total} "
                       "countries to run (the rest are up to date)")

        def progress(outcome) -> None:
            if not outcome.ok:
                bar.console.print(f"[red]{outcome.country} failed:[/] {escape(outcome.error)} "
                                  f"(log: {outcome.log})", highlight=False, soft_wrap=True)
            bar.advance(task)

        report = run_edition(project, edition, workers, force, progress=progress, on_start=on_start,
                             audience=audience)
    for note in report.notes:
        console.print(f"note: {note}")
    console.print(f"{len(report.selected)} countries: {len(report.executed)} run, {len(report.reused)} "
                  f"up to date, {len(report.failed)} failed; summary: {report.summary or 'FAILED'}")
    return project, report


@app.command()
@friendly_errors
def run(year: int = YearOption,
        workers: int = typer.Option(0, min=0, help="Parallel countries (0 = number of cores)."),
        force: bool = typer.Option(False, "--force", help="Re-run every country, even if up to date."),
        snapshot: Optional[Path] = typer.Option(None, help="Import this snapshot folder first."),
        audience: str = AudienceOption):
    """Run the whole edition: selection, every country's notebook, then the summary."""
    _, report = run_with_progress(year, workers or _cores(), force, snapshot, check_audience(audience))
    if not report.ok:
        failed = ", ".join(o.country for o in report.failed) or "summary"
        err_console.print(f"[bold red]run finished with failures:[/] {failed}")
        raise typer.Exit(1)


@app.command()
@friendly_errors
def render():
    """Render the report site with Quarto (the notebooks are not executed again)."""
    from .site import render as render_site

    site = render_site(Project.default())
    console.print(f"site rendered: {site}/index.html")


@app.command()
@friendly_errors
def report(year: int = YearOption,
           workers: int = typer.Option(0, min=0, help="Parallel countries (0 = number of cores)."),
           force: bool = typer.Option(False, "--force", help="Re-run every country."),
           snapshot: Path = typer.Option(DEFAULT_SNAPSHOT, help="Offline snapshot; fetched from "
                                         "Eurostat when this folder does not exist."),
           audience: str = AudienceOption):
    """The whole assessment: data (import or fetch), run, then render the site if Quarto is there."""
    from . import editions
    from .site import QuartoMissing, render as render_site

    project = Project.default()
    if not snapshot.exists():
        console.print(f"no snapshot at {snapshot}: fetching from Eurostat")
    editions.prepare_public_data(project, snapshot if snapshot.exists() else None)
    _, result = run_with_progress(year, workers or _cores(), force, None, check_audience(audience))
    try:
        site = render_site(project)
        console.print(f"site rendered: {site}/index.html")
    except QuartoMissing as exc:
        console.print(f"[yellow]site step skipped:[/] {exc}")
    if not result.ok:
        raise typer.Exit(1)


def main() -> None:  # pragma: no cover - console entry point
    app()
