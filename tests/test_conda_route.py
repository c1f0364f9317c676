"""Issue 26, item 3: the conda route. environment.yml pins exactly what requirements.lock pins, and
`make` uses an active conda environment (not `base`) without building .venv. conda cannot be reached
from the test machines: the Makefile's choice is read from `make -n` (prints the commands, runs none)."""

from __future__ import annotations

import os
import re
import subprocess
import tomllib

import yaml

from conftest import REPO

# pip name (as requirements.lock writes it) -> conda-forge name, where the two differ
CONDA_FORGE_NAMES = {
    "et-xmlfile": "et_xmlfile", "fastjsonschema": "python-fastjsonschema",
    "ipython-pygments-lexers": "ipython_pygments_lexers", "jupyter-client": "jupyter_client",
    "jupyter-core": "jupyter_core", "jupyter-events": "jupyter_events", "jupyter-server": "jupyter_server",
    "jupyter-server-terminals": "jupyter_server_terminals", "jupyterlab-pygments": "jupyterlab_pygments",
    "jupyterlab-server": "jupyterlab_server", "matplotlib": "matplotlib-base", "mypy-extensions": "mypy_extensions",
    "nbconvert": "nbconvert-core", "prometheus-client": "prometheus_client", "pure-eval": "pure_eval",
    "stack-data": "stack_data", "typing-extensions": "typing_extensions", "typing-inspect": "typing_inspect",
    "tzdata": "python-tzdata",
}
# pinned in environment.yml beyond the lock: the installer, the build backend, Quarto (python: 3.11)
TOOLS = {"pip", "setuptools", "quarto"}


def lock_pins() -> dict[str, str]:
    text = (REPO / "requirements.lock").read_text(encoding="utf-8")
    return dict(re.findall(r"^([a-z0-9._-]+)==(\S+)", text, re.M))


def conda_pins() -> dict[str, str]:
    """Each `name==version` of environment.yml, by its conda-forge name."""
    specs = yaml.safe_load((REPO / "environment.yml").read_text(encoding="utf-8"))["dependencies"]
    assert all(isinstance(s, str) for s in specs), "environment.yml installs nothing with pip"
    loose = [s for s in specs if "==" not in s and s != "python=3.11"]
    assert not loose, f"environment.yml: not pinned with ==: {loose}"
    return dict(s.split("==") for s in specs if "==" in s)


def test_environment_yml_pins_every_package_of_the_lock_at_its_version():
    pip_names = {conda: pip for pip, conda in CONDA_FORGE_NAMES.items()}
    pins = {pip_names.get(name, name): version for name, version in conda_pins().items() if name not in TOOLS}
    lock = lock_pins()
    assert len(lock) > 100
    assert sorted(set(lock) - set(pins)) == [], "in requirements.lock, not in environment.yml"
    assert sorted(set(pins) - set(lock)) == [], "in environment.yml, not in requirements.lock"
    assert {n: (pins[n], v) for n, v in lock.items() if pins[n] != v} == {}, "(environment.yml, lock)"
    assert sorted(set(CONDA_FORGE_NAMES) - set(lock)) == [], "a conda-forge name for a package no longer locked"


def test_environment_yml_pins_quarto_pip_and_the_build_backend_as_the_project_does():
    pins = conda_pins()
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert pins["quarto"] == re.search(r"quarto --version\s+# ([0-9.]+)", readme).group(1)
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert pins["pip"] == re.search(r"^PIP_VERSION := (\S+)$", makefile, re.M).group(1)
    build = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["build-system"]["requires"]
    assert build == [f"setuptools=={pins['setuptools']}"]


def make_dry_run(*targets: str, **env: str) -> str:
    """The commands `make -n -B` would run for `targets`, in an environment with exactly `env` set."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("CONDA", "VIRTUAL_ENV", "MAKE", "MFLAGS"))}
    done = subprocess.run(["make", "-n", "-B", *targets], cwd=REPO, env={**base, **env},
                          capture_output=True, text=True, check=True)
    return done.stdout


def test_an_active_conda_environment_is_used_and_no_venv_is_built(tmp_path):
    prefix = str(tmp_path / "envs" / "readmission")
    out = make_dry_run("install", "test", CONDA_PREFIX=prefix, CONDA_DEFAULT_ENV="readmission")
    assert "venv" not in out and "requirements.lock" not in out
    assert f"{prefix}/bin/python -m pip install --quiet --no-deps --no-build-isolation -e ." in out
    assert f"{prefix}/bin/python -m pytest" in out
    assert f"touch {prefix}/.readmission-installed" in out
    assert f"{prefix}/bin/python -m compileall -q lib/readmission" in out  # bytecode written once
    python_calls = re.findall(r"^(\S*python3?) ", out, re.M)
    assert python_calls and set(python_calls) == {f"{prefix}/bin/python"}, python_calls
    assert "make report" in (REPO / "environment.yml").read_text(encoding="utf-8")


def test_conda_base_is_never_installed_into_and_an_active_venv_comes_first(tmp_path):
    conda = str(tmp_path / "conda")
    on_base = make_dry_run("install", CONDA_PREFIX=conda, CONDA_DEFAULT_ENV="base")
    assert "python3 -m venv .venv" in on_base and ".venv/bin/python -m pip install --quiet --require-hashes" in on_base
    assert conda not in on_base
    venv = str(tmp_path / "venv")
    both = make_dry_run("install", VIRTUAL_ENV=venv, CONDA_PREFIX=conda, CONDA_DEFAULT_ENV="readmission")
    assert f"{venv}/bin/python -m pip install --quiet --require-hashes -r requirements.lock" in both
    assert conda not in both
