"""Figures 1-4 on the real offline snapshot: the tool's cold run, its re-runs and peak memory, against
the naive loop (papermill once per country, then the summary)."""

from __future__ import annotations

import json
import os
import shutil
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from readmission.base.paths import RUN_RECORD, Project

from .figures import Figures
from .measure import Abort, Bench, Measured, contention_note
from .peers import compare_peers, parallel_loop, three_editions
from .projects import edition_file, make_project, selected_codes

QUICK_THRESHOLD = 12000      # the 2016 edition above 12,000 decisions in 2015: 10 countries
NOOP_REPEATS = 3
NAIVE_FOLDER = "naive"       # under the naive project's notebooks/


@dataclass
class Naive:
    """What the naive loop cost: the countries' papermill commands and the summary's."""

    countries: list[Measured]
    walls: dict[str, float]
    loop_s: float
    summary: Measured

    @property
    def total_s(self) -> float:
        return self.loop_s + self.summary.wall

    @property
    def cpu_s(self) -> float:
        return sum(m.cpu for m in self.countries) + self.summary.cpu


def run_command(args) -> list[str]:
    """`readmission run` as the benchmark calls it: the seeded demo set stands in for confidential inputs."""
    return [str(args.bin / "readmission"), "run", "--year", str(args.year), "--demo"] + (
        ["--workers", str(args.workers)] if args.workers else [])


def import_snapshot(bench: Bench, args, env: dict, details: dict) -> None:
    imported = bench.measure("import-snapshot", [str(args.bin / "readmission"), "data", "import",
                                                 str(args.snapshot)], env)
    details["import_snapshot_s"] = round(imported.wall, 2)


def cold_run(bench: Bench, args, env: dict, figs: Figures, details: dict) -> Measured:
    """Every selected country and the summary on fresh outputs, sampled for memory."""
    cold = bench.measure("cold-run", run_command(args), env, sample=True)
    counts = cold.counts
    if not counts or counts["run"] != counts["selected"] or counts["failed"]:
        raise Abort(f"cold run did not run every country: {counts}")
    n = counts["selected"]
    details["countries"] = n
    details["cold_run"] = {"wall_s": round(cold.wall, 2), "cpu_s": cold.cpu, **cold.tree}
    figs.add("cold_run_s", cold.wall, "s", f"{n} countries + summary, fresh outputs; "
             + (contention_note(cold) or "no contention"))
    figs.add("peak_rss_mib", cold.tree["peak_rss_mib"], "MiB",
             f"sum of RSS over the CLI, workers and kernels, max over the cold run (PSS: "
             f"{cold.tree['peak_pss_mib']} MiB); by role at peak: "
             + ", ".join(f"{k} {v}" for k, v in cold.tree["peak_rss_by_role_mib"].items()), "peak_rss_mib")
    return cold


def noop_reruns(bench: Bench, args, env: dict, figs: Figures) -> None:
    """Re-runs with nothing changed: none may run a country."""
    noops = [bench.measure(f"noop-rerun-{i + 1}", run_command(args), env) for i in range(NOOP_REPEATS)]
    bad = [m.counts for m in noops if not m.counts or m.counts["run"] != 0]
    if bad:
        raise Abort(f"a re-run with nothing changed ran countries: {bad}")
    noop = statistics.median(m.wall for m in noops)
    figs.add("noop_rerun_s", noop, "s", f"median of {NOOP_REPEATS} CLI runs "
             f"({', '.join(f'{m.wall:.2f}' for m in noops)}); {contention_note(*noops)}".rstrip("; "),
             "noop_rerun_s")


def one_country_rerun(bench: Bench, args, tool: Path, codes: list[str], env: dict,
                      details: dict) -> Measured:
    """After an analyst's note on one country, exactly that country runs again."""
    code = next(c for c in codes if not (tool / "params" / "countries" / f"{c}.yml").exists())
    (tool / "params" / "countries" / f"{code}.yml").write_text(
        f"note: benchmark - an analyst's note on {code}, changing only its run key\n", encoding="utf-8")
    change = bench.measure("one-country-rerun", run_command(args), env, sample=True)
    if not change.counts or change.counts["run"] != 1:
        raise Abort(f"after changing params/countries/{code}.yml the run did not run exactly one country: "
                    f"{change.counts}")
    details["one_country_rerun"] = {"country": code, "wall_s": round(change.wall, 2), **change.tree}
    return change


