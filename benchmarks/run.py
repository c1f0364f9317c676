#!/usr/bin/env python
"""Speed and memory of `readmission run`, measured side by side in one run on this machine.

Run with the project's interpreter (it needs psutil and PyYAML, both in the venv):

    .venv/bin/python benchmarks/run.py            # the full benchmark (~15-25 min on 2 cores)
    .venv/bin/python benchmarks/run.py --quick    # a smoke run (~3 min): 10 real countries, sizes 10, 20

Every figure comes from subprocesses of the real command line (`readmission data import`,
`readmission run`, `papermill`) in temporary copies of the project (READMISSION_ROOT), never in
the repository's own outputs. The table is printed and written as JSON to benchmarks/out/results.json,
each command's output to benchmarks/out/logs/. See benchmarks/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

try:
    import psutil
except ImportError:  # pragma: no cover - psutil comes with ipykernel
    sys.exit("benchmarks/run.py needs psutil (a dependency of ipykernel): run it with .venv/bin/python")
import yaml

REPO = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO / "benchmarks" / "out" / "results.json"
DEFAULT_SNAPSHOT = REPO.parent / "shared" / "data" / "snapshot"
PROJECT_FILES = ["params", "data/reference", "data/templates", "notebooks/country.ipynb",
                 "notebooks/summary.ipynb", "_quarto.yml", "index.qmd", "methodology.qmd", "countries.qmd"]
QUICK_THRESHOLD = 12000      # the 2016 edition above 12,000 decisions in 2015: 10 countries
FULL_SIZES, QUICK_SIZES = [25, 50, 100, 200], [10, 20]
NOOP_REPEATS = 3
SAMPLE_INTERVAL = 0.1        # seconds between samples of the process tree
CONTENDED_CORES = 0.25       # other processes using more than this many cores: the figure is flagged
COMMAND_TIMEOUT = 3600
RUN_LINE = re.compile(r"(\d+) countries: (\d+) run, (\d+) up to date, (\d+) failed")

# name, unit, target text, test (None: information only)
TARGETS = {
    "speedup": ("x", ">= 5x", lambda v: v >= 5),
    "noop_rerun_s": ("s", "< 1 s", lambda v: v < 1),
    "one_country_rerun_x": ("x one country", "< 2x", lambda v: v < 2),
    "peak_rss_mib": ("MiB", "< 1024 MiB", lambda v: v < 1024),
    "scaling_growth": ("x", "<= 1.25x (flat)", lambda v: v <= 1.25),
}
SCALING_FLAT = 1.25


class Abort(Exception):
    """A measurement could not be made (a command failed): the figures that need it are left out."""


# ---------------------------------------------------------------- measuring one command

def cpu_busy_seconds() -> float:
    """CPU time the whole machine spent busy (all cores), from /proc/stat."""
    with open("/proc/stat", encoding="ascii") as handle:
        fields = [int(x) for x in handle.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def cpu_seconds(who: int) -> float:
    """CPU of this process (RUSAGE_SELF) or of its reaped descendants (RUSAGE_CHILDREN: the
    commands, their workers and kernels, each counted once it has been waited for)."""
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def role(proc: psutil.Process, root: int) -> str:
    cmd = " ".join(proc.cmdline())
    if proc.pid == root:
        return "cli"
    if "multiprocessing.spawn" in cmd:
        return "worker"
    if "ipykernel_launcher" in cmd:
        if proc.ppid() == root:
            return "cli kernel"  # the CLI's own warm kernel: the summary, and a single pending country
        parent = proc.parent()
        return "country kernel" if parent is not None and "multiprocessing.spawn" in " ".join(
            parent.cmdline()) else "kernel"
    return "other"


def error_line(output: str) -> str:
    """The last error message of a command's output (an exception line, or the CLI's `error:`)."""
    lines = [l.strip() for l in output.splitlines() if l.strip()]
    errors = [l for l in lines if re.match(r"^(\w+(Error|Exception)|error|Error)\b.*:", l)]
    return (errors[-1] if errors else lines[-1] if lines else "no output")[:300]


class TreeSampler(threading.Thread):
    """Every SAMPLE_INTERVAL: RSS of every process in the tree (summed), CPU and start of each."""

    def __init__(self, pid: int, t0: float):
        super().__init__(daemon=True)
        self.root, self.t0, self.done = pid, t0, threading.Event()
        self.peak_rss, self.peak_parts, self.peak_procs, self.samples, self.peak_pss = 0, {}, 0, 0, 0
        self.procs: dict[int, dict] = {}   # pid -> role, start, cpu, peak rss

    def run(self) -> None:
        try:
            root = psutil.Process(self.root)
        except psutil.NoSuchProcess:
            return
        while not self.done.is_set():
            try:
                tree = [root] + root.children(recursive=True)
            except psutil.NoSuchProcess:
                break
            total, pss, parts = 0, 0, {}
            for proc in tree:
                try:
                    with proc.oneshot():
                        memory, cpu = proc.memory_full_info(), proc.cpu_times()
                        rss = memory.rss
                        if proc.pid not in self.procs:
                            self.procs[proc.pid] = {"role": role(proc, self.root),
                                                    "start": proc.create_time() - self.t0, "peak_rss": 0}
                except psutil.Error:
                    continue
                info = self.procs[proc.pid]
                info["cpu"] = cpu.user + cpu.system
                info["peak_rss"] = max(info["peak_rss"], rss)
                total += rss
                pss += getattr(memory, "pss", rss)
                parts[info["role"]] = parts.get(info["role"], 0) + rss
            self.samples += 1
            self.peak_pss = max(self.peak_pss, pss)
            if total > self.peak_rss:
                self.peak_rss, self.peak_parts, self.peak_procs = total, parts, len(tree)
            self.done.wait(SAMPLE_INTERVAL)

    def summary(self, wall: float) -> dict:
        mib = lambda b: round(b / 2**20, 1)  # noqa: E731
        by_role: dict[str, dict] = {}
        for info in self.procs.values():
            entry = by_role.setdefault(info["role"], {"processes": 0, "cpu_s": 0.0, "max_rss_mib": 0.0})
            entry["processes"] += 1
            entry["cpu_s"] = round(entry["cpu_s"] + info.get("cpu", 0.0), 2)
            entry["max_rss_mib"] = max(entry["max_rss_mib"], mib(info["peak_rss"]))
        starts = lambda r: sorted(i["start"] for i in self.procs.values() if i["role"] == r)  # noqa: E731
        first = lambda r: round(starts(r)[0], 2) if starts(r) else None  # noqa: E731
        return {"peak_rss_mib": mib(self.peak_rss), "peak_pss_mib": mib(self.peak_pss),
                "peak_processes": self.peak_procs,
                "peak_rss_by_role_mib": {k: mib(v) for k, v in sorted(self.peak_parts.items())},
                "samples": self.samples, "by_role": by_role,
                "timeline_s": {"first_worker": first("worker"), "first_country_kernel": first("country kernel"),
                               "cli_kernel": first("cli kernel"), "end": round(wall, 2)}}


@dataclass
class Measured:
    name: str
    argv: list[str]
    wall: float
    rc: int
    stdout: str
    foreign_cores: float
    cpu: float                   # CPU seconds of the command and every process under it
    tree: dict = field(default_factory=dict)

    @property
    def counts(self) -> dict | None:
        """The CLI's closing line: selected, run, up to date, failed."""
        match = RUN_LINE.search(re.sub(r"\s+", " ", self.stdout))
        return dict(zip(["selected", "run", "reused", "failed"], map(int, match.groups()))) if match else None


