"""The figures of a benchmark run: each with its unit, target and status, and the printed table."""

from __future__ import annotations

# name, unit, target text, test (None: information only)
TARGETS = {
    "speedup_vs_parallel": ("x", ">= 3x", lambda v: v >= 3),
    "floor_ratio": ("x", "<= 1.5x", lambda v: v <= 1.5),
    "kernel_overhead_cpu_s": ("CPU s / country", "<= 0.3", lambda v: v <= 0.3),
    "noop_rerun_s": ("s", "< 1 s", lambda v: v < 1),
    "one_country_rerun_x": ("x one country", "< 1.5x", lambda v: v < 1.5),
    "peak_rss_mib": ("MiB", "< 1024 MiB", lambda v: v < 1024),
    "scaling_growth": ("x", "<= 1.25x (flat)", lambda v: v <= 1.25),
    # end to end (issue 28): what a user waits for, render included
    "report_noop_s": ("s", "< 10 s", lambda v: v < 10),
    "report_one_country_s": ("s", "< 45 s", lambda v: v < 45),
    "render_vs_quarto_x": ("x", "<= 1.10x", lambda v: v <= 1.10),
    "report_peak_rss_mib": ("MiB", "< 2048 MiB", lambda v: v < 2048),
}


class Figures:
    """The figures measured so far, in the order of the printed table."""

    def __init__(self):
        self.rows: list[dict] = []

    def add(self, name: str, value, unit: str, note: str = "", target_key: str | None = None,
            skip: bool = False) -> None:
        """A figure; value None is an ERROR (a step failed), or with skip=True SKIP: not measured here,
        for the reason the note gives (e.g. Quarto not installed)."""
        target, test = (TARGETS[target_key][1], TARGETS[target_key][2]) if target_key else ("", None)
        if value is None:
            status = "SKIP" if skip else "ERROR"
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
    floor = details.get("floor")
    if floor:
        print("floor, CPU s by step (serial; parallel):")
        for k, v in floor["serial"]["cpu_by_step_s"].items():
            print(f"  {k}: {v}; {floor['parallel']['cpu_by_step_s'].get(k)}")
        print(f"charts, CPU ms per country (build, PNG): {floor['chart_cpu_ms_per_country']}")
    if details.get("kernel_overhead"):
        print(f"kernel overhead: {details['kernel_overhead']}")
    if details.get("machinery"):
        print(f"machinery (CPU ms per unit, worker side and kernel side; counts in one country): "
              f"{details['machinery']}")
    e2e = details.get("end_to_end") or {}
    if e2e.get("render_note"):
        print(f"render, where the time goes: {e2e['render_note']}")
    if details.get("breakdown_probe_s"):
        print("probe (s):")
        for k, v in details["breakdown_probe_s"].items():
            print(f"  {k}: {v}")

