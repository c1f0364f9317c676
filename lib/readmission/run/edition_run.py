"""`readmission run` and `readmission country`: selection, countries' notebooks (incremental,
parallel), then the summary, into one audience's output tree (base/paths.py).

A run never changes what is published until it is complete: it works in the next folder and swaps it
in at the end (next_folder.py).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from . import runkeys
from ..base import schedule
from ..base.codes import country_name
from ..base.errors import InputError
from ..base.paths import RELEASE_FILE, RESTRICTED, RUN_RECORD, OutputTree, Project, confidential_source
from ..base.outputs import EnvironmentFault, environment_fault, write_json
from ..settings.judgement import country_settings_problems
from ..settings.params import Edition, load_method
from .next_folder import SUMMARY_STAGED, abandon, publish, recover, remove_stale, start_next
from .run_report import RunReport

# What a run with work to do needs (pandas, papermill, nbformat: ~1.5 s) loads only then, each module in
# one function below: a run with nothing to do answers from its keys in well under a second
# (benchmarks: noop_rerun_s < 1 s).

def _pipeline():
    """run/pipeline.py, with papermill and nbformat (~1 s): workers, jobs, the summary."""
    from . import pipeline
    return pipeline


def _kernels():
    """run/kernels.py, with jupyter_client and papermill (~1 s): `readmission country`'s own kernel."""
    from . import kernels
    return kernels


def _execute():
    """run/execute.py, with papermill and nbformat (~1 s): a failed country's page."""
    from . import execute
    return execute


def _loading():
    """inputs/loading.py, with pandas and pandera (~0.5 s): the run's inputs."""
    from ..inputs import loading
    return loading


def _slices():
    """inputs/slices.py, with pandas (~0.5 s): each country's confidential rows."""
    from ..inputs import slices
    return slices


def _selection():
    """method/selection.py, with pandas (~0.5 s): whether the public data support the edition."""
    from ..method import selection
    return selection


def _editions():
    """run/editions.py, with pandas (~0.5 s): the selection and the demo set."""
    from . import editions
    return editions


def _release_step():
    """run/release_step.py, with pandas and the method (~0.5 s): the restricted phase."""
    from . import release_step
    return release_step


def _site_sources():
    """publish/site_sources.py, with pandas and nbformat (~1.5 s): failure pages and the site's sources."""
    from ..publish import site_sources
    return site_sources


def record_outcome(out: Path, outcome, parts: dict[str, bytes], tree: OutputTree) -> None:
    """Store the key of a finished country; replace a failed country's page with a failure page naming
    the step and the restricted log, which holds the error (its text on a restricted page only)."""
    keys = runkeys.kept_keys(out)
    if outcome.ok:
        keys.keep("country", outcome.country, parts)
        return
    keys.forget(outcome.country)
    for ext in ("json", "csv"):
        (out / f"{outcome.country}.{ext}").unlink(missing_ok=True)
    log = tree.logs / f"{outcome.country}.log"  # where pipeline.run_job logs; a dead worker wrote nothing
    if outcome.log is None or not Path(outcome.log).is_file():
        log.parent.mkdir(parents=True, exist_ok=True)
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(f"\nFAILED: {outcome.error}\n")
    error = outcome.error if tree.audience == RESTRICTED else ""
    page = _site_sources().failure_notebook(outcome.country, country_name(outcome.country), tree.year, error)
    _execute().write_notebook(page, out / f"{outcome.country}.ipynb")


def run_summary(project: Project, tree: OutputTree, out: Path, run: dict, force: bool, workers) -> Path | None:
    """Execute the summary over the countries' results into `out` on one of the run's `workers` (its
    kernel is warm), unless nothing it reads changed.

    Returns the staged notebook, or None when the published summary is still current.
    """
    keys = runkeys.kept_keys(out)
    reads = b"".join(p.read_bytes() for c in run["countries"]
                     for p in (out / f"{c['country']}.json", tree.store_next / f"{c['country']}.json")
                     if p.exists())
    parts = runkeys.summary_parts(project, tree.year, run, reads, runkeys.history_digest(project, tree.year))
    if schedule.why("summary", parts, keys.kept("summary"), tree.summary.exists(), force) is None:
        return None
    staged = out / SUMMARY_STAGED
    rel = lambda p: os.path.relpath(p, project.notebooks)  # noqa: E731
    tree.logs.mkdir(parents=True, exist_ok=True)
    workers.call(_pipeline().summary_job, project.notebooks / "summary.ipynb", staged,
                 {"countries_dir": rel(out),  # a public summary reads released figures only
                  "restricted_dir": rel(tree.store_next) if tree.audience == RESTRICTED else ""}, project.notebooks,
                 tree.logs / "summary.log", tree.year)
    keys.keep("summary", "summary", parts)
    return staged


