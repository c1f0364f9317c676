"""readmission: the EU's Article 25a Visa Code assessment of cooperation on readmission, end to end."""

import sys

__version__ = "0.1.0"

# jsonschema, which nbformat imports, loads rfc3987_syntax when it is installed (jupyter-events requires
# it), and that builds 39 lark grammars at import: about a second in every process that reads or writes
# a notebook (the CLI, each worker), for the "iri" format alone, which no notebook schema uses. Python
# is told the module is absent, once, before any of the package's processes imports nbformat
# (tests/test_machinery_settings.py).
sys.modules.setdefault("rfc3987_syntax", None)
