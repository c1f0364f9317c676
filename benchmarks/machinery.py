"""What the notebook machinery costs, piece by piece, on a warm kernel as the tool's workers use it.

Usage: machinery.py YEAR COUNTRY; prints `MACHINERY {json}`. Run by the benchmark in its project,
after its cold run (the country's input slice is the run's). Each piece is the CPU seconds of this
process (papermill and the warm engine: what a worker does) and of the kernel, per unit, from
notebooks executed with the tool's own `run_papermill`: one empty cell (a notebook's fixed cost:
papermill, the reset, the one execute request that carries its cells), and N identical cells: an
empty cell (IPython running a cell), a cell showing one Markdown table (a display), a cell showing
one PNG (an image). One country's notebook, executed the same way, gives the counts; counts x unit
costs estimate its machinery.
"""

import json
import sys
import tempfile
from pathlib import Path

import nbformat
import psutil

N = 100
REPEATS = 3
MARKDOWN = "from IPython.display import Markdown, display\ndisplay(Markdown(_TABLE))"
IMAGE = "from IPython.display import Image, display\ndisplay(Image(data=_PNG, format='png'))"
SETUP = """\
import io, matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
_fig, _ax = plt.subplots(figsize=(7, 4), dpi=96)
_ax.bar([str(i) for i in range(25)], range(25))
_buffer = io.BytesIO(); _fig.savefig(_buffer, format="png"); plt.close(_fig)
_PNG = _buffer.getvalue()
_TABLE = "<table>" + "".join(f"<tr><td>State {i}</td><td>{i * 137:,}</td><td>{i / 7:.1%}</td></tr>"
                             for i in range(30)) + "</table>"
"""


def cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


def notebook(cells: list[str]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    return nb


def execute(path: Path, parameters: dict | None = None) -> tuple[float, float, object]:
    """CPU seconds (this process, the kernel) to execute `path` on this process's warm kernel, the
    second time (the first starts the kernel and imports), and the executed notebook."""
    from readmission.run.execute import run_papermill
    from readmission.run.kernels import WarmKernelEngine

    me = psutil.Process()
    run_papermill(path, parameters or {}, path.parent, warm=True)
    kernel = psutil.Process(WarmKernelEngine.kernel_manager.provisioner.process.pid)
    here, there = cpu(me), cpu(kernel)
    nb = run_papermill(path, parameters or {}, path.parent, warm=True)
    return cpu(me) - here, cpu(kernel) - there, nb


def unit_costs(folder: Path) -> dict:
    """CPU ms (worker side, kernel side) per notebook, cell, Markdown display and PNG image: the
    notebook of N such cells less the notebook without them (median of REPEATS); a notebook is the
    one-cell notebook less a cell."""
    variants = {"notebook": ["pass"], "base": [SETUP], "cell": [SETUP] + ["pass"] * N,
                "markdown display": [SETUP] + [MARKDOWN] * N, "png image": [SETUP] + [IMAGE] * N}
    spent = {}
    for name, cells in variants.items():
        path = folder / f"{name.replace(' ', '-')}.ipynb"
        nbformat.write(notebook(cells), path)
        runs = [execute(path)[:2] for _ in range(REPEATS)]
        spent[name] = [sorted(side)[REPEATS // 2] for side in zip(*runs)]
    less = {"cell": "base", "markdown display": "cell", "png image": "cell"}  # each display is a cell too
    units = {name: [round(1000 * (spent[name][i] - spent[less[name]][i]) / N, 2) for i in (0, 1)] for name in less}
    units["notebook"] = [round(1000 * spent["notebook"][i] - units["cell"][i], 2) for i in (0, 1)]
    return units


def country_counts(template: Path, parameters: dict) -> dict:
    """Executed cells and outputs of one country's notebook (all its cells, restricted ones too)."""
    _, _, nb = execute(template, parameters)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    images = sum("image/png" in o.get("data", {}) for o in outputs)
    return {"notebook": 1, "cell": sum(c.get("execution_count") is not None for c in nb.cells),
            "markdown display": sum("text/markdown" in o.get("data", {}) for o in outputs),
            "png image": images}


def main() -> None:
    from readmission.run.kernels import shutdown_warm_kernel
    from readmission.base.paths import OutputTree
    from readmission.base.paths import Project

    year, country = int(sys.argv[1]), sys.argv[2]
    project = Project.default()
    slice_dir = OutputTree(project, year, "public").restricted_root / "inputs" / country
    if not slice_dir.is_dir():  # a public run writes no slices (it reads the release): the demo set
        slice_dir = project.demo / str(year)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        try:
            costs = unit_costs(folder)
            results = folder / "results"
            results.mkdir()
            counts = country_counts(project.notebooks / "country.ipynb",
                                    {"country": country, "year": year, "public_dir": str(project.public),
                                     "restricted_dir": str(slice_dir), "results_dir": str(results)})
        finally:
            shutdown_warm_kernel()
    per_country = {k: round(counts[k] * sum(costs[k]) / 1000, 3) for k in costs}
    print("MACHINERY " + json.dumps({"unit_cpu_ms_worker_kernel": costs, "per_country_counts": counts,
                                     "per_country_cpu_s": per_country,
                                     "per_country_total_cpu_s": round(sum(per_country.values()), 3)}))


if __name__ == "__main__":
    main()
