"""A run's next folder: the audience's countries folder and the restricted store, copied (hard links)
before a run writes and swapped into place when it completes.

A run never changes what is published until it is complete: a run killed at any moment leaves the
previous outputs in place; the next run clears its leftovers (`recover`) and completes.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

from ..base.paths import OutputTree, keys_folder
from ..base.schedule import KeyFiles
from ..base.outputs import OutputError, replace_folder

SUMMARY_STAGED = ".summary.ipynb"


def recover(tree: OutputTree) -> None:
    """Clear what a killed run left: its unfinished next folder, or a swap cut in half."""
    shutil.rmtree(tree.next, ignore_errors=True)
    shutil.rmtree(tree.store_next, ignore_errors=True)
    if tree.old.exists() and not tree.countries.exists():
        os.replace(tree.old, tree.countries)
    shutil.rmtree(tree.old, ignore_errors=True)


def start_next(tree: OutputTree) -> Path:
    """The run's working folder: the current outputs, hard-linked (cheap; writes replace, never edit)."""
    if tree.countries.exists():
        shutil.copytree(tree.countries, tree.next, copy_function=os.link)
    tree.next.mkdir(parents=True, exist_ok=True)
    if tree.store.exists():  # the full results, likewise: the store changes only when the run publishes
        shutil.copytree(tree.store, tree.store_next, copy_function=os.link)
    tree.store_next.mkdir(parents=True, exist_ok=True)
    # a staged summary never carries over (versions before papermill stopped writing its own
    # notebook left a failed summary's, error and all, in the published folder)
    (tree.next / SUMMARY_STAGED).unlink(missing_ok=True)
    (tree.countries / SUMMARY_STAGED).unlink(missing_ok=True)  # and none stays in the published folder
    return tree.next


def publish(tree: OutputTree, summary_staged: Path | None) -> None:
    """Swap the finished folder into place, then the summary."""
    try:
        replace_folder(tree.next, tree.countries, tree.old)
        if summary_staged is not None:
            tree.summary.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tree.countries / summary_staged.name, tree.summary)
        if tree.store_next.exists():  # the full results of what was just published
            replace_folder(tree.store_next, tree.store, tree.store_old)
    except OSError as exc:
        raise OutputError(f"cannot publish the run's outputs in {tree.countries.parent}: "
                          f"{exc.strerror or exc}") from exc


def abandon(tree: OutputTree) -> None:
    """Drop an unfinished run's next folder and staging: the published outputs stay as they were."""
    shutil.rmtree(tree.next, ignore_errors=True)
    shutil.rmtree(tree.store_next, ignore_errors=True)
    shutil.rmtree(tree.staging, ignore_errors=True)


def remove_stale(out: Path, selected: list[str], store: Path, kept: Callable[[Path, str], Path]) -> list[str]:
    """Remove outputs of countries the edition no longer selects, so the site does not list them, and
    their full results and kept assessments (`kept`: where release_step keeps one) from the store,
    which holds only what a run published."""
    found = {p.stem for p in out.glob("*.ipynb")} | {p.stem for p in store.glob("*.json")}  # kept beside its json
    stale = sorted(found - set(selected))
    for code in stale:
        for ext in ("ipynb", "json", "csv"):
            (out / f"{code}.{ext}").unlink(missing_ok=True)
            (store / f"{code}.{ext}").unlink(missing_ok=True)
        KeyFiles(keys_folder(out)).forget(code)
        kept(store, code).unlink(missing_ok=True)
    return stale