def naive_project(args, tool: Path, tmp: Path, threshold: int | None) -> Path:
    """The naive loop's own copy, with the tool's imported data and demo set."""
    naive = make_project(args.frozen, tmp / "naive", threshold)
    shutil.copytree(tool / "data" / "public", naive / "data" / "public")
    shutil.copytree(Project(tool).demo, Project(naive).demo)
    (naive / "notebooks" / NAIVE_FOLDER).mkdir()
    return naive


def write_naive_run_record(naive: Path, year: int, codes: list[str]) -> None:
    """The run record the summary notebook reads, as the tool would write it."""
    edition = yaml.safe_load(edition_file(naive, year).read_text(encoding="utf-8"))
    edition["reference_date"] = str(edition["reference_date"])
    edition.setdefault("label", "")
    record = naive / "notebooks" / NAIVE_FOLDER / RUN_RECORD
    record.parent.mkdir(parents=True, exist_ok=True)
    record.write_text(json.dumps({
        "edition": edition, "countries": [{"country": c, "name": c, "ok": True, "error": ""} for c in codes],
        "synthetic_confidential": True, "synthetic_label": ""}, indent=1), encoding="utf-8")


def naive_loop(bench: Bench, args, naive: Path, codes: list[str]) -> Naive:
    """papermill once per country, one after another, then the summary notebook."""
    nb_dir, folder, year = naive / "notebooks", NAIVE_FOLDER, str(args.year)
    env = {"READMISSION_ROOT": str(naive)}
    papermill = str(args.bin / "papermill")
    print(f"naive loop: papermill per country, one after another ({len(codes)} countries)")
    walls, measured = {}, []
    start = time.perf_counter()
    for c in codes:
        m = bench.measure(f"naive-{c}", [papermill, "country.ipynb", f"{folder}/{c}.ipynb", "-k", "python3",
                                         "-p", "country", c, "-p", "year", year, "-p", "public_dir",
                                         "../data/public", "-p", "restricted_dir", f"../data/restricted/out/demo/{year}",
                                         "-p", "results_dir", folder], env, cwd=nb_dir)
        walls[c] = m.wall
        measured.append(m)
    loop = time.perf_counter() - start
    write_naive_run_record(naive, args.year, codes)
    summary = bench.measure("naive-summary", [papermill, "summary.ipynb", f"{folder}/summary.ipynb", "-k",
                                              "python3", "-p", "countries_dir", folder,
                                              "-p", "restricted_dir", folder], env, cwd=nb_dir)
    return Naive(measured, walls, loop, summary)


def naive_breakdown(folder: Path, codes: list[str], walls: dict[str, float]) -> dict:
    """Where a naive papermill run's time goes, from papermill's own per-cell durations."""
    parts = {"process and kernel start, notebook i/o": [], "set-up cell (imports, inputs)": [],
             "tables, charts, results": []}
    for code in codes:
        path = folder / f"{code}.ipynb"
        if not path.exists():
            continue
        nb = json.loads(path.read_text(encoding="utf-8"))
        total = (nb["metadata"].get("papermill") or {}).get("duration") or 0.0
        parts["process and kernel start, notebook i/o"].append(walls[code] - total)
        cells = [c for c in nb["cells"] if c["cell_type"] == "code"]
        rest = 0.0
        for cell in cells:
            duration = (cell["metadata"].get("papermill") or {}).get("duration") or 0.0
            if "load_inputs(" in "".join(cell["source"]):
                parts["set-up cell (imports, inputs)"].append(duration)
            else:
                rest += duration
        parts["tables, charts, results"].append(rest)
    return {k: round(statistics.mean(v), 3) if v else None for k, v in parts.items()}


