"""The floor: the cold run's work in plain Python processes, without notebooks or kernels.

Usage: floor.py YEAR WORKERS OUT_DIR (run by the benchmark in the tool's project, after its cold run
wrote the demo set; once with 1 worker, once with the run's workers, each in a fresh process so that
no cache of the first helps the second); prints `FLOOR {json}`.

What the cold run covers, with the very code the run and the pages run: the selection, the public
run's restricted phase (the inputs loaded once, every country assessed in full with
`release_step.assess_all` over the same workers, the edition's release built and written), then for
every selected country the code cells of the template `notebooks/country.ipynb` as a public page runs
them (reading the release; `display` captures the
Markdown and HTML instead of sending it to a kernel, `plt.show()` renders the figure to PNG at the
inline backend's settings), then the code cells of `notebooks/summary.ipynb`. So the floor follows the
pages whenever they change.
WORKERS > 1 spreads the countries over that many forked processes (the inputs loaded before the fork). CPU seconds are given per step and per chart function (the
function's own time, then its PNG rendering), so the chart cost of a page can be read off.
"""

from __future__ import annotations

import io
import json
import multiprocessing
import os
import resource
import sys
import time
from collections import defaultdict
from pathlib import Path

STEP_CPU: dict[str, float] = defaultdict(float)
PAGES: list[str] = []  # the HTML and Markdown each page would hold (kept to the last country)


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class step:
    """Add the CPU seconds of a block to STEP_CPU[name]."""

    def __init__(self, name: str):
        self.name = name

    def __enter__(self):
        self.start = cpu()

    def __exit__(self, *exc):
        STEP_CPU[self.name] += cpu() - self.start


class Shown:
    """A kept output that a later `update` replaces, as a display id's output is in a notebook."""

    def __init__(self, index: int) -> None:
        self.index = index

    def update(self, obj) -> None:
        PAGES[self.index] = shown(obj)


def shown(obj) -> str:
    """The object's HTML (a table) or Markdown, as a notebook stores it."""
    for method in ("_repr_html_", "_repr_markdown_"):
        if hasattr(obj, method):
            return getattr(obj, method)() or ""
    return repr(obj)


def capture(obj, display_id: bool = False) -> Shown | None:
    """presentation's display(): keep what the notebook would; with a display id, a handle to update it."""
    PAGES.append(shown(obj))
    return Shown(len(PAGES) - 1) if display_id else None


def render_figure() -> None:
    """What `plt.show()` does under the inline backend: render the current figure to PNG, close it."""
    import matplotlib.pyplot as plt

    with step("charts: PNG rendering"):
        fig = plt.gcf()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", bbox_inches=None)
        PAGES.append(f"<png {len(buffer.getvalue())} bytes>")
        plt.close(fig)


def code_cells(project, name: str) -> list[tuple[str, str]]:
    """(first line, source) of each code cell of the template notebooks/<name>.ipynb as a public page
    runs it (its restricted cells dropped), the parameters cell left out and IPython magics dropped:
    the very code the pages run."""
    import nbformat
    from readmission.run.execute import strip_restricted

    nb = strip_restricted(nbformat.read(project.notebooks / f"{name}.ipynb", as_version=4))
    cells = []
    for cell in nb.cells:
        if cell.cell_type != "code" or "parameters" in cell.metadata.get("tags", []):
            continue
        source = "\n".join(line for line in cell.source.splitlines() if not line.startswith("%"))
        lines = [line.strip() for line in source.splitlines() if not line.startswith("#")]
        label = next((line for line in lines if "= charts." in line), lines[0] if lines else "")[:50]
        cells.append((label, source))
    return cells


def run_cells(cells: list[tuple[str, str]], parameters: dict, prefix: str) -> None:
    """Execute the cells in one namespace seeded with the parameters; CPU per cell into STEP_CPU."""
    namespace = dict(parameters)
    for index, (label, source) in enumerate(cells):
        with step(f"{prefix} cell {index:02d}: {label}"):
            exec(compile(source, f"<{prefix} cell {index}>", "exec"), namespace)


def restricted_phase(project, edition, method, codes: list[str], folder: Path, workers: int) -> Path:
    """A public run's first phase with the run's own code: the inputs loaded once, every country
    assessed in full over `workers` processes (forked after the load), the release written; its path."""
    from readmission.base.paths import RELEASE_FILE, confidential_source
    from readmission.inputs.loading import load_inputs
    from readmission.run import release_step

    inputs = load_inputs(project, edition, method, codes, None, confidential_source(project, edition, None, True))
    # fresh: every country assessed, as on a cold run (the folder may hold an earlier round's store)
    release_step.restricted_phase(project, "public", inputs, codes, folder / "store", folder, fresh=True,
                                  workers=workers)
    return folder / RELEASE_FILE


