"""Running an edition: one country's notebook, then (see run_edition) every country and the summary."""

from __future__ import annotations

import json
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import nbformat

from ..base.codes import country_name, eurostat_from_iso3, is_country
from ..base.errors import InputError
from .execute import clean_notebook, clear_staging, run_papermill, strip_restricted, write_notebook
from .kernels import KERNEL, init_worker, prestart, shutdown_warm_kernel, starting_workers, warm_up
from ..base.paths import PUBLIC, OutputTree, Project
from ..base.outputs import environment_fault, write_bytes_atomic, write_json, write_text_atomic
from .audience import audience_rows, audience_view
from ..settings.params import Edition, load_edition
from ..pages.front_matter import front_matter
from ..settings.limits import load_limits


@dataclass(frozen=True)
class CountryOutcome:
    """How one country's run ended: its files, or the error that stopped it."""

    country: str
    ok: bool
    notebook: Path | None
    error: str = ""
    log: Path | None = None
    fault: bool = False  # the machine failed (disk full, permissions), not the calculation


def code_hint(code) -> str:
    """'; did you mean IQ (Iraq)?' for an ISO alpha-3 code, a lower-case code or Greece's GR."""
    text = str(code).strip().upper()
    for guess in (lambda: eurostat_from_iso3(text), lambda: {"GR": "EL", "GB": "UK"}[text],
                  lambda: text if is_country(text) else None):
        try:
            found = guess()
        except KeyError:
            continue
        if found and is_country(found):
            return f"; did you mean {found} ({country_name(found)})?"
    return ""


def check_country_code(code: str, states: list[str]) -> str:
    """A third country's Eurostat code, checked before any kernel starts (no code injection)."""
    if not isinstance(code, str) or not is_country(code):
        raise InputError.single("command line", f"{code!r} is not a Eurostat country code "
                                f"(two capital letters, e.g. IQ, PK, XK){code_hint(code)}", field="country")
    if code in states:
        raise InputError.single("command line", f"{code} is a reporting state, not a third country",
                                field="country")
    return code


@dataclass(frozen=True)
class CountryJob:
    """Everything a worker needs to run one country (plain values: it crosses a process boundary)."""

    root: Path
    year: int
    country: str
    out: Path                    # where the audience's finished files go (a run's next folder)
    confidential_dir: Path | None  # the confidential inputs of a restricted page (its slice); None: public
    audience: str = PUBLIC
    public_dir: Path | None = None
    warm: bool = False
    outside_selection: bool = False  # run on request although not selected: the page says so
    store: Path | None = None  # where its full results go: a run's next store (default the store)
    release: Path | None = None  # a public page's edition release (its only confidential-derived input)

    @property
    def tree(self) -> OutputTree:
        return OutputTree(Project(Path(self.root)), self.year, self.audience)


def notebook_parameters(project: Project, edition: Edition, country: str, public_dir: Path,
                        confidential_dir: Path | None, outside_selection: bool = False,
                        release: Path | None = None) -> dict:
    """papermill parameters; paths relative to notebooks/ so executed notebooks do not vary by machine.

    A restricted page reads its confidential slice; a public page the edition's release and no
    confidential folder at all. The notebook writes its results into the staging folder.
    `outside_selection` is passed only when set, so the selected countries' parameters are unchanged.
    """
    rel = lambda p: os.path.relpath(Path(p).resolve(), project.notebooks.resolve())  # noqa: E731
    staging = OutputTree(project, edition.data_year, PUBLIC).staging / country
    params = {"country": country, "year": edition.data_year, "public_dir": rel(public_dir),
              "restricted_dir": rel(confidential_dir) if confidential_dir else "", "results_dir": rel(staging)}
    params |= {"release": rel(release)} if release is not None else {}
    return params | ({"outside_selection": True} if outside_selection else {})


def finish_country(job: CountryJob, nb, staging: Path) -> None:
    """Write the page's results and notebook into job.out; a restricted page's full results also go
    to the restricted store (a public run's restricted phase wrote them there already).

    Data files first, the notebook last (its presence marks the country as done).
    """
    code, tree, out = job.country, job.tree, Path(job.out)
    full_json, full_csv = staging / f"{code}.json", staging / f"{code}.csv"
    results = json.loads(full_json.read_text(encoding="utf-8"))
    if job.audience == PUBLIC:
        write_json(out / f"{code}.json", audience_view(results, PUBLIC))
        write_text_atomic(out / f"{code}.csv", audience_rows(full_csv.read_text(encoding="utf-8"), PUBLIC))
        nb = strip_restricted(nb)
    else:
        store = Path(job.store) if job.store else tree.store
        for folder in (store, out):
            write_bytes_atomic(folder / f"{code}.json", full_json.read_bytes())
            write_bytes_atomic(folder / f"{code}.csv", full_csv.read_bytes())
    write_notebook(clean_notebook(nb, front_matter(results, job.audience)), out / f"{code}.ipynb")


def failure_message(exc: Exception) -> str:
    """What stopped a country: the error raised inside the notebook (every line of it), not papermill's wrapper."""
    name, value = getattr(exc, "ename", None), getattr(exc, "evalue", None)
    if name and value is not None:
        return f"{name}: {value}"
    if type(exc).__name__ == "CellTimeoutError":
        return (f"a cell ran longer than the time allowed (cell_timeout_seconds in params/limits.yml) "
                f"and was stopped: {str(exc).splitlines()[0]}")
    return f"{type(exc).__name__}: {exc}".strip()


