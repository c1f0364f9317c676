"""The restricted Council document: one printable, marked PDF per edition, printed from the rendered
restricted site (`data/restricted/out/_site/`), never computed again.

Headless Chromium prints each part (cover, contents, findings, one part per country in name order,
the annex) in one browser session (`tools/site-check/print.mjs`); pypdf counts each part's pages,
the contents are printed with those page numbers, then the parts are joined, bookmarked and stamped
"page X of Y". Every page carries RESTRICTED; a country no reviewer signed off carries "DRAFT, not
reviewed" and a watermark on each of its pages. The PDF goes to the restricted tree only:
data/restricted/out/<year>/document/council-<year>.pdf (docs/document.md).
"""

from __future__ import annotations

import filecmp
import html
import io
import json
import os
import shutil
import subprocess
import tempfile
import threading
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass, replace
from itertools import accumulate
from pathlib import Path

try:  # joins and numbers the parts; without it check_tools names it among the missing tools
    from pypdf import PageObject, PdfReader, PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject
except ImportError:
    PdfWriter = None

from ..base.codes import DESIGNATION_FOOTNOTES
from ..base.paths import RESTRICTED, SITE_CHECK, OutputTree, Project, findings_link, npm_package, page_link, pages_link
from ..base.outputs import write_bytes_atomic
from .site import RenderError
from ..method.audit import unsigned

TITLE = "Assessment of third countries' cooperation on readmission, Article 25a Visa Code"
MARKING = "RESTRICTED"
DRAFT = "DRAFT, not reviewed"
PRINTER = SITE_CHECK
INSTALL = "install with `apt-get install chromium nodejs npm` and `npm ci --prefix tools/site-check`"
PRINT_TIMEOUT = 1800  # seconds for the whole print session, a hung browser included
SIDE_MARGIN_PT = 14 / 25.4 * 72  # print.mjs's @page side margin
NUMBER_BASELINE_PT = 17.3  # "page X of Y", on the line of Chromium's footer
NUMBER_FONT_PT = 8
HELVETICA_WIDTHS = {" ": 278, "f": 278}  # per 1000 of the font size; 556 for every other character used


class DocumentError(RenderError):
    """The Council document could not be printed: a tool or the rendered site is missing or stale."""


@dataclass(frozen=True)
class Part:
    """One printed part of the document: its name in the contents, where it comes from, its marks."""

    key: str  # the part's file name, e.g. "country-AF"
    title: str
    group: str = ""  # "", "Countries" or "Annex": the contents' heading above it
    page: str = ""  # its page in the rendered site
    html: str = ""  # or its generated HTML (cover, contents)
    draft: bool = False
    note: str = ""  # the contents' second column (a country's assessed level)


def document_path(project: Project, year: int) -> Path:
    """Where an edition's Council document goes: the restricted tree, never notebooks/ or _site/."""
    return OutputTree(project, year, RESTRICTED).documents / f"council-{year}.pdf"


def check_destination(project: Project, path: Path) -> None:
    """Refuse a destination inside the public outputs (notebooks/, _site/): the PDF is restricted."""
    for public in (project.notebooks, project.site):
        if Path(path).resolve().is_relative_to(public.resolve()):
            raise DocumentError(f"refusing to write the restricted document under {public}")


def name_key(name: str) -> str:
    """A country's sort key: its name without accents, case or designation asterisk (Côte before Cuba)."""
    plain = unicodedata.normalize("NFKD", name.replace("*", ""))
    return "".join(c for c in plain if not unicodedata.combining(c)).casefold()


def country_parts(year: int, countries: list[dict], unsigned: set[str], levels: dict[str, str]) -> list[Part]:
    """One part per country of the run, by name; a country not signed off (or failed) is a draft."""
    ordered = sorted(countries, key=lambda c: (name_key(c["name"]), c["country"]))
    return [Part(f"country-{c['country']}", c["name"], "Countries",
                 page_link(year, c["country"], "html"),
                 draft=c["country"] in unsigned or not c.get("ok", True),
                 note=levels.get(c["country"], "no result (the country's notebook failed)"))
            for c in ordered]


