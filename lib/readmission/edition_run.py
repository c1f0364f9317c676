"""`readmission run`: selection, every country's notebook (incremental, parallel), then the summary.

A run never changes what is published until it is complete: it works in notebooks/.countries-next
(a hard-linked copy of notebooks/countries), and swaps the two folders at the end. A run killed at
any moment leaves the previous outputs in place; the next run clears its leftovers and completes.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

from . import runkeys
from .outputs import OutputError, write_json, write_text_atomic
from .params import Edition, load_method
from .project import Project
from .report import RunReport, countries_dir

# Heavy imports (pandas, papermill, nbformat) wait until something must run, so that a run with
# nothing to do answers in well under a second.

SUMMARY_OUTPUT = Path("executed") / "summary.ipynb"
NEXT, OLD = ".countries-next", ".countries-old"


def recover(project: Project) -> None:
    """Clear what a killed run left: its unfinished next folder, or a swap cut in half."""
    current, next_, old = countries_dir(project), project.notebooks / NEXT, project.notebooks / OLD
    shutil.rmtree(next_, ignore_errors=True)
    if old.exists() and not current.exists():
        os.replace(old, current)
    shutil.rmtree(old, ignore_errors=True)


def start_next(project: Project) -> Path:
    """The run's working folder: the current outputs, hard-linked (cheap; writes replace, never edit)."""
    current, next_ = countries_dir(project), project.notebooks / NEXT
    if current.exists():
        shutil.copytree(current, next_, copy_function=os.link,
                        ignore=shutil.ignore_patterns(".staging"))
    next_.mkdir(parents=True, exist_ok=True)
    return next_


def publish(project: Project, next_: Path, summary_staged: Path | None) -> None:
    """Swap the finished folder into place, then the summary."""
    current, old = countries_dir(project), project.notebooks / OLD
    try:
        if current.exists():
            os.replace(current, old)
        os.replace(next_, current)
        shutil.rmtree(old, ignore_errors=True)
        if summary_staged is not None:
            target = project.notebooks / SUMMARY_OUTPUT
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(current / summary_staged.name, target)
    except OSError as exc:
        raise OutputError(f"cannot publish the run's outputs in {project.notebooks}: "
                          f"{exc.strerror or exc}") from exc


def record_outcome(out: Path, outcome, key: str) -> None:
    """Store the key of a finished country; replace a failed country's page with a failure page."""
    from .data.codes import country_name
    from .execute import write_notebook
    from .site import failure_notebook

    key_file = runkeys.keys_dir(out) / f"{outcome.country}.key"
    if outcome.ok:
        write_text_atomic(key_file, key + "\n")
        return
    key_file.unlink(missing_ok=True)
    for ext in ("json", "csv"):
        (out / f"{outcome.country}.{ext}").unlink(missing_ok=True)
    write_notebook(failure_notebook(outcome.country, country_name(outcome.country), outcome.error),
                   out / f"{outcome.country}.ipynb")


def remove_stale(out: Path, selected: list[str]) -> list[str]:
    """Remove outputs of countries the edition no longer selects, so the site does not list them."""
    stale = sorted({p.stem for p in out.glob("*.ipynb")} - set(selected))
    for code in stale:
        for ext in ("ipynb", "json", "csv"):
            (out / f"{code}.{ext}").unlink(missing_ok=True)
        (runkeys.keys_dir(out) / f"{code}.key").unlink(missing_ok=True)
    return stale


def run_summary(project: Project, edition: Edition, out: Path, run: dict, force: bool) -> Path | None:
    """Execute the summary over the countries' results into `out`, unless nothing it reads changed.

    Returns the staged notebook, or None when the published summary is still current.
    """
    from .execute import clean_notebook, run_papermill, write_notebook
    from .pipeline import log_path, restricted_store

    store = restricted_store(project, edition)
    key_file = runkeys.keys_dir(out) / "summary.key"
    reads = b"".join(p.read_bytes() for c in run["countries"]
                     for p in (out / f"{c['country']}.json", store / f"{c['country']}.json") if p.exists())
    key = hashlib.sha256(runkeys.code_digest(project).encode() + runkeys.settings_digest(
        project, edition.data_year).encode() + json.dumps(run, sort_keys=True).encode() + reads).hexdigest()
    current = project.notebooks / SUMMARY_OUTPUT
    if not force and current.exists() and key_file.exists() and key_file.read_text().strip() == key:
        return None
    staged = out / ".summary.ipynb"
    rel = lambda p: os.path.relpath(p, project.notebooks)  # noqa: E731
    nb = run_papermill(project.notebooks / "summary.ipynb", staged,
                       {"countries_dir": rel(out), "restricted_dir": rel(store)},
                       project.notebooks, log_path(project, edition, "summary"), warm=True)
    write_notebook(clean_notebook(nb, None), staged)
    write_text_atomic(key_file, key + "\n")
    return staged


