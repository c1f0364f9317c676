#!/usr/bin/env python
"""Speed and memory of `readmission run`, measured side by side in one run on this machine.

Run with the project's interpreter (it needs psutil and PyYAML, both in the venv):

    .venv/bin/python benchmarks/run.py            # the full benchmark (~50-60 min on 2 cores)
    .venv/bin/python benchmarks/run.py --quick    # a smoke run (~20 min): 10 real countries, sizes 10, 20
    .venv/bin/python benchmarks/run.py --only end_to_end   # `make report` end to end alone (~20-30 min)

Every figure comes from subprocesses of the real command line (`readmission data import`,
`readmission run`, `papermill`) in temporary copies of the project (READMISSION_ROOT), never in
the repository's own outputs. The table is printed and written as JSON to benchmarks/out/results.json,
each command's output to benchmarks/out/logs/. See benchmarks/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import compileall
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if __package__ in (None, ""):  # run as a script: the repository root makes `benchmarks` importable
    sys.path.insert(0, str(REPO))

from benchmarks.end_to_end import end_to_end  # noqa: E402
from benchmarks.figures import Figures, print_table  # noqa: E402
from benchmarks.projects import make_project  # noqa: E402
from benchmarks.real_edition import QUICK_THRESHOLD, real_edition  # noqa: E402
from benchmarks.measure import Abort, Bench  # noqa: E402
from benchmarks.scaling import FULL_SIZES, QUICK_SIZES, scaling  # noqa: E402

DEFAULT_OUT = REPO / "benchmarks" / "out" / "results.json"
DEFAULT_SNAPSHOT = REPO.parent / "shared" / "data" / "snapshot"
REAL_FIGURES = [("cold_run_s", "s", None), ("peak_rss_mib", "MiB", "peak_rss_mib"),
                ("noop_rerun_s", "s", "noop_rerun_s"), ("naive_loop_s", "s", None),
                ("speedup", "x", None), ("cpu_ratio", "x", None), ("one_country_rerun_s", "s", None),
                ("one_country_rerun_x", "x one country", "one_country_rerun_x"), ("floor_s", "s", None),
                ("floor_ratio", "x", "floor_ratio"), ("parallel_loop_s", "s", None),
                ("speedup_vs_parallel", "x", "speedup_vs_parallel"),
                ("kernel_overhead_cpu_s", "CPU s / country", "kernel_overhead_cpu_s"),
                ("three_editions_s", "s", None)]
PARTS = ("real", "end_to_end", "scaling")


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
    p.add_argument("--skip-real", action="store_true", help="leave out the real edition's part")
    p.add_argument("--skip-end-to-end", action="store_true", help="leave out the end-to-end part (make report, "
                   "render included)")
    p.add_argument("--only", type=lambda s: {x.strip() for x in s.split(",") if x.strip()},
                   help=f"only these parts, comma-separated, of: {', '.join(PARTS)}")
    p.add_argument("--keep", action="store_true", help="keep the temporary projects (their path is printed)")
    p.add_argument("--repeat", type=int, default=3, help="rounds of the cold run (forced) against the floor, "
                   "interleaved: floor_ratio is their median (default 3; the machine's speed drifts)")
    args = p.parse_args(argv)
    if args.only is not None and not args.only <= set(PARTS):
        p.error(f"--only takes {', '.join(PARTS)}; got {', '.join(sorted(args.only - set(PARTS)))}")
    if args.only is not None:
        args.skip_real, args.skip_end_to_end = "real" not in args.only, "end_to_end" not in args.only
        if "scaling" not in args.only:
            args.sizes = []
    if args.sizes is None:
        args.sizes = QUICK_SIZES if args.quick else FULL_SIZES
    args.source, args.bin, args.snapshot = args.source.resolve(), args.bin.resolve(), args.snapshot.resolve()
    for tool in ("readmission", "papermill"):
        if not (args.bin / tool).exists():
            p.error(f"{args.bin / tool} not found: run with the project's .venv/bin/python or pass --bin")
    if not (args.skip_real and args.skip_end_to_end) and not (args.snapshot / "eurostat" / "migr_eiord.csv").exists():
        p.error(f"no offline snapshot at {args.snapshot} (pass --snapshot)")
    return args




def frozen_source(args, tmp: Path, env: dict) -> Path:
    """A frozen copy of the source, taken now: its lib/ first on PYTHONPATH (the CLI, workers and
    kernels import it), its notebooks and params copied into every project. Edits made to the
    tree while the benchmark runs cannot change what is measured (nor invalidate run keys). The copy
    is byte-compiled, as pip compiles an installed package: where PYTHONDONTWRITEBYTECODE is set (as
    on this machine) every process would otherwise compile the package's sources again."""
    frozen = make_project(args.source, tmp / "source")
    shutil.copytree(args.source / "lib", frozen / "lib", ignore=shutil.ignore_patterns("__pycache__"))
    compileall.compile_dir(str(frozen / "lib"), quiet=1)
    env["PYTHONPATH"] = os.pathsep.join([str(frozen / "lib"), *filter(None, [env.get("PYTHONPATH")])])
    return frozen


