"""The restricted phase of a public run and its disclosure step: every country assessed in full from
the confidential inputs (its full results into the restricted store), then the edition's release.

Runs in the command's process, never in a public page's kernel (docs/disclosure.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..method import release
from . import release_log
from ..method.assessment import assess_country
from ..inputs.loading import AssessmentInputs
from ..base.layout import RELEASE_FILE
from ..base.outputs import write_json
from ..settings.judgement import load_country_params
from ..base.project import Project
from ..method.results import write_results


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


def assess_all(project: Project, inputs: AssessmentInputs, codes: list[str], store: Path,
               outside: dict[str, str] | None = None) -> dict:
    """Every country's full assessment, its full results written into `store` (restricted)."""
    year, assessed = inputs.edition.data_year, {}
    for code in codes:
        settings = load_country_params(project, code)
        a = assess_country(inputs, code, note=settings["note"], entry=settings["assessment"].get(year))
        write_results(a, inputs, store, outside_selection=(outside or {}).get(code, ""))
        assessed[code] = a
    return assessed


def build_release(project: Project, inputs: AssessmentInputs, assessed: dict) -> Release:
    """The edition's release from full assessments: each figure through the disclosure rules, then
    compared with the releases published before."""
    method, year = inputs.method, inputs.edition.data_year
    synthetic = inputs.confidential.synthetic
    variants = release.method_variants(method)
    figures = {code: release.country_figures(a, method, variants) for code, a in assessed.items()}
    log = release_log.log_folder(project, year, synthetic)
    figures = release_log.checked(year, figures, release_log.published(log), method.min_states_for_aggregate,
                                  release_log.load_approvals(project))
    entries = {code: release.country_entry(assessed[code].level.level, figures[code]) for code in assessed}
    label = inputs.confidential.label if synthetic else ""
    inputs_hashes = {"public": inputs.public.manifest, "confidential": dict(sorted(inputs.confidential.sources.items()))}
    return Release(release.public_release(year, synthetic, label, method, entries),
                   release_log.log_entry(figures, inputs_hashes), log)


def merged(path: Path, public: dict) -> dict:
    """A release file with some countries replaced (a one-country run keeps the others' entries)."""
    import json

    if not Path(path).exists():
        return public
    before = json.loads(Path(path).read_text(encoding="utf-8"))
    if before.get("synthetic") != public["synthetic"]:
        return public
    return {**public, "countries": dict(sorted({**before["countries"], **public["countries"]}.items()))}


def restricted_phase(project: Project, audience: str, inputs: AssessmentInputs, codes: list[str], store: Path,
                     out: Path, outside: dict[str, str] | None = None) -> Release | None:
    """A public run's first phase: every country assessed in full into the restricted `store`, then
    the edition's release written into `out` (what the public pages read). None for a restricted run."""
    if audience != "public":
        return None
    made = build_release(project, inputs, assess_all(project, inputs, codes, store, outside))
    write_json(out / RELEASE_FILE, merged(out / RELEASE_FILE, made.public))
    return made
