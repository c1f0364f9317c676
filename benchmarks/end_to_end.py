"""What a user waits for (issue 28): the whole `make report` after install, render included, measured
side by side in one run with real Quarto.

Two temporary projects, each on the shipped snapshot and the three editions 2014-2016 (`--quick`: the
quick threshold in each edition):

- `report`: `readmission report --demo --year 2014 --year 2015 --year 2016 --snapshot <snapshot>` (what
  `make report` runs once installed) on fresh outputs; the same command again with nothing changed;
  then again with one confidential row of one country changed (benchmarks/changed_demo.py: `--demo`
  rewrites the demo set on every run, so the change is made as the run writes it).
- `split`: the same work as separate commands, `readmission run` (three editions, snapshot imported
  first), `readmission render` (public), `readmission run --year 2016 --audience restricted --demo`
  and `readmission render --audience restricted --year 2016`; then plain `quarto render` of the same
  pages into a scratch folder of the same project; then Quarto alone on one page, the listing page, and
  a one-page scratch site, to say where the render's time goes.

Quarto's own profile (QUARTO_PROFILER_OUTPUT, written by `quarto render` when set) gives each page's
time (pandoc, then Quarto's HTML post-processing) and its start-up; the profile's mtime marks the end
of the pages, search.json's the end of the search index. Memory: the process tree sampled as in the
rest of the benchmark, Quarto's processes (its launcher, deno, pandoc, dart-sass, esbuild and what they
start) summed apart from the project's own (CLI, workers, kernels).
"""

from __future__ import annotations

import json
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from readmission.base.paths import Project

from .figures import Figures
from .measure import Abort, Bench, Measured, contention_note
from .projects import make_project, selected_codes, set_threshold
from .real_edition import QUICK_THRESHOLD

EDITIONS = (2014, 2015, 2016)
RESTRICTED_YEAR = 2016
CHANGE_YEAR = 2016           # the latest edition: no later edition's history depends on it
CHANGED_DEMO = Path(__file__).with_name("changed_demo.py")
PLAIN_DIR = "_bench-plain"   # scratch output folders inside the project (Quarto ignores names with '_')
ONE_DIR = "_bench-one"
LISTING_PAGE = "countries.qmd"
NO_QUARTO = "quarto not on PATH"
INSTALL_NOTE = ("not measured: a fresh environment from requirements.lock downloads the whole lock "
                "(JupyterLab included), not cheap to repeat here; issue 28's run put `make install` at about 1 min")
PROGRESS = re.compile(r"\[\s*(\d+)/(\d+)\]\s+(\S+)")
ANSI = re.compile(r"\x1b\[[0-9;]*m")
RENDERED = re.compile(r"^site published: .*?\(rendered: (.*)\)\s*$", re.M)  # the CLI's word on what it rendered
# name, unit, target key; the render figures need Quarto
E2E_FIGURES = [("report_cold_s", "s", None), ("install_s", "s", None), ("run_editions_s", "s", None),
               ("render_public_s", "s", None), ("render_s_per_page", "s / page", None),
               ("run_restricted_s", "s", None), ("render_restricted_s", "s", None),
               ("plain_quarto_render_s", "s", None), ("render_vs_quarto_x", "x", "render_vs_quarto_x"),
               ("quarto_startup_s", "s", None), ("report_noop_s", "s", "report_noop_s"),
               ("report_one_country_s", "s", "report_one_country_s"),
               ("report_peak_rss_mib", "MiB", "report_peak_rss_mib")]
REPORT_FIGURES = {"report_cold_s", "report_noop_s", "report_one_country_s", "report_peak_rss_mib"}
RENDER_FIGURES = {"render_public_s", "render_s_per_page", "render_restricted_s", "plain_quarto_render_s",
                  "render_vs_quarto_x", "quarto_startup_s"}


def rm(*paths: Path) -> None:
    for path in paths:
        shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)


def html_pages(site: Path, since: float | None = None) -> int:
    """HTML pages of a rendered site (site_libs left out); with `since`, those written since then."""
    return sum(1 for p in site.rglob("*.html") if "site_libs" not in p.relative_to(site).parts
               and (since is None or p.stat().st_mtime >= since)) if site.is_dir() else 0


def readmission(args, *words: str) -> list[str]:
    return [str(args.bin / "readmission"), *words]


