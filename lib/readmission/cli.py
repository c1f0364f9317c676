"""The `readmission` command line: data, select, country, run, render, report."""

from __future__ import annotations

import functools
import os
import signal
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from .base.errors import InputError, quote
from .base.lock import LockHeld, project_lock
from .base.outputs import OutputError, environment_fault
from .settings.params import DEFAULT_EDITION, load_edition
from .base.paths import AUDIENCES, Project
from .data.snapshot import import_snapshot
from .run import edition_run
from .run.dry_run import dry_run as what_would_run

app = typer.Typer(help="Article 25a Visa Code assessment of cooperation on readmission.",
                  no_args_is_help=True, add_completion=False)
data_app = typer.Typer(help="Public statistics: import a snapshot or fetch from Eurostat.",
                       no_args_is_help=True)
app.add_typer(data_app, name="data")
# emoji off: user data such as ':x:' must print as typed; user text is printed as Text (no markup)
console = Console(emoji=False)
err_console = Console(stderr=True, emoji=False)

def flagged(label: str, style: str, text: str) -> Text:
    """A styled label, then user text printed as typed (no markup, no emoji)."""
    return Text(label, style=style) + Text(text)


NEAR_MISSES_SHOWN = 10
SNAPSHOT_HELP = "Snapshot folder (default: shared/data/snapshot beside the project, from any folder)."


def default_snapshot(project: Project, given: Optional[Path]) -> Path:
    """The snapshot a command reads: the one given, or the project's default, found from the project
    root and never from the working folder (run from notebooks/, '../shared' would be elsewhere)."""
    return given if given is not None else project.default_snapshot
YearOption = typer.Option(DEFAULT_EDITION, "--year", "-y", help="Data year of the edition.")
YearsOption = typer.Option([DEFAULT_EDITION], "--year", "-y",
                           help="Data year of an edition (repeat the option for several).")
AudienceOption = typer.Option("public", "--audience", help="public: confidential values only as "
                              "EU-level aggregates and levels (notebooks/, _site/); restricted: "
                              "everything (data/restricted/out/, its site in data/restricted/out/_site/).")
DemoOption = typer.Option(False, "--demo", help="Use the seeded synthetic demo set (written to "
                          "data/restricted/out/demo/<year>/, labelled illustrative) instead of real confidential files.")


# What a command needs beyond typer, rich, base/ and settings/ loads when the command runs, each module
# in one function below: none of it is needed to start the CLI (`readmission --help`, ~0.3 s).

def _editions():
    """run/editions.py, with pandas and pandera (~0.4 s): the select, country and report commands."""
    from .run import editions
    return editions


def _loading():
    """inputs/loading.py, with pandas and pandera (~0.4 s): the country command."""
    from .inputs import loading
    return loading


def _pipeline():
    """run/pipeline.py, with papermill and nbformat (~1 s): the country command."""
    from .run import pipeline
    return pipeline


def _site():
    """publish/site.py, with nbformat and pandas (~2 s): the render and report commands, and its errors."""
    from .publish import site
    return site


def _shown_candidates(candidates):
    """The candidates the select command shows; pandas (~0.3 s) loads with it."""
    import pandas as pd
    return pd.concat([candidates[candidates["outcome"].isin(["selected", "excluded: visa-free"])],
                      candidates[candidates["outcome"] == "near miss"].head(NEAR_MISSES_SHOWN)])


def check_audience(audience: str) -> str:
    if audience not in AUDIENCES:
        raise InputError.single("command line", f"{quote(audience)} is not an audience (public, restricted)",
                                field="audience")
    return audience


def _known_failures():
    """The failures a command reports in one line; their modules (pandas, nbformat: ~2 s) load only once
    a command has failed."""
    from .publish.bundle import BundleError
    from .data.fetch import FetchError
    from .method.selection import MissingDataError
    from .publish.gate import PublishRefused
    return (InputError, MissingDataError, OutputError, FetchError, _site().QuartoMissing, _site().RenderError,
            PublishRefused, LockHeld, BundleError)


