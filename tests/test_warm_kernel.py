"""A warm kernel reused across countries gives byte-identical outputs to a fresh kernel per country."""

from __future__ import annotations

import shutil

import pytest


from readmission.run.kernels import WarmKernelEngine
from readmission.run.pipeline import CountryJob, run_job
from conftest import REPO, make_project, public_tree

COUNTRIES = ["PK", "IQ"]
CONFIDENTIAL = REPO / "data" / "fixture" / "confidential" / "2016"


def outputs(project):
    folder = public_tree(project).countries
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.*")) if p.is_file()}


def run_country(project, _edition, code, warm):
    folder = public_tree(project).countries
    folder.mkdir(parents=True, exist_ok=True)
    return run_job(CountryJob(project.root, 2016, code, folder, CONFIDENTIAL, warm=warm))


def test_warm_kernel_outputs_equal_cold_outputs(tmp_path, monkeypatch):
    project = make_project(tmp_path / "project")
    monkeypatch.setenv("READMISSION_ROOT", str(project.root))
    edition = None
    for code in COUNTRIES:
        assert run_country(project, edition, code, warm=False).ok
    cold = outputs(project)
    shutil.rmtree(public_tree(project).countries)
    try:
        for code in COUNTRIES:
            outcome = run_country(project, edition, code, warm=True)
            assert outcome.ok, outcome.error
        kernel = WarmKernelEngine.kernel_manager
        assert kernel is not None and kernel.is_alive()
        # the same kernel served both countries (it was started by the first one)
        assert run_country(project, edition, "MA", warm=True).ok
        assert WarmKernelEngine.kernel_manager is kernel
    finally:
        if WarmKernelEngine.kernel_manager is not None:
            WarmKernelEngine.kernel_manager.shutdown_kernel(now=True)
            WarmKernelEngine.kernel_manager = None
    warm = outputs(project)
    warm = {name: data for name, data in warm.items() if not name.startswith("MA.")}
    assert warm.keys() == cold.keys() and len(cold) == 6
    assert [name for name in cold if cold[name] != warm[name]] == []


def test_a_kernel_warmed_up_before_its_first_notebook_gives_the_cold_outputs(tmp_path, monkeypatch):
    from jupyter_core.utils import run_sync

    from readmission.run.kernels import KERNEL, prestart, shutdown_warm_kernel, warm_up

    project = make_project(tmp_path / "project")
    monkeypatch.setenv("READMISSION_ROOT", str(project.root))
    assert run_country(project, None, "PK", warm=False).ok
    cold = outputs(project)
    shutil.rmtree(public_tree(project).countries)
    try:
        prestart(KERNEL, project.notebooks)
        warm_up(str(project.public.resolve()))  # queued: the next request runs after it
        # the warm-up read the public statistics into the kernel's per-process cache
        client = WarmKernelEngine.kernel_manager.client()
        run_sync(client.wait_for_ready)(timeout=120)
        found = []
        reply = run_sync(client.execute_interactive)(
            "import gc; from readmission.inputs import loading as _i; "
            "print(any(k[0] == 'public' for k in _i._CACHE), gc.get_freeze_count() > 0, "
            "get_ipython().kernel.log.isEnabledFor(10))",
            output_hook=lambda msg: found.append(msg["content"].get("text", "")))
        # memo filled, heap frozen, no debug records built
        assert reply["content"]["status"] == "ok" and "True True False" in "".join(found)
        assert run_country(project, None, "PK", warm=True).ok
    finally:
        shutdown_warm_kernel()
    assert outputs(project) == cold


def test_the_tools_kernels_write_no_ipython_history(tmp_path, monkeypatch):
    """Each cell of every country would otherwise be appended to the user's IPython history database."""
    from readmission.run.kernels import shutdown_warm_kernel

    project = make_project(tmp_path / "project")
    ipython_dir = tmp_path / "ipython"
    monkeypatch.setenv("READMISSION_ROOT", str(project.root))
    monkeypatch.setenv("IPYTHONDIR", str(ipython_dir))
    try:
        # a fresh kernel: nbclient already keeps the history of the kernels it starts in memory
        assert run_country(project, None, "PK", warm=False).ok
        assert run_country(project, None, "IQ", warm=True).ok   # this process's warm kernel
        assert ipython_dir.is_dir()  # the kernels used this IPython folder
    finally:
        shutdown_warm_kernel()
    assert list(ipython_dir.rglob("history.sqlite")) == []


def test_a_worker_runs_a_country_without_importing_pandas(tmp_path):
    """Workers only execute notebooks and write files: pandas (and numpy) would cost each of them
    0.4 s of start-up and 40 MiB. A worker process imports the command's modules (spawn) and runs jobs."""
    import os
    import subprocess
    import sys

    project = make_project(tmp_path / "project")
    folder = public_tree(project).countries
    script = f"""
import sys
import readmission.cli, readmission.run.kernels, readmission.run.pipeline  # what a spawned worker imports
from pathlib import Path
from readmission.run.pipeline import CountryJob, run_job
from readmission.run.kernels import shutdown_warm_kernel
Path({str(folder)!r}).mkdir(parents=True, exist_ok=True)
outcome = run_job(CountryJob(Path({str(project.root)!r}), 2016, "PK", Path({str(folder)!r}),
                             Path({str(CONFIDENTIAL)!r}), warm=True))
shutdown_warm_kernel()
print(outcome.ok, outcome.error, sorted(m for m in ("pandas", "numpy") if m in sys.modules))
"""
    env = {**os.environ, "READMISSION_ROOT": str(project.root)}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=300)
    assert done.stdout.strip().splitlines()[-1:] == ["True  []"], done.stdout[-2000:] + done.stderr[-2000:]