def body_parts(year: int, countries: list[dict], unsigned: set[str], levels: dict[str, str]) -> list[Part]:
    """Findings, the countries, then the annex (methodology, Article 25a(5)/(8) candidates)."""
    return ([Part("findings", "Findings", page=findings_link(year, "html"))]
            + country_parts(year, countries, unsigned, levels)
            + [Part("annex-methodology", "A. Methodology", "Annex", page="methodology.html",
                    note="method settings, disclosure rules"),
               Part("annex-candidates", "B. Article 25a(5) and (8) candidates", "Annex", page="candidates.html",
                    note="the evidence for each candidate")])


def read_run(tree: OutputTree) -> dict:
    """The restricted run's record (edition, inputs with sha256, countries), or a clear error."""
    if not tree.run_file.exists():
        raise DocumentError(f"no restricted run for {tree.year} in {tree.restricted_root}: run "
                            f"`readmission run --year {tree.year} --audience restricted`, then render it")
    return json.loads(tree.run_file.read_text(encoding="utf-8"))


def assessed_levels(tree: OutputTree, countries: list[dict]) -> dict[str, str]:
    """Each country's assessed level as its results file says (read, not computed)."""
    levels = {}
    for entry in countries:
        path = tree.countries / f"{entry['country']}.json"
        if entry.get("ok") and path.exists():
            public = json.loads(path.read_text(encoding="utf-8"))["public"]
            levels[entry["country"]] = (public.get("assessment") or {}).get("assessed_level") or public["level"]
    return levels


def git_facts(root: Path) -> dict[str, str]:
    """Version (git describe), date (HEAD's commit date, not the clock: reproducible) and commit."""
    def git(*args: str) -> str:
        try:
            done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.SubprocessError):
            return ""
        return done.stdout.strip() if done.returncode == 0 else ""

    commit = git("rev-parse", "HEAD") if Project(root).git.exists() else ""
    if not commit:
        return {"version": "unknown (not a git checkout)", "date": "unknown", "commit": "unknown"}
    return {"version": git("describe", "--always", "--dirty"), "date": git("log", "-1", "--format=%cs"),
            "commit": commit}


def check_tools() -> str:
    """The node executable, once node, Chromium, the npm modules and pypdf are all there."""
    node = shutil.which("node")
    chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    missing = [what for what, there in (("node", node), ("chromium", os.access(chromium, os.X_OK)),
               ("the npm modules of tools/site-check", npm_package(PRINTER, "playwright-core").is_dir()))
               if not there]
    if PdfWriter is None:
        missing.append("pypdf (pip install pypdf)")
    if missing:
        raise DocumentError(f"cannot print the document: {', '.join(missing)} missing; {INSTALL}")
    return node


def check_site(site: Path, tree: OutputTree, parts: list[Part], countries: list[dict]) -> None:
    """Refuse a restricted site that is missing, lacks a page, or was rendered from another run."""
    again = f"render the restricted site first: readmission render --audience restricted --year {tree.year}"
    missing = [p.page for p in parts if p.page and not (site / p.page).is_file()]
    if not (site / findings_link(tree.year, "html")).is_file():
        raise DocumentError(f"no rendered restricted site for {tree.year} in {site}: {again}")
    if missing:
        raise DocumentError(f"the restricted site lacks {len(missing)} page(s) ({', '.join(missing[:5])}): "
                            f"{again}")
    copies = site / pages_link(tree.year)  # the site's copies of the results files
    stale = [c["country"] for c in countries if c.get("ok") and not ((copies / f"{c['country']}.json").is_file()
             and filecmp.cmp(copies / f"{c['country']}.json", tree.countries / f"{c['country']}.json", False))]
    if stale:
        raise DocumentError(f"the restricted site was rendered from another run of {tree.year} "
                            f"({', '.join(stale[:5])} differ): {again}")