def measure_all(bench: Bench, args, tmp: Path, figs: Figures, details: dict) -> None:
    """The real edition's figures (each one it could not measure marked so), the end-to-end ones
    (`make report` with its render: benchmarks/end_to_end.py), then the scaling."""
    if not args.skip_real:
        try:
            real_edition(bench, args, tmp, figs, details)
        except Abort as exc:
            print(f"  real edition: {exc}")
            details["real_edition_error"] = str(exc)
        figs.missing(REAL_FIGURES, details.get("real_edition_error", "an earlier step failed"))
    if not args.skip_end_to_end:
        end_to_end(bench, args, tmp, figs, details)
    if args.sizes:
        scaling(bench, args, tmp, figs, details)


def write_result(args, figs: Figures, details: dict, bench: Bench, source_state: dict, cores: int,
                 total: float) -> None:
    result = {
        "command": " ".join([Path(sys.executable).as_posix(), *sys.argv]),
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "benchmark_s": round(total, 1),
        "machine": {"cores": cores, "python": platform.python_version(), "platform": platform.platform(),
                    "load_average_at_end": [round(x, 2) for x in os.getloadavg()]},
        "settings": {"quick": args.quick, "sizes": args.sizes,
                     "parts": [p for p, skip in zip(PARTS, (args.skip_real, args.skip_end_to_end, not args.sizes))
                               if not skip], "workers": args.workers or "CLI default (cores)",
                     "year": args.year, "snapshot": str(args.snapshot), "source": str(args.source),
                     **source_state},
        "figures": figs.rows,
        "details": details,
        "commands": bench.commands,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1, default=str) + "\n", encoding="utf-8")


def main(argv=None) -> int:
    args = parse_args(argv)
    env = {k: v for k, v in os.environ.items() if k not in {"READMISSION_ROOT", "READMISSION_SYNTHETIC_COUNTRIES"}}
    env["COLUMNS"] = "400"  # the CLI's closing line on one line, for parsing
    source_state = git_state(args.source)
    tmp = Path(tempfile.mkdtemp(prefix="readmission-bench-"))
    args.frozen = frozen_source(args, tmp, env)
    bench = Bench(args.out.parent / "logs", env)
    figs, details = Figures(), {}
    started = time.perf_counter()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"benchmark in {tmp} ({cores} cores, load average {os.getloadavg()[0]:.2f}); source {args.source}")
    try:
        measure_all(bench, args, tmp, figs, details)
    finally:
        if args.keep:
            print(f"temporary projects kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    total = time.perf_counter() - started
    print_table(figs, details)
    write_result(args, figs, details, bench, source_state, cores, total)
    print(f"\nbenchmark took {total / 60:.1f} min; results in {args.out}")
    return 1 if any(r["status"] == "ERROR" for r in figs.rows) else 0


if __name__ == "__main__":
    sys.exit(main())