def compare(naive: Naive, cold: Measured, change: Measured, naive_dir: Path, codes: list[str],
            figs: Figures, details: dict) -> None:
    """The naive loop's figures and the tool's against them: speedup, CPU, one country's re-run."""
    one_country = naive.loop_s / len(codes)
    runs = naive.countries + [naive.summary]
    details["naive"] = {"countries_s": round(naive.loop_s, 2), "summary_s": round(naive.summary.wall, 2),
                        "cpu_s": round(naive.cpu_s, 2), "per_country_s": round(one_country, 3),
                        "per_country_breakdown_s": naive_breakdown(naive_dir, codes, naive.walls),
                        "other_processes_cores_max": max(m.foreign_cores for m in runs)}
    figs.add("naive_loop_s", naive.total_s, "s", f"papermill command per country + summary; one country "
             f"{one_country:.2f} s; {contention_note(*runs) or 'no contention'}")
    figs.add("speedup", naive.total_s / cold.wall, "x",
             f"naive {naive.total_s:.1f} s / tool {cold.wall:.1f} s")  # reported: the floor itself is 9-13x the serial loop
    figs.add("cpu_ratio", naive.cpu_s / cold.cpu, "x", f"CPU seconds, naive {naive.cpu_s:.1f} / tool "
             f"{cold.cpu:.1f}: the work saved, whatever else the machine runs (the tool also spreads it over "
             "the cores)")
    figs.add("one_country_rerun_s", change.wall, "s", f"after writing params/countries/"
             f"{details['one_country_rerun']['country']}.yml; " + (contention_note(change) or "no contention"))
    figs.add("one_country_rerun_x", change.wall / one_country, "x one country",
             f"{change.wall:.2f} s / one country's cost {one_country:.2f} s (naive loop / {len(codes)})",
             "one_country_rerun_x")


def probe(bench: Bench, tool: Path, year: int, env: dict, details: dict) -> None:
    """The steps of one country's run timed one by one (benchmarks/probe.py)."""
    measured = bench.measure("breakdown-probe", [sys.executable, str(Path(__file__).with_name("probe.py")),
                                                 str(year), str(tool / "notebooks" / "country.ipynb")],
                             env, check=False)
    line = next((out for out in measured.stdout.splitlines() if out.startswith("PROBE ")), None)
    details["breakdown_probe_s"] = json.loads(line[6:]) if line else {"error": measured.stdout[-500:]}


def machinery(bench: Bench, year: int, country: str, env: dict, details: dict) -> None:
    """The notebook machinery's unit costs and one country's counts (benchmarks/machinery.py)."""
    measured = bench.measure("machinery", [sys.executable, str(Path(__file__).with_name("machinery.py")),
                                           str(year), country], env, check=False)
    line = next((out for out in measured.stdout.splitlines() if out.startswith("MACHINERY ")), None)
    details["machinery"] = json.loads(line[10:]) if line else {"error": measured.stdout[-500:]}


def real_edition(bench: Bench, args, tmp: Path, figs: Figures, details: dict) -> None:
    """Figures 1-4: the tool's runs in one copy, the naive loop in another, then the probe."""
    threshold = QUICK_THRESHOLD if args.quick else None
    tool = make_project(args.frozen, tmp / "tool", threshold)
    env = {"READMISSION_ROOT": str(tool)}
    print(f"real edition {args.year} "
          f"({'quick: threshold ' + str(threshold) if threshold else 'default selection'})")
    import_snapshot(bench, args, env, details)
    cold = cold_run(bench, args, env, figs, details)
    noop_reruns(bench, args, env, figs)
    codes = selected_codes(tool, args.year)
    change = one_country_rerun(bench, args, tool, codes, env, details)
    naive = naive_project(args, tool, tmp, threshold)
    measured = naive_loop(bench, args, naive, codes)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    parallel = parallel_loop(bench, args, naive, codes, cores, NAIVE_FOLDER)
    compare(measured, cold, change, naive / "notebooks" / NAIVE_FOLDER, codes, figs, details)
    probe(bench, tool, args.year, env, details)
    machinery(bench, args.year, codes[0], env, details)
    compare_peers(bench, args, tool, tmp, cold, measured.total_s, parallel, codes, cores, figs, details)
    three_editions(bench, args, tmp, threshold, figs, details)