COVER_CSS = """
  body { font: 10pt sans-serif; color: #111; margin: 0; }
  .marking { color: #b00000; font: bold 28pt sans-serif; letter-spacing: .12em; border: 3px solid #b00000;
    display: inline-block; padding: 2mm 6mm; margin: 8mm 0 10mm; }
  h1 { font-size: 20pt; line-height: 1.25; margin: 0 0 4mm; } .sub { font-size: 13pt; margin: 0 0 8mm; }
  .synthetic { border: 2px solid #8a5300; color: #6b4000; padding: 2mm 4mm; font-weight: bold; margin: 4mm 0; }
  table { border-collapse: collapse; margin: 3mm 0 4mm; width: 100%; }
  th, td { text-align: left; padding: 0.9mm 2mm; border-bottom: 1px solid #ccc; vertical-align: top; }
  th { font-weight: bold; white-space: nowrap; } .sha { font: 7.5pt monospace; overflow-wrap: anywhere; }
  h2 { font-size: 12pt; margin: 6mm 0 1mm; } .small { font-size: 8.5pt; color: #333; }
  .toc { font-size: 8.5pt; line-height: 1.1; margin-top: 0; } .toc tr { break-inside: avoid; }
  .toc td { padding: 0.15mm 2mm; } h1.toc-title { font-size: 16pt; margin: 0 0 2mm; }
  .footnote { font-size: 7.5pt; margin: 0 0 1mm; color: #333; }
  .toc td.page { text-align: right; width: 12mm; } .toc td.group { font-weight: bold; padding-top: 2.5mm; }
  .toc td.note { font-size: 8pt; color: #333; }"""


def page_html(title: str, body: str) -> str:
    """A standalone printable HTML page (no link, script or request of any kind)."""
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"<style>{COVER_CSS}</style></head><body>{body}</body></html>")


def cover_html(year: int, run: dict, facts: dict[str, str], drafts: int, countries: int) -> str:
    """The cover: title, marking, edition, data year, reference date, version, date, commit, inputs."""
    e, esc = run.get("edition") or {}, html.escape
    rows = [("Edition", f"{year}: {e.get('label') or ''}"), ("Data year", e.get("data_year", year)),
            ("Reference date", e.get("reference_date", "")),
            ("Selection", f"more than {e.get('threshold', 0):,} return decisions in "
                          f"{e.get('selection_year', '')}"),
            ("Countries", f"{countries}, of which {countries - drafts} signed off by a reviewer"
                          + (f"; the pages of the other {drafts} are marked as drafts" if drafts else "")),
            ("Version", facts["version"]), ("Date", f"{facts['date']} (date of the commit)"),
            ("Commit", facts["commit"])]
    inputs = "".join(f"<tr><td>{esc(str(i.get('file', '')))}</td><td>{i.get('rows', 0):,}</td><td class=sha>"
                     f"{esc(str(i.get('sha256', '')))}</td></tr>" for i in run.get("inputs") or [])
    facts_rows = "".join(f"<tr><th>{esc(k)}</th><td>{esc(str(v))}</td></tr>" for k, v in rows)
    synthetic = (f'<p class="synthetic">{esc(run.get("synthetic_label") or "Synthetic confidential data")}</p>'
                 if run.get("synthetic_confidential") else "")
    return page_html(TITLE, (
        f'<div class="marking">{MARKING}</div><h1>{esc(TITLE)}</h1>'
        f'<p class="sub">Council document, edition {year}</p>{synthetic}<table>{facts_rows}</table>'
        f"<h2>Built from</h2><p class=small>The rendered restricted website of this run; nothing was computed "
        f"again. Input files of the run:</p><table><tr><th>File</th><th>Rows</th><th>SHA-256</th></tr>{inputs}"
        f"</table><p class=small>{MARKING}: contains per-Member-State confidential values. Not for publication."
        f"</p>"))


