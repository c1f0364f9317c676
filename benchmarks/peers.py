"""The tool's peers, measured in the same run: the floor (benchmarks/floor.py: the same work in plain
processes, serial and over the run's workers) and the parallel papermill loop (`xargs -P <cores>`);
then the kernel overhead per country, and the three-edition cold run (2014-2016)."""

from __future__ import annotations

import json
import shlex
import statistics
import sys
import time
from pathlib import Path

from readmission.base.paths import RUN_RECORD

from .figures import Figures
from .measure import Abort, Bench, Measured, contention_note
from .projects import make_project, set_threshold

FLOOR = Path(__file__).with_name("floor.py")
EDITIONS = (2014, 2015, 2016)
# the floor's steps that are a country's real work (its page), as opposed to the run's fixed costs
# the floor's per-country steps ("charts: PNG rendering" happens inside the chart cells: not added again)
COUNTRY_STEPS = ("country cell", "page written")
def floor(bench: Bench, args, tool: Path, workers: int, tmp: Path) -> tuple[Measured, dict]:
    """benchmarks/floor.py in the tool's project (after its cold run: the demo set is there)."""
    m = bench.measure(f"floor-{workers}-workers", [sys.executable, str(FLOOR), str(args.year), str(workers),
                                                   str(tmp / f"floor-{workers}")],
                      {"READMISSION_ROOT": str(tool)})
    line = next((out for out in m.stdout.splitlines() if out.startswith("FLOOR ")), None)
    if line is None:
        raise Abort(f"floor.py printed no result: {m.stdout[-300:]}")
    return m, json.loads(line[6:])


def floor_rounds(bench: Bench, args, tool: Path, workers: int, tmp: Path,
                 first: tuple[Measured, Measured]) -> list[tuple[Measured, Measured]]:
    """The cold run and the floor, then `--repeat` - 1 more rounds of a forced run (every country and
    the summary again) and the floor, interleaved so that both meet the same drift of the machine."""
    from .real_edition import run_command

    rounds = [first]
    for i in range(max(getattr(args, "repeat", 1), 1) - 1):
        again = bench.measure(f"forced-run-{i + 2}", run_command(args) + ["--force"],
                              {"READMISSION_ROOT": str(tool)}, sample=True)  # its CPU by role: the kernel overhead
        rounds.append((again, floor(bench, args, tool, workers, tmp)[0]))
    return rounds


def chart_costs(steps: dict, n: int) -> dict:
    """CPU ms per country of the page cells that build a chart, and of rendering every chart to PNG
    (the floor runs the template's own cells: a chart cell's label is its `fig = charts.` line)."""
    out = {key.split(": ", 1)[1]: round(1000 * value / n) for key, value in steps.items()
           if key.startswith("country cell") and "= charts." in key}
    if "charts: PNG rendering" in steps:
        out["PNG rendering, all charts"] = round(1000 * steps["charts: PNG rendering"] / n)
    return out


def country_work_cpu(steps: dict, n: int) -> float:
    """CPU seconds of one country's real work in the floor: the page's cells, its charts' PNGs and its
    files (the summary and the run's selection left out)."""
    total = sum(v for k, v in steps.items() if k.startswith(COUNTRY_STEPS))
    return total / n