def friendly_errors(command):
    """Turn known input/output problems into a clear message and exit code 2, not a traceback."""
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except _known_failures() as exc:
            # as Text: the message quotes input values, which rich must not read as markup
            err_console.print(flagged("error: ", "bold red", str(exc)), highlight=False,
                              soft_wrap=True)
            raise typer.Exit(2) from None
        except OSError as exc:  # the machine refused (read-only, full, no permission): one line, exit 2
            if not environment_fault(exc):
                raise
            err_console.print(flagged("error: ", "bold red", f"the machine refused a write ({exc.strerror}: "
                                      f"{exc.filename or 'a file'}); nothing was published"),
                              highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None
    return wrapper


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def exclusive(command):
    """One writing command at a time per project (lock.py); Ctrl-C or SIGTERM stop it with one line.

    Workers and kernels end with the command (kernels.py); a run publishes only when complete,
    so an interrupted one leaves the previous outputs as they were. Exit code 130, as for SIGINT.
    """
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        signal.signal(signal.SIGTERM, _interrupt)
        failed = True
        try:
            with project_lock(Project.default().root, command.__name__.replace("_", " ")):
                result = command(*args, **kwargs)
                failed = False
                return result
        except KeyboardInterrupt:
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the clean-up
            err_console.print(Text("interrupted: nothing published", style="bold red"))
            raise typer.Exit(130) from None
        finally:  # a kernel started early (e.g. while inputs load) ends with the command too
            if "readmission.run.kernels" in sys.modules:
                sys.modules["readmission.run.kernels"].shutdown_warm_kernel(failed)
    return wrapper


def selection_table(selection) -> Table:
    table = Table(title=f"Edition {selection.edition.data_year}: return decisions in "
                        f"{selection.edition.selection_year}, visa status on "
                        f"{selection.edition.reference_date}")
    for column in ["country", "name", "decisions", "states reporting", "outcome"]:
        table.add_column(column, justify="right" if column in {"decisions", "states reporting"} else "left")
    shown = _shown_candidates(selection.candidates).sort_values(["decisions", "country"], ascending=[False, True])
    for row in shown.itertuples():
        table.add_row(row.country, row.name, f"{row.decisions:,}",
                      f"{row.states_reporting}/{row.states_total}", row.outcome)
    return table


@app.command()
@friendly_errors
def select(year: int = YearOption):
    """List the countries an edition assesses, with the numbers behind each inclusion."""
    editions = _editions()
    project = Project.default()
    edition = load_edition(year, project)
    selection = editions.run_selection(project, edition)
    console.print(selection_table(selection))
    console.print(Text(f"{len(selection.codes)} countries selected; written to "
                       f"{editions.edition_dir(project, edition)}/selection.csv"))


@app.command()
@friendly_errors
@exclusive
def country(code: str = typer.Argument(..., help="Eurostat code of the third country, e.g. IQ."),
            year: int = YearOption,
            public_dir: Optional[Path] = typer.Option(None, help="Public data (default data/public)."),
            restricted_dir: Optional[Path] = typer.Option(
                None, help="Confidential inputs (default data/restricted/<year>)."),
            audience: str = AudienceOption, demo: bool = DemoOption,
            outside_selection: bool = typer.Option(
                False, "--outside-selection", help="Run a country the edition did not select; "
                "its page says so and why.")):
    """Run the country notebook for one country into its audience's folder
    (public: notebooks/countries/<year>/<CODE>.ipynb; restricted: data/restricted/out/<year>/countries/)."""
    editions = _editions()
    project = Project.default()
    edition = load_edition(year, project)
    states = _loading().edition_states(project, edition)
    code = _pipeline().check_country_code(code.strip().upper() if code.strip().isalpha() else code, states)
    audience = check_audience(audience)
    codes = editions.check_edition_scope(project, edition, code, public_dir, outside_selection)
    editions.check_country_inputs(project, edition, code, states, public_dir, restricted_dir, demo)
    request = edition_run.RunRequest(edition, audience, 1, False, demo, public_dir, restricted_dir)
    with console.status(f"running the {code} notebook for {year} ({audience})"):
        outcome = edition_run.run_one_country(project, request, code, codes, outside_selection)
    if not outcome.ok:
        err_console.print(flagged(f"{code} failed: ", "bold red", f"{outcome.error} (log: {outcome.log})"),
                          highlight=False, soft_wrap=True)
        raise typer.Exit(1)
    console.print(Text(f"{code}: {outcome.notebook} (log: {outcome.log})"))


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def run_with_progress(year: int, workers: int, force: bool, snapshot: Optional[Path],
                      audience: str = "public", demo: bool = False):
    """Prepare the data, then run the edition under one progress bar; return the report."""
    project = Project.default()
    edition = load_edition(year, project)
    if snapshot is not None:
        import_snapshot(snapshot, project.public)  # a missing folder is an error, never a fetch
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=False) as bar:
        task = bar.add_task(f"edition {year}: selecting and assessing countries", total=None)

        def on_start(pending: int, total: int) -> None:
            bar.update(task, total=pending, description=f"edition {year}: {pending} of {total} "
                       "countries to run (the rest are up to date)")

        def progress(outcome) -> None:
            if not outcome.ok:
                bar.console.print(flagged(f"{outcome.country} failed: ", "red",
                                          f"{outcome.error} (log: {outcome.log})"),
                                  highlight=False, soft_wrap=True)
            bar.advance(task)

        report = edition_run.run_edition(project, edition_run.RunRequest(edition, audience, workers, force, demo),
                                         progress=progress, on_start=on_start)
    for note in report.notes:
        console.print(Text(f"note: {note}"))
    console.print(Text(f"{len(report.selected)} countries: {len(report.executed)} run, "
                       f"{len(report.reused)} up to date, {len(report.failed)} failed; "
                       f"summary: {report.summary or 'FAILED'}"))
    return project, report