def summary_or_note(project: Project, tree: OutputTree, out: Path, run: dict, force: bool,
                    notes: list[str], workers) -> tuple[Path | None, bool]:
    """The staged summary and whether it ran; a failed summary is noted like a failed country.

    A failure of the machine (disk full, permissions) is not a failed summary: it stops the run.
    """
    try:
        return run_summary(project, tree, out, run, force, workers), True
    except Exception as exc:
        if environment_fault(exc):
            raise EnvironmentFault(f"summary: {_pipeline().failure_message(exc)}") from exc
        runkeys.kept_keys(out).forget("summary")
        notes.append(f"summary failed: {type(exc).__name__}: {' '.join(str(exc).split())[-300:]}")
        return None, False


def fault_message(error: str) -> str:
    return (f"{' '.join(error.split())[-300:]}. The machine, not a calculation, failed: nothing was "
            "published and the previous outputs are kept; free disk space or fix permissions, "
            "then run again")


def stop_on_fault(outcomes) -> None:
    """Stop the run when a country met a failure of the machine rather than of its calculation."""
    fault = next((o for o in outcomes if o.fault), None)
    if fault is not None:
        raise EnvironmentFault(f"{fault.country}: {fault.error}")


def up_to_date(tree: OutputTree, parts: dict[str, bytes]) -> list[str] | None:
    """The countries of the last run if it was done with these inputs (`edition_key_parts`) and left
    every output, else None."""
    out = tree.countries
    kept = runkeys.kept_keys(out).kept("edition")
    if not tree.run_file.exists() or schedule.why("edition", parts, kept) is not None:
        return None
    run = json.loads(tree.run_file.read_text(encoding="utf-8"))
    codes = [c["country"] for c in run["countries"]]
    complete = all(c["ok"] for c in run["countries"]) and all(map(runkeys.has_outputs(out), codes))
    return codes if complete and tree.summary.exists() else None


@dataclass(frozen=True)
class RunRequest:
    """What a run was asked to do: which edition, for whom, from which inputs."""

    edition: Edition
    audience: str = "public"
    workers: int = 1
    force: bool = False
    demo: bool = False
    public_dir: Path | None = None
    restricted_dir: Path | None = None


def edition_key_parts(project: Project, request: RunRequest, confidential_dir: Path) -> dict[str, bytes]:
    """Everything a run of the edition reads, earlier editions' results included, by declared kind."""
    year = request.edition.data_year
    return runkeys.edition_parts(project, year, request.public_dir or project.public, confidential_dir,
                                 request.audience + ("|demo" if request.demo else ""),
                                 runkeys.history_digest(project, year))


def prepare_inputs(project: Project, request: RunRequest, codes: list[str]):
    """Read and validate every input (writing the demo set first when asked) before anything is written;
    an edition the public data cannot support stops here, naming what is missing."""
    loading = _loading()
    edition, method = request.edition, load_method(project)
    public = loading.load_public(Path(request.public_dir or project.public), [], project.reference, project.cache)
    _selection().check_edition_supported(edition, public.decisions.observations, public.returns.observations)
    folder = confidential_source(project, edition, request.restricted_dir, request.demo)
    if request.demo:
        _editions().write_demo_set(project, edition, method, codes, public, loading.edition_states(project, edition))
    return folder, loading.load_inputs(project, edition, method, codes, request.public_dir, folder)


