"""`readmission run --dry-run`: what a run would do and why, from the keys the run itself computes
over each step's declared inputs (base/steps.py). Nothing is published and no output changes; the
restricted phase runs on a scratch copy of the store, inside the restricted folder, removed after."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from . import runkeys
from ..base import schedule
from ..base.paths import PUBLIC, RELEASE_FILE, OutputTree, Project, confidential_source, has_confidential_files
from ..settings.params import load_method
from .edition_run import RunRequest, country_keys, edition_key_parts, run_decisions, up_to_date


def _country_keying():
    """What keys each country (inputs/loading.py, run/editions.py, run/release_step.py: pandas and the
    method, ~1 s), loaded only when the edition would run: `run --dry-run` with nothing changed
    answers from the edition key, as a run with nothing to do does (noop_rerun_s < 1 s)."""
    from ..inputs import loading
    from . import editions, release_step
    return loading, editions, release_step


def edition_lines(project: Project, request: RunRequest, folder: Path) -> tuple[list[str], bool]:
    """Whether the edition would run, and why; True when it would."""
    tree = OutputTree(project, request.edition.data_year, request.audience)
    parts = edition_key_parts(project, request, folder)
    if request.force:
        return ["the edition would run: --force re-runs every country"], True
    if up_to_date(tree, parts) is not None:
        return ["nothing changed since the last run: nothing would run"], False
    kept = runkeys.kept_keys(tree.countries).kept("edition")
    return [f"the edition would run ({schedule.why('edition', parts, kept, outputs_exist=False)})"], True


def scratch_store(tree: OutputTree) -> Path:
    """A copy of the restricted store (hard links) where the restricted phase may write."""
    shutil.rmtree(tree.dry_run, ignore_errors=True)
    if tree.store.exists():
        shutil.copytree(tree.store, tree.dry_run_store, copy_function=os.link)
    tree.dry_run_out.mkdir(parents=True, exist_ok=True)
    if (tree.countries / RELEASE_FILE).exists():
        shutil.copy2(tree.countries / RELEASE_FILE, tree.dry_run_out / RELEASE_FILE)
    return tree.dry_run


def country_lines(project: Project, request: RunRequest, folder: Path) -> list[str]:
    """Per country: whether its assessment and its page would run again, and which inputs changed."""
    loading, editions, release_step = _country_keying()
    edition, tree = request.edition, OutputTree(project, request.edition.data_year, request.audience)
    codes = editions.compute_selection(project, edition, run_decisions(project, request)).codes
    inputs = loading.load_inputs(project, edition, load_method(project), codes, request.public_dir, folder)
    digests = runkeys.slice_digests(inputs, codes)
    lines = []
    if request.audience == PUBLIC:
        parts = release_step.assessment_parts(project, inputs, codes, {}, digests)
        again = schedule.pending("assessment", parts, lambda c: release_step.kept_key(tree.store, c), force=request.force)
        lines.append(f"restricted phase: {len(again)} of {len(codes)} countries assessed again; the release "
                     "rebuilt over all")
        lines += [f"  {code}: assessed again ({reason})" for code, reason in again.items()]
    scratch = scratch_store(tree)
    try:
        release = release_step.restricted_phase(project, request.audience, inputs, codes, tree.dry_run_store,
                                                tree.dry_run_out, slices=digests, fresh=request.force)
        parts = country_keys(project, request, inputs, codes, release=release, slices=digests)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    running = schedule.pending("country", parts, runkeys.kept_keys(tree.countries).kept,
                               runkeys.has_outputs(tree.countries), request.force)
    lines.append(f"country pages: {len(running)} of {len(codes)} would run")
    lines += [f"  {code}: would run ({reason})" for code, reason in running.items()]
    stale = sorted({p.stem for p in tree.countries.glob("*.ipynb")} - set(codes))
    if stale:
        lines.append(f"outputs of countries no longer selected would be removed: {', '.join(stale)}")
    lines.append("summary: would run" + (" (pages change)" if running else " if its inputs changed"))
    return lines


def dry_run(project: Project, request: RunRequest) -> list[str]:
    """What `run` would do for one edition and audience, and why, in lines for the reader."""
    edition = request.edition
    folder = confidential_source(project, edition, request.restricted_dir, request.demo)
    head = f"edition {edition.data_year} ({request.audience}"
    head += ", demo set)" if request.demo else ")"
    lines, runs = edition_lines(project, request, folder)
    if runs and request.demo and not has_confidential_files(folder):
        return [head, *lines, "the demo set would be written first: every country would run"]
    return [head, *lines, *(country_lines(project, request, folder) if runs else [])]