def parallel_loop(bench: Bench, args, naive: Path, codes: list[str], cores: int, folder: str) -> Measured:
    """What an experienced analyst writes: `xargs -P <cores> papermill ...` over the countries, then
    the summary (the naive project's run record is already written by the serial loop)."""
    year, papermill = str(args.year), shlex.quote(str(args.bin / "papermill"))
    each = (f"{papermill} country.ipynb {folder}-parallel/{{}}.ipynb -k python3 -p country {{}} -p year {year} "
            f"-p public_dir ../data/public -p restricted_dir ../data/restricted/out/demo/{year} -p results_dir {folder}-parallel")
    record = Path(RUN_RECORD)
    script = (f"mkdir -p {folder}-parallel/{record.parent} && cp {folder}/{record} {folder}-parallel/{record} && "
              f"printf '%s\\n' {' '.join(codes)} | xargs -P {cores} -I{{}} sh -c {shlex.quote(each)} && "
              f"{papermill} summary.ipynb {folder}-parallel/summary.ipynb -k python3 -p countries_dir "
              f"{folder}-parallel -p restricted_dir {folder}-parallel")
    print(f"parallel loop: xargs -P {cores} papermill over {len(codes)} countries, then the summary")
    first = bench.measure("parallel-loop", ["sh", "-c", script], {"READMISSION_ROOT": str(naive)},
                          cwd=naive / "notebooks", check=False)
    if first.rc == 0:
        return first
    # papermill's kernels, started two at once, sometimes die before their first reply (a port race of
    # jupyter_client, not the loop's work): the loop is measured once more, and the retry is logged
    print("  the parallel loop failed (a papermill kernel died at start); measured once more")
    return bench.measure("parallel-loop-retry", ["sh", "-c", script], {"READMISSION_ROOT": str(naive)},
                         cwd=naive / "notebooks")


def compare_peers(bench: Bench, args, tool: Path, tmp: Path, cold: Measured, naive_total: float,
                  parallel: Measured, codes: list[str], cores: int, figs: Figures, details: dict) -> None:
    """The floor's figures, the tool against the floor and the parallel loop, the kernel overhead."""
    n = len(codes)
    workers = args.workers or cores
    serial_m, serial = floor(bench, args, tool, 1, tmp)
    spread_m, spread = floor(bench, args, tool, workers, tmp)
    if serial["countries"] != n or spread["countries"] != n:
        raise Abort(f"the floor ran {serial['countries']} countries, the tool {n}")
    details["floor"] = {"serial": {**serial, "wall_s_measured": round(serial_m.wall, 2), "cpu_s_tree": serial_m.cpu,
                                   "other_processes_cores": serial_m.foreign_cores},
                        "parallel": {**spread, "wall_s_measured": round(spread_m.wall, 2),
                                     "cpu_s_tree": spread_m.cpu, "other_processes_cores": spread_m.foreign_cores},
                        "chart_cpu_ms_per_country": chart_costs(serial["cpu_by_step_s"], n)}
    figs.add("floor_s", serial_m.wall, "s", f"{n} countries + summary in one plain process ({serial_m.cpu:.1f} CPU s)"
             f"; {contention_note(serial_m) or 'no contention'}")
    figs.add(f"floor_{workers}w_s", spread_m.wall, "s", f"the same over {workers} forked workers "
             f"({spread_m.cpu:.1f} CPU s); {contention_note(spread_m) or 'no contention'}")
    rounds = floor_rounds(bench, args, tool, workers, tmp, (cold, spread_m))
    ratio = statistics.median(c.wall / f.wall for c, f in rounds)
    details["floor_ratio_rounds"] = [{"run_s": round(c.wall, 2), "floor_s": round(f.wall, 2)} for c, f in rounds]
    figs.add("floor_ratio", ratio, "x", f"median of {len(rounds)} rounds (cold or forced run / floor over "
             f"{workers} workers: " + ", ".join(f"{c.wall:.1f}/{f.wall:.1f}" for c, f in rounds)
             + f" s; first round CPU {cold.cpu:.1f} / {spread_m.cpu:.1f})", "floor_ratio")
    figs.add("parallel_loop_s", parallel.wall, "s", f"xargs -P {cores} papermill per country + summary "
             f"({parallel.cpu:.1f} CPU s); {contention_note(parallel) or 'no contention'}")
    figs.add("speedup_vs_parallel", parallel.wall / cold.wall, "x",
             f"parallel loop {parallel.wall:.1f} s / tool {cold.wall:.1f} s", "speedup_vs_parallel")
    steps = serial["cpu_by_step_s"]
    work = country_work_cpu(steps, n)
    # the workers' kernels also run the summary, and each imports the libraries once, as the floor does
    summary = sum(v for k, v in steps.items() if k.startswith("summary") or "rate_against_decisions" in k)
    fixed = summary + workers * serial["imports_cpu_s"]
    per_round = [sum(run.tree.get("by_role", {}).get(r, {}).get("cpu_s", 0.0) for r in ("worker", "country kernel"))
                 for run, _ in rounds]
    kernel_cpu = statistics.median(per_round)
    overhead = (kernel_cpu - fixed) / n - work
    details["kernel_overhead"] = {"workers_and_country_kernels_cpu_s": round(kernel_cpu, 2),
                                  "per_round_cpu_s": [round(c, 2) for c in per_round],
                                  "summary_and_imports_cpu_s": round(fixed, 2),
                                  "per_country_cpu_s": round((kernel_cpu - fixed) / n, 3),
                                  "floor_country_work_cpu_s": round(work, 3),
                                  "probe": details.get("breakdown_probe_s", {}),
                                  "breakdown_cpu_s": overhead_breakdown(overhead, details, workers, serial, n)}
    figs.add("kernel_overhead_cpu_s", overhead, "CPU s / country",
             f"(workers + their kernels {kernel_cpu:.1f} CPU s, median of the {len(rounds)} rounds' runs "
             f"({', '.join(f'{c:.1f}' for c in per_round)}), - the summary's work and {workers} x the "
             f"imports {fixed:.1f}) / {n} = {(kernel_cpu - fixed) / n:.2f}, minus the floor's work per country "
             f"{work:.2f} CPU s (same run; CPU seconds grow with the load)", "kernel_overhead_cpu_s")