def years(*editions: int) -> list[str]:
    return [a for y in editions for a in ("--year", str(y))]


def workers(args) -> list[str]:
    return ["--workers", str(args.workers)] if args.workers else []


def report_words(args) -> list[str]:
    """What `make report` runs once installed (the Makefile's report target)."""
    return ["report", "--demo", *years(*EDITIONS), "--snapshot", str(args.snapshot), *workers(args)]


def timed(bench: Bench, name: str, argv: list[str], env: dict, **kw) -> tuple[Measured, float]:
    """bench.measure, and the wall-clock time it started (for file mtimes and Quarto's profile)."""
    start = time.time()
    return bench.measure(name, argv, env, **kw), start


def rendered(m: Measured) -> str:
    """What the render said it rendered ('' when it does not say)."""
    match = RENDERED.search(m.stdout)
    return match.group(1) if match else ""


def edition_counts(m: Measured) -> str:
    return "; ".join(f"{y}: {c['run']} run, {c['reused']} up to date" for y, c in zip(EDITIONS, m.all_counts))


def memory(m: Measured) -> dict:
    keys = ("peak_project_rss_mib", "peak_quarto_rss_mib", "peak_rss_mib", "peak_pss_mib", "peak_rss_by_role_mib",
            "by_role", "quarto_processes")
    return {k: m.tree.get(k) for k in keys}


# ---- Quarto's profile --------------------------------------------------------------------------------

def quarto_profile(path: Path, started: float, ended: float, progress: str = "", site: Path | None = None) -> dict:
    """Where one `quarto render` went, from its QUARTO_PROFILER_OUTPUT and the files it wrote.

    Times are seconds; `before_quarto_s` is from the command's start to deno's time origin (the caller's
    own work, and Quarto's launcher script), `after_pages_s` from the last page to the command's end."""
    if not path.exists():
        return {"error": f"no Quarto profile at {path.name} (Quarto did not write it)"}
    data = json.loads(path.read_text(encoding="utf-8"))
    written = path.stat().st_mtime
    origin = written - data["end"] / 1000
    nodes = data["children"]
    contexts = [n for n in nodes if n["name"] == "render-context"]
    posts = [n for n in nodes if n["name"] == "render-postprocessor"]
    pandoc = [sum(c["elapsed"] for c in n["children"] if c["name"] == "render-pandoc") / 1000 for n in contexts]
    post = [n["elapsed"] / 1000 for n in posts]
    pages = [(c["elapsed"] / 1000) + (post[i] if i < len(post) else 0) for i, c in enumerate(contexts)]
    names = [m.group(3) for m in PROGRESS.finditer(ANSI.sub("", progress))]
    out = {"pages": len(contexts),
           "before_quarto_s": round(origin - started, 2),
           "deno_init_s": round(nodes[0]["end"] / 1000, 2) if nodes and nodes[0]["name"] == "deno-init" else None,
           "to_first_page_s": round(contexts[0]["start"] / 1000, 2) if contexts else None,
           "pages_s": round(sum(pages), 2),
           "first_page_s": round(pages[0], 2) if pages else None,
           "page_median_s": round(statistics.median(pages), 3) if pages else None,
           "pandoc_median_s": round(statistics.median(pandoc), 3) if pandoc else None,
           "html_postprocess_median_s": round(statistics.median(post), 3) if post else None,
           "after_pages_s": round(ended - written, 2)}
    if site is not None and (site / "search.json").exists():
        out["search_index_written_after_pages_s"] = round((site / "search.json").stat().st_mtime - written, 2)
    if names and len(names) == len(pages):
        timed_pages = dict(zip(names, pages))
        out["listing_page_s"] = round(timed_pages.get(LISTING_PAGE, float("nan")), 3)
        out["slowest_pages_s"] = {k: round(v, 2) for k, v in sorted(timed_pages.items(), key=lambda kv: -kv[1])[:5]}
        kinds: dict[str, list[float]] = {}
        for name, seconds in timed_pages.items():
            kind = ("country" if name.startswith("notebooks/countries/") else
                    "findings" if name.startswith("notebooks/findings/") else "other")
            kinds.setdefault(kind, []).append(seconds)
        out["median_by_kind_s"] = {k: round(statistics.median(v), 3) for k, v in kinds.items()}
    return out


