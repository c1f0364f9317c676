"""Where the editions' outputs go and how they leave the house: what a render published and how to
look at it, the restricted Council document (`document`), the public site's bundle (`publish`) and
its check (`verify`)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.text import Text

from .cli import app, console, err_console, exclusive, flagged, friendly_errors
from .settings.params import DEFAULT_EDITION
from .base.paths import Project
from .publish.site_links import warnings_summary


# Each module a command needs loads when the command runs, in one function here: none is needed to
# start the CLI (`readmission --help`, ~0.3 s).

def _document():
    """publish/document.py, with pypdf, pandas and nbformat (~2 s): the document command."""
    from .publish import document
    return document


def _bundle():
    """publish/bundle.py, with pandas and nbformat (~2 s): the publish and verify commands."""
    from .publish import bundle
    return bundle


@app.command()
@friendly_errors
@exclusive
def document(year: int = typer.Option(DEFAULT_EDITION, "--year", "-y", help="Edition of the document."),
             workers: Optional[int] = typer.Option(None, min=1, help="Parts printed at once.")):
    """Print the restricted Council document: one marked PDF of the edition, from the rendered
    restricted site, into data/restricted/out/<year>/document/ (needs Chromium: docs/document.md)."""
    with console.status(f"printing the {year} Council document (restricted)"):
        path = _document().build_document(Project.default(), year, workers)
    console.print(Text(f"Council document (RESTRICTED): {path}"), soft_wrap=True)


@app.command()
@friendly_errors
@exclusive
def publish(out: Optional[Path] = typer.Option(None, help="Folder of the archive (default dist/).")):
    """Pack the published site (_site/, every edition) into dist/readmission-<version>.tar.gz with its
    SHA256SUMS and manifest; the same commit and inputs give the same bytes."""
    bundle = _bundle()
    archive = bundle.publish(Project.default(), out)
    console.print(Text(f"bundle: {archive}\n  sha256 {bundle.sha256(archive.read_bytes())}\n"
                       f"  check it with: readmission verify {archive}"), soft_wrap=True)


@app.command()
@friendly_errors
def verify(path: Path = typer.Argument(..., help="A bundle (.tar.gz), or the folder it was extracted to.")):
    """Check a bundle against its SHA256SUMS and manifest: any changed, added or missing file fails."""
    problems = _bundle().verify(path)
    if problems:
        for problem in problems:
            err_console.print(flagged("verify: ", "bold red", problem), highlight=False, soft_wrap=True)
        raise typer.Exit(1)
    console.print(Text(f"verified: {path} matches its SHA256SUMS and manifest"), soft_wrap=True)


def print_rendered(rendered) -> None:
    """Where the published site is, how to look at it, and what Quarto warned about."""
    site = rendered.site
    console.print(Text(f"site published: {site}/index.html (rendered: {rendered.rendered})\n"
                       f"  country pages: {site}/notebooks/countries/<year>/<CODE>.html\n"
                       f"  findings: {site}/notebooks/findings/<year>.html\n"
                       f"  to look at it: python -m http.server --bind 127.0.0.1 --directory {site} 8000, "
                       "then open http://127.0.0.1:8000/\n"
                       f"  {warnings_summary(rendered.warnings)}; 0 unresolved links"), soft_wrap=True)