def run_job(job: CountryJob) -> CountryOutcome:
    """Execute the country notebook for one country; files move into place only when complete."""
    project = Project(Path(job.root))
    edition = load_edition(job.year, project)
    code, tree = job.country, job.tree
    staging = tree.staging / code
    clear_staging(staging)
    staging.mkdir(parents=True)
    log = tree.logs / f"{code}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    params = notebook_parameters(project, edition, code, job.public_dir or project.public,
                                 job.confidential_dir, job.outside_selection, job.release)
    template = project.notebooks / "country.ipynb"
    try:
        nb = run_papermill(public_template(template) if job.audience == PUBLIC else template, params,
                           project.notebooks, log, job.warm,
                           execution_timeout=load_limits(project).cell_timeout_seconds)
        finish_country(job, nb, staging)
    except Exception as exc:  # a failing country must not stop the others: report it
        message = failure_message(exc)
        try:
            with open(log, "a", encoding="utf-8") as handle:
                handle.write(f"\nFAILED: {exc}\n")
        except OSError:  # a full disk must not hide the error that stopped the country
            pass
        return CountryOutcome(code, False, None, message, log, environment_fault(exc))
    finally:
        clear_staging(staging)
    return CountryOutcome(code, True, Path(job.out) / f"{code}.ipynb", "", log)


def public_template(template: Path):
    """The country template without its restricted cells: a public page never runs them."""
    return strip_restricted(nbformat.read(template, as_version=4))


def summary_job(template: Path, staged: Path, parameters: dict, cwd: Path, log: Path, year: int) -> None:
    """Execute the summary notebook on this process's warm kernel and write it, cleaned and titled
    with its edition, to `staged`."""
    nb = run_papermill(template, parameters, cwd, log, warm=True)
    write_notebook(clean_notebook(nb, {"title": f"Findings, {year} edition"}), staged)


class Workers:
    """The run's worker processes, each with its warm kernel, started before the run loads its inputs
    so that the kernels boot meanwhile; they run the countries, then the summary (on a kernel that is
    already up).

    With one worker, or when few countries are expected to run (`expect_few`: an earlier run left
    its outputs, so most countries are likely up to date), this process's own kernel is started
    instead and does the work: no worker to spawn, no second kernel to boot for one country. If
    more than FEW countries turn out to be pending, the pool starts then (this kernel stops first,
    so that memory holds the same number of kernels).

    Use as a context manager: leaving it on an error (inputs refused, Ctrl-C, a failing machine)
    terminates the workers, and their kernels with them; otherwise they finish and exit."""

    FEW = 2

    def __init__(self, count: int, notebooks: Path, expect_few: bool = False, public_dir: Path | None = None):
        self.count, self.notebooks, self.pool = max(1, count), notebooks, None
        # each kernel loads these statistics while it waits (a kernel resolves paths from notebooks/)
        self.public_dir = str(Path(public_dir).resolve()) if public_dir is not None else None
        if self.count == 1 or expect_few:
            prestart(KERNEL, notebooks)
            if self.public_dir is not None:
                warm_up(self.public_dir)
        else:
            self.start_pool()

    def start_pool(self) -> None:
        shutdown_warm_kernel()
        self.pool = ProcessPoolExecutor(max_workers=self.count, mp_context=multiprocessing.get_context("spawn"),
                                        initializer=init_worker,
                                        initargs=(os.getpid(), str(self.notebooks), self.public_dir))
        with starting_workers():  # one task per worker starts them all now (each starts its kernel)
            for _ in range(self.count):
                self.pool.submit(int)

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, kind, *_) -> None:
        if self.pool is None:
            return
        if kind is None:
            self.pool.shutdown()
        else:
            stop_workers(self.pool)

    def call(self, fn, *args):
        """fn(*args) on a worker (here, without a pool), its result returned."""
        return fn(*args) if self.pool is None else self.pool.submit(fn, *args).result()

    def countries(self, jobs: list[CountryJob], progress=None) -> list[CountryOutcome]:
        """Run countries on the workers; `progress(outcome)` is called as each ends."""
        if self.pool is None and self.count > 1 and len(jobs) > self.FEW:
            self.start_pool()
        if self.pool is None:
            return run_serially(jobs, progress)

        outcomes = []
        futures = {self.pool.submit(run_job, job): job.country for job in jobs}
        for future in as_completed(futures):
            try:
                outcome = future.result()
            except Exception as exc:  # the worker itself died
                outcome = CountryOutcome(futures[future], False, None, f"{type(exc).__name__}: {exc}",
                                         fault=environment_fault(exc))
            outcomes.append(outcome)
            if progress:
                progress(outcome)
            if outcome.fault:
                break  # the environment failed: the run stops, the other countries need not finish
        if any(o.fault for o in outcomes):
            stop_workers(self.pool)
        return sorted(outcomes, key=lambda o: o.country)


def run_serially(jobs: list[CountryJob], progress=None) -> list[CountryOutcome]:
    outcomes = []
    for job in jobs:
        outcomes.append(run_job(job))
        if progress:
            progress(outcomes[-1])
    return outcomes


def stop_workers(pool) -> None:
    """End a pool's workers now (an interrupt or a failed environment): their kernels follow them."""
    for process in list((pool._processes or {}).values()):
        process.terminate()
    pool.shutdown(wait=True, cancel_futures=True)
