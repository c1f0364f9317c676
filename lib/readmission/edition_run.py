"""`readmission run`: selection, every country's notebook (incremental, parallel), then the summary."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from . import runkeys
from .outputs import write_json, write_text_atomic
from .params import Edition, load_method
from .project import Project
from .report import RunReport, countries_dir

# Heavy imports (pandas, papermill, nbformat) wait until something must run, so that a run with
# nothing to do answers in well under a second.

SUMMARY_OUTPUT = Path("executed") / "summary.ipynb"


def _record_outcome(project: Project, outcome, key: str) -> None:
    """Store the key of a finished country; replace a failed country's page with a failure page."""
    from .data.codes import country_name
    from .execute import write_notebook
    from .site import failure_notebook

    out = countries_dir(project)
    key_file = runkeys.keys_dir(out) / f"{outcome.country}.key"
    if outcome.ok:
        write_text_atomic(key_file, key + "\n")
        return
    key_file.unlink(missing_ok=True)
    for ext in ("json", "csv"):
        (out / f"{outcome.country}.{ext}").unlink(missing_ok=True)
    write_notebook(failure_notebook(outcome.country, country_name(outcome.country), outcome.error),
                   out / f"{outcome.country}.ipynb")


def remove_stale(project: Project, selected: list[str]) -> list[str]:
    """Remove outputs of countries the edition no longer selects, so the site does not list them."""
    out = countries_dir(project)
    stale = sorted({p.stem for p in out.glob("*.ipynb")} - set(selected))
    for code in stale:
        for ext in ("ipynb", "json", "csv"):
            (out / f"{code}.{ext}").unlink(missing_ok=True)
        (runkeys.keys_dir(out) / f"{code}.key").unlink(missing_ok=True)
    return stale


def run_summary(project: Project, edition: Edition, run: dict, force: bool) -> Path:
    """Execute the summary notebook over the countries' results, unless nothing it reads changed."""
    from .execute import clean_notebook, run_papermill, write_notebook
    from .pipeline import log_path
    target = project.notebooks / SUMMARY_OUTPUT
    key_file = countries_dir(project) / ".runkeys" / "summary.key"
    out = countries_dir(project)
    result_bytes = b"".join((out / f"{c['country']}.json").read_bytes() for c in run["countries"]
                            if (out / f"{c['country']}.json").exists())
    key = hashlib.sha256(runkeys.code_digest(project).encode() + runkeys.settings_digest(
        project, edition.data_year).encode() + json.dumps(run, sort_keys=True).encode()
        + result_bytes).hexdigest()
    if not force and target.exists() and key_file.exists() and key_file.read_text().strip() == key:
        return target
    staging = out / ".staging" / "summary.ipynb"
    staging.parent.mkdir(parents=True, exist_ok=True)
    nb = run_papermill(project.notebooks / "summary.ipynb", staging, {"countries_dir": "countries"},
                       project.notebooks, log_path(project, edition, "summary"))
    write_notebook(clean_notebook(nb, None), target)
    staging.unlink(missing_ok=True)
    write_text_atomic(key_file, key + "\n")
    return target


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
                progress=None, on_start=None) -> RunReport:
    """Run the whole edition; a failing country is reported, never stops the others."""
    from .inputs import confidential_folder

    edition_key = runkeys.edition_digest(project, edition.data_year, public_dir or project.public,
                                         restricted_dir or confidential_folder(project, edition))
    done = None if force else up_to_date(project, edition_key)
    if done is not None:
        if on_start:
            on_start(0, len(done))
        return RunReport(edition, done, [], done, [], project.notebooks / SUMMARY_OUTPUT,
                         ["nothing changed since the last run: outputs kept as they are"])
    (runkeys.keys_dir(countries_dir(project)) / "edition.key").unlink(missing_ok=True)
    from . import editions
    from .data.codes import country_name
    from .inputs import load_inputs
    from .pipeline import execute_countries, notebook_parameters
    selection = editions.run_selection(project, edition)
    manifest_changes = editions.record_manifest(project, edition)
    codes = selection.codes
    method = load_method(project)
    inputs = load_inputs(project, edition, method, codes, public_dir, restricted_dir)
    shared = runkeys.shared_digests(project, edition.data_year)
    out = countries_dir(project)
    keys = {c: runkeys.run_key(project, inputs, c, notebook_parameters(
        project, edition, c, public_dir or project.public, restricted_dir), shared) for c in codes}
    pending = codes if force else [c for c in codes if not runkeys.is_current(out, c, keys[c])]
    if on_start:
        on_start(len(pending), len(codes))
    outcomes = execute_countries(project, edition, pending, workers, public_dir, restricted_dir, progress)
    for outcome in outcomes:
        _record_outcome(project, outcome, keys[outcome.country])
    stale = remove_stale(project, codes)
    failed = [o for o in outcomes if not o.ok]
    failed_codes = {o.country: o.error for o in failed}
    run = {"edition": edition.as_dict(), "inputs": inputs.public.manifest,
           "countries": [{"country": c, "name": country_name(c), "ok": c not in failed_codes,
                          "error": failed_codes.get(c, "")} for c in codes],
           "synthetic_confidential": inputs.confidential.synthetic,
           "synthetic_label": inputs.confidential.label if inputs.confidential.synthetic else ""}
    write_json(out / "run.json", run)
    notes = list(inputs.notes) + [f"input changed: {c}" for c in manifest_changes]
    try:
        summary = run_summary(project, edition, run, force)
    except Exception as exc:  # reported like a failed country: the run exits non-zero
        summary = None
        notes.append(f"summary failed: {type(exc).__name__}: {str(exc).strip().splitlines()[-1:]}")
    from .site import write_site_sources

    write_site_sources(project, run)
    if not failed and summary is not None:
        write_text_atomic(runkeys.keys_dir(out) / "edition.key", edition_key + "\n")
    notes += [f"removed outputs of countries no longer selected: {', '.join(stale)}"] if stale else []
    return RunReport(edition, codes, [o.country for o in outcomes if o.ok],
                     [c for c in codes if c not in pending], failed, summary, notes)
