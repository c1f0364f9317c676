"""Per-country slices of the confidential inputs: parsed once per run, one small folder per country.

The run reads and validates the Member States' files once (edition_run.prepare_inputs); each
country's kernel then reads only its own rows from `data/restricted/out/<year>/inputs/<CODE>/`
(restricted, like everything holding per-state values). Every row keeps the file and row it came
from (data.confidential.PROVENANCE), and a demo set's marker goes with its slices. A slice is read
with the rules its file passed (data.inputfile, data.workbook: a field spans at most
max_lines_in_field lines, in a CSV file or an Excel cell), so what passed validation reads back.
"""

from __future__ import annotations

from pathlib import Path

from ..data.confidential import DEMO_MARKER, FILES
from ..base.paths import OutputTree
from ..base.outputs import write_csv, write_bytes_atomic


def slice_folder(tree: OutputTree, country: str) -> Path:
    """Where `country`'s slice goes (the same for both audiences: it is restricted either way)."""
    return tree.country_inputs(country)


def write_slice(folder: Path, confidential, country: str, marker: Path | None) -> Path:
    """Write `country`'s rows of both confidential tables (and the demo marker) into `folder`."""
    for kind, frame in zip(FILES, (confidential.statistics, confidential.questionnaire)):
        write_csv(folder / f"{kind}.csv", frame[frame["country"] == country])
    if marker is not None:
        write_bytes_atomic(folder / DEMO_MARKER, marker.read_bytes())
    else:
        (folder / DEMO_MARKER).unlink(missing_ok=True)
    return folder


def write_slices(tree: OutputTree, confidential, source: Path, countries: list[str]) -> dict[str, Path]:
    """Each country's slice folder, written from the inputs the run already parsed from `source`."""
    marker = Path(source) / DEMO_MARKER
    marker = marker if confidential.synthetic and marker.is_file() else None
    return {code: write_slice(slice_folder(tree, code), confidential, code, marker) for code in countries}