def profiled(bench: Bench, name: str, argv: list[str], env: dict, tmp: Path, cwd: Path | None = None,
             site: Path | None = None, sample: bool = True) -> tuple[Measured, dict]:
    """A command that runs `quarto render` once, with Quarto's profile written beside the logs."""
    profile = tmp / f"quarto-profile-{name}.json"
    rm(profile)
    m, start = timed(bench, name, argv, {**env, "QUARTO_PROFILER_OUTPUT": str(profile)}, cwd=cwd, sample=sample)
    info = quarto_profile(profile, start, start + m.wall, m.stdout, site)
    if m.tree.get("quarto_processes", {}).get("last_seen_s") is not None:
        info["quarto_last_seen_s"] = m.tree["quarto_processes"]["last_seen_s"]
        info["after_quarto_s"] = round(m.wall - m.tree["quarto_processes"]["last_seen_s"], 2)
    return m, info


# ---- the two projects -------------------------------------------------------------------------------

def project(args, tmp: Path, name: str) -> tuple[Path, dict]:
    root = make_project(args.frozen, tmp / name)
    if args.quick:
        for year in EDITIONS:
            set_threshold(root, QUICK_THRESHOLD, year)
    return root, {"READMISSION_ROOT": str(root)}


def report_project(bench: Bench, args, tmp: Path, quarto: bool, figs: Figures, out: dict) -> None:
    """`make report` cold, with nothing changed, and after one confidential row of one country; the
    peak memory over those of them that ran."""
    runs: dict[str, Measured] = {}
    try:
        report_runs(bench, args, tmp, quarto, figs, out, runs)
    finally:
        if runs:
            peak_memory(runs, quarto, figs)


def report_runs(bench: Bench, args, tmp: Path, quarto: bool, figs: Figures, out: dict,
                runs: dict[str, Measured]) -> None:
    root, env = project(args, tmp, "e2e-report")

    def render_words(m: Measured) -> str:
        return f"render: {rendered(m) or '?'}" if quarto else f"run only, no render: {NO_QUARTO}"

    cold = runs["cold"] = bench.measure("e2e-report-cold", readmission(args, *report_words(args)), env, sample=True)
    counts = cold.all_counts
    if len(counts) != len(EDITIONS) or any(c["run"] != c["selected"] or c["failed"] for c in counts):
        raise Abort(f"the cold report did not run every country of every edition: {counts}")
    pages = html_pages(root / "_site")
    if quarto and not pages:
        raise Abort(f"the cold report published no site (log: e2e-report-cold.log): {cold.stdout[-300:]}")
    out["report"] = {"cold": {"wall_s": round(cold.wall, 2), "cpu_s": cold.cpu, "countries": counts,
                              "pages": pages, **memory(cold)}}
    out["countries"] = [c["selected"] for c in counts]
    figs.add("report_cold_s", cold.wall, "s", f"{' + '.join(map(str, out['countries']))} countries (2014-2016), "
             f"data import, run, " + (f"public render of {pages} pages" if quarto else f"no render: {NO_QUARTO}")
             + f"; install excluded; {cold.cpu:.0f} CPU s; {contention_note(cold) or 'no contention'}")

    noop, start = timed(bench, "e2e-report-noop", readmission(args, *report_words(args)), env, sample=True)
    runs["no change"] = noop
    if any(c["run"] for c in noop.all_counts):
        raise Abort(f"a report with nothing changed ran countries: {noop.all_counts}")
    out["report"]["noop"] = {"wall_s": round(noop.wall, 2), "pages_written": html_pages(root / "_site", start),
                             "rendered": rendered(noop), **memory(noop)}
    figs.add("report_noop_s", noop.wall, "s", f"the same `report` again, nothing changed: "
             f"{out['report']['noop']['pages_written']} HTML pages written ({render_words(noop)}); "
             f"{contention_note(noop) or 'no contention'}", "report_noop_s")

    code = selected_codes(root, CHANGE_YEAR)[0]
    argv = [sys.executable, str(CHANGED_DEMO), code, str(CHANGE_YEAR), "--", *report_words(args)]
    change, start = timed(bench, "e2e-report-one-country", argv, env, sample=True)
    runs["one country"] = change
    lines = [s for s in change.stdout.splitlines() if s.startswith("[benchmark] changed")]
    counts = change.all_counts
    if not lines or len(counts) != len(EDITIONS) or counts[EDITIONS.index(CHANGE_YEAR)]["run"] < 1:
        raise Abort(f"after one row of {code} changed the report ran no country of {CHANGE_YEAR} ({counts}; "
                    f"changed_demo.py said: {lines})")
    change_words = lines[0].split(": ", 1)[-1]
    out["report"]["one_country"] = {"country": code, "change": change_words, "wall_s": round(change.wall, 2),
                                    "countries": counts, "pages_written": html_pages(root / "_site", start),
                                    "rendered": rendered(change), **memory(change)}
    figs.add("report_one_country_s", change.wall, "s", f"`report` after one questionnaire row of {code} "
             f"({CHANGE_YEAR}) changed ({change_words.split(': ', 1)[-1]}): {edition_counts(change)}; "
             f"{out['report']['one_country']['pages_written']} HTML pages written ({render_words(change)}); "
             f"{contention_note(change) or 'no contention'}", "report_one_country_s")