def country_keys(project: Project, request: RunRequest, inputs, codes: list[str],
                 outside_selection: bool = False, release=None,
                 slices: dict[str, str] | None = None) -> dict[str, dict[str, bytes]]:
    """Each country's run key parts: what its notebook reads (its slice, or for a public page its entry of
    the release), its parameters and the audience (`slices`: runkeys.slice_digests, when computed)."""
    notebook_parameters, slice_folder = _pipeline().notebook_parameters, _slices().slice_folder
    year = request.edition.data_year
    tree = OutputTree(project, year, request.audience)
    shared = runkeys.shared_digests(project, year)
    slices = slices if slices is not None else runkeys.slice_digests(inputs, codes)
    if release is not None:  # a public page reads its entry of the release, wherever the file is
        slices = {c: slices[c] + runkeys.json_digest(release.entry_of(c)) for c in codes}
    public_dir = request.public_dir or project.public
    read = {"release": RELEASE_FILE} if release else {}  # the file's own place varies (next folder)
    keyed = lambda c: notebook_parameters(  # noqa: E731
        project, request.edition, c, public_dir, None if release else slice_folder(tree, c), outside_selection)
    return {c: runkeys.run_key_parts(project, c, dict(keyed(c), **read, audience=request.audience),
                                     shared, slices[c], runkeys.history_digest(project, year, c)) for c in codes}


def run_record(request: RunRequest, inputs, codes: list[str], errors: dict[str, str]) -> dict:
    """What the summary and the site read about a run (no machine paths, no confidential values): a
    public record says of a failed country which step failed and where its log is, never the error."""
    failure_summary = _site_sources().failure_summary
    year, public = request.edition.data_year, request.audience != RESTRICTED
    said = {c: failure_summary(year, c) if public else error for c, error in errors.items()}
    return {"edition": request.edition.as_dict(), "inputs": inputs.public.manifest,
            "audience": request.audience,
            "countries": [{"country": c, "name": country_name(c), "ok": c not in errors,
                           "error": said.get(c, "")} for c in codes],
            "synthetic_confidential": inputs.confidential.synthetic,
            "synthetic_label": inputs.confidential.label if inputs.confidential.synthetic else ""}


def run_edition(project: Project, request: RunRequest, progress=None, on_start=None) -> RunReport:
    """Run the whole edition for one audience; a failing country is reported, never stops the others."""
    edition = request.edition
    tree = OutputTree(project, edition.data_year, request.audience)
    recover(tree)
    folder = confidential_source(project, edition, request.restricted_dir, request.demo)
    done = None if request.force else up_to_date(tree, edition_key_parts(project, request, folder))
    if done is not None:
        if on_start:
            on_start(0, len(done))
        return RunReport(edition, done, [], done, [], tree.summary,
                         ["nothing changed since the last run: outputs kept as they are"])
    problems = country_settings_problems(project)  # every analyst entry valid before any country runs
    if problems:
        raise InputError(problems)
    # the workers and their kernels start now and boot while the inputs load; they end if these fail.
    # After a complete earlier run few countries usually change: this process's kernel does them.
    expect_few = not request.force and runkeys.kept_keys(tree.countries).has("summary")
    with _pipeline().Workers(request.workers, project.notebooks, expect_few, request.public_dir or project.public) as workers:
        return run_started(project, request, tree, workers, progress, on_start)


def run_decisions(project: Project, request: RunRequest):
    """The return decisions of the public data the run reads when they are the project's (the selection
    then shares the run's one read of them); None when the run reads another folder."""
    if request.public_dir is not None and Path(request.public_dir).resolve() != project.public.resolve():
        return None
    return _loading().load_public(project.public, [], project.reference, project.cache).decisions