def toc_html(year: int, parts: list[Part], starts: list[int]) -> str:
    """The contents: each part's title, its note, its first page; the designation footnotes it needs."""
    rows, group = [], ""
    for part, start in zip(parts, starts):
        if part.group != group:
            group = part.group
            rows.append(f'<tr><td class="group" colspan="3">{html.escape(group)}</td></tr>')
        rows.append(f"<tr><td>{html.escape(part.title)}</td><td class=note>{html.escape(part.note)}"
                    f"{' (not signed off)' if part.draft else ''}</td><td class=page>{start}</td></tr>")
    notes = "".join(f"<p class=footnote>{html.escape(note)}</p>" for code, note in DESIGNATION_FOOTNOTES.items()
                    if any(p.key == f"country-{code}" for p in parts))
    return page_html("Contents", f"<h1 class=toc-title>Contents, edition {year}</h1><table class=toc>"
                     f"{''.join(rows)}</table>{notes}")


def start_pages(first: int, counts: list[int]) -> list[int]:
    """The first page of each part, the first starting at `first`."""
    return list(accumulate(counts, initial=first))[:len(counts)]


def print_problems(jobs: list[dict], results: list[dict]) -> list[str]:
    """What went wrong per printed part: an error, a request elsewhere, a missing file, a table cut off."""
    return [f"{job.get('page') or 'generated page'}: " + "; ".join(filter(None, [
        r["error"], r["blocked"] and f"requests to another host refused: {r['blocked'][:3]}",
        r["missing"] and f"files missing from the site: {r['missing'][:3]}",
        r["cut"] and f"tables too wide even on a landscape page: {r['cut']}"]))
        for job, r in zip(jobs, results) if r["error"] or r["blocked"] or r["missing"] or r["cut"]]


@contextmanager
def printer(node: str, site: Path, scratch: Path, workers: int):
    """One print.mjs process (one browser) for the whole document; yields print_batch(jobs) -> results."""
    errors = (scratch / "printer.log").open("w+", encoding="utf-8")
    proc = subprocess.Popen([node, str(PRINTER / "print.mjs"), str(site), "--workers", str(workers)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors, text=True,
                            encoding="utf-8")
    watchdog = threading.Timer(PRINT_TIMEOUT, proc.kill)
    watchdog.start()

    def print_batch(jobs: list[dict]) -> list[dict]:
        try:
            proc.stdin.write(json.dumps({"jobs": jobs}) + "\n")
            proc.stdin.flush()
            line = proc.stdout.readline()
        except OSError:  # the printer is gone
            line = ""
        if not line:
            errors.seek(0)
            raise DocumentError(f"the Chromium printer stopped (time limit {PRINT_TIMEOUT} s; {INSTALL}):\n"
                                f"{errors.read()[-3000:]}")
        results = json.loads(line)["results"]
        problems = print_problems(jobs, results)
        if problems:
            raise DocumentError("printing failed, nothing written:\n" + "\n".join(problems))
        return results

    try:
        with proc:  # closes the pipes and waits for the printer, whatever happens
            try:
                yield print_batch
                proc.stdin.close()  # the printer closes its browser and exits
                proc.wait(timeout=120)
            finally:
                if proc.poll() is None:
                    proc.terminate()
    finally:
        watchdog.cancel()
        errors.close()


def job(part: Part, year: int, out: Path) -> dict:
    """print.mjs's job for one part: its source, its file, its header and footer, its draft mark."""
    source = {"page": part.page} if part.page else {"html": part.html}
    return {**source, "out": str(out), "header": MARKING, "draft": DRAFT if part.draft else "",
            "footer": f"Edition {year} · {'Annex ' if part.group == 'Annex' else ''}{part.title}"}


def page_count(path: Path) -> int:
    """The number of pages of a printed part."""
    return len(PdfReader(path).pages)


def text_width(text: str, size: float) -> float:
    """The width of `text` in Helvetica at `size` points (only the characters of "page X of Y")."""
    return sum(HELVETICA_WIDTHS.get(c, 556) for c in text) * size / 1000


def number_stamp(width: float, height: float, text: str):
    """A transparent page holding only `text` at the right end of the footer line, to merge onto a page."""
    stamp = PageObject.create_blank_page(width=width, height=height)
    font = DictionaryObject({NameObject(k): NameObject(v) for k, v in (
        ("/Type", "/Font"), ("/Subtype", "/Type1"), ("/BaseFont", "/Helvetica"), ("/Encoding", "/WinAnsiEncoding"))})
    fonts = DictionaryObject({NameObject("/RmPageNo"): font})
    stamp[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): fonts})
    x = width - SIDE_MARGIN_PT - text_width(text, NUMBER_FONT_PT)
    content = DecodedStreamObject()
    content.set_data(f"q BT /RmPageNo {NUMBER_FONT_PT} Tf 0 g {x:.2f} {NUMBER_BASELINE_PT} Td ({text}) Tj ET Q"
                     .encode("ascii"))
    stamp[NameObject("/Contents")] = content
    return stamp


