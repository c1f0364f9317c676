"""`readmission run --dry-run`: what a run would do and why, from the keys the run itself computes
over each step's declared inputs (base/steps.py). Nothing is published and no output changes; the
restricted phase runs on a scratch copy of the store, inside the restricted folder, removed after."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from . import runkeys
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


def why(before: dict[str, str] | None, parts: dict[str, bytes]) -> str:
    """The declared inputs that changed since the key was kept, in words."""
    if before is None:
        return "no record of its inputs from an earlier run"
    changed = runkeys.changed_kinds(before, parts)
    return "changed: " + ", ".join(changed) if changed else "its outputs are missing"


def edition_lines(project: Project, request: RunRequest, folder: Path) -> tuple[list[str], bool]:
    """Whether the edition would run, and why; True when it would."""
    tree = OutputTree(project, request.edition.data_year, request.audience)
    parts = edition_key_parts(project, request, folder)
    if request.force:
        return ["the edition would run: --force re-runs every country"], True
    if up_to_date(tree, runkeys.step_key("edition", parts)) is not None:
        return ["nothing changed since the last run: nothing would run"], False
    before = runkeys.read_key(runkeys.keys_dir(tree.countries) / "edition.key")[1]
    return [f"the edition would run ({why(before, parts)})"], True


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
        keys = release_step.assessment_keys(project, inputs, codes, {}, digests)
        again = [c for c in codes if request.force or release_step.kept(tree.store, c, keys[c]) is None]
        lines.append(f"restricted phase: {len(again)} of {len(codes)} countries assessed again"
                     + (f" ({', '.join(again)})" if again else "") + "; the release rebuilt over all")
    scratch = scratch_store(tree)
    try:
        release = release_step.restricted_phase(project, request.audience, inputs, codes, tree.dry_run_store,
                                                tree.dry_run_out, slices=digests, fresh=request.force)
        parts = country_keys(project, request, inputs, codes, release=release, slices=digests)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    keys_dir = runkeys.keys_dir(tree.countries)
    running = []
    for code in codes:
        if request.force or not runkeys.is_current(tree.countries, code, runkeys.step_key("country", parts[code])):
            before = runkeys.read_key(keys_dir / f"{code}.key")[1]
            running.append(code)
            lines.append(f"  {code}: would run ({'--force' if request.force else why(before, parts[code])})")
    lines.insert(len(lines) - len(running), f"country pages: {len(running)} of {len(codes)} would run")
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
