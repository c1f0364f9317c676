"""A warm kernel reused across countries gives byte-identical outputs to a fresh kernel per country."""

from __future__ import annotations

import shutil


from readmission.kernels import WarmKernelEngine
from readmission.pipeline import CountryJob, run_job
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
    from readmission.kernels import KERNEL, prestart, shutdown_warm_kernel, warm_up_soon

    project = make_project(tmp_path / "project")
    monkeypatch.setenv("READMISSION_ROOT", str(project.root))
    assert run_country(project, None, "PK", warm=False).ok
    cold = outputs(project)
    shutil.rmtree(public_tree(project).countries)
    try:
        prestart(KERNEL, project.notebooks)
        warm_up_soon(str(project.public.resolve()))
        assert WarmKernelEngine.warming is not None
        WarmKernelEngine.warming.join()  # what the first notebook does (warm_kernel)
        # the warm-up read the public statistics into the kernel's per-process cache
        client = WarmKernelEngine.kernel_manager.client()
        found = []
        reply = client.execute_interactive(
            "import gc; from readmission import inputs as _i; "
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
    from readmission.kernels import shutdown_warm_kernel

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
import readmission.cli, readmission.kernels, readmission.pipeline  # what a spawned worker imports
from pathlib import Path
from readmission.pipeline import CountryJob, run_job
from readmission.kernels import shutdown_warm_kernel
Path({str(folder)!r}).mkdir(parents=True, exist_ok=True)
outcome = run_job(CountryJob(Path({str(project.root)!r}), 2016, "PK", Path({str(folder)!r}),
                             Path({str(CONFIDENTIAL)!r}), warm=True))
shutdown_warm_kernel()
print(outcome.ok, outcome.error, sorted(m for m in ("pandas", "numpy") if m in sys.modules))
"""
    env = {**os.environ, "READMISSION_ROOT": str(project.root)}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=300)
    assert done.stdout.strip().splitlines()[-1:] == ["True  []"], done.stdout[-2000:] + done.stderr[-2000:]