def join_parts(files: list[Path], parts: list[Part], year: int, facts: dict[str, str]) -> bytes:
    """The parts joined in order, bookmarked by section, each page stamped "page X of Y"."""
    writer = PdfWriter()
    starts = []
    for path in files:
        starts.append(len(writer.pages))
        writer.append(path, import_outline=False)
    total = len(writer.pages)
    for number, page in enumerate(writer.pages, start=1):
        box = page.mediabox
        page.merge_page(number_stamp(float(box.width), float(box.height), f"page {number} of {total}"))
        page.compress_content_streams()  # merge_page leaves the page's content uncompressed
    writer.compress_identical_objects()  # one copy of the fonts and watermark each part repeats
    groups = {}
    for part, start in zip(parts, starts):
        if part.group and part.group not in groups:
            groups[part.group] = writer.add_outline_item(title=part.group, page_number=start)
        writer.add_outline_item(title=part.title, page_number=start, parent=groups.get(part.group))
    date = f"D:{facts['date'].replace('-', '')}000000Z" if facts["date"][:1].isdigit() else ""  # the commit's
    writer.add_metadata({"/Title": f"{TITLE}, edition {year} ({MARKING})", "/Subject": MARKING,
                         "/Creator": f"readmission document ({facts['version']})",
                         "/Producer": "Chromium, pypdf",
                         **({"/CreationDate": date, "/ModDate": date} if date else {})})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def build_document(project: Project, year: int, workers: int | None = None) -> Path:
    """Print the edition's restricted Council document from `data/restricted/out/_site/`; return its path."""
    tree = OutputTree(project, year, RESTRICTED)
    site = project.restricted_site
    run = read_run(tree)
    countries = run.get("countries") or []
    drafts = set(unsigned(project, RESTRICTED, [year]).get(year, []))
    body = body_parts(year, countries, drafts, assessed_levels(tree, countries))
    check_site(site, tree, body, countries)
    node = check_tools()
    target = document_path(project, year)
    check_destination(project, target)
    facts = git_facts(project.root)
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".parts-", dir=target.parent))  # restricted tree, not /tmp
    try:
        drafted = sum(p.draft for p in body if p.group == "Countries")
        cover = Part("cover", "Cover", html=cover_html(year, run, facts, drafted, len(countries)))
        toc = Part("toc", "Contents", html=toc_html(year, body, [888] * len(body)))  # numbers to come
        parts = [cover, toc] + body
        files = {p.key: scratch / f"{i:03d}-{p.key}.pdf" for i, p in enumerate(parts)}
        with printer(node, site, scratch, workers or min(4, os.cpu_count() or 2)) as print_batch:
            print_batch([job(p, year, files[p.key]) for p in parts])
            counts = {p.key: page_count(files[p.key]) for p in parts}
            for _ in range(3):  # the contents' own length moves every page number after it
                starts = start_pages(counts["cover"] + counts["toc"] + 1, [counts[p.key] for p in body])
                parts[1] = toc = replace(toc, html=toc_html(year, body, starts))
                print_batch([job(toc, year, files["toc"])])
                if page_count(files["toc"]) == counts["toc"]:
                    break
                counts["toc"] = page_count(files["toc"])
            else:
                raise DocumentError("the contents' length does not settle; nothing written")
        write_bytes_atomic(target, join_parts([files[p.key] for p in parts], parts, year, facts))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return target