def run_started(project: Project, request: RunRequest, tree: OutputTree, workers, progress,
                on_start) -> RunReport:
    """The rest of a run, its workers started: inputs, countries, summary, publishing."""
    editions, CountryJob = _editions(), _pipeline().CountryJob
    edition = request.edition
    decisions = run_decisions(project, request)
    selection = editions.compute_selection(project, edition, decisions)
    codes = selection.codes
    folder, inputs = prepare_inputs(project, request, codes)
    editions.write_selection(project, selection, editions.uk_dependence(project, selection, decisions))
    changes = editions.record_manifest(project, edition, inputs.public.manifest)
    notes = list(inputs.notes) + [f"input changed: {c}" for c in changes]
    out = start_next(tree)
    try:
        runkeys.kept_keys(out).forget("edition")
        digests = runkeys.slice_digests(inputs, codes)  # the restricted phase's keys and the pages' share them
        release = _release_step().restricted_phase(project, request.audience, inputs, codes, tree.store_next,
                                                   out, slices=digests, fresh=request.force, workers=workers.count)
        parts = country_keys(project, request, inputs, codes, release=release, slices=digests)
        pending = list(schedule.pending("country", parts, runkeys.kept_keys(out).kept, runkeys.has_outputs(out),
                                        request.force))
        if on_start:
            on_start(len(pending), len(codes))
        slices = {} if release else _slices().write_slices(tree, inputs.confidential, folder, pending)
        jobs = [CountryJob(project.root, edition.data_year, c, out, slices.get(c), request.audience,
                           request.public_dir, True, store=tree.store_next,
                           release=out / RELEASE_FILE if release else None) for c in pending]
        outcomes = workers.countries(jobs, progress)
        stop_on_fault(outcomes)
        for outcome in outcomes:
            record_outcome(out, outcome, parts[outcome.country], tree)
        stale = remove_stale(out, codes, tree.store_next, _release_step().kept_path)
        failed = [o for o in outcomes if not o.ok]
        run = run_record(request, inputs, codes, {o.country: o.error for o in failed})
        write_json(out / RUN_RECORD, run)
        staged, summary_ok = summary_or_note(project, tree, out, run, request.force, notes, workers)
    except BaseException as exc:  # interrupted, or the machine failed: nothing is published
        abandon(tree)
        if environment_fault(exc):
            raise EnvironmentFault(fault_message(str(exc))) from exc
        raise
    if not summary_ok:  # an edition publishes as a whole: new pages never stand beside old findings
        abandon(tree)
        notes.append("nothing of this edition was published: its findings failed, so its previous pages "
                     "and findings stay as they were (the log of the summary says why)")
        return RunReport(edition, codes, [o.country for o in outcomes if o.ok],
                         [c for c in codes if c not in pending], failed, None, notes)
    publish(tree, staged)
    if release is not None:  # logged once published: the next release of the edition is compared with it
        release.record()
    _site_sources().write_latest_site_sources(tree)
    if not failed and summary_ok:
        runkeys.kept_keys(tree.countries).keep("edition", "edition", edition_key_parts(project, request, folder))
    notes += [f"removed outputs of countries no longer selected: {', '.join(stale)}"] if stale else []
    return RunReport(edition, codes, [o.country for o in outcomes if o.ok],
                     [c for c in codes if c not in pending], failed,
                     tree.summary if summary_ok else None, notes)


def run_one_country(project: Project, request: RunRequest, country: str, codes: list[str],
                    outside_selection: bool = False):
    """One country's notebook into its audience's tree, recorded so the next `run` knows it.

    The country's key is stored beside its files and the edition key is dropped, so the next
    `run` re-checks every country and re-runs the summary if this page changed.
    """
    kernels, pipeline = _kernels(), _pipeline()
    edition = request.edition
    tree = OutputTree(project, edition.data_year, request.audience)
    recover(tree)
    kernels.prestart(kernels.KERNEL, project.notebooks)  # boots while the inputs load; stopped on an error
    kernels.warm_up(str(Path(request.public_dir or project.public).resolve()))
    folder, inputs = prepare_inputs(project, request, sorted(set(codes) | {country}))
    tree.countries.mkdir(parents=True, exist_ok=True)
    outside = {country: "run on request, outside the edition's selection"} if outside_selection else None
    release = _release_step().restricted_phase(project, request.audience, inputs, [country], tree.store,
                                               tree.countries, outside, fresh=request.force)
    parts = country_keys(project, request, inputs, [country], outside_selection, release)[country]
    runkeys.kept_keys(tree.countries).forget("edition")
    inputs_slice = None if release else _slices().write_slices(tree, inputs.confidential, folder, [country])[country]
    outcome = pipeline.run_job(pipeline.CountryJob(project.root, edition.data_year, country, tree.countries, inputs_slice,
                                 request.audience, request.public_dir, warm=True,
                                 outside_selection=outside_selection,
                                 release=tree.countries / RELEASE_FILE if release else None))
    if outcome.fault:
        raise EnvironmentFault(fault_message(f"{country}: {outcome.error}"))
    if outcome.ok:
        record_outcome(tree.countries, outcome, parts, tree)
        if release is not None:
            release.record()
        refresh_site_sources(tree)
    return outcome


def refresh_site_sources(tree: OutputTree) -> None:
    """After one country: the home page says so when this page's inputs (real, synthetic) differ from
    the run's. A run record that is not a run's (unreadable) is left to the next `run` to rewrite."""
    try:
        json.loads(tree.run_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    _site_sources().write_latest_site_sources(tree)
