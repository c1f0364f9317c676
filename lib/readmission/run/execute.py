"""Running the notebooks with papermill (kernels: kernels.py), and making executed notebooks fit for
Quarto and diffing.

Post-processing drops everything that changes from run to run (timestamps, durations, paths of
temporary files), hides papermill's injected-parameters cell, and writes each page's front matter
(title and listing fields) in the raw cell at the top, as Quarto reads it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import papermill as pm

from .kernels import KERNEL, KERNEL_ARGUMENTS, no_backend_env
from ..base.outputs import write_text_atomic
from ..pages.front_matter import front_matter_cell

VOLATILE_PAPERMILL_KEYS = ("start_time", "end_time", "duration", "input_path", "output_path",
                           "environment_variables")


def renumber(nb: nbformat.NotebookNode) -> None:
    """Execution counts 1, 2, ... in cell order, as a fresh kernel gives them."""
    count = 0
    for cell in nb.cells:
        if cell.cell_type != "code" or cell.get("execution_count") is None:
            continue
        count += 1
        cell.execution_count = count
        for out in cell.get("outputs", []):
            if out.get("output_type") == "execute_result":
                out["execution_count"] = count


def clean_notebook(nb: nbformat.NotebookNode, front_matter: dict | None) -> nbformat.NotebookNode:
    """Strip volatile metadata, hide the injected parameters, set the page's front matter."""
    renumber(nb)
    meta = nb.metadata.get("papermill", {})
    for key in VOLATILE_PAPERMILL_KEYS:
        meta.pop(key, None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        cell_meta = cell.metadata.get("papermill", {})
        for key in ("start_time", "end_time", "duration"):
            cell_meta.pop(key, None)
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = "injected-parameters"  # papermill gives it a random id on every run
            if not cell.source.startswith("#|"):
                cell.source = "#| include: false\n" + cell.source
    if front_matter is not None:
        cell = front_matter_cell(front_matter)
        if nb.cells and nb.cells[0].cell_type == "raw" and nb.cells[0].source.startswith("---"):
            nb.cells[0] = cell
        else:
            nb.cells.insert(0, cell)
        nb.cells[0].pop("id", None)
        nb.cells[0]["id"] = "front-matter"
    return nb


RESTRICTED_TAG = "restricted"


def strip_restricted(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop the cells tagged `restricted`, in any case (per-Member-State confidential figures), from a notebook."""
    nb.cells = [c for c in nb.cells
                if RESTRICTED_TAG not in [str(t).lower() for t in c.metadata.get("tags", [])]]
    return nb


def write_notebook(nb: nbformat.NotebookNode, path: Path) -> None:
    """Write a notebook atomically (readers never see half a notebook).

    The same bytes as `nbformat.writes`, without its schema validation (a third of a country's
    notebook-writing time): what is written is a template papermill validated when it read it,
    with outputs validated when they were recorded (kernels.py, or nbclient on a fresh kernel), or
    a failure page built with nbformat.v4's own constructors."""
    write_text_atomic(path, nbformat.v4.writes(nb) + "\n")


def run_papermill(template: Path, parameters: dict, cwd: Path, log_path: Path | None = None,
                  warm: bool = False, **options) -> nbformat.NotebookNode:
    """Execute `template` with `parameters` (a fresh kernel, or this process's warm one); `options`
    are papermill's own (execution_timeout, stdout_file, ...), for either engine.

    papermill writes no file (output_path None): the caller cleans the notebook it returns and
    writes that. A notebook papermill wrote itself would be the raw one, restricted cells included
    and, after a failure, the error with whatever values its message quotes.
    """
    restore = no_backend_env()  # the notebook sets %matplotlib inline itself
    try:
        nb = pm.execute_notebook(template if isinstance(template, nbformat.NotebookNode) else str(template), None, parameters=parameters, cwd=str(cwd),
                                 kernel_name=KERNEL, progress_bar=False, log_output=False,
                                 request_save_on_cell_execute=False, extra_arguments=KERNEL_ARGUMENTS,
                                 engine_name="warm" if warm else None, **options)
    finally:
        restore()
    if log_path is not None:
        write_text_atomic(log_path, notebook_log(nb))
    return nb


def notebook_log(nb: nbformat.NotebookNode) -> str:
    """Plain-text log of a run: each code cell's stream output and any error."""
    lines = []
    for index, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                lines.append(f"[cell {index}] {out.get('text', '').rstrip()}")
            elif out.get("output_type") == "error":
                lines.append(f"[cell {index}] {out.get('ename')}: {out.get('evalue')}")
    return "\n".join(lines) + "\n"


def clear_staging(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