def peak_memory(runs: dict[str, Measured], quarto: bool, figs: Figures) -> None:
    worst = max(runs, key=lambda k: runs[k].tree["peak_project_rss_mib"])
    quarto_peak = max(m.tree["peak_quarto_rss_mib"] for m in runs.values())
    figs.add("report_peak_rss_mib", runs[worst].tree["peak_project_rss_mib"], "MiB",
             f"sum of RSS over the project's own processes (CLI, workers, kernels), max over the reports "
             f"({', '.join(runs)}: at the {worst} one); Quarto's processes apart: peak {quarto_peak} MiB"
             + ("" if quarto else f" ({NO_QUARTO})") + f"; whole tree {runs[worst].tree['peak_rss_mib']} MiB",
             "report_peak_rss_mib")


def split_project(bench: Bench, args, tmp: Path, quarto: bool, figs: Figures, out: dict) -> None:
    """The report's steps as separate commands, then plain Quarto on the same pages."""
    root, env = project(args, tmp, "e2e-split")
    run = bench.measure("e2e-run", readmission(args, "run", "--demo", *years(*EDITIONS), "--snapshot",
                                               str(args.snapshot), *workers(args)), env, sample=True)
    out["split"] = {"run": {"wall_s": round(run.wall, 2), "cpu_s": run.cpu, "countries": run.all_counts,
                            **memory(run)}}
    figs.add("run_editions_s", run.wall, "s", "`readmission run --demo` 2014-2016 with `--snapshot` (data import "
             f"first), fresh outputs; {run.cpu:.0f} CPU s; {contention_note(run) or 'no contention'}")
    if not quarto:
        restricted = bench.measure("e2e-run-restricted", readmission(
            args, "run", "--demo", "--audience", "restricted", *years(RESTRICTED_YEAR), *workers(args)), env)
        figs.add("run_restricted_s", restricted.wall, "s", f"restricted run of {RESTRICTED_YEAR} (the restricted "
                 "render's input)")
        return
    public, info = profiled(bench, "e2e-render-public", readmission(args, "render"), env, tmp)
    pages = html_pages(root / "_site")
    out["split"]["render_public"] = {"wall_s": round(public.wall, 2), "cpu_s": public.cpu, "pages": pages,
                                     "rendered": rendered(public), "quarto_profile": info, **memory(public)}
    figs.add("render_public_s", public.wall, "s", f"`readmission render`, {pages} pages (render: "
             f"{rendered(public) or '?'}), fresh .quarto/; "
             f"{public.cpu:.0f} CPU s; {contention_note(public) or 'no contention'}")
    figs.add("render_s_per_page", public.wall / max(pages, 1), "s / page",
             f"{public.wall:.1f} s / {pages} HTML pages; Quarto's median page {info.get('page_median_s')} s")

    plain = plain_render(bench, root, env, tmp, pages, out)
    figs.add("plain_quarto_render_s", plain.wall, "s", f"`quarto render --output-dir {PLAIN_DIR}` in the same "
             f"project after the run, fresh .quarto/; {out['split']['plain']['pages']} pages; "
             f"{contention_note(plain) or 'no contention'}")
    figs.add("render_vs_quarto_x", public.wall / plain.wall, "x", f"readmission render {public.wall:.1f} s / "
             f"plain quarto render {plain.wall:.1f} s (the project's own work: {info.get('before_quarto_s')} s before "
             f"`quarto render`, gates and the render plan; {info.get('after_quarto_s')} s after it, gate on the site, "
             "links, swap; the rest is Quarto running slower or faster)",
             "render_vs_quarto_x")

    restricted = bench.measure("e2e-run-restricted", readmission(
        args, "run", "--demo", "--audience", "restricted", *years(RESTRICTED_YEAR), *workers(args)), env, sample=True)
    out["split"]["run_restricted"] = {"wall_s": round(restricted.wall, 2), "countries": restricted.all_counts}
    figs.add("run_restricted_s", restricted.wall, "s", f"`run --audience restricted --demo --year "
             f"{RESTRICTED_YEAR}` (the restricted render's input; not part of `make report`)")
    restricted_render, rinfo = profiled(bench, "e2e-render-restricted", readmission(
        args, "render", "--audience", "restricted", "--year", str(RESTRICTED_YEAR)), env, tmp)
    rpages = html_pages(Project(root).restricted_site)
    out["split"]["render_restricted"] = {"wall_s": round(restricted_render.wall, 2), "pages": rpages,
                                         "quarto_profile": rinfo, **memory(restricted_render)}
    figs.add("render_restricted_s", restricted_render.wall, "s", f"`render --audience restricted --year {RESTRICTED_YEAR}`, "
             f"{rpages} pages ({restricted_render.wall / max(rpages, 1):.2f} s a page); "
             f"{contention_note(restricted_render) or 'no contention'}")
    quarto_alone(bench, root, env, tmp, figs, out)


