"""environment.yml (conda) pins the same versions as requirements.lock (pip), so both give the same figures."""

from __future__ import annotations

import re
import tomllib

import yaml

from conftest import REPO

CONDA_NAMES = {"matplotlib-base": "matplotlib", "jupyter_client": "jupyter-client"}


def lock_versions() -> dict[str, str]:
    text = (REPO / "requirements.lock").read_text(encoding="utf-8")
    return dict(re.findall(r"^([a-z0-9._-]+)==(\S+)", text, re.MULTILINE))


def conda_pins() -> dict[str, str]:
    """The pip name and version of each `name==version` of environment.yml."""
    env = yaml.safe_load((REPO / "environment.yml").read_text(encoding="utf-8"))
    pins = (spec.split("==") for spec in env["dependencies"] if isinstance(spec, str) and "==" in spec)
    return {CONDA_NAMES.get(name, name): version for name, version in pins}


def test_environment_yml_pins_the_lock_versions():
    lock, pins = lock_versions(), conda_pins()
    assert pins, "environment.yml pins nothing"
    assert {name: lock.get(name) for name in pins} == pins


def test_every_direct_dependency_is_pinned_in_environment_yml():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = project["dependencies"] + project["optional-dependencies"]["test"]
    names = {re.match(r"[A-Za-z0-9._-]+", spec).group().lower().replace("_", "-") for spec in wanted}
    assert names <= set(conda_pins())