class Bench:
    """Runs commands, keeps their logs, and collects what was measured."""

    def __init__(self, logs: Path, env: dict):
        self.logs, self.env = logs, env
        self.commands: list[dict] = []
        logs.mkdir(parents=True, exist_ok=True)
        for old in logs.glob("*.log"):  # this run's logs only
            old.unlink()

    def measure(self, name: str, argv: list[str], env: dict | None = None, cwd: Path | None = None,
                sample: bool = False, check: bool = True) -> Measured:
        env = {**self.env, **(env or {})}
        busy0, self0, tree0 = cpu_busy_seconds(), cpu_seconds(resource.RUSAGE_SELF), \
            cpu_seconds(resource.RUSAGE_CHILDREN)
        t0, start = time.time(), time.perf_counter()
        with open(self.logs / f"{name}.log", "w", encoding="utf-8") as log:
            log.write(f"$ {' '.join(argv)}\n# cwd={cwd or os.getcwd()} READMISSION_ROOT={env.get('READMISSION_ROOT')}\n")
            log.flush()
            proc = subprocess.Popen(argv, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                    text=True)
            sampler = TreeSampler(proc.pid, t0) if sample else None
            if sampler:
                sampler.start()
            try:
                out, _ = proc.communicate(timeout=COMMAND_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                out, _ = proc.communicate()
                out += f"\n[benchmark] killed after {COMMAND_TIMEOUT} s\n"
            wall = time.perf_counter() - start
            if sampler:
                sampler.done.set()
                sampler.join()
            log.write(out)
        tree_cpu = cpu_seconds(resource.RUSAGE_CHILDREN) - tree0
        own = cpu_seconds(resource.RUSAGE_SELF) - self0
        foreign = max(0.0, cpu_busy_seconds() - busy0 - tree_cpu - own) / wall
        m = Measured(name, argv, wall, proc.returncode, out, round(foreign, 2), round(tree_cpu, 2),
                     sampler.summary(wall) if sampler else {})
        self.commands.append({"name": name, "argv": argv, "wall_s": round(wall, 3), "rc": m.rc, "cpu_s": m.cpu,
                              "other_processes_cores": m.foreign_cores, **({"tree": m.tree} if sample else {})})
        status = "ok" if m.rc == 0 else f"EXIT {m.rc}"
        print(f"  {name:<28} {wall:8.2f} s  {status}" + (f"  (other processes: {m.foreign_cores:.2f} cores)"
                                                       if m.foreign_cores > CONTENDED_CORES else ""), flush=True)
        if check and m.rc != 0:
            raise Abort(f"{name} exited {m.rc} (log: {self.logs / (name + '.log')}): {error_line(out)}")
        return m


# ---------------------------------------------------------------- projects

def make_project(source: Path, root: Path, threshold: int | None = None) -> Path:
    """A copy of the project's inputs (like tests/test_pipeline.make_project), no data, no outputs."""
    for rel in PROJECT_FILES:
        src = source / rel
        if src.is_dir():
            shutil.copytree(src, root / rel)
        elif src.exists():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, root / rel)
    if threshold is not None:
        set_threshold(root, threshold)
    return root


