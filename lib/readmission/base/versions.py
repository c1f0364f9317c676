"""Versions of Python and the packages whose behaviour shapes the outputs (run keys, bundle manifest)."""

from __future__ import annotations

import platform
from importlib import metadata

PACKAGES = ("pandas", "numpy", "matplotlib", "papermill", "nbclient", "nbformat",
            "ipykernel", "pandera", "pycountry", "pyyaml", "jupyter_client")


def package_versions() -> dict[str, str]:
    """Versions of Python and of the packages whose behaviour shapes the outputs."""
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "absent"
    return versions
