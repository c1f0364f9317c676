"""What each run step's key is made of: exactly the inputs `steps.STEPS` declares for it (whether it
must run again is the scheduler's to say: base/schedule.py).

A country's key hashes the code, package versions, settings, reference tables, its parameters and
settings, and its slice of every input (public and confidential), so that a change to one country's
rows re-runs that country only; the edition key hashes every file a whole run reads.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from typing import TYPE_CHECKING, Callable

from ..base.schedule import KeyFiles
from ..base.paths import OutputTree, Project, keys_folder, published_editions
from ..base.versions import package_versions
from ..base.steps import digest as _digest, step_key

if TYPE_CHECKING:  # pandas and the inputs are only needed when countries are keyed
    import pandas as pd

    from ..inputs.loading import AssessmentInputs

LIB = Path(__file__).resolve().parents[1]  # the package, every layer


def json_digest(content) -> str:
    """The digest of a JSON-able value (keys sorted): e.g. a country's entry of the release."""
    return _digest(json.dumps(content, sort_keys=True, default=str).encode())


def code_digest(project: Project) -> str:
    """The `lib` code and both notebook templates, file by file."""
    files = sorted(LIB.rglob("*.py")) + [project.notebooks / "country.ipynb", project.notebooks / "summary.ipynb"]
    return _digest(*(_code_name(p).encode() + p.read_bytes() for p in files if p.exists()))


def _code_name(path: Path) -> str:
    """A code file's name in the key: its place in the package (a moved module changes the key)."""
    return path.relative_to(LIB).as_posix() if path.is_relative_to(LIB) else path.name


def _settings_files(project: Project, year: int) -> list[Path]:
    approvals = project.params / "release_approvals.yml"  # re-releases approved (release_log.py)
    return [project.edition_params(year), project.params / "method.yml"] + ([approvals] if approvals.exists() else [])


def _reference_files(project: Project) -> list[Path]:
    return sorted(project.reference.glob("*.csv"))


def _provenance() -> list[str]:
    """The confidential loader's provenance columns: data/confidential.py brings pandas and pandera
    (~0.4 s), loaded once inputs are, never by a run with nothing to do (noop_rerun_s < 1 s)."""
    from ..data.confidential import PROVENANCE
    return PROVENANCE


def _reporting_rule():
    """The indicators' rule for which states report returns: method/indicators.py brings pandas
    (~0.2 s), loaded once inputs are, never by a run with nothing to do (noop_rerun_s < 1 s)."""
    from ..method.indicators import states_reporting_returns
    return states_reporting_returns


def _group_digests(frame: "pd.DataFrame | None", column: str, countries: list[str]) -> dict[str, bytes]:
    """Per country, a digest of its rows in `frame` (grouped once, not filtered per country)."""
    if frame is None:
        return dict.fromkeys(countries, b"absent")
    # where a row sits in its file does not shape a page: another country's rows may move it
    wanted = frame[frame[column].isin(countries)].drop(columns=_provenance(), errors="ignore")
    found = {code: hashlib.sha256(text.encode()).digest() for code, text in _group_csv(wanted, column).items()}
    return {code: found.get(code, b"none") for code in countries}


def _group_csv(frame: "pd.DataFrame", column: str) -> dict[str, str]:
    """Per value of `column`, its rows as CSV with the header: the frame written once and its lines
    dealt out (a value with a line break in it: each group written apart)."""
    text = frame.to_csv(index=False, lineterminator="\n")
    lines = text.split("\n")
    if len(lines) != len(frame) + 2:  # a quoted field spans lines
        return {code: rows.to_csv(index=False, lineterminator="\n")
                for code, rows in frame.groupby(column, sort=False)}
    groups: dict[str, list[str]] = {}
    for code, line in zip(frame[column].tolist(), lines[1:-1]):
        groups.setdefault(code, [lines[0]]).append(line)
    return {code: "\n".join(rows) + "\n" for code, rows in groups.items()}


def slice_digests(inputs: "AssessmentInputs", countries: list[str]) -> dict[str, str]:
    """Per country, a digest of its rows in every input (public and confidential): only they shape its page."""
    public, confidential = inputs.public, inputs.confidential
    per_input = [
        _group_digests(public.decisions.observations, "citizen", countries),
        _group_digests(public.returns.observations, "citizen", countries),
        _group_digests(public.asylum.observations if public.asylum else None, "citizen", countries),
        _group_digests(public.crossings, "nationality", countries),
        _group_digests(public.operations, "destination", countries),
        _group_digests(confidential.statistics, "country", countries),
        _group_digests(confidential.questionnaire, "country", countries),
    ]
    year, returns = inputs.edition.data_year, public.returns.observations
    # which states report returns in each year up to the data year decides how a country's absent
    # rows read (the rate and the trend): the indicator's own rule, never a copy of it
    reporting = sorted(_reporting_rule()(returns[returns["year"] <= year]))
    common = [f"{confidential.synthetic}|{confidential.label}|{public.synthetic}".encode(), repr(reporting).encode()]
    return {code: _digest(*(digests[code] for digests in per_input), *common) for code in countries}


def country_params(project: Project, country: str) -> bytes:
    path = project.country_params(country)
    return path.read_bytes() if path.exists() else b""


