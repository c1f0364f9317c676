"""Interrupted and failed runs: a killed run leaves the previous outputs; OS errors are messages."""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from readmission.run import edition_run
from readmission.base import outputs
from readmission.cli import app
from readmission.run.kernels import WarmKernelEngine
from readmission.base.lock import LOCK_FILE
from readmission.base.paths import Project
from conftest import make_project, public_tree, restricted_tree

CLI = [sys.executable, "-m", "readmission"]


def tree_bytes(*folders: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for folder in folders for p in sorted(folder.rglob("*"))
            if p.is_file()}


def as_from_a_terminal() -> None:
    """Ctrl-C as a terminal's command meets it: a test process started in the background by a shell
    without job control (`cmd &` in a script, CI runners) ignores SIGINT, and its children inherit that."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def cli(root: Path, *args: str, extra_env: dict | None = None, **kwargs) -> subprocess.Popen:
    env = dict(os.environ, READMISSION_ROOT=str(root), **(extra_env or {}))
    return subprocess.Popen(CLI + list(args), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True, preexec_fn=as_from_a_terminal, **kwargs)


def test_killed_run_leaves_previous_outputs_and_next_run_completes(tmp_path):
    root = tmp_path / "project"
    project = make_project(root)
    first = cli(root, "run", "--workers", "2", "--demo")
    assert first.wait(timeout=300) == 0, first.stdout.read().decode()
    tree = public_tree(project)
    published = [tree.countries, project.notebooks / "executed"]
    before = tree_bytes(*published)
    # change the method so that every country would be written anew, then kill mid-run
    method = project.params / "method.yml"
    method.write_text(method.read_text().replace("small_numbers: 20", "small_numbers: 21"))
    # killed with all its processes, nothing can remove the kernels' connection files: not in /tmp
    second = cli(root, "run", "--workers", "2", "--demo", extra_env=private_temp(tmp_path))
    staging = tree.next

    def one_country_rewritten() -> bool:  # a new file (new inode) replaced a hard-linked old one
        old = {p.name: p.stat().st_ino for p in tree.countries.glob("*.json")}
        return any(p.stat().st_ino != old.get(p.name) for p in staging.glob("*.json") if p.name in old)

    deadline = time.time() + 120
    while time.time() < deadline and second.poll() is None:
        try:
            if one_country_rewritten():
                break
        except FileNotFoundError:
            pass
        time.sleep(0.1)
    assert second.poll() is None, "the run ended before it could be killed"
    os.killpg(second.pid, signal.SIGKILL)
    second.wait(timeout=30)
    assert tree_bytes(*published) == before, "a killed run changed the published outputs"
    third = cli(root, "run", "--workers", "2", "--demo")
    output = third.communicate(timeout=300)[0].decode()
    assert third.returncode == 0, output
    assert not staging.exists() and not tree.old.exists()
    iq = (tree.countries / "IQ.json").read_text()
    assert '"small_numbers": 21' in iq


@pytest.mark.parametrize("code, text", [(errno.ENOSPC, "No space left on device"),
                                        (errno.EACCES, "Permission denied")])
def test_unwritable_output_is_a_clear_error_and_keeps_the_old_file(tmp_path, monkeypatch, code, text):
    root = tmp_path / "project"
    project = make_project(root)
    monkeypatch.setenv("READMISSION_ROOT", str(root))
    runner = CliRunner()
    assert runner.invoke(app, ["select", "--year", "2016"]).exit_code == 0
    selection = project.edition_results(2016) / "selection.csv"
    before = selection.read_bytes()

    def refuse(*args, **kwargs):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(outputs.tempfile, "mkstemp", refuse)
    result = runner.invoke(app, ["select", "--year", "2016"])
    assert result.exit_code == 2
    assert f"cannot write {selection}: {text}" in result.output
    assert "Traceback" not in result.output
    assert selection.read_bytes() == before


def test_a_failed_publish_keeps_the_published_folder(tmp_path, monkeypatch):
    project = make_project(tmp_path / "project")
    tree = public_tree(project)
    current = tree.countries
    current.mkdir(parents=True)
    (current / "IQ.json").write_text("old")
    next_ = edition_run.start_next(tree)
    (next_ / "IQ.json").unlink()
    (next_ / "IQ.json").write_text("new")
    real_replace = os.replace

    def fail_second(src, dst):
        if Path(src) == next_:
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        return real_replace(src, dst)

    monkeypatch.setattr(edition_run.os, "replace", fail_second)
    with pytest.raises(outputs.OutputError, match="cannot publish"):
        edition_run.publish(tree, None)
    monkeypatch.setattr(edition_run.os, "replace", real_replace)
    edition_run.recover(tree)  # what the next run does first
    assert (current / "IQ.json").read_text() == "old"
    assert not next_.exists()


# --- one command at a time, interruptions, kills and a failing machine (issue 15) ---------------

RUN = ("run", "--workers", "2", "--demo")
BOUND = 60  # seconds: a generous bound on how long clean-up may take, not a speed target


def wait_for(condition, what: str, process: subprocess.Popen | None = None) -> None:
    deadline = time.time() + BOUND
    while not condition():
        assert time.time() < deadline, f"gave up waiting for {what}"
        assert process is None or process.poll() is None, f"the run ended before {what}"
        time.sleep(0.05)


def project_processes(root: Path) -> list[str]:
    """Every live process started for the project at `root` (CLI, workers, kernels, tracker)."""
    marker = f"READMISSION_ROOT={root}".encode()
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            environ = Path(f"/proc/{pid}/environ").read_bytes()
            stat = Path(f"/proc/{pid}/stat").read_text()
            if marker in environ.split(b"\0") and stat.rsplit(")", 1)[1].split()[0] != "Z":
                found.append(Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()[:120])
        except OSError:  # ended meanwhile
            pass
    return found


def private_temp(tmp_path: Path) -> dict:
    """An environment whose temporary folder is the test's own (kernels' connection files go there)."""
    (tmp_path / "tmp").mkdir()
    return {"TMPDIR": str(tmp_path / "tmp")}


def no_connection_files(tmp_path: Path) -> bool:
    """No kernel connection file (a tempfile `tmp*.json` with the kernel's ports and key) was left."""
    return not [p.name for p in (tmp_path / "tmp").glob("tmp*.json")]


def no_process_survives(root: Path) -> None:
    deadline = time.time() + BOUND
    while (left := project_processes(root)) and time.time() < deadline:
        time.sleep(0.2)
    assert not left, f"still running after the run ended: {left}"


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    """A fixture project after one complete run (copied by each test, which may break its copy)."""
    root = tmp_path_factory.mktemp("published") / "project"
    make_project(root)
    first = cli(root, *RUN)
    assert first.wait(timeout=300) == 0, first.stdout.read().decode()
    return root


def copy_of(published: Path, tmp_path: Path) -> tuple[Path, list[Path]]:
    """A copy of the published project and the folders whose bytes a failed run must not change."""
    root = tmp_path / "project"
    shutil.copytree(published, root, symlinks=True)
    project = Project(root)
    tree, restricted = public_tree(project), restricted_tree(project)
    return root, [tree.countries, project.notebooks / "executed", tree.store, restricted.countries]


def test_a_second_command_stops_at_once_naming_the_one_holding_the_lock(published, tmp_path):
    root, folders = copy_of(published, tmp_path)
    first = cli(root, *RUN, "--force")
    lock = root / LOCK_FILE
    wait_for(lambda: lock.exists() and "pid" in lock.read_text(), "the first run's lock", first)
    second = cli(root, *RUN, "--force")
    output = second.communicate(timeout=BOUND)[0].decode()
    assert second.returncode == 2, output
    assert f"readmission run` (PID {first.pid}" in output and "Traceback" not in output
    assert first.wait(timeout=300) == 0, first.stdout.read().decode()
    assert all((folders[0] / f"{code}.{ext}").exists() for code in ("IQ", "MA", "PK")
               for ext in ("ipynb", "json", "csv"))
    assert not lock.exists()


def test_a_lock_left_by_a_killed_command_is_cleared(tmp_path, monkeypatch):
    root = tmp_path / "project"
    make_project(root)
    gone = subprocess.Popen(["true"])
    gone.wait()
    (root / LOCK_FILE).write_text(json.dumps({"pid": gone.pid, "command": "run", "started": "then"}))
    monkeypatch.setenv("READMISSION_ROOT", str(root))
    result = CliRunner().invoke(app, ["data", "import", str(tmp_path / "no-snapshot")])
    assert result.exit_code == 2
    assert "working on this project" not in result.output and "no-snapshot" in result.output
    assert not (root / LOCK_FILE).exists()


def wait_until_a_country_runs(root: Path, run: subprocess.Popen) -> None:
    staging = restricted_tree(Project(root)).staging
    wait_for(lambda: staging.is_dir() and any(staging.iterdir()), "a country's notebook", run)


@pytest.mark.parametrize("sig, whole_group", [(signal.SIGINT, True), (signal.SIGTERM, False)],
                         ids=["ctrl-c", "sigterm"])
def test_an_interrupted_run_stops_with_one_line_and_publishes_nothing(published, tmp_path, sig,
                                                                      whole_group):
    root, folders = copy_of(published, tmp_path)
    before = tree_bytes(*folders)
    run = cli(root, *RUN, "--force", extra_env=private_temp(tmp_path))
    wait_until_a_country_runs(root, run)
    (os.killpg if whole_group else os.kill)(run.pid, sig)  # Ctrl-C reaches the terminal's group
    output = run.communicate(timeout=BOUND)[0].decode()
    assert run.returncode == 130, output
    assert "interrupted: nothing published" in output and "Traceback" not in output
    no_process_survives(root)
    assert no_connection_files(tmp_path)
    assert tree_bytes(*folders) == before
    assert not (root / LOCK_FILE).exists()


def test_killing_the_command_ends_its_workers_and_kernels(published, tmp_path):
    root, folders = copy_of(published, tmp_path)
    before = tree_bytes(*folders)
    run = cli(root, *RUN, "--force", extra_env=private_temp(tmp_path))
    wait_until_a_country_runs(root, run)
    os.kill(run.pid, signal.SIGKILL)  # the command only: its workers and kernels must follow
    run.wait(timeout=BOUND)
    no_process_survives(root)
    assert no_connection_files(tmp_path)  # the workers removed their kernels' (the CLI could not)
    assert tree_bytes(*folders) == before


# A full disk, injected for real: a sitecustomize on PYTHONPATH (test-only, nothing in the
# package) makes tempfile.mkstemp raise ENOSPC in one kind of process, for one kind of folder.
FAULT = textwrap.dedent("""
    import errno, os, sys, tempfile
    _where, _folder = os.environ["FAULT_PROCESS"], os.environ["FAULT_FOLDER"]
    if {"kernel": "-m ipykernel_launcher", "cli": "-m readmission"}[_where] in " ".join(sys.orig_argv):
        _mkstemp = tempfile.mkstemp

        def mkstemp(*args, dir=None, **kwargs):
            if dir is not None and _folder in str(dir):
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            return _mkstemp(*args, dir=dir, **kwargs)

        tempfile.mkstemp = mkstemp
""")


@pytest.mark.parametrize("process, folder", [("kernel", ".staging"), ("cli", ".runkeys")],
                         ids=["inside-a-kernel", "in-the-command"])
def test_a_full_disk_publishes_nothing(published, tmp_path, process, folder):
    root, folders = copy_of(published, tmp_path)
    before = tree_bytes(*folders)
    (tmp_path / "inject").mkdir()
    (tmp_path / "inject" / "sitecustomize.py").write_text(FAULT)
    env = {"PYTHONPATH": str(tmp_path / "inject"), "FAULT_PROCESS": process, "FAULT_FOLDER": folder}
    run = cli(root, *RUN, "--force", extra_env=env)
    output = run.communicate(timeout=300)[0].decode()
    assert run.returncode == 2, output
    assert "No space left on device" in output and "nothing was published" in output, output
    assert "Traceback" not in output
    assert tree_bytes(*folders) == before
    tree = public_tree(Project(root))
    assert not tree.next.exists() and not restricted_tree(tree.project).staging.exists()
    assert not list(root.rglob(edition_run.SUMMARY_STAGED))


def test_a_kernel_started_early_ends_when_the_inputs_are_refused(tmp_path, monkeypatch):
    project = make_project(tmp_path / "project")
    monkeypatch.setenv("READMISSION_ROOT", str(project.root))
    monkeypatch.chdir(project.notebooks)
    km = WarmKernelEngine.warm_kernel("python3")  # as a run that starts kernels while inputs load
    assert km.is_alive()
    result = CliRunner().invoke(app, ["run", "--year", "2016"])  # no confidential files, no --demo
    assert result.exit_code == 2 and "no confidential inputs" in result.output
    assert not km.is_alive()


@pytest.mark.parametrize("ename, evalue, machine", [
    ("PermissionError", "[Errno 13] Permission denied: 'results/IQ.json'", True),
    ("OSError", "[Errno 28] No space left on device", True),
    ("OSError", "[Errno 30] Read-only file system: 'x'", True),
    ("EnvironmentFault", "cannot write x: No space left on device", True),
    ("OSError", "[Errno 5] Input/output error", False),
    ("ValueError", "[Errno 28] in a message about something else", False),
    ("KeyError", "'IQ'", False)])
def test_a_kernels_error_is_the_machines_only_for_its_errors(ename, evalue, machine):
    from types import SimpleNamespace

    assert outputs.environment_fault(SimpleNamespace(ename=ename, evalue=evalue)) is machine


def test_a_failed_summary_leaves_no_notebook_in_the_published_folders(published, tmp_path):
    """papermill's own copy of a failed summary (raw, with the error and the values its message
    quotes) must not reach the public folder; one left there by an older version is dropped."""
    import nbformat

    root, _ = copy_of(published, tmp_path)
    project = Project(root)
    leftover = public_tree(project).countries / edition_run.SUMMARY_STAGED
    leftover.write_text("{}")
    before = {p: p.read_bytes() for p in sorted(public_tree(project).countries.rglob("*"))
              if p.is_file() and p != leftover}
    store = {p: p.read_bytes() for p in sorted(public_tree(project).store.glob("*"))}
    # a change to one country's page that the failing run computes but never publishes
    (project.params / "countries" / "IQ.yml").write_text(
        "assessment:\n  2016:\n    assessed_level: average, improvements needed with a number of Member States\n"
        "    justification: computed, never published\n    assessed_by: HOME.C.2 analyst\n"
        "    assessed_on: 2017-03-01\n")
    template = project.notebooks / "summary.ipynb"
    nb = nbformat.read(template, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("raise ValueError('a quoted value: 987654321')"))
    nbformat.write(nb, template)
    run = cli(root, *RUN, "--force")
    output = run.communicate(timeout=300)[0].decode()
    assert "summary: FAILED" in output, output
    assert not list(root.rglob(edition_run.SUMMARY_STAGED))
    executed = [p for folder in (project.notebooks / "countries", project.notebooks / "executed")
                for p in folder.rglob("*") if p.is_file()]
    assert executed and not [p for p in executed if b"987654321" in p.read_bytes()]
    # an edition publishes as a whole (issue 26, item 10): no new page beside the previous findings
    assert {p: p.read_bytes() for p in sorted(public_tree(project).countries.rglob("*")) if p.is_file()} == before
    assert "nothing of this edition was published: its findings failed" in " ".join(output.split())
    # the restricted store holds only what a completed run published (issue 26, item 11)
    assert {p: p.read_bytes() for p in sorted(public_tree(project).store.glob("*"))} == store and store
    assert not public_tree(project).store_next.exists()
