"""The restricted phase of a public run and its disclosure step: every country assessed in full from
the confidential inputs (its full results into the restricted store), then the edition's release.

Incremental: a country whose inputs did not change since its last assessment takes its figures and
full results from the restricted store instead of being assessed again. Kept per country in
`<store>/.<CODE>.assessed` (restricted like the store, hidden beside its results files, swapped in
with it): the key of what its assessment read (step "assessment" of base/steps.py, decided by the
scheduler, base/schedule.py), its level, its figures before the rule between releases, and its
results files as written (their provenance, which names every input file, is written anew when an
input file changed). An entry absent, unreadable or made with another key: the country is assessed
again, never an error. The rule between releases and the release file always run over every country.

Runs in the command's process and forks of it, never in a public page's kernel (docs/disclosure.md).
"""

from __future__ import annotations

import json
import pickle
from dataclasses import dataclass
from pathlib import Path

from ..method import release
from . import forks, release_log, runkeys
from ..base import schedule
from ..method.assessment import assess_country
from ..method.indicators import series_years
from ..inputs.loading import AssessmentInputs, caveat_notes
from ..base.paths import RELEASE_FILE, Project
from ..base.outputs import dumps_json, write_bytes_atomic, write_json, write_text_atomic
from ..settings.judgement import load_country_params
from ..method.results import provenance, write_results


@dataclass(frozen=True)
class Release:
    """An edition's release before it is published: the public file's content and the log's entry."""

    public: dict
    log_entry: dict
    log: Path

    def entry_of(self, country: str) -> dict:
        return self.public["countries"][country]

    def record(self) -> None:
        """Keep this release in the log: called once its pages are published."""
        release_log.record(self.log, self.log_entry)


@dataclass(frozen=True)
class Assessed:
    """One country's full assessment as the release needs it, and its full results files' content."""

    level: str
    figures: dict[str, release.Figure]  # before the rule between releases
    results: str     # the results JSON as written,
    provenance: dict  # with this provenance
    rows: str        # the results CSV


def edition_facts(project: Project, inputs: AssessmentInputs) -> str:
    """The digest of what every country's assessment reads beyond its own rows."""
    public, year = inputs.public, inputs.edition.data_year
    return runkeys.json_digest({
        "edition": inputs.edition.as_dict(), "method": inputs.method.raw, "states": list(inputs.states),
        "years": series_years(public.decisions.observations, public.returns.observations, until=year),
        "caveats": caveat_notes(public), "reference": runkeys.files_digest(project.reference, root=project.root)})


def assessment_parts(project: Project, inputs: AssessmentInputs, codes: list[str], outside: dict[str, str],
                     slices: dict[str, str] | None = None) -> dict[str, schedule.Parts]:
    """Per country, the inputs of its full assessment by declared kind (base/steps.py, step
    "assessment"; `slices`: runkeys.slice_digests, when computed)."""
    shared = runkeys.shared_digests(project, inputs.edition.data_year)
    slices = slices if slices is not None else runkeys.slice_digests(inputs, codes)
    facts = edition_facts(project, inputs).encode()
    return {c: {**runkeys.shared_parts(shared), "edition facts": facts,
                "country settings": runkeys.country_params(project, c), "country rows": slices[c].encode(),
                "outside selection": outside.get(c, "").encode()} for c in codes}


def kept_path(store: Path, code: str) -> Path:
    return Path(store) / f".{code}.assessed"


def _key_from(handle) -> schedule.Kept:
    """An entry's first record: the key of its assessment and its inputs' digests."""
    key, digests = pickle.load(handle)
    return str(key), digests if isinstance(digests, dict) else None


def kept_key(store: Path, code: str) -> schedule.Kept:
    """The key of `code`'s kept assessment and its inputs' digests, read alone (('', None): none)."""
    try:
        with open(kept_path(store, code), "rb") as handle:
            return _key_from(handle)
    except Exception:  # absent, damaged, or written by other code: assessed again
        return "", None


def kept(store: Path, code: str, parts: schedule.Parts) -> Assessed | None:
    """The kept assessment of `code` if it was made from these inputs, else None (a stale entry is
    never read beyond its key)."""
    try:
        with open(kept_path(store, code), "rb") as handle:
            if schedule.why("assessment", parts, _key_from(handle)) is not None:
                return None
            found = pickle.load(handle)
    except Exception:  # absent, damaged, or written by other code: assessed again
        return None
    return found if isinstance(found, Assessed) else None


def keep(store: Path, code: str, parts: schedule.Parts, assessed: Assessed) -> None:
    write_bytes_atomic(kept_path(store, code), pickle.dumps(schedule.record("assessment", parts))
                       + pickle.dumps(assessed))


def rewrite_results(store: Path, code: str, assessed: Assessed, origin: dict) -> None:
    """Kept results files into the store with this run's provenance `origin`: the bytes
    `results.write_results` writes (a file already holding them is left alone)."""
    text = assessed.results
    if origin != assessed.provenance:  # an input file changed: only the provenance differs
        text = dumps_json({**json.loads(text), "provenance": origin})
    for path, content in ((Path(store) / f"{code}.json", text), (Path(store) / f"{code}.csv", assessed.rows)):
        if not (path.exists() and path.read_bytes() == content.encode("utf-8")):
            write_text_atomic(path, content)


