"""What importing the package sets for the notebook machinery (lib/readmission/__init__.py): no
rfc3987_syntax (a second of lark grammars in every process that touches a notebook, for a format no
notebook schema uses); invalid notebooks and outputs are still refused."""

from __future__ import annotations

import subprocess
import sys

import nbformat
import pytest

PROBE = """
import json, sys
import readmission, nbformat, jsonschema
print(json.dumps({"lark": "lark" in sys.modules, "rfc3987": sys.modules.get("rfc3987_syntax") is not None}))
"""


def probe(code: str) -> str:
    """`code`'s output in a fresh interpreter."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout


def test_a_process_that_imports_the_package_first_loads_no_grammar():
    assert probe(PROBE).strip() == '{"lark": false, "rfc3987": false}'


def test_without_the_package_first_the_costs_are_back():
    """The probe can fail: the same imports without the package load the grammars (when installed)."""
    found = probe(PROBE.replace("import readmission, nbformat", "import nbformat"))
    if '"rfc3987": false' in found and '"lark": false' in found:
        pytest.skip("rfc3987_syntax is not installed here: nothing to keep out")
    assert found.strip() == '{"lark": true, "rfc3987": true}'


def test_invalid_notebooks_and_outputs_are_still_refused():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1")])
    nbformat.validate(nb)
    nb.cells[0]["execution_count"] = "first"
    with pytest.raises(nbformat.ValidationError):
        nbformat.validate(nb)
    with pytest.raises(nbformat.ValidationError):
        nbformat.v4.new_output("display_data", data={"text/plain": 3})