def edition_file(root: Path, year: int) -> Path:
    return root / "params" / "editions" / f"{year}.yml"


def set_threshold(root: Path, threshold: int, year: int = 2016) -> None:
    path = edition_file(root, year)
    content = yaml.safe_load(path.read_text(encoding="utf-8"))
    content["threshold"] = threshold
    content["label"] = f"benchmark: more than {threshold} return decisions"
    path.write_text(yaml.safe_dump(content, sort_keys=False), encoding="utf-8")


def selected_codes(root: Path, year: int) -> list[str]:
    """The countries the tool's run selected (results/<year>/selection.json, else a run.json)."""
    selection = root / "results" / str(year) / "selection.json"
    if selection.exists():
        return json.loads(selection.read_text(encoding="utf-8"))["selected"]
    for run in sorted(root.glob("notebooks/**/run.json")):
        return [c["country"] for c in json.loads(run.read_text(encoding="utf-8"))["countries"]]
    raise Abort(f"no selection.json nor run.json under {root}: cannot tell which countries were selected")


def synthetic_countries(n: int) -> dict[str, tuple[int, float]]:
    """n synthetic countries Q000.., each well above the threshold, with varied sizes and propensities."""
    return {f"Q{i:03d}": (2000 + (i * 7919) % 18000, round(0.05 + 0.05 * (i % 10), 2)) for i in range(n)}


# Synthetic codes have no ISO3 code, so write_fixture gives them no Frontex border-crossing rows; a
# header-only file is rejected by the loader. One real country, visa-free in the benchmark's visa list
# (so never selected), keeps that file non-empty.
FRONTEX_FILLER = {"AL": (20000, 0.60)}


def write_visa_list(root: Path, codes: list[str]) -> None:
    """The benchmark's visa list: exactly these countries are visa-required."""
    path = root / "data" / "reference" / "visa_required.csv"
    header = path.read_text(encoding="utf-8").splitlines()[0]
    rows = [f"{c},,{c},Synthetic country {c},2012-01-01,,benchmark,synthetic numbers,benchmarks/run.py,inferred"
            for c in codes]
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")


# ---------------------------------------------------------------- the figures

class Figures:
    def __init__(self):
        self.rows: list[dict] = []

    def add(self, name: str, value, unit: str, note: str = "", target_key: str | None = None) -> None:
        target, test = (TARGETS[target_key][1], TARGETS[target_key][2]) if target_key else ("", None)
        if value is None:
            status = "ERROR"
        else:
            value = round(float(value), 3)
            status = "INFO" if test is None else "PASS" if test(value) else "MISS"
        self.rows.append({"name": name, "value": value, "unit": unit, "target": target, "status": status,
                          "note": note})

    def missing(self, names: list[tuple[str, str, str | None]], reason: str) -> None:
        have = {r["name"] for r in self.rows}
        for name, unit, key in names:
            if name not in have:
                self.add(name, None, unit, f"not measured: {reason}", key)