# What the country and summary notebooks do not do but a notebook may: print, warn, end on an
# expression, update a display by id, clear its output, fail. papermill's default engine, on a
# fresh kernel, is the reference.
EDGE_CELLS = [
    "%matplotlib inline\nimport warnings\nfrom IPython.display import display, clear_output, Markdown",
    "print('one')\nprint('two')\nwarnings.warn('careful', UserWarning)",
    "6 * 7",
    "handle = display(Markdown('first'), display_id=True)",
    "handle.update(Markdown('updated from a later cell'))\ndisplay(Markdown('kept'))",
    "display(Markdown('gone'))\nclear_output(wait=True)\ndisplay(Markdown('after the clear'))",
    "   ",  # blank: not executed
    "import matplotlib.pyplot as plt\nplt.plot([1, 2, 3])\nplt.show()",
]


def edge_notebook(path, cells):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    nbformat.write(nb, path)
    return path


def comparable(nb):
    """Cells' outputs without counts or the kernel's process id (in a warning's file name),
    consecutive stream outputs joined (nbclient keeps one output per stream message, and how a
    kernel batches its writes into messages varies)."""
    import json
    import re

    cells = []
    for cell in nb.cells:
        outputs = []
        for out in cell.get("outputs", []):
            out = json.loads(re.sub(r"ipykernel_\d+", "ipykernel_PID", json.dumps(out)))
            out = {k: v for k, v in out.items() if k != "execution_count"}
            if outputs and out["output_type"] == "stream" and outputs[-1]["output_type"] == "stream" \
                    and outputs[-1]["name"] == out["name"]:
                outputs[-1] = {**outputs[-1], "text": outputs[-1]["text"] + out["text"]}
            else:
                outputs.append(out)
        cells.append((cell.get("execution_count") is not None, outputs,
                      {k: v for k, v in cell.metadata.get("papermill", {}).items() if k in ("status", "exception")}))
    return cells


def run_both(path, cwd):
    from readmission.run.execute import run_papermill
    from readmission.run.kernels import shutdown_warm_kernel

    runs = []
    for warm in (False, True):
        try:
            runs.append(run_papermill(path, {}, cwd, warm=warm))
        except Exception as exc:  # papermill raises after a failing cell; the notebook is on the error
            runs.append(exc)
        finally:
            shutdown_warm_kernel()
    return runs


def test_the_warm_engine_records_every_kind_of_output_as_nbclient_does(tmp_path):
    cold, warm = run_both(edge_notebook(tmp_path / "edge.ipynb", EDGE_CELLS), tmp_path)
    assert comparable(warm) == comparable(cold)
    shown = [out for cell in warm.cells for out in cell.outputs]
    kinds = {out["output_type"] for out in shown}
    assert kinds == {"stream", "execute_result", "display_data"}, kinds
    assert any("image/png" in out.get("data", {}) for out in shown)
    texts = [out["data"]["text/markdown"] for out in shown if "text/markdown" in out.get("data", {})]
    assert texts == ["updated from a later cell", "kept", "after the clear"]
    assert warm.metadata["language_info"] == cold.metadata["language_info"]


def test_the_warm_engine_stops_at_the_first_failing_cell_as_papermill_does(tmp_path):
    from papermill.exceptions import PapermillExecutionError

    cells = ["x = 1", "print('before')\nraise ValueError('a quoted value 12')", "open('ran', 'w').close()"]
    cold, warm = run_both(edge_notebook(tmp_path / "fails.ipynb", cells), tmp_path)
    assert isinstance(warm, PapermillExecutionError) and isinstance(cold, PapermillExecutionError)
    assert (warm.ename, warm.evalue) == (cold.ename, cold.evalue) == ("ValueError", "a quoted value 12")
    assert warm.cell_index == cold.cell_index
    assert not (tmp_path / "ran").exists(), "a cell after the failing one ran"


def test_a_kernel_that_dies_mid_notebook_fails_it_and_the_next_notebook_gets_a_new_one(tmp_path,
                                                                                      monkeypatch):
    import tempfile

    from nbclient.exceptions import DeadKernelError
    from readmission.run.execute import run_papermill
    from readmission.run.kernels import shutdown_warm_kernel

    import signal

    def waited_too_long(*_):
        raise TimeoutError("the engine still waits on a kernel that died")

    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))  # where connection files go
    dies = edge_notebook(tmp_path / "dies.ipynb", ["import os", "os._exit(3)", "never = 1"])
    fine = edge_notebook(tmp_path / "fine.ipynb", ["print('alive')"])
    previous = signal.signal(signal.SIGALRM, waited_too_long)
    signal.alarm(60)  # a bound on a hang, not a speed target
    try:
        with pytest.raises(DeadKernelError):
            run_papermill(dies, {}, tmp_path, warm=True)
        nb = run_papermill(fine, {}, tmp_path, warm=True)
        assert nb.cells[0].outputs[0]["text"] == "alive\n"
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
        shutdown_warm_kernel()
    assert list((tmp_path / "tmp").glob("tmp*.json")) == [], "a kernel's connection file was left"
