"""Faults, measured (issue 15): what an oversized confidential file and a Ctrl-C cost.

Prints and writes (benchmarks/out/faults.json) three figures, each from real command-line
subprocesses in a temporary fixture project:
- a 200 MB questionnaire.csv under the shipped limits: time and peak memory until `data check` refuses it;
- the same file with the limits raised so it is parsed: time and peak memory of a full parse;
- Ctrl-C (SIGINT to the process group) in the middle of `run --force`: seconds until the command ends.

    .venv/bin/python benchmarks/faults.py [--mb 200] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "lib"))

from readmission.data.fixture import fixture_project  # noqa: E402
from readmission.base.paths import Project  # noqa: E402

CLI = [sys.executable, "-m", "readmission"]
HEADER = "reporting_state,country,year,identification,laissez_passer,readmission_acceptance,return_operations,comment\n"


def big_questionnaire(path: Path, megabytes: int) -> int:
    """A valid-looking questionnaire.csv of about `megabytes` MB (rows repeat; duplicates are
    reported only after parsing, which is what the parse figure measures); returns its rows."""
    row = "DE,IQ,2016,3,4,2,5," + "x" * 60 + "\n"
    rows = megabytes * 1024 * 1024 // len(row)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(HEADER)
        chunk = row * 10_000
        for _ in range(rows // 10_000):
            handle.write(chunk)
    return rows


def timed(args: list[str], root: Path) -> tuple[float, float, int, str]:
    """(seconds, peak RSS of the child in MiB, exit code, last output line) of one command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    done = subprocess.run(CLI + args, env=dict(os.environ, READMISSION_ROOT=str(root)),
                          capture_output=True, text=True)
    seconds = time.perf_counter() - start
    peak = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before) / 1024
    lines = (done.stdout + done.stderr).strip().splitlines()
    return seconds, peak, done.returncode, (lines[-1] if lines else "")[:160]


def interrupt_time(root: Path) -> tuple[float, int]:
    """Seconds from SIGINT (mid-run, once a country is being written) to the end of `run --force`."""
    env = dict(os.environ, READMISSION_ROOT=str(root))
    subprocess.run(CLI + ["run", "--year", "2016", "--demo", "--workers", "2"], env=env, capture_output=True)
    proc = subprocess.Popen(CLI + ["run", "--year", "2016", "--demo", "--force", "--workers", "2"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    staging = root / "data" / "restricted" / "out" / "2016" / ".staging"
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None and not any(staging.glob("*/*")):
        time.sleep(0.05)
    sent = time.perf_counter()
    os.killpg(proc.pid, signal.SIGINT)
    code = proc.wait(timeout=120)
    return time.perf_counter() - sent, code


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=200)
    parser.add_argument("--keep", action="store_true")
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="readmission-faults-"))
    try:
        root = work / "project"
        project = fixture_project(Project(REPO), root)
        folder = project.restricted / "2016"
        folder.mkdir(parents=True)
        shutil.copy(REPO / "data" / "fixture" / "confidential" / "2016" / "readmission_statistics.csv", folder)
        rows = big_questionnaire(folder / "questionnaire.csv", options.mb)
        figures = {"file_mb": round((folder / "questionnaire.csv").stat().st_size / 2**20, 1), "rows": rows}
        s, peak, code, last = timed(["data", "check", "--year", "2016"], root)
        figures.update(refused_s=round(s, 2), refused_peak_mib=round(peak), refused_exit=code, refused_message=last)
        (project.params / "limits.yml").write_text(
            f"max_file_mb: {options.mb * 2}\nmax_unzipped_mb: 250\nmax_rows: {rows * 2}\nmax_lines_in_field: 20\n")
        s, peak, code, last = timed(["data", "check", "--year", "2016"], root)
        figures.update(parsed_s=round(s, 2), parsed_peak_mib=round(peak), parsed_exit=code, parsed_message=last)
        (folder / "questionnaire.csv").unlink()
        (project.params / "limits.yml").unlink()
        shutil.copy(REPO / "data" / "fixture" / "confidential" / "2016" / "questionnaire.csv", folder)
        seconds, code = interrupt_time(root)
        figures.update(ctrl_c_stop_s=round(seconds, 2), ctrl_c_exit=code, load_average=os.getloadavg())
    finally:
        if not options.keep:
            shutil.rmtree(work, ignore_errors=True)
    out = REPO / "benchmarks" / "out" / "faults.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=2) + "\n")
    for key, value in figures.items():
        print(f"{key:24} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
