"""environment.yml (conda) pins the same versions as requirements.lock (pip), so both give the same figures."""

from __future__ import annotations

import re
import tomllib

import yaml

from conftest import REPO
from test_conda_route import CONDA_FORGE_NAMES, TOOLS

CONDA_NAMES = {conda: pip for pip, conda in CONDA_FORGE_NAMES.items()}


def lock_versions() -> dict[str, str]:
    text = (REPO / "requirements.lock").read_text(encoding="utf-8")
    return dict(re.findall(r"^([a-z0-9._-]+)==(\S+)", text, re.MULTILINE))


def conda_pins() -> dict[str, str]:
    """The pip name and version of each `name==version` of environment.yml."""
    env = yaml.safe_load((REPO / "environment.yml").read_text(encoding="utf-8"))
    pins = (spec.split("==") for spec in env["dependencies"]
            if isinstance(spec, str) and "==" in spec and spec.split("==")[0] not in TOOLS)
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


def test_the_build_backend_and_the_installer_are_pinned_and_the_licence_is_shipped():
    """Issue 26, item 4: the isolated build gets one setuptools, make one pip; the licence is an SPDX
    expression with its file (the table form made setuptools warn on every install)."""
    import re
    import tomllib

    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert all(re.fullmatch(r"[A-Za-z0-9_.-]+==[0-9.]+", r) for r in pyproject["build-system"]["requires"])
    assert pyproject["project"]["license"] == "EUPL-1.2" and pyproject["project"]["license-files"] == ["LICENSE"]
    assert (REPO / "LICENSE").read_text(encoding="utf-8").startswith("EUROPEAN UNION PUBLIC LICENCE v. 1.2")
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^PIP_VERSION := [0-9.]+$", makefile, re.M) and "--upgrade pip" not in makefile
