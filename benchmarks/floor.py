"""The floor: the cold run's work in plain Python processes, without notebooks or kernels.

Usage: floor.py YEAR WORKERS OUT_DIR (run by the benchmark in the tool's project, after its cold run
wrote the demo set; once with 1 worker, once with the run's workers, each in a fresh process so that
no cache of the first helps the second); prints `FLOOR {json}`.

What the cold run covers, with the same lib functions the notebooks call: the selection, the inputs
loaded once, then for every selected country `assessment.assess_country`, the presentation
functions of its page (their HTML captured instead of displayed), its charts (`charts.*`) saved as
PNG at the inline backend's settings, `results.write_results`; then the summary's tables and chart.
WORKERS > 1 spreads the countries over that many forked processes (the inputs loaded before the fork). CPU seconds are given per step and per chart function (the
function's own time, then its PNG rendering), so the chart cost of a page can be read off.
"""

from __future__ import annotations

import io
import json
import multiprocessing
import os
import resource
import sys
import time
from collections import defaultdict
from pathlib import Path

STEP_CPU: dict[str, float] = defaultdict(float)
PAGES: list[str] = []  # the HTML and Markdown each page would hold (kept to the last country)


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class step:
    """Add the CPU seconds of a block to STEP_CPU[name]."""

    def __init__(self, name: str):
        self.name = name

    def __enter__(self):
        self.start = cpu()

    def __exit__(self, *exc):
        STEP_CPU[self.name] += cpu() - self.start


def capture(obj) -> None:
    """presentation's display(): keep the object's HTML (a table) or Markdown, as a notebook stores it."""
    for method in ("_repr_html_", "_repr_markdown_"):
        if hasattr(obj, method):
            PAGES.append(getattr(obj, method)() or "")
            return
    PAGES.append(repr(obj))


def save(name: str, make, folder: Path) -> None:
    """A chart built by `make`, then rendered to PNG as the inline backend does (bbox_inches None)."""
    import matplotlib.pyplot as plt

    with step(f"chart {name}: build"):
        fig = make()
    with step(f"chart {name}: PNG"):
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", bbox_inches=None)
        (folder / f"{name}.png").write_bytes(buffer.getvalue())
    with step(f"chart {name}: close"):
        plt.close(fig)


def country_page(project, inputs, code: str, folder: Path) -> None:
    """One country's page, cell by cell as notebooks/country.py computes it."""
    from readmission import charts, presentation as show
    from readmission.assessment import assess_country
    from readmission.params import load_country_params
    from readmission.results import write_results

    PAGES.clear()
    out = folder / "pages" / code
    out.mkdir(parents=True, exist_ok=True)
    with step("assessment"):
        params = load_country_params(project, code)
        a = assess_country(inputs, code, note=params["note"], entry=params["assessment"].get(inputs.edition.data_year))
    with step("tables and text"):
        show.banner(a.synthetic_label)
        show.review_banner(a)
        show.overview(a)
        show.table(a.decisions_trend)
        show.formula("Effective return rate", a.eu_return_rate, "returns", "return decisions")
        show.table(a.return_rates, percent_columns=("effective_return_rate",))
        show.source_line(inputs, "migr_eiord")
        show.table(a.requests, percent_columns=("acceptance_rate", "issuance_rate"))
        show.formula("Acceptance rate", a.eu_acceptance, "requests accepted", "requests submitted")
        show.table(a.items)
        show.operations(a)
        show.context(a, inputs)
        show.method(inputs.method)
        show.table(a.state_ratings)
        show.judgement(a)
    with step("trajectory table"):
        across = show.trajectory(project, a, inputs)
    save("decisions_and_returns", lambda: charts.decisions_and_returns(a.decisions_trend, a.name), out)
    save("return_rate_by_state", lambda: charts.return_rate_by_state(a.return_rates, a.name, a.year), out)
    save("cooperation_heatmap", lambda: charts.cooperation_heatmap(a.answers, a.name, a.synthetic_label), out)
    save("return_operations_chart", lambda: charts.return_operations_chart(a.operations, a.name), out)
    save("trajectory_chart", lambda: charts.trajectory_chart(across, a.name), out)
    with step("results files and page"):
        write_results(a, inputs, folder)
        (out / "page.html").write_text("\n".join(PAGES), encoding="utf-8")


