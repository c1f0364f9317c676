"""Figure 5: cold runs over growing numbers of synthetic countries; time per country at each size."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from .figures import Figures
from .measure import Abort, Bench, Measured, contention_note
from .projects import scaling_project, write_visa_list

FULL_SIZES, QUICK_SIZES = [25, 50, 100, 200], [10, 20]
WRITE_FIXTURE = ("import json, sys; from pathlib import Path; from readmission.data.fixture import "
                 "write_fixture; write_fixture(Path(sys.argv[1]), 2016, {k: tuple(v) for k, v in "
                 "json.loads(Path(sys.argv[2]).read_text()).items()})")


def run_size(bench: Bench, args, tmp: Path, n: int, scheme: str) -> Measured:
    """One size: its project, its synthetic public data, and the tool's cold run over all n countries."""
    run = [str(args.bin / "readmission"), "run", "--year", str(args.year), "--demo"] + (
        ["--workers", str(args.workers)] if args.workers else [])
    root, env, codes, spec = scaling_project(args.frozen, tmp, n, scheme)
    bench.measure(f"fixture-{scheme}-{n}", [sys.executable, "-c", WRITE_FIXTURE,
                                            str(root / "data" / "public"), str(spec)], env)
    write_visa_list(root, codes)
    m = bench.measure(f"scale-{scheme}-{n}", run, env, sample=True)
    if not m.counts or m.counts["selected"] != n or m.counts["run"] != n or m.counts["failed"]:
        raise Abort(f"expected {n} countries selected and run, got {m.counts}")
    if not args.keep:
        shutil.rmtree(root, ignore_errors=True)
    return m


def size_figure(m: Measured, n: int, scheme: str, figs: Figures, details: dict) -> None:
    details["scaling"][n] = {"wall_s": round(m.wall, 2), "cpu_s": m.cpu, "per_country_s": round(m.wall / n, 3),
                             **m.tree}
    codes_note = "" if scheme == "synthetic" else "; two-letter codes (Q codes rejected, see details)"
    figs.add(f"per_country_s_at_{n}", m.wall / n, "s", f"{n} countries in {m.wall:.1f} s ({m.cpu:.0f} CPU s); "
             f"peak RSS {m.tree['peak_rss_mib']} MiB" + codes_note
             + (f"; {contention_note(m)}" if contention_note(m) else ""))


def growth_figure(per_country: dict[int, float], figs: Figures, details: dict) -> None:
    """Time per country at the largest size over the smallest, and the marginal cost between sizes."""
    sizes = sorted(per_country)
    if len(sizes) < 2:
        figs.add("scaling_growth", None, "x", "not measured: fewer than two sizes ran", "scaling_growth")
        return
    marginal = {f"{a}->{b}": round((details["scaling"][b]["wall_s"] - details["scaling"][a]["wall_s"]) / (b - a), 3)
                for a, b in zip(sizes, sizes[1:])}
    details["scaling_marginal_s_per_country"] = marginal
    figs.add("scaling_growth", per_country[sizes[-1]] / per_country[sizes[0]], "x",
             f"time per country at {sizes[-1]} / at {sizes[0]}; marginal s per added country: "
             + ", ".join(f"{k} {v}" for k, v in marginal.items()), "scaling_growth")


def scaling(bench: Bench, args, tmp: Path, figs: Figures, details: dict) -> None:
    """Figure 5 over args.sizes.

    Countries are Q000.. (READMISSION_SYNTHETIC_COUNTRIES=1). If the tool rejects them, the failure
    is recorded and the sizes are run on real two-letter codes carrying the same synthetic numbers.
    """
    per_country, details["scaling"] = {}, {}
    scheme = "synthetic"
    details["scaling_codes"] = "Q000.. (synthetic codes)"
    for n in args.sizes:
        m, message = None, ""
        for attempt in ("synthetic", "iso") if scheme == "synthetic" else ("iso",):
            print(f"scaling: {n} countries ({'Q000..' if attempt == 'synthetic' else 'two-letter codes'})")
            try:
                m = run_size(bench, args, tmp, n, attempt)
                break
            except Abort as exc:
                message = " ".join(str(exc).split())[:400]
            if attempt == "synthetic":
                scheme = "iso"
                details["scaling_codes"] = (f"two-letter codes with synthetic numbers: the run rejected "
                                            f"Q000.. codes ({message})")
                print(f"  synthetic codes rejected, falling back to two-letter codes: {message}")
        if m is None:
            print(f"  scaling {n}: {message}")
            figs.add(f"per_country_s_at_{n}", None, "s", f"not measured: {message}")
            continue
        per_country[n] = m.wall / n
        size_figure(m, n, scheme, figs, details)
    growth_figure(per_country, figs, details)
