"""Measuring one command: wall time, CPU of its process tree, and the tree's memory over time."""

from __future__ import annotations

import os
import re
import resource
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

try:
    import psutil
except ImportError:  # pragma: no cover - psutil comes with ipykernel
    raise SystemExit("benchmarks/run.py needs psutil (a dependency of ipykernel): run it with .venv/bin/python")

SAMPLE_INTERVAL = 0.1        # seconds between samples of the process tree
CONTENDED_CORES = 0.25       # other processes using more than this many cores: the figure is flagged
COMMAND_TIMEOUT = 3600
RUN_LINE = re.compile(r"(\d+) countries: (\d+) run, (\d+) up to date, (\d+) failed")


class Abort(Exception):
    """A measurement could not be made (a command failed): the figures that need it are left out."""


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


# Quarto's processes: its `quarto` launcher script, deno running Quarto, and the tools it starts
# (pandoc, dart-sass as `dart`, esbuild, typst); anything they start is Quarto's too.
QUARTO_NAMES = {"quarto", "deno", "pandoc", "dart", "sass", "dart-sass", "esbuild", "typst"}
_QUARTO_ON_PATH = shutil.which("quarto")
QUARTO_HOME = Path(os.path.realpath(_QUARTO_ON_PATH)).parents[1] if _QUARTO_ON_PATH else None
if QUARTO_HOME and Path(os.path.realpath(sys.executable)).is_relative_to(QUARTO_HOME):
    QUARTO_HOME = None  # Quarto from the same (conda) environment as Python: known by process names only


def is_quarto(proc: psutil.Process) -> bool:
    argv = proc.cmdline()
    exe = argv[0] if argv else ""
    if proc.name() in QUARTO_NAMES or proc.name().startswith("dart") or any(
            Path(a).name == "quarto" for a in argv[:2]):
        return True
    return bool(QUARTO_HOME and exe.startswith(str(QUARTO_HOME) + os.sep))


def role(proc: psutil.Process, root: int, parent_role: str | None = None) -> str:
    cmd = " ".join(proc.cmdline())
    if parent_role == "quarto" or is_quarto(proc):  # the root too, when the command is `quarto render`
        return "quarto"
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
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    errors = [line for line in lines if re.match(r"^(\w+(Error|Exception)|error|Error)\b.*:", line)]
    return (errors[-1] if errors else lines[-1] if lines else "no output")[:300]


class TreeSampler(threading.Thread):
    """Every SAMPLE_INTERVAL: RSS of every process in the tree (summed), CPU and start of each."""

    def __init__(self, pid: int, t0: float):
        super().__init__(daemon=True)
        self.root, self.t0, self.done = pid, t0, threading.Event()
        self.peak_rss, self.peak_parts, self.peak_procs, self.samples, self.peak_pss = 0, {}, 0, 0, 0
        self.peak_own, self.peak_quarto = 0, 0  # the project's own processes (not Quarto's), Quarto's
        self.procs: dict[int, dict] = {}   # pid -> role, name, start, last seen, cpu, peak rss

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
                        parent = self.procs.get(proc.ppid(), {}).get("role")
                        if proc.pid not in self.procs:
                            self.procs[proc.pid] = {"role": role(proc, self.root, parent), "name": proc.name(),
                                                    "start": proc.create_time() - self.t0, "peak_rss": 0}
                        elif "kernel" not in self.procs[proc.pid]["role"] and proc.pid != self.root:
                            # a kernel is first seen between fork and exec, with its parent's command line
                            # (and Quarto's launcher script execs deno in the same process)
                            self.procs[proc.pid]["role"] = role(proc, self.root, parent)
                            self.procs[proc.pid]["name"] = proc.name()
                except psutil.Error:
                    continue
                info = self.procs[proc.pid]
                info["cpu"] = cpu.user + cpu.system
                info["peak_rss"] = max(info["peak_rss"], rss)
                info["last"] = time.time() - self.t0
                total += rss
                pss += getattr(memory, "pss", rss)
                parts[info["role"]] = parts.get(info["role"], 0) + rss
            self.samples += 1
            self.peak_pss = max(self.peak_pss, pss)
            self.peak_quarto = max(self.peak_quarto, parts.get("quarto", 0))
            self.peak_own = max(self.peak_own, total - parts.get("quarto", 0))
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
        quarto = [i for i in self.procs.values() if i["role"] == "quarto"]
        pandoc = sorted(i["start"] for i in quarto if i.get("name") == "pandoc")
        return {"peak_rss_mib": mib(self.peak_rss), "peak_pss_mib": mib(self.peak_pss),
                "peak_processes": self.peak_procs,
                # the sum over the project's own processes (CLI, workers, kernels) and over Quarto's, each
                # at its own peak (they need not peak together)
                "peak_project_rss_mib": mib(self.peak_own), "peak_quarto_rss_mib": mib(self.peak_quarto),
                "quarto_processes": {"count": len(quarto), "names": sorted({i.get("name", "") for i in quarto}),
                                     "first_start_s": round(min(i["start"] for i in quarto), 2) if quarto else None,
                                     "last_seen_s": round(max(i.get("last", 0) for i in quarto), 2) if quarto else None,
                                     "pandoc_seen": len(pandoc),
                                     "first_pandoc_s": round(pandoc[0], 2) if pandoc else None,
                                     "last_pandoc_s": round(pandoc[-1], 2) if pandoc else None},
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
    load: float = 0.0            # the machine's 1-minute load average when the command ended

    @property
    def counts(self) -> dict | None:
        """The CLI's closing line: selected, run, up to date, failed."""
        match = RUN_LINE.search(re.sub(r"\s+", " ", self.stdout))
        return dict(zip(["selected", "run", "reused", "failed"], map(int, match.groups()))) if match else None

    @property
    def all_counts(self) -> list[dict]:
        """Every closing line, in order: one per edition of a multi-edition run."""
        return [dict(zip(["selected", "run", "reused", "failed"], map(int, m)))
                for m in RUN_LINE.findall(re.sub(r"\s+", " ", self.stdout))]


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
                     sampler.summary(wall) if sampler else {}, round(os.getloadavg()[0], 2))
        self.commands.append({"name": name, "argv": argv, "wall_s": round(wall, 3), "rc": m.rc, "cpu_s": m.cpu,
                              "other_processes_cores": m.foreign_cores, "load_average_1min": m.load, **({"tree": m.tree} if sample else {})})
        status = "ok" if m.rc == 0 else f"EXIT {m.rc}"
        print(f"  {name:<28} {wall:8.2f} s  {m.cpu:7.1f} CPU s  load {m.load:.2f}  {status}"
              + (f"  (other processes: {m.foreign_cores:.2f} cores)" if m.foreign_cores > CONTENDED_CORES else ""),
              flush=True)
        if check and m.rc != 0:
            raise Abort(f"{name} exited {m.rc} (log: {self.logs / (name + '.log')}): {error_line(out)}")
        return m


def contention_note(*measured: Measured) -> str:
    """A note when other processes used the cores meanwhile ('' when they did not), with the load average."""
    worst = max((m.foreign_cores for m in measured), default=0)
    load = max((m.load for m in measured), default=0)
    return (f"other processes used {worst:.2f} cores meanwhile, load {load:.2f}" if worst > CONTENDED_CORES
            else "")