@app.command()
@friendly_errors
@exclusive
def run(year: list[int] = YearsOption,
        workers: int = typer.Option(0, min=0, help="Parallel countries (0 = number of cores)."),
        force: bool = typer.Option(False, "--force", help="Re-run every country, even if up to date."),
        snapshot: Optional[Path] = typer.Option(None, help="Import this snapshot folder first."),
        audience: str = AudienceOption, demo: bool = DemoOption,
        dry_run: bool = typer.Option(False, "--dry-run", help="Say what would run and why; run nothing.")):
    """Run whole editions: selection, every country's notebook, then the summary (each edition in
    its own folder; `--year 2014 --year 2015 --year 2016` runs three, oldest first)."""
    if dry_run:
        return print_dry_run(year, force, check_audience(audience), demo)
    if not run_editions(year, workers, force, snapshot, check_audience(audience), demo):
        raise typer.Exit(1)


def print_dry_run(years: list[int], force: bool, audience: str, demo: bool) -> None:
    """What each edition's run would do and why (run/dry_run.py); nothing is run or published."""
    project = Project.default()
    for year in sorted(set(years)):
        request = edition_run.RunRequest(load_edition(year, project), audience, 1, force, demo)
        with console.status(f"edition {year}: working out what would run"):
            lines = what_would_run(project, request)
        console.print(Text("\n".join(lines)), soft_wrap=True)


def run_editions(years: list[int], workers: int, force: bool, snapshot: Optional[Path], audience: str,
                 demo: bool) -> bool:
    """Run each edition in turn (every edition file checked first); True when all succeeded."""
    project = Project.default()
    for year in years:
        load_edition(year, project)
    failures = []
    for index, year in enumerate(sorted(set(years))):
        _, report = run_with_progress(year, workers or _cores(), force, snapshot if index == 0 else None,
                                      audience, demo)
        if not report.ok:
            failures.append(f"{year}: " + (", ".join(o.country for o in report.failed) or "summary"))
    for failure in failures:
        err_console.print(flagged("run finished with failures: ", "bold red", failure))
    return not failures


@app.command()
@friendly_errors
@exclusive
def render(audience: str = AudienceOption,
           year: int = typer.Option(DEFAULT_EDITION, "--year", "-y",
                                    help="Edition of the restricted site (the public site shows all)."),
           require_signoff: bool = typer.Option(False, "--require-signoff", help="Refuse to publish while "
                                                "any country lacks a reviewer's sign-off.")):
    """Render the report site with Quarto (the notebooks are not executed again).

    The public site goes to _site/ after the publish gate; the restricted one to data/restricted/out/_site/."""
    rendered = _site().render(Project.default(), audience=check_audience(audience), year=year,
                              require_signoff=require_signoff)
    cli_outputs.print_rendered(rendered)


@app.command()
@friendly_errors
@exclusive
def report(year: list[int] = YearsOption,
           workers: int = typer.Option(0, min=0, help="Parallel countries (0 = number of cores)."),
           force: bool = typer.Option(False, "--force", help="Re-run every country."),
           snapshot: Optional[Path] = typer.Option(None, help=f"{SNAPSHOT_HELP} Fetched from Eurostat "
                                                   "when this folder does not exist.", show_default=False),
           audience: str = AudienceOption, demo: bool = DemoOption):
    """The whole assessment: data (import or fetch), run, then render the site if Quarto is there.

    `--year` may be repeated: every edition is run, and the site shows them all."""
    editions, site = _editions(), _site()
    project = Project.default()
    snapshot = default_snapshot(project, snapshot)
    if not snapshot.exists():
        console.print(Text(f"no snapshot at {snapshot}: fetching from Eurostat"))
    editions.prepare_public_data(project, snapshot if snapshot.exists() else None)
    audience = check_audience(audience)
    ok = run_editions(year, workers, force, None, audience, demo)
    try:
        cli_outputs.print_rendered(site.render(project, audience=audience, year=max(year)))
    except site.QuartoMissing as exc:
        console.print(flagged("site step skipped: ", "yellow", str(exc)))
    if not ok:
        raise typer.Exit(1)


from . import cli_data, cli_outputs  # noqa: E402,F401  (register `data ...`, document, publish, verify)


def main() -> None:  # pragma: no cover - console entry point
    app()