def country_page(project, year: int, code: str, folder: Path) -> None:
    """One country's public page: the country notebook's code cells, with the parameters a run passes."""
    out = folder / code
    out.mkdir(parents=True, exist_ok=True)
    rel = lambda p: os.path.relpath(p, project.notebooks)  # noqa: E731
    PAGES.clear()
    run_cells(STATE["country_cells"], {"country": code, "year": year, "public_dir": rel(project.public),
                                       "restricted_dir": "", "results_dir": rel(out),
                                       "outside_selection": False, "release": rel(STATE["release"])}, "country")
    with step("page written"):
        (out / "page.html").write_text("\n".join(PAGES), encoding="utf-8")
        for name in (f"{code}.json", f"{code}.csv"):
            os.replace(out / name, folder / name)


def summary_page(project, year: int, folder: Path) -> None:
    """The summary notebook's code cells over the countries' results files."""
    import shutil

    from readmission.base.paths import RUN_RECORD, OutputTree

    record = folder / RUN_RECORD
    record.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(OutputTree(project, year, "public").run_file, record)
    run_cells(code_cells(project, "summary"), {"countries_dir": os.path.relpath(folder, project.notebooks),
                                               "restricted_dir": ""}, "summary")


STATE: dict = {}


def worker_country(code: str) -> dict:
    """One country in a forked worker; returns its CPU per step (the worker's totals so far)."""
    STEP_CPU.clear()
    country_page(STATE["project"], STATE["year"], code, STATE["folder"])
    return dict(STEP_CPU)


def collect(per_step: dict[str, float]) -> None:
    """Move the steps measured so far in this process into `per_step` (each counted once)."""
    for k, v in STEP_CPU.items():
        per_step[k] += v
    STEP_CPU.clear()


def run(workers: int, project, edition, method, folder: Path, timings: dict) -> dict:
    """Selection, the restricted phase, countries (serial or over `workers` forked processes), summary."""
    from readmission.run import editions

    wall0, cpu0, children0 = time.perf_counter(), cpu(), resource.getrusage(resource.RUSAGE_CHILDREN)
    STEP_CPU.clear()
    with step("selection"):
        codes = editions.compute_selection(project, edition).codes
    with step("restricted phase"):  # this process's share; its forks' CPU counts in the total
        release = restricted_phase(project, edition, method, codes, folder, workers)
    with step("inputs"):  # the notebook loads its inputs itself (cached per process, as in a kernel)
        STATE.update(project=project, year=edition.data_year, folder=folder, release=release,
                     country_cells=code_cells(project, "country"))
    per_step: dict[str, float] = defaultdict(float)
    collect(per_step)
    if workers <= 1:
        for code in codes:
            country_page(project, edition.data_year, code, folder)
        collect(per_step)
    else:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            for part in pool.imap_unordered(worker_country, codes):
                for k, v in part.items():
                    per_step[k] += v
    summary_page(project, edition.data_year, folder)
    collect(per_step)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_total = cpu() - cpu0 + (children.ru_utime + children.ru_stime - children0.ru_utime - children0.ru_stime)
    return {"workers": workers, "countries": len(codes), "wall_s": round(time.perf_counter() - wall0, 2),
            "cpu_s": round(cpu_total, 2), **timings,
            "cpu_by_step_s": {k: round(v, 2) for k, v in sorted(per_step.items())}}


def main() -> None:
    year, workers, out = int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])
    t0, c0 = time.perf_counter(), cpu()
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from readmission.pages import charts, presentation
    from readmission.settings.params import load_edition, load_method
    from readmission.base.paths import Project

    presentation.display = capture
    plt.show = render_figure
    charts.use_house_style()
    plt.rcParams["figure.max_open_warning"] = 0
    os.chdir(Project.default().notebooks)  # the notebooks' relative paths start there
    timings = {"imports_wall_s": round(time.perf_counter() - t0, 2), "imports_cpu_s": round(cpu() - c0, 2)}
    project = Project.default()
    edition, method = load_edition(year, project), load_method(project)
    out.mkdir(parents=True, exist_ok=True)
    result = run(workers, project, edition, method, out, timings)
    result["load_average"] = [round(x, 2) for x in os.getloadavg()]
    print("FLOOR " + json.dumps(result))


if __name__ == "__main__":
    main()