def contention_note(*measured: Measured) -> str:
    worst = max((m.foreign_cores for m in measured), default=0)
    return f"other processes used {worst:.2f} cores meanwhile" if worst > CONTENDED_CORES else ""


def naive_breakdown(folder: Path, codes: list[str], walls: dict[str, float]) -> dict:
    """Where a naive papermill run's time goes, from papermill's own per-cell durations."""
    parts = {"process and kernel start, notebook i/o": [], "imports cell": [], "inputs + assessment cell": [],
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
        for index, cell in enumerate(cells):
            duration = (cell["metadata"].get("papermill") or {}).get("duration") or 0.0
            source = "".join(cell["source"])
            if index == 0:
                parts["imports cell"].append(duration)
            elif "load_inputs(" in source:
                parts["inputs + assessment cell"].append(duration)
            else:
                rest += duration
        parts["tables, charts, results"].append(rest)
    return {k: round(statistics.mean(v), 3) if v else None for k, v in parts.items()}


PROBE = r'''
import json, sys, time
from pathlib import Path
year, notebook = int(sys.argv[1]), Path(sys.argv[2])
T = {}
def step(name, fn):
    t = time.perf_counter()
    try:
        out = fn()
    except Exception as exc:
        T[name] = f"error: {type(exc).__name__}: {exc}"
        return None
    T[name] = round(time.perf_counter() - t, 3)
    return out
step("import readmission.cli", lambda: __import__("readmission.cli"))
step("import pandas + readmission.inputs/editions/pipeline",
     lambda: [__import__(m) for m in ("pandas", "readmission.inputs", "readmission.editions", "readmission.pipeline")])
from readmission import editions, inputs, runkeys
from readmission.params import load_edition, load_method
from readmission.project import Project
project = Project.default()
edition, method = load_edition(year, project), load_method(project)
import inspect
extra = ["public"] if "audience" in inspect.signature(runkeys.edition_digest).parameters else []
step("edition key (hash every input file)", lambda: runkeys.edition_digest(
    project, year, project.public, project.restricted / str(year), *extra))
selection = step("selection (read migr_eiord, classify)", lambda: editions.run_selection(project, edition))
codes = selection.codes if selection else []
public = step("load_public (read + validate all public data, first time in this process)",
              lambda: inputs.load_public(project.public, []))
def demo():
    from readmission.data.demo import make_demo
    from readmission.data.reference import load_reference, reporting_states_on
    states = reporting_states_on(load_reference(project.reference).reporting_states,
                                 edition.reference_date)["eurostat_code"].tolist()
    return make_demo(inputs.public_rates(public, codes, year, states, method), year)
step("demo generation for all countries (public rates + make_demo)", demo)
loaded = step("load_inputs for all countries (after the above)", lambda: inputs.load_inputs(
    project, edition, method, codes))
def keys():
    from readmission.pipeline import notebook_parameters
    shared = runkeys.shared_digests(project, year)
    slices = runkeys.slice_digests(loaded, codes)
    return [runkeys.run_key(project, c, notebook_parameters(project, edition, c, project.public, None),
                            shared, slices[c]) for c in codes]
step("run keys for all countries (hash slices)", keys)
from jupyter_client.manager import KernelManager
cells = [c for c in json.loads(notebook.read_text())["cells"] if c["cell_type"] == "code"]
src = lambda c: "".join(c["source"])
km = KernelManager(kernel_name="python3")
kc = None
def start():
    global kc
    km.start_kernel(cwd=str(notebook.parent))
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=120)
def run(code):
    reply = kc.execute_interactive(code, timeout=600, output_hook=lambda msg: None)
    if reply["content"]["status"] != "ok":
        raise RuntimeError(f"{reply['content'].get('ename')}: {reply['content'].get('evalue')}")
step("kernel start (until ready)", start)
if kc is not None:
    step("kernel: notebook imports cell", lambda: run(src(cells[0])))
    params = f"country = {codes[0]!r}\nyear = {year}\npublic_dir = {str(project.public)!r}\nrestricted_dir = ''\n"
    run(params)
    load = next(c for c in cells if "load_inputs(" in src(c))
    step("kernel: inputs + assessment cell (first country)", lambda: run(src(load)))
    step("kernel: inputs + assessment cell (again, same kernel)", lambda: run(src(load)))
    try:
        from readmission.execute import RESET_CODE
        step("kernel: warm reset between notebooks", lambda: run(RESET_CODE))
    except ImportError:
        pass
    kc.stop_channels()
    km.shutdown_kernel(now=True)
print("PROBE " + json.dumps(T))
'''


# ---------------------------------------------------------------- the parts of the benchmark

def real_edition(bench: Bench, args, tmp: Path, figs: Figures, details: dict) -> None:
    """Figures 1-4 on the real offline snapshot: cold run vs naive loop, re-runs, peak memory."""
    rm, year = [str(args.bin / "readmission")], str(args.year)
    run = rm + ["run", "--year", year] + (["--workers", str(args.workers)] if args.workers else [])
    threshold = QUICK_THRESHOLD if args.quick else None
    tool = make_project(args.frozen, tmp / "tool", threshold)
    env = {"READMISSION_ROOT": str(tool)}
    print(f"real edition {year} ({'quick: threshold ' + str(threshold) if threshold else 'default selection'})")
    imported = bench.measure("import-snapshot", rm + ["data", "import", str(args.snapshot)], env)
    details["import_snapshot_s"] = round(imported.wall, 2)

    cold = bench.measure("cold-run", run, env, sample=True)
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

    noops = [bench.measure(f"noop-rerun-{i + 1}", run, env) for i in range(NOOP_REPEATS)]
    bad = [m.counts for m in noops if not m.counts or m.counts["run"] != 0]
    if bad:
        raise Abort(f"a re-run with nothing changed ran countries: {bad}")
    noop = statistics.median(m.wall for m in noops)
    figs.add("noop_rerun_s", noop, "s", f"median of {NOOP_REPEATS} CLI runs "
             f"({', '.join(f'{m.wall:.2f}' for m in noops)}); {contention_note(*noops)}".rstrip("; "),
             "noop_rerun_s")

    codes = selected_codes(tool, args.year)
    code = next(c for c in codes if not (tool / "params" / "countries" / f"{c}.yml").exists())
    (tool / "params" / "countries" / f"{code}.yml").write_text(
        f"note: benchmark - an analyst's note on {code}, changing only its run key\n", encoding="utf-8")
    change = bench.measure("one-country-rerun", run, env, sample=True)
    if not change.counts or change.counts["run"] != 1:
        raise Abort(f"after changing params/countries/{code}.yml the run did not run exactly one country: "
                    f"{change.counts}")
    details["one_country_rerun"] = {"country": code, "wall_s": round(change.wall, 2), **change.tree}

    # the naive serial loop, in its own copy with the same imported data
    naive = make_project(args.frozen, tmp / "naive", threshold)
    shutil.copytree(tool / "data" / "public", naive / "data" / "public")
    nb_dir, folder = naive / "notebooks", "naive"
    (nb_dir / folder).mkdir()
    env_naive = {"READMISSION_ROOT": str(naive)}
    papermill = str(args.bin / "papermill")
    print(f"naive loop: papermill per country, one after another ({len(codes)} countries)")
    walls, measured = {}, []
    start = time.perf_counter()
    for c in codes:
        m = bench.measure(f"naive-{c}", [papermill, "country.ipynb", f"{folder}/{c}.ipynb", "-k", "python3",
                                         "-p", "country", c, "-p", "year", year, "-p", "public_dir",
                                         "../data/public", "-p", "restricted_dir", "", "-p", "results_dir",
                                         folder], env_naive, cwd=nb_dir)
        walls[c] = m.wall
        measured.append(m)
    loop = time.perf_counter() - start
    edition = yaml.safe_load(edition_file(naive, args.year).read_text(encoding="utf-8"))
    edition["reference_date"] = str(edition["reference_date"])
    edition.setdefault("label", "")
    (nb_dir / folder / "run.json").write_text(json.dumps({
        "edition": edition, "countries": [{"country": c, "name": c, "ok": True, "error": ""} for c in codes],
        "synthetic_confidential": True, "synthetic_label": ""}, indent=1), encoding="utf-8")
    summary = bench.measure("naive-summary", [papermill, "summary.ipynb", f"{folder}/summary.ipynb", "-k",
                                              "python3", "-p", "countries_dir", folder,
                                              "-p", "restricted_dir", folder], env_naive, cwd=nb_dir)
    naive_total = loop + summary.wall
    one_country = loop / len(codes)
    details["naive"] = {"countries_s": round(loop, 2), "summary_s": round(summary.wall, 2),
                        "cpu_s": round(sum(m.cpu for m in measured) + summary.cpu, 2),
                        "per_country_s": round(one_country, 3),
                        "per_country_breakdown_s": naive_breakdown(nb_dir / folder, codes, walls),
                        "other_processes_cores_max": max(m.foreign_cores for m in measured + [summary])}
    figs.add("naive_loop_s", naive_total, "s", f"papermill command per country + summary; one country "
             f"{one_country:.2f} s; {contention_note(*measured, summary) or 'no contention'}")
    figs.add("speedup", naive_total / cold.wall, "x", f"naive {naive_total:.1f} s / tool {cold.wall:.1f} s",
             "speedup")
    naive_cpu = sum(m.cpu for m in measured) + summary.cpu
    figs.add("cpu_ratio", naive_cpu / cold.cpu, "x", f"CPU seconds, naive {naive_cpu:.1f} / tool {cold.cpu:.1f}: "
             "the work saved, whatever else the machine runs (the tool also spreads it over the cores)")
    figs.add("one_country_rerun_s", change.wall, "s", f"after writing params/countries/{code}.yml; "
             + (contention_note(change) or "no contention"))
    figs.add("one_country_rerun_x", change.wall / one_country, "x one country",
             f"{change.wall:.2f} s / one country's cost {one_country:.2f} s (naive loop / {len(codes)})",
             "one_country_rerun_x")

    probe = bench.measure("breakdown-probe", [sys.executable, "-c", PROBE, year,
                                              str(tool / "notebooks" / "country.ipynb")], env, check=False)
    line = next((l for l in probe.stdout.splitlines() if l.startswith("PROBE ")), None)
    details["breakdown_probe_s"] = json.loads(line[6:]) if line else {"error": probe.stdout[-500:]}


def iso_countries(source: Path, n: int) -> dict[str, tuple[int, float]]:
    """n real two-letter codes (not reporting states) carrying synthetic numbers: the fallback when
    the tool rejects the synthetic Q codes."""
    import pycountry

    states = {line.split(",")[0] for line in
              (source / "data" / "reference" / "reporting_states.csv").read_text(encoding="utf-8").splitlines()[1:]}
    codes = sorted({c.alpha_2 for c in pycountry.countries} - {"GR", "GB"} - states)
    if n > len(codes):
        raise Abort(f"only {len(codes)} two-letter codes available, {n} asked")
    return {code: values for code, values in zip(codes, synthetic_countries(n).values())}


def scaling_project(args, tmp: Path, n: int, scheme: str) -> tuple[Path, dict, list[str], Path]:
    """A project whose public data are the synthetic fixture for n countries, all visa-required."""
    root = tmp / f"{scheme}-{n}"
    shutil.rmtree(root, ignore_errors=True)
    make_project(args.frozen, root, threshold=1000)
    countries = synthetic_countries(n) if scheme == "synthetic" else iso_countries(args.frozen, n)
    spec = tmp / f"{scheme}-{n}.json"
    spec.write_text(json.dumps({**countries, **(FRONTEX_FILLER if scheme == "synthetic" else {})}),
                    encoding="utf-8")
    env = {"READMISSION_ROOT": str(root), "READMISSION_SYNTHETIC_COUNTRIES": "1"}
    return root, env, list(countries), spec


def scaling(bench: Bench, args, tmp: Path, figs: Figures, details: dict) -> None:
    """Figure 5: cold runs over 25..200 synthetic countries; time per country at each size.

    Countries are Q000.. (READMISSION_SYNTHETIC_COUNTRIES=1). If the tool rejects them, the failure
    is recorded and the sizes are run on real two-letter codes carrying the same synthetic numbers.
    """
    run = [str(args.bin / "readmission"), "run", "--year", str(args.year)] + (
        ["--workers", str(args.workers)] if args.workers else [])
    per_country, details["scaling"] = {}, {}
    scheme = "synthetic"
    details["scaling_codes"] = "Q000.. (synthetic codes)"
    for n in args.sizes:
        while True:
            print(f"scaling: {n} countries ({'Q000..' if scheme == 'synthetic' else 'two-letter codes'})")
            try:
                root, env, codes, spec = scaling_project(args, tmp, n, scheme)
                bench.measure(f"fixture-{scheme}-{n}", [
                    sys.executable, "-c", "import json, sys; from pathlib import Path; from readmission.data."
                    "fixture import write_fixture; write_fixture(Path(sys.argv[1]), 2016, {k: tuple(v) for k, v "
                    "in json.loads(Path(sys.argv[2]).read_text()).items()})", str(root / "data" / "public"),
                    str(spec)], env)
                write_visa_list(root, codes)
                m = bench.measure(f"scale-{scheme}-{n}", run, env, sample=True)
                if not m.counts or m.counts["selected"] != n or m.counts["run"] != n or m.counts["failed"]:
                    raise Abort(f"expected {n} countries selected and run, got {m.counts}")
                break
            except Abort as exc:
                message = " ".join(str(exc).split())[:400]
                if scheme == "synthetic":
                    scheme = "iso"
                    details["scaling_codes"] = (f"two-letter codes with synthetic numbers: the run rejected "
                                                f"Q000.. codes ({message})")
                    print(f"  synthetic codes rejected, falling back to two-letter codes: {message}")
                    continue
                print(f"  scaling {n}: {message}")
                m = None
                break
        if m is None:
            figs.add(f"per_country_s_at_{n}", None, "s", f"not measured: {message}")
            continue
        per_country[n] = m.wall / n
        details["scaling"][n] = {"wall_s": round(m.wall, 2), "cpu_s": m.cpu, "per_country_s": round(m.wall / n, 3),
                                 **m.tree}
        codes_note = "" if scheme == "synthetic" else "; two-letter codes (Q codes rejected, see details)"
        figs.add(f"per_country_s_at_{n}", m.wall / n, "s", f"{n} countries in {m.wall:.1f} s ({m.cpu:.0f} CPU s); "
                 f"peak RSS {m.tree['peak_rss_mib']} MiB" + codes_note
                 + (f"; {contention_note(m)}" if contention_note(m) else ""))
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    sizes = sorted(per_country)
    if len(sizes) >= 2:
        marginal = {f"{a}->{b}": round((details["scaling"][b]["wall_s"] - details["scaling"][a]["wall_s"]) / (b - a), 3)
                    for a, b in zip(sizes, sizes[1:])}
        details["scaling_marginal_s_per_country"] = marginal
        figs.add("scaling_growth", per_country[sizes[-1]] / per_country[sizes[0]], "x",
                 f"time per country at {sizes[-1]} / at {sizes[0]}; marginal s per added country: "
                 + ", ".join(f"{k} {v}" for k, v in marginal.items()), "scaling_growth")
    else:
        figs.add("scaling_growth", None, "x", "not measured: fewer than two sizes ran", "scaling_growth")


# ---------------------------------------------------------------- report

def print_table(figs: Figures, details: dict) -> None:
    print()
    print(f"{'figure':<24} {'value':>10} {'unit':<14} {'target':<16} result")
    print("-" * 76)
    for r in figs.rows:
        value = "-" if r["value"] is None else f"{r['value']:.2f}"
        print(f"{r['name']:<24} {value:>10} {r['unit']:<14} {r['target']:<16} {r['status']}")
    print()
    for r in figs.rows:
        if r["note"]:
            print(f"  {r['name']}: {r['note']}")
    cold = details.get("cold_run")
    if cold:
        print("\ncold run, where the time goes (s from start; CPU seconds by process role):")
        print(f"  timeline: {cold['timeline_s']}")
        print("  " + "; ".join(f"{k}: {v['processes']} proc, {v['cpu_s']} CPU s, max RSS {v['max_rss_mib']} MiB"
                               for k, v in cold["by_role"].items()))
    if details.get("naive"):
        print(f"naive loop, one country (mean s): {details['naive']['per_country_breakdown_s']}")
    if details.get("breakdown_probe_s"):
        print("probe (s):")
        for k, v in details["breakdown_probe_s"].items():
            print(f"  {k}: {v}")


def git_state(source: Path) -> dict:
    def git(*a):
        r = subprocess.run(["git", "-C", str(source), *a], capture_output=True, text=True)
        return r.stdout.strip() if r.returncode == 0 else None
    return {"commit": git("rev-parse", "HEAD"), "dirty": bool(git("status", "--porcelain", "--untracked-files=no"))}


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true",
                   help=f"smoke run: 10 real countries (threshold {QUICK_THRESHOLD}), sizes {QUICK_SIZES}")
    p.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",") if x.strip()],
                   help=f"synthetic sizes, comma-separated (default {FULL_SIZES}; --quick {QUICK_SIZES}; "
                   "'' skips scaling)")
    p.add_argument("--workers", type=int, default=0, help="pass --workers to readmission run (default: its own)")
    p.add_argument("--year", type=int, default=2016, help="data year of the edition (default 2016)")
    p.add_argument("--snapshot", type=Path, default=DEFAULT_SNAPSHOT, help=f"offline snapshot ({DEFAULT_SNAPSHOT})")
    p.add_argument("--source", type=Path, default=REPO,
                   help="project tree whose notebooks, params and lib/ are measured (default: this repository; "
                   "another tree's lib/ is put first on PYTHONPATH, e.g. an export of HEAD)")
    p.add_argument("--bin", type=Path, default=Path(sys.executable).parent,
                   help="folder holding the readmission and papermill commands (default: this interpreter's)")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"JSON results (default {DEFAULT_OUT}); "
                   "command logs go to logs/ beside it")
    p.add_argument("--skip-real", action="store_true", help="only the scaling part")
    p.add_argument("--keep", action="store_true", help="keep the temporary projects (their path is printed)")
    args = p.parse_args(argv)
    if args.sizes is None:
        args.sizes = QUICK_SIZES if args.quick else FULL_SIZES
    args.source, args.bin, args.snapshot = args.source.resolve(), args.bin.resolve(), args.snapshot.resolve()
    for tool in ("readmission", "papermill"):
        if not (args.bin / tool).exists():
            p.error(f"{args.bin / tool} not found: run with the project's .venv/bin/python or pass --bin")
    if not args.skip_real and not (args.snapshot / "eurostat" / "migr_eiord.csv").exists():
        p.error(f"no offline snapshot at {args.snapshot} (pass --snapshot)")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    env = {k: v for k, v in os.environ.items() if k not in {"READMISSION_ROOT", "READMISSION_SYNTHETIC_COUNTRIES"}}
    env["COLUMNS"] = "400"  # the CLI's closing line on one line, for parsing
    source_state = git_state(args.source)
    tmp = Path(tempfile.mkdtemp(prefix="readmission-bench-"))
    # A frozen copy of the source, taken now: its lib/ first on PYTHONPATH (the CLI, workers and
    # kernels import it), its notebooks and params copied into every project. Edits made to the
    # tree while the benchmark runs cannot change what is measured (nor invalidate run keys).
    args.frozen = make_project(args.source, tmp / "source")
    shutil.copytree(args.source / "lib", args.frozen / "lib", ignore=shutil.ignore_patterns("__pycache__"))
    env["PYTHONPATH"] = os.pathsep.join([str(args.frozen / "lib"), *filter(None, [env.get("PYTHONPATH")])])
    bench = Bench(args.out.parent / "logs", env)
    figs, details = Figures(), {}
    started = time.perf_counter()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"benchmark in {tmp} ({cores} cores, load average {os.getloadavg()[0]:.2f}); source {args.source}")
    try:
        if not args.skip_real:
            try:
                real_edition(bench, args, tmp, figs, details)
            except Abort as exc:
                print(f"  real edition: {exc}")
                details["real_edition_error"] = str(exc)
            figs.missing([("cold_run_s", "s", None), ("peak_rss_mib", "MiB", "peak_rss_mib"),
                          ("noop_rerun_s", "s", "noop_rerun_s"), ("naive_loop_s", "s", None),
                          ("speedup", "x", "speedup"), ("cpu_ratio", "x", None),
                          ("one_country_rerun_s", "s", None),
                          ("one_country_rerun_x", "x one country", "one_country_rerun_x")],
                         details.get("real_edition_error", "an earlier step failed"))
        if args.sizes:
            scaling(bench, args, tmp, figs, details)
    finally:
        if args.keep:
            print(f"temporary projects kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    total = time.perf_counter() - started
    print_table(figs, details)
    result = {
        "command": " ".join([Path(sys.executable).as_posix(), *sys.argv]),
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "benchmark_s": round(total, 1),
        "machine": {"cores": cores, "python": platform.python_version(), "platform": platform.platform(),
                    "load_average_at_end": [round(x, 2) for x in os.getloadavg()]},
        "settings": {"quick": args.quick, "sizes": args.sizes, "workers": args.workers or "CLI default (cores)",
                     "year": args.year, "snapshot": str(args.snapshot), "source": str(args.source),
                     **source_state},
        "figures": figs.rows,
        "details": details,
        "commands": bench.commands,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1, default=str) + "\n", encoding="utf-8")
    print(f"\nbenchmark took {total / 60:.1f} min; results in {args.out}")
    return 1 if any(r["status"] == "ERROR" for r in figs.rows) else 0


if __name__ == "__main__":
    sys.exit(main())
