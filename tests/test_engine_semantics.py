"""The warm engine keeps papermill's and nbclient's semantics: each probe notebook gives the same
cells, outputs and outcome on the warm kernel as on papermill's default engine with a fresh kernel,
and nothing one notebook does to its kernel reaches the next.

Each case is one way the earlier one-request engine (cell_runner.py) diverged.
"""

from __future__ import annotations

import pytest
from papermill.exceptions import PapermillExecutionError

from readmission.run.execute import run_papermill
from readmission.run.kernels import WarmKernelEngine, shutdown_warm_kernel
from test_warm_kernel import comparable, edge_notebook, run_both


@pytest.fixture(autouse=True)
def no_warm_kernel_left():
    yield
    shutdown_warm_kernel()


def same_as_papermill(tmp_path, name: str, cells: list[str], tags: dict[int, list[str]] | None = None):
    """Run the probe on both engines; return (cold, warm) after checking they agree."""
    path = edge_notebook(tmp_path / f"{name}.ipynb", cells)
    if tags:
        import nbformat

        nb = nbformat.read(path, as_version=4)
        for index, cell_tags in tags.items():
            nb.cells[index].metadata["tags"] = cell_tags
        nbformat.write(nb, path)
    cold, warm = run_both(path, tmp_path)
    assert type(warm) is type(cold), (warm, cold)
    if isinstance(cold, PapermillExecutionError):
        assert (warm.ename, warm.evalue, warm.cell_index) == (cold.ename, cold.evalue, cold.cell_index)
    else:
        assert comparable(warm) == comparable(cold)
    return cold, warm


def test_a_top_level_await_runs(tmp_path):
    _, warm = same_as_papermill(tmp_path, "await", ["import asyncio", "await asyncio.sleep(0)\nprint('awaited')"])
    assert warm.cells[1].outputs[0]["text"] == "awaited\n"


def test_a_display_formatter_error_is_treated_as_papermill_treats_it(tmp_path):
    cells = ["class Bad:\n    def _repr_markdown_(self):\n        raise ValueError('bad repr')\n", "Bad()",
             "print('later')"]
    same_as_papermill(tmp_path, "formatter", cells)


def test_a_cell_tagged_raises_exception_does_not_stop_the_run(tmp_path):
    """nbclient runs on past it (papermill then reports the error, as it does for any error output)."""
    cells = ["raise KeyError('expected')", "open('ran-' + str(len(__import__('glob').glob('ran-*'))), 'w').close()"]
    same_as_papermill(tmp_path, "raises", cells, tags={0: ["raises-exception"]})
    assert sorted(p.name for p in tmp_path.glob("ran-*")) == ["ran-0", "ran-1"]  # the cell after it ran, both times


def test_log_lines_land_in_the_cell_that_wrote_them_in_every_notebook(tmp_path):
    cells = ["import logging\nlogging.getLogger('probe').warning('from the first cell')", "print('second')"]
    path = edge_notebook(tmp_path / "log.ipynb", cells)
    cold, warm = run_both(path, tmp_path)
    assert comparable(warm) == comparable(cold)
    assert "from the first cell" in "".join(o.get("text", "") for o in warm.cells[0].outputs)
    # the same notebook again on the same warm kernel: the line is still there, in the same cell
    first = run_papermill(path, {}, tmp_path, warm=True)
    again = run_papermill(path, {}, tmp_path, warm=True)
    assert comparable(again) == comparable(first) == comparable(cold)


def test_a_cell_running_past_the_execution_timeout_fails_its_notebook_and_the_next_one_runs(tmp_path):
    import nbclient.exceptions

    slow = edge_notebook(tmp_path / "slow.ipynb", ["import time\ntime.sleep(30)", "never = 1"])
    fine = edge_notebook(tmp_path / "fine.ipynb", ["print('alive')"])
    with pytest.raises((nbclient.exceptions.CellTimeoutError, PapermillExecutionError)) as failure:
        run_papermill(slow, {}, tmp_path, warm=True, execution_timeout=2)
    assert "2" in str(failure.value) or "timed out" in str(failure.value).lower()
    # the busy kernel was not handed on: the next notebook in this process runs at once, on a new one
    nb = run_papermill(fine, {}, tmp_path, warm=True, execution_timeout=2)
    assert nb.cells[0].outputs[0]["text"] == "alive\n"


def test_nothing_a_notebook_changes_in_its_kernel_reaches_the_next(tmp_path):
    changes = edge_notebook(tmp_path / "changes.ipynb", [
        "import os, warnings\nimport pandas as pd\nos.chdir('/')\npd.set_option('display.max_rows', 3)\n"
        "warnings.simplefilter('error')\nos.environ['READMISSION_PROBE'] = 'set by a notebook'\n"
        "import numpy as np\nnp.set_printoptions(precision=1)"])
    reads = edge_notebook(tmp_path / "reads.ipynb", [
        "import os, warnings\nimport pandas as pd\nimport numpy as np\n"
        "print(os.getcwd(), pd.get_option('display.max_rows'), warnings.filters[:1] != [('error', None, Warning, None, 0)],"
        " os.environ.get('READMISSION_PROBE'), np.get_printoptions()['precision'])"])
    cold = run_papermill(reads, {}, tmp_path, warm=False)
    run_papermill(changes, {}, tmp_path, warm=True)
    warm = run_papermill(reads, {}, tmp_path, warm=True)
    assert comparable(warm) == comparable(cold)
    assert warm.cells[0].outputs[0]["text"] == f"{tmp_path} 60 True None 8\n"