def summary_page(project, folder: Path, codes: list[str]) -> None:
    """The summary's tables and chart over the countries' results files."""
    from readmission import charts, findings, presentation as show

    with step("summary"):
        results = findings.read_results(folder, codes)
        countries = findings.country_table(results)
        label = findings.synthetic_label(results)
        show.bullets(findings.headlines(countries, findings.worst_items(results))
                     + findings.assessment_findings(countries))
        show.table(findings.level_shares(countries), percent_columns=("share",))
        show.table(countries.drop(columns=["level_short"]), max_rows=200,
                   percent_columns=("effective_return_rate", "acceptance_rate", "issuance_rate"))
        for column in ("instrument", "rcms"):
            show.table(findings.levels_by(countries, column).reset_index())
        show.table(findings.worst_items(results))
        show.table(findings.robustness(results, project_method(project)))
    save("rate_against_decisions", lambda: charts.rate_against_decisions(countries, label), folder)


def project_method(project):
    from readmission.params import load_method

    return load_method(project)


STATE: dict = {}


def worker_country(code: str) -> dict:
    """One country in a forked worker; returns its CPU per step (the worker's totals so far)."""
    STEP_CPU.clear()
    country_page(STATE["project"], STATE["inputs"], code, STATE["folder"])
    return dict(STEP_CPU)


def run(workers: int, project, edition, method, folder: Path, timings: dict) -> dict:
    """Selection, inputs, countries (serial or over `workers` forked processes), summary."""
    from readmission import editions
    from readmission.inputs import demo_folder, load_inputs

    wall0, cpu0, children0 = time.perf_counter(), cpu(), resource.getrusage(resource.RUSAGE_CHILDREN)
    STEP_CPU.clear()
    with step("selection"):
        codes = editions.compute_selection(project, edition).codes
    with step("inputs"):
        inputs = load_inputs(project, edition, method, codes, restricted_dir=demo_folder(project, edition))
    per_step = defaultdict(float, STEP_CPU)
    if workers <= 1:
        for code in codes:
            country_page(project, inputs, code, folder)
        for k, v in STEP_CPU.items():
            per_step[k] = v
    else:
        STATE.update(project=project, inputs=inputs, folder=folder)
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            for part in pool.imap_unordered(worker_country, codes):
                for k, v in part.items():
                    per_step[k] += v
        STEP_CPU.clear()
    summary_page(project, folder, codes)
    for k, v in STEP_CPU.items():
        if k.startswith("summary") or k.startswith("chart rate_against"):
            per_step[k] += v
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_total = cpu() - cpu0 + (children.ru_utime + children.ru_stime - children0.ru_utime - children0.ru_stime)
    return {"workers": workers, "countries": len(codes), "wall_s": round(time.perf_counter() - wall0, 2),
            "cpu_s": round(cpu_total, 2), **timings,
            "cpu_by_step_s": {k: round(v, 2) for k, v in sorted(per_step.items())}}


def main() -> None:
    year, workers, out = int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])
    t0, c0 = time.perf_counter(), cpu()
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: F401
    from readmission import charts, presentation
    from readmission.params import load_edition, load_method
    from readmission.project import Project

    presentation.display = capture
    charts.use_house_style()
    plt.rcParams["figure.max_open_warning"] = 0
    timings = {"imports_wall_s": round(time.perf_counter() - t0, 2), "imports_cpu_s": round(cpu() - c0, 2)}
    project = Project.default()
    edition, method = load_edition(year, project), load_method(project)
    out.mkdir(parents=True, exist_ok=True)
    result = run(workers, project, edition, method, out, timings)
    result["load_average"] = [round(x, 2) for x in os.getloadavg()]
    print("FLOOR " + json.dumps(result))


if __name__ == "__main__":
    main()
