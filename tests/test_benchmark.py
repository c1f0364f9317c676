"""Smoke test of benchmarks/run.py: every figure is measured (targets are never asserted here)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from conftest import REPO, SNAPSHOT

FIGURES = ["cold_run_s", "naive_loop_s", "speedup", "cpu_ratio", "noop_rerun_s", "one_country_rerun_s",
           "one_country_rerun_x", "peak_rss_mib", "floor_s", "floor_ratio", "parallel_loop_s",
           "speedup_vs_parallel", "kernel_overhead_cpu_s", "three_editions_s", "per_country_s_at_10",
           "per_country_s_at_20", "scaling_growth"]
# end to end (benchmarks/end_to_end.py): make report with its render; the render figures need Quarto
E2E_FIGURES = ["report_cold_s", "install_s", "run_editions_s", "render_public_s", "render_s_per_page",
               "run_restricted_s", "render_restricted_s", "plain_quarto_render_s", "render_vs_quarto_x",
               "quarto_startup_s", "report_noop_s", "report_one_country_s", "report_peak_rss_mib"]
RENDER_FIGURES = {"render_public_s", "render_s_per_page", "render_restricted_s", "plain_quarto_render_s",
                  "render_vs_quarto_x", "quarto_startup_s"}
CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1

pytestmark = pytest.mark.skipif(
    os.environ.get("READMISSION_BENCHMARK_SMOKE") != "1",
    reason="benchmarks are not timed tests: set READMISSION_BENCHMARK_SMOKE=1 to smoke-test "
           "benchmarks/run.py --quick (about 20 minutes, the end-to-end part with Quarto included)")


def test_quick_benchmark_measures_every_figure(tmp_path):
    if not (SNAPSHOT / "eurostat" / "migr_eiord.csv").exists():
        pytest.skip(f"offline snapshot not found at {SNAPSHOT}")
    out = tmp_path / "results.json"
    proc = subprocess.run([sys.executable, str(REPO / "benchmarks" / "run.py"), "--quick", "--out", str(out),
                           "--snapshot", str(SNAPSHOT)], capture_output=True, text=True, timeout=3600)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    result = json.loads(out.read_text(encoding="utf-8"))
    figures = {f["name"]: f for f in result["figures"]}
    # the floor over the run's workers
    assert sorted(figures) == sorted(FIGURES + E2E_FIGURES + [f"floor_{CORES}w_s"])
    # not measured here, saying why: the install always; the render without Quarto
    skipped = {"install_s"} | (RENDER_FIGURES if shutil.which("quarto") is None else set())
    for name, figure in figures.items():
        if name in skipped:
            assert figure["status"] == "SKIP" and figure["note"].startswith("not measured:"), (name, figure)
            continue
        assert isinstance(figure["value"], (int, float)), (name, figure["note"])
        assert figure["status"] in {"PASS", "MISS", "INFO"}, (name, figure["note"])
        if figure["target"]:
            assert figure["status"] in {"PASS", "MISS"}, name
    assert result["details"]["countries"] >= 2
    # where the kernel overhead goes: the machinery's unit costs and the breakdown built from them
    assert result["details"]["machinery"]["per_country_counts"]["cell"] > 10, result["details"]["machinery"]
    assert "rest" in result["details"]["kernel_overhead"]["breakdown_cpu_s"]
    assert (out.parent / "logs" / "cold-run.log").exists()
    assert (out.parent / "logs" / "e2e-report-cold.log").exists()