def plain_render(bench: Bench, root: Path, env: dict, tmp: Path, pages: int, out: dict) -> Measured:
    """Plain `quarto render` of the same pages, Quarto's project cache (.quarto/) fresh as for the
    project's first render, into a scratch folder (removed after)."""
    saved = root / ".quarto-bench-saved"
    if (root / ".quarto").exists():
        (root / ".quarto").rename(saved)
    try:
        plain, info = profiled(bench, "e2e-quarto-render", ["quarto", "render", "--output-dir", PLAIN_DIR], env,
                               tmp, cwd=root, site=root / PLAIN_DIR)
        out["split"]["plain"] = {"wall_s": round(plain.wall, 2), "cpu_s": plain.cpu,
                                 "pages": html_pages(root / PLAIN_DIR), "quarto_profile": info, **memory(plain)}
    finally:
        rm(root / PLAIN_DIR, root / ".quarto")
        if saved.exists():
            saved.rename(root / ".quarto")
    if out["split"]["plain"]["pages"] != pages:
        out["split"]["plain"]["note"] = f"{out['split']['plain']['pages']} pages, readmission render {pages}"
    return plain


def quarto_alone(bench: Bench, root: Path, env: dict, tmp: Path, figs: Figures, out: dict) -> None:
    """Quarto's fixed costs: its start-up on a one-page scratch site, one page of this project alone,
    the listing page alone (each into a scratch folder)."""
    version = bench.measure("e2e-quarto-version", ["quarto", "--version"], env)
    scratch = tmp / "quarto-one-page"
    scratch.mkdir(exist_ok=True)
    (scratch / "_quarto.yml").write_text("project:\n  type: website\nwebsite:\n  title: scratch\n", encoding="utf-8")
    (scratch / "index.qmd").write_text("---\ntitle: one page\n---\n\nOne paragraph.\n", encoding="utf-8")
    one_site, one_site_info = profiled(bench, "e2e-quarto-one-page-site", ["quarto", "render"], env, tmp, cwd=scratch)
    code = selected_codes(root, RESTRICTED_YEAR)[0]
    alone = {}
    for label, page in (("country_page", f"notebooks/countries/{RESTRICTED_YEAR}/{code}.ipynb"),
                        ("listing_page", LISTING_PAGE)):
        try:
            m, info = profiled(bench, f"e2e-quarto-{label.replace('_', '-')}", ["quarto", "render", page,
                                                                                "--output-dir", ONE_DIR],
                               env, tmp, cwd=root, sample=False)
            alone[label] = {"page": page, "wall_s": round(m.wall, 2), "quarto_profile": info,  # no progress: one page
                            "rendered": [x.group(3) for x in PROGRESS.finditer(ANSI.sub("", m.stdout))] or [page]}
        finally:
            rm(root / ONE_DIR)
    out["quarto_alone"] = {"version": version.stdout.strip().splitlines()[-1:], "version_s": round(version.wall, 2),
                           "one_page_site_s": round(one_site.wall, 2), "one_page_site_profile": one_site_info,
                           **alone}
    figs.add("quarto_startup_s", one_site.wall, "s", f"`quarto render` of a one-page scratch site (deno start "
             f"{one_site_info.get('deno_init_s')} s, first page at {one_site_info.get('to_first_page_s')} s); "
             f"`quarto --version` {version.wall:.2f} s")