def assess_one(project: Project, inputs: AssessmentInputs, code: str, store: Path, outside: str,
               variants: dict, origin: dict) -> Assessed:
    """One country assessed in full, its full results written into `store` (restricted)."""
    settings = load_country_params(project, code)
    year = inputs.edition.data_year
    a = assess_country(inputs, code, note=settings["note"], entry=settings["assessment"].get(year))
    json_file, csv_file = write_results(a, inputs, store, outside_selection=outside)
    return Assessed(a.level.level, release.country_figures(a, inputs.method, variants),
                    json_file.read_bytes().decode("utf-8"), origin, csv_file.read_bytes().decode("utf-8"))


_FORKED: dict = {}  # what forked assessors read: set before the fork, inherited, never pickled
SHARE = 4  # countries a process at least: fewer are not worth a fork


def assess_share(codes: list[str]) -> dict[str, Assessed]:
    """`assess_one` of each of `codes` with the arguments in _FORKED (in this process or a fork of it)."""
    f = _FORKED
    return {c: assess_one(f["project"], f["inputs"], c, f["store"], f["outside"].get(c, ""), f["variants"],
                          f["origin"]) for c in codes}


def assess_spread(project: Project, inputs: AssessmentInputs, codes: list[str], store: Path, outside: dict[str, str],
                  workers: int = 1) -> dict[str, Assessed]:
    """`assess_one` of every one of `codes`, spread over `workers` processes (forks.py). Pure functions:
    the same files and figures as one after another, whatever the count."""
    _FORKED.update(project=project, inputs=inputs, store=store, outside=outside, origin=provenance(inputs),
                   variants=release.method_variants(inputs.method))
    count = max(1, min(workers, len(codes) // SHARE))
    done: dict[str, Assessed] = {}
    try:
        for part in forks.spread(assess_share, [codes[i::count] for i in range(count)]):
            done.update(part)
    finally:
        _FORKED.clear()
    return {c: done[c] for c in codes}


def assess_all(project: Project, inputs: AssessmentInputs, codes: list[str], store: Path,
               outside: dict[str, str] | None = None, slices: dict[str, str] | None = None,
               fresh: bool = False, workers: int = 1) -> dict[str, Assessed]:
    """Every country's full assessment, its full results in `store` (restricted): kept from an earlier
    run while its key is unchanged (unless `fresh`: a forced run), else assessed again, over `workers`
    processes (`slices`: runkeys.slice_digests)."""
    outside = outside or {}
    parts = assessment_parts(project, inputs, codes, outside, slices)
    origin, assessed = provenance(inputs), {}
    for code in codes:
        found = None if fresh else kept(store, code, parts[code])
        if found is not None:
            rewrite_results(store, code, found, origin)
            assessed[code] = found
    made = assess_spread(project, inputs, [c for c in codes if c not in assessed], store, outside, workers)
    for code, found in made.items():
        keep(store, code, parts[code], found)
    return {code: assessed.get(code) or made[code] for code in codes}


def build_release(project: Project, inputs: AssessmentInputs, assessed: dict[str, Assessed]) -> Release:
    """The edition's release from every country's figures (each through the disclosure rules), all
    compared with the releases published before."""
    method, year = inputs.method, inputs.edition.data_year
    synthetic = inputs.confidential.synthetic
    log = release_log.log_folder(project, year, synthetic)
    figures = release_log.checked(year, {code: a.figures for code, a in assessed.items()},
                                  release_log.published(log), method.min_states_for_aggregate,
                                  release_log.load_approvals(project))
    entries = {code: release.country_entry(assessed[code].level, figures[code]) for code in assessed}
    label = inputs.confidential.label if synthetic else ""
    inputs_hashes = {"public": inputs.public.manifest, "confidential": dict(sorted(inputs.confidential.sources.items()))}
    return Release(release.public_release(year, synthetic, label, method, entries),
                   release_log.log_entry(figures, inputs_hashes), log)


def merged(path: Path, public: dict) -> dict:
    """A release file with some countries replaced (a one-country run keeps the others' entries)."""
    if not Path(path).exists():
        return public
    before = json.loads(Path(path).read_text(encoding="utf-8"))
    if before.get("synthetic") != public["synthetic"]:
        return public
    return {**public, "countries": dict(sorted({**before["countries"], **public["countries"]}.items()))}


def restricted_phase(project: Project, audience: str, inputs: AssessmentInputs, codes: list[str], store: Path,
                     out: Path, outside: dict[str, str] | None = None,
                     slices: dict[str, str] | None = None, fresh: bool = False, workers: int = 1) -> Release | None:
    """A public run's first phase: every country assessed in full into the restricted `store` (a
    country whose inputs are unchanged kept from an earlier run), then the edition's release written
    into `out` (what the public pages read), over `workers` processes. None for a restricted run."""
    if audience != "public":
        return None
    made = build_release(project, inputs, assess_all(project, inputs, codes, store, outside, slices, fresh, workers))
    write_json(out / RELEASE_FILE, merged(out / RELEASE_FILE, made.public))
    return made