def up_to_date(project: Project, key: str) -> list[str] | None:
    """The countries of the last run if it had this edition key and left every output, else None."""
    out = countries_dir(project)
    key_file, run_file = runkeys.keys_dir(out) / "edition.key", out / "run.json"
    if not (key_file.exists() and run_file.exists()) or key_file.read_text().strip() != key:
        return None
    run = json.loads(run_file.read_text(encoding="utf-8"))
    codes = [c["country"] for c in run["countries"]]
    outputs = [out / f"{c}.{ext}" for c in codes for ext in ("ipynb", "json", "csv")]
    complete = all(c["ok"] for c in run["countries"]) and all(p.exists() for p in outputs)
    return codes if complete and (project.notebooks / SUMMARY_OUTPUT).exists() else None


def run_edition(project: Project, edition: Edition, workers: int, force: bool = False,
                public_dir: Path | None = None, restricted_dir: Path | None = None,
                progress=None, on_start=None, audience: str = "public") -> RunReport:
    """Run the whole edition; a failing country is reported, never stops the others."""
    from .inputs import confidential_folder

    recover(project)
    edition_key = runkeys.edition_digest(project, edition.data_year, public_dir or project.public,
                                         restricted_dir or confidential_folder(project, edition), audience)
    done = None if force else up_to_date(project, edition_key)
    if done is not None:
        if on_start:
            on_start(0, len(done))
        return RunReport(edition, done, [], done, [], project.notebooks / SUMMARY_OUTPUT,
                         ["nothing changed since the last run: outputs kept as they are"])
    from . import editions
    from .data.codes import country_name
    from .inputs import load_inputs
    from .pipeline import CountryJob, execute_countries, notebook_parameters

    selection = editions.compute_selection(project, edition)
    codes = selection.codes
    # every input is read and validated before anything is written
    inputs = load_inputs(project, edition, load_method(project), codes, public_dir, restricted_dir)
    editions.write_selection(project, selection)
    changes = editions.record_manifest(project, edition, inputs.public.manifest)
    notes = list(inputs.notes) + [f"input changed: {c}" for c in changes]
    shared = runkeys.shared_digests(project, edition.data_year)
    out = start_next(project)
    (runkeys.keys_dir(out) / "edition.key").unlink(missing_ok=True)
    slices = runkeys.slice_digests(inputs, codes)
    keys = {c: runkeys.run_key(project, c, dict(notebook_parameters(
        project, edition, c, public_dir or project.public, restricted_dir, out), audience=audience),
        shared, slices[c]) for c in codes}
    pending = codes if force else [c for c in codes if not runkeys.is_current(out, c, keys[c])]
    if on_start:
        on_start(len(pending), len(codes))
    jobs = [CountryJob(project.root, edition.data_year, c, out, audience, public_dir, restricted_dir, True)
            for c in pending]
    outcomes = execute_countries(jobs, workers, progress)
    for outcome in outcomes:
        record_outcome(out, outcome, keys[outcome.country])
    stale = remove_stale(out, codes)
    failed = [o for o in outcomes if not o.ok]
    errors = {o.country: o.error for o in failed}
    run = {"edition": edition.as_dict(), "inputs": inputs.public.manifest, "audience": audience,
           "countries": [{"country": c, "name": country_name(c), "ok": c not in errors,
                          "error": errors.get(c, "")} for c in codes],
           "synthetic_confidential": inputs.confidential.synthetic,
           "synthetic_label": inputs.confidential.label if inputs.confidential.synthetic else ""}
    write_json(out / "run.json", run)
    summary_ok = True
    try:
        staged = run_summary(project, edition, out, run, force)
    except Exception as exc:  # reported like a failed country: the run exits non-zero
        staged, summary_ok = None, False
        (runkeys.keys_dir(out) / "summary.key").unlink(missing_ok=True)
        notes.append(f"summary failed: {type(exc).__name__}: {' '.join(str(exc).split())[-300:]}")
    publish(project, out, staged)
    from .site import write_site_sources

    write_site_sources(project, run)
    if not failed and summary_ok:
        write_text_atomic(runkeys.keys_dir(countries_dir(project)) / "edition.key", edition_key + "\n")
    notes += [f"removed outputs of countries no longer selected: {', '.join(stale)}"] if stale else []
    return RunReport(edition, codes, [o.country for o in outcomes if o.ok],
                     [c for c in codes if c not in pending], failed,
                     project.notebooks / SUMMARY_OUTPUT if summary_ok else None, notes)