def test_a_notebook_that_calls_exit_fails_alone_and_the_next_runs(tmp_path):
    """exit() would end the kernel under the next notebook: in the tool's kernels it fails its own."""
    ends = edge_notebook(tmp_path / "ends.ipynb", ["print('about to leave')", "exit()", "open('ran', 'w').close()"])
    fine = edge_notebook(tmp_path / "fine.ipynb", ["print('alive')"])
    with pytest.raises(PapermillExecutionError) as failure:
        run_papermill(ends, {}, tmp_path, warm=True)
    assert failure.value.ename == "SystemExit" and "exit() was called" in failure.value.evalue
    assert not (tmp_path / "ran").exists()
    kernel = WarmKernelEngine.kernel_manager
    nb = run_papermill(fine, {}, tmp_path, warm=True)
    assert nb.cells[0].outputs[0]["text"] == "alive\n"
    assert WarmKernelEngine.kernel_manager is kernel and kernel.is_alive()


def test_a_kernel_that_leaves_hands_on_no_kernel(tmp_path):
    """A kernel that ended itself after its notebook's last cell (os._exit on a thread, say) is not
    given the next notebook: that one starts a fresh kernel."""
    leaves = edge_notebook(tmp_path / "leaves.ipynb", [
        "import os, threading\nthreading.Timer(0.2, lambda: os._exit(0)).start()"])
    fine = edge_notebook(tmp_path / "fine.ipynb", ["print('alive')"])
    run_papermill(leaves, {}, tmp_path, warm=True)
    nb = run_papermill(fine, {}, tmp_path, warm=True)
    assert nb.cells[0].outputs[0]["text"] == "alive\n"


def test_papermill_passes_its_options_to_the_warm_engine(tmp_path):
    """stdout_file and log_output reach nbclient as with papermill's own engine."""
    path = edge_notebook(tmp_path / "streams.ipynb", ["print('to the file')"])
    log = tmp_path / "out.txt"
    with open(log, "w") as handle:
        run_papermill(path, {}, tmp_path, warm=True, stdout_file=handle)
    assert "to the file" in log.read_text()


def test_a_country_whose_cell_runs_past_the_limit_fails_with_a_clear_message(tmp_path, monkeypatch):
    """cell_timeout_seconds (params/limits.yml) reaches papermill: that country fails, saying why."""
    from conftest import FIXTURE_CONFIDENTIAL, make_project, public_tree
    from readmission.run.pipeline import CountryJob, run_job

    project = make_project(tmp_path / "project")
    monkeypatch.setenv("READMISSION_ROOT", str(project.root))
    limits = project.params / "limits.yml"
    limits.write_text(limits.read_text().replace("cell_timeout_seconds: 600", "cell_timeout_seconds: 1"))
    import nbformat  # a cell that hangs, as a stuck read would

    template = nbformat.read(project.notebooks / "country.ipynb", as_version=4)
    template.cells.insert(3, nbformat.v4.new_code_cell("import time\ntime.sleep(30)"))
    nbformat.write(template, project.notebooks / "country.ipynb")
    folder = public_tree(project).countries
    folder.mkdir(parents=True)
    outcome = run_job(CountryJob(project.root, 2016, "IQ", folder, FIXTURE_CONFIDENTIAL, warm=True))
    assert not outcome.ok
    assert outcome.error.startswith("a cell ran longer than the time allowed (cell_timeout_seconds in "
                                    "params/limits.yml) and was stopped"), outcome.error
    assert not (folder / "IQ.ipynb").exists()


def test_a_kernel_killed_from_outside_is_a_fault_of_the_machine_not_of_the_notebook(tmp_path):
    """Issue 26, item 9: SIGKILL (as the OOM killer sends) stops the run as a machine fault; a
    kernel that ends itself (os._exit) stays the notebook's own failure."""
    from nbclient.exceptions import DeadKernelError

    from readmission.base.outputs import EnvironmentFault, environment_fault

    killed = edge_notebook(tmp_path / "killed.ipynb", ["import os, signal", "os.kill(os.getpid(), signal.SIGKILL)"])
    with pytest.raises(EnvironmentFault, match="killed from outside \\(signal SIGKILL") as fault:
        run_papermill(killed, {}, tmp_path, warm=True)
    assert environment_fault(fault.value)
    leaves = edge_notebook(tmp_path / "leaves.ipynb", ["import os", "os._exit(3)"])
    with pytest.raises(DeadKernelError):
        run_papermill(leaves, {}, tmp_path, warm=True)
    fine = edge_notebook(tmp_path / "fine.ipynb", ["print('alive')"])
    assert run_papermill(fine, {}, tmp_path, warm=True).cells[0].outputs[0]["text"] == "alive\n"