def render_note(out: dict) -> str:
    """Where the render's time goes, in one paragraph, from the measurements above."""
    split, alone = out.get("split", {}), out.get("quarto_alone", {})
    plain = (split.get("plain") or {}).get("quarto_profile") or {}
    ours = (split.get("render_public") or {}).get("quarto_profile") or {}
    if not plain or "error" in plain:
        return ""
    parts = [f"plain quarto render: start-up to the first page {plain['to_first_page_s']} s (deno "
             f"{plain['deno_init_s']} s; a one-page scratch site takes {alone.get('one_page_site_s')} s in all)",
             f"{plain['pages']} pages {plain['pages_s']} s, median {plain['page_median_s']} s a page (pandoc "
             f"{plain['pandoc_median_s']} s + Quarto's HTML post-processing {plain['html_postprocess_median_s']} s; "
             f"first page {plain['first_page_s']} s with the theme's Sass)",
             f"by kind {plain.get('median_by_kind_s')}, listing page {plain.get('listing_page_s')} s",
             f"after the last page {plain['after_pages_s']} s (resources, search index: search.json written "
             f"{plain.get('search_index_written_after_pages_s')} s after the pages, listings)"]
    if ours and "error" not in ours:
        parts.append(f"readmission render: {ours['before_quarto_s']} s of its own before `quarto render` (gates on "
                     f"the sources, the render plan), Quarto's pages median {ours['page_median_s']} s, "
                     f"{ours.get('after_quarto_s')} s after Quarto (gate on the site, links, swap)")
    for label in ("country_page", "listing_page"):
        if label in alone:
            a = alone[label]
            parts.append(f"{label.replace('_', ' ')} alone in the project {a['wall_s']} s (renders "
                         f"{', '.join(a['rendered']) or '?'}; first page at {a['quarto_profile'].get('to_first_page_s')} s)")
    return "; ".join(parts)


def end_to_end(bench: Bench, args, tmp: Path, figs: Figures, details: dict) -> None:
    """Issue 28's figures, each one it could not measure marked so (a failed step in one project
    leaves the other's figures measured)."""
    quarto = shutil.which("quarto", path=bench.env.get("PATH"))
    out = details["end_to_end"] = {"quarto": quarto, "editions": list(EDITIONS), "install": INSTALL_NOTE}
    if quarto:
        version = subprocess.run([quarto, "--version"], capture_output=True, text=True)
        out["quarto_version"] = version.stdout.strip()
    print(f"end to end: make report's work, 2014-2016{' (quick threshold)' if args.quick else ''}; quarto: "
          f"{out.get('quarto_version') or NO_QUARTO}")
    figs.add("install_s", None, "s", INSTALL_NOTE, skip=True)
    if not quarto:
        for name, unit, key in E2E_FIGURES:
            if name in RENDER_FIGURES:
                figs.add(name, None, unit, f"not measured: {NO_QUARTO}", key, skip=True)
    for part, step, folder in (("report", report_project, "e2e-report"), ("split", split_project, "e2e-split")):
        try:
            step(bench, args, tmp, bool(quarto), figs, out)
        except Abort as exc:
            print(f"  end to end, {part}: {exc}")
            out[f"{part}_error"] = str(exc)
            figs.missing([f for f in E2E_FIGURES if (f[0] in REPORT_FIGURES) == (part == "report")], str(exc))
        finally:
            if not args.keep:
                rm(tmp / folder)
    out["render_note"] = render_note(out)
    order = [name for name, _, _ in E2E_FIGURES]
    mine = sorted((r for r in figs.rows if r["name"] in order), key=lambda r: order.index(r["name"]))
    figs.rows = [r for r in figs.rows if r["name"] not in order] + mine