SHARED = ("code", "versions", "settings", "reference")


def shared_parts(shared: dict[str, str], wanted: tuple[str, ...] = SHARED) -> dict[str, bytes]:
    """The shared digests (`shared_digests`) as key parts, by kind."""
    return {kind: shared[kind].encode() for kind in wanted}


def run_key_parts(project: Project, country: str, parameters: dict, shared: dict[str, str],
                  slices: str, history: str = "") -> dict[str, bytes]:
    """One country's key parts by declared kind; `shared` from `shared_digests`, `slices` its rows'
    digest, `history` the digest of its earlier editions (history.history_digest)."""
    return {**shared_parts(shared, SHARED), "parameters": json.dumps(parameters, sort_keys=True).encode(),
            "country settings": country_params(project, country),
            "country rows": slices.encode(), "earlier editions": history.encode()}


def run_key(project: Project, country: str, parameters: dict, shared: dict[str, str],
            slices: str, history: str = "") -> str:
    """The key of one country's run (its parts: `run_key_parts`)."""
    return step_key("country", run_key_parts(project, country, parameters, shared, slices, history))


def shared_digests(project: Project, year: int) -> dict[str, str]:
    """The digests every country's key shares, by kind of input."""
    return {"code": code_digest(project),
            "versions": json.dumps(package_versions(), sort_keys=True),
            "settings": _digest(*(p.read_bytes() for p in _settings_files(project, year))),
            "reference": _digest(*(p.read_bytes() for p in _reference_files(project)))}


def kept_keys(countries_dir: Path) -> KeyFiles:
    """Where a countries folder keeps the keys of its items (each country, "summary", "edition"), for
    the scheduler (base/schedule.py)."""
    return KeyFiles(keys_folder(countries_dir))


def country_outputs(countries_dir: Path, country: str) -> list[Path]:
    """What a done country leaves in its folder: its page and its results files."""
    return [Path(countries_dir) / f"{country}.{ext}" for ext in ("ipynb", "json", "csv")]


def has_outputs(countries_dir: Path) -> Callable[[str], bool]:
    """Whether a country's outputs are all in `countries_dir` (an item with a current key but a
    missing file runs again)."""
    return lambda country: all(p.exists() for p in country_outputs(countries_dir, country))


def files_digest(*folders: Path, root: Path | None = None) -> str:
    """Every file under the folders (names and bytes), hidden files skipped; absent folders count.

    Folders are named relative to `root` when given, so two checkouts give the same digest."""
    parts = []
    for folder in folders:
        folder = Path(folder)
        parts.append(os.path.relpath(folder, root).encode() if root else str(folder).encode())
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                rel = path.relative_to(folder)
                if path.is_file() and not any(p.startswith(".") for p in rel.parts):
                    parts.append(rel.as_posix().encode() + b"\0" + path.read_bytes())
    return _digest(*parts)


def edition_parts(project: Project, year: int, public_dir: Path, restricted_dir: Path,
                  audience: str, history: str = "") -> dict[str, bytes]:
    """Everything a whole run reads, by declared kind."""
    shared = shared_digests(project, year)
    folder = lambda path: files_digest(path, root=project.root).encode()  # noqa: E731
    return {**shared_parts(shared, SHARED), "audience": audience.encode(), "public data": folder(public_dir),
            "confidential inputs": folder(restricted_dir),
            "country settings": folder(project.country_settings), "earlier editions": history.encode()}


def edition_digest(project: Project, year: int, public_dir: Path, restricted_dir: Path,
                   audience: str, history: str = "") -> str:
    """One key over everything a whole run reads: equal keys mean nothing to do."""
    return step_key("edition", edition_parts(project, year, public_dir, restricted_dir, audience, history))


def summary_parts(project: Project, year: int, run: dict, results: bytes, history: str = "") -> dict[str, bytes]:
    """The summary's inputs by declared kind: code, settings, reference tables, the run record and the
    results it reads, and earlier editions' results (its "Across editions" section)."""
    shared = shared_digests(project, year)
    return {**shared_parts(shared, ("code", "settings", "reference")),
            "results": json.dumps(run, sort_keys=True).encode() + results, "earlier editions": history.encode()}


# ---- earlier editions (an input of the country, summary and edition keys; kept free of pandas:
# the no-change path computes it) ----

def history_files(project: Project, up_to: int, country: str | None = None,
                  audience: str = "public") -> list[Path]:
    """What the history of edition `up_to` reads (for run keys): earlier editions' selections and
    results, of one country or of all; a later edition is never read, so adding one re-runs nothing."""
    files = []
    for year in published_editions(project, audience):
        if year < up_to:
            tree = OutputTree(project, year, audience)
            results = [tree.countries / f"{country}.json"] if country else sorted(tree.countries.glob("*.json"))
            files += [project.edition_results(year) / "selection.csv", tree.run_file, *results]
    return [f for f in files if f.exists()]


def history_digest(project: Project, up_to: int, country: str | None = None) -> str:
    """One digest over `history_files` (names and bytes)."""
    digest = hashlib.sha256()
    for path in history_files(project, up_to, country):
        digest.update(path.relative_to(project.root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()