def overhead_breakdown(overhead: float, details: dict, workers: int, serial: dict, n: int) -> dict:
    """Where the kernel overhead per country goes: the machinery's pieces (machinery.py: unit costs x
    one country's counts), the workers' and kernels' start-up beyond the floor's imports (probe.py),
    and the rest (notebook writes, the same code running slower inside a kernel, noise)."""
    machinery, probe = details.get("machinery", {}), details.get("breakdown_probe_s", {})
    parts = dict(machinery.get("per_country_cpu_s", {}))
    boot = [probe.get(k) for k in ("kernel start (until ready)", "kernel: notebook imports (set-up cell)",
                                   "import pandas + readmission.inputs.loading/editions/pipeline")]
    if all(isinstance(v, (int, float)) for v in boot):
        parts["start-up of workers and kernels"] = round(workers * (sum(boot) - serial["imports_cpu_s"]) / n, 3)
    if parts:
        parts["rest"] = round(overhead - sum(parts.values()), 3)
    return parts


def three_editions(bench: Bench, args, tmp: Path, threshold: int | None, figs: Figures, details: dict) -> None:
    """`readmission run --year 2014 --year 2015 --year 2016 --demo` on fresh outputs."""
    root = make_project(args.frozen, tmp / "three-editions")
    if threshold is not None:
        for year in EDITIONS:
            set_threshold(root, threshold, year)
    env = {"READMISSION_ROOT": str(root)}
    bench.measure("three-editions-import", [str(args.bin / "readmission"), "data", "import", str(args.snapshot)], env)
    argv = [str(args.bin / "readmission"), "run", *[a for y in EDITIONS for a in ("--year", str(y))], "--demo"]
    start = time.perf_counter()
    m = bench.measure("three-editions-cold-run", argv + (["--workers", str(args.workers)] if args.workers else []),
                      env, sample=True)
    details["three_editions"] = {"wall_s": round(time.perf_counter() - start, 2), "cpu_s": m.cpu, **m.tree}
    figs.add("three_editions_s", m.wall, "s", f"2014-2016 cold run, {m.cpu:.0f} CPU s, peak RSS "
             f"{m.tree['peak_rss_mib']} MiB; {contention_note(m) or 'no contention'}")
