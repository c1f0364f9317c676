"""Interrupted and failed runs: a killed run leaves the previous outputs; OS errors are messages."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from readmission import edition_run, outputs
from readmission.cli import app
from conftest import make_project, public_tree

CLI = [sys.executable, "-m", "readmission"]


def tree_bytes(*folders: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for folder in folders for p in sorted(folder.rglob("*"))
            if p.is_file()}


def cli(root: Path, *args: str, **kwargs) -> subprocess.Popen:
    env = dict(os.environ, READMISSION_ROOT=str(root))
    return subprocess.Popen(CLI + list(args), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True, **kwargs)


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
    second = cli(root, "run", "--workers", "2", "--demo")
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
    selection = project.results / "2016" / "selection.csv"
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
