"""The restricted Council document: one printable, marked PDF per edition, printed from the rendered
restricted site (`_site-restricted/`), never computed again.

Headless Chromium prints each part (cover, contents, findings, one part per country in name order,
the annex) in one browser session (`tools/site-check/print.mjs`); pypdf counts each part's pages,
the contents are printed with those page numbers, then the parts are joined, bookmarked and stamped
"page X of Y". Every page carries RESTRICTED; a country no reviewer signed off carries "DRAFT, not
reviewed" and a watermark on each of its pages. The PDF goes to the restricted tree only:
data/restricted/out/<year>/document/council-<year>.pdf (docs/document.md).
"""

from __future__ import annotations

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
from pathlib import Path

from .layout import RESTRICTED, RESTRICTED_SITE_DIR, OutputTree
from .outputs import write_bytes_atomic
from .project import PACKAGE_ROOT, Project
from .site import RenderError

TITLE = "Assessment of third countries' cooperation on readmission, Article 25a Visa Code"
MARKING = "RESTRICTED"
DRAFT = "DRAFT, not reviewed"
PRINTER = PACKAGE_ROOT / "tools" / "site-check"
INSTALL = "install with `apt-get install chromium nodejs npm` and `npm ci --prefix tools/site-check`"
PRINT_TIMEOUT = 1800  # seconds for the whole print session, a hung browser included
A4_PT = (595.3, 841.9)
SIDE_MARGIN_PT = 14 / 25.4 * 72  # print.mjs's @page side margin
NUMBER_BASELINE_PT = 17.3  # "page X of Y", on the line of Chromium's footer
NUMBER_FONT_PT = 8
HELVETICA_WIDTHS = {" ": 278, "f": 278}  # per 1000 of the font size; 556 for every other character used
DESIGNATIONS = {"XK": "Kosovo*", "PS": "Palestine*"}


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


# ---- what the document is made of ----

def document_path(project: Project, year: int) -> Path:
    """Where an edition's Council document goes: the restricted tree, never notebooks/ or _site/."""
    return OutputTree(project, year, RESTRICTED).restricted_root / "document" / f"council-{year}.pdf"


def check_destination(project: Project, path: Path) -> None:
    """Refuse a destination inside the public outputs (notebooks/, _site/): the PDF is restricted."""
    for public in (project.notebooks, project.root / "_site"):
        if Path(path).resolve().is_relative_to(public.resolve()):
            raise DocumentError(f"refusing to write the restricted document under {public}")


def name_key(name: str) -> str:
    """A country's sort key: its name without accents, case or designation asterisk (Côte before Cuba)."""
    plain = unicodedata.normalize("NFKD", name.replace("*", ""))
    return "".join(c for c in plain if not unicodedata.combining(c)).casefold()


def country_parts(year: int, countries: list[dict], unsigned: set[str], levels: dict[str, str]) -> list[Part]:
    """One part per country of the run, by name; a country not signed off (or failed) is a draft."""
    ordered = sorted(countries, key=lambda c: (name_key(c["name"]), c["country"]))
    return [Part(f"country-{c['country']}", c["name"], "Countries", f"notebooks/countries/{year}/{c['country']}.html",
                 draft=c["country"] in unsigned or not c.get("ok", True),
                 note=levels.get(c["country"], "no result (the country's notebook failed)"))
            for c in ordered]


def body_parts(year: int, countries: list[dict], unsigned: set[str], levels: dict[str, str]) -> list[Part]:
    """Findings, the countries, then the annex (methodology, Article 25a(5)/(8) candidates)."""
    return ([Part("findings", "Findings", page=f"notebooks/findings/{year}.html")]
            + country_parts(year, countries, unsigned, levels)
            + [Part("annex-methodology", "A. Methodology: method settings and disclosure rules", "Annex",
                    page="methodology.html"),
               Part("annex-candidates", "B. Article 25a(5) and (8) candidates", "Annex", page="candidates.html")])


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

    commit = git("rev-parse", "HEAD") if (root / ".git").exists() else ""
    if not commit:
        return {"version": "unknown (not a git checkout)", "date": "unknown", "commit": "unknown"}
    return {"version": git("describe", "--always", "--dirty"), "date": git("log", "-1", "--format=%cs"),
            "commit": commit}


# ---- checks before printing ----

def check_tools() -> str:
    """The node executable, once node, Chromium, the npm modules and pypdf are all there."""
    node = shutil.which("node")
    chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    missing = [what for what, there in (("node", node), ("chromium", os.access(chromium, os.X_OK)),
               ("the npm modules of tools/site-check", (PRINTER / "node_modules" / "playwright-core").is_dir()))
               if not there]
    try:
        import pypdf  # noqa: F401
    except ImportError:
        missing.append("pypdf (pip install pypdf)")
    if missing:
        raise DocumentError(f"cannot print the document: {', '.join(missing)} missing; {INSTALL}")
    return node


def check_site(site: Path, tree: OutputTree, parts: list[Part], countries: list[dict]) -> None:
    """Refuse a restricted site that is missing, lacks a page, or was rendered from another run."""
    again = f"render the restricted site first: readmission render --audience restricted --year {tree.year}"
    missing = [p.page for p in parts if p.page and not (site / p.page).is_file()]
    if not (site / f"notebooks/findings/{tree.year}.html").is_file():
        raise DocumentError(f"no rendered restricted site for {tree.year} in {site}: {again}")
    if missing:
        raise DocumentError(f"the restricted site lacks {len(missing)} page(s) ({', '.join(missing[:5])}): {again}")
    stale = [c["country"] for c in countries if c.get("ok") and not same_file(
        site / f"notebooks/countries/{tree.year}/{c['country']}.json", tree.countries / f"{c['country']}.json")]
    if stale:
        raise DocumentError(f"the restricted site was rendered from another run of {tree.year} "
                            f"({', '.join(stale[:5])} differ): {again}")


def same_file(a: Path, b: Path) -> bool:
    """True when both files exist with the same bytes (the site's copy of a results file)."""
    return a.is_file() and b.is_file() and a.read_bytes() == b.read_bytes()


# ---- generated pages ----

COVER_CSS = """
  body { font: 10pt sans-serif; color: #111; margin: 0; }
  .marking { color: #b00000; font: bold 28pt sans-serif; letter-spacing: .12em; border: 3px solid #b00000;
    display: inline-block; padding: 2mm 6mm; margin: 8mm 0 10mm; }
  h1 { font-size: 20pt; line-height: 1.25; margin: 0 0 4mm; } .sub { font-size: 13pt; margin: 0 0 8mm; }
  .synthetic { border: 2px solid #8a5300; color: #6b4000; padding: 2mm 4mm; font-weight: bold; margin: 4mm 0; }
  table { border-collapse: collapse; margin: 3mm 0 6mm; width: 100%; }
  th, td { text-align: left; padding: 0.9mm 2mm; border-bottom: 1px solid #ccc; vertical-align: top; }
  th { font-weight: bold; white-space: nowrap; } .sha { font: 7.5pt monospace; overflow-wrap: anywhere; }
  h2 { font-size: 12pt; margin: 6mm 0 1mm; } .small { font-size: 8.5pt; color: #333; }
  .toc td.page { text-align: right; width: 12mm; } .toc td.group { font-weight: bold; padding-top: 4mm; }
  .toc tr { break-inside: avoid; } .toc td { padding: 0.45mm 2mm; } .toc td.group { padding-top: 3mm; }
  .toc td.note { font-size: 8.5pt; color: #333; }"""


def page_html(title: str, body: str) -> str:
    """A standalone printable HTML page (no link, script or request of any kind)."""
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"<style>{COVER_CSS}</style></head><body>{body}</body></html>")


def cover_html(year: int, run: dict, facts: dict[str, str], drafts: int, countries: int) -> str:
    """The cover: title, marking, edition, data year, reference date, version, date, commit, inputs."""
    e, esc = run.get("edition") or {}, html.escape
    rows = [("Edition", f"{year}: {e.get('label') or ''}"), ("Data year", e.get("data_year", year)),
            ("Reference date", e.get("reference_date", "")),
            ("Selection", f"more than {e.get('threshold', 0):,} return decisions in {e.get('selection_year', '')}"),
            ("Countries", f"{countries}, of which {countries - drafts} signed off by a reviewer"
                          + (f"; the pages of the other {drafts} are marked as drafts" if drafts else "")),
            ("Version", facts["version"]), ("Date", f"{facts['date']} (date of the commit)"),
            ("Commit", facts["commit"])]
    inputs = "".join(f"<tr><td>{esc(str(i.get('file', '')))}</td><td>{i.get('rows', '')}</td>"
                     f"<td class=sha>{esc(str(i.get('sha256', '')))}</td></tr>" for i in run.get("inputs") or [])
    synthetic = (f'<p class="synthetic">{esc(run.get("synthetic_label") or "Synthetic confidential data")}</p>'
                 if run.get("synthetic_confidential") else "")
    return page_html(TITLE, (
        f'<div class="marking">{MARKING}</div><h1>{esc(TITLE)}</h1><p class="sub">Council document, edition {year}</p>'
        f"{synthetic}<table>{''.join(f'<tr><th>{esc(k)}</th><td>{esc(str(v))}</td></tr>' for k, v in rows)}</table>"
        f"<h2>Built from</h2><p class=small>The rendered restricted website of this run; nothing was computed "
        f"again. Input files of the run:</p><table><tr><th>File</th><th>Rows</th><th>SHA-256</th></tr>{inputs}"
        f"</table><p class=small>{MARKING}: contains per-Member-State confidential values. Not for publication."
        f"</p>"))


def toc_html(year: int, parts: list[Part], starts: list[int], names: list[str]) -> str:
    """The contents: each part's title, its note, its first page; the designation footnotes it needs."""
    from .data.codes import DESIGNATION_FOOTNOTES

    rows, group = [], ""
    for part, start in zip(parts, starts):
        if part.group != group:
            group = part.group
            rows.append(f'<tr><td class="group" colspan="3">{html.escape(group)}</td></tr>')
        rows.append(f"<tr><td>{html.escape(part.title)}</td><td class=note>{html.escape(part.note)}"
                    f"{' (not signed off)' if part.draft else ''}</td><td class=page>{start}</td></tr>")
    notes = "".join(f"<p class=small>{html.escape(DESIGNATION_FOOTNOTES[code])}</p>"
                    for code, name in DESIGNATIONS.items() if name in names)
    return page_html("Contents", f"<h1>Contents</h1><p class=small>Edition {year}. Page numbers are those of "
                     f"this document.</p><table class=toc>{''.join(rows)}</table>{notes}")


def start_pages(first: int, counts: list[int]) -> list[int]:
    """The first page of each part, the first starting at `first`."""
    starts = []
    for count in counts:
        starts.append(first)
        first += count
    return starts


# ---- printing and joining ----

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
        proc.stdin.write(json.dumps({"jobs": jobs}) + "\n")
        proc.stdin.flush()
        line = proc.stdout.readline()
        if not line:
            errors.seek(0)
            raise DocumentError(f"the Chromium printer stopped ({INSTALL}):\n{errors.read()[-3000:]}")
        results = json.loads(line)["results"]
        problems = [f"{job.get('page') or 'generated page'}: " + "; ".join(filter(None, [
            r["error"], r["blocked"] and f"requests to another host refused: {r['blocked'][:3]}",
            r["cut"] and f"tables too wide even on a landscape page: {r['cut']}"]))
            for job, r in zip(jobs, results) if r["error"] or r["blocked"] or r["cut"]]
        if problems:
            raise DocumentError("printing failed:\n" + "\n".join(problems))
        return results

    try:
        yield print_batch
    finally:
        watchdog.cancel()
        if proc.stdin and not proc.stdin.closed:
            proc.stdin.close()
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        errors.close()


def job(part: Part, year: int, out: Path) -> dict:
    """print.mjs's job for one part: its source, its file, its header and footer, its draft mark."""
    source = {"page": part.page} if part.page else {"html": part.html}
    return {**source, "out": str(out), "header": MARKING, "draft": DRAFT if part.draft else "",
            "footer": f"Readmission assessment, edition {year} · {part.title}"}


def page_count(path: Path) -> int:
    """The number of pages of a printed part."""
    from pypdf import PdfReader

    return len(PdfReader(path).pages)


def text_width(text: str, size: float) -> float:
    """The width of `text` in Helvetica at `size` points (only the characters of "page X of Y")."""
    return sum(HELVETICA_WIDTHS.get(c, 556) for c in text) * size / 1000


def number_stamp(width: float, height: float, text: str):
    """A transparent page holding only `text` at the right end of the footer line, to merge onto a page."""
    from pypdf import PageObject
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    stamp = PageObject.create_blank_page(width=width, height=height)
    font = DictionaryObject({NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
                             NameObject("/BaseFont"): NameObject("/Helvetica"),
                             NameObject("/Encoding"): NameObject("/WinAnsiEncoding")})
    stamp[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/RmPageNo"): font})})
    x = width - SIDE_MARGIN_PT - text_width(text, NUMBER_FONT_PT)
    content = DecodedStreamObject()
    content.set_data(f"q BT /RmPageNo {NUMBER_FONT_PT} Tf 0 g {x:.2f} {NUMBER_BASELINE_PT} Td ({text}) Tj ET Q"
                     .encode("ascii"))
    stamp[NameObject("/Contents")] = content
    return stamp


def pdf_date(day: str) -> str:
    """A PDF date (D:YYYYMMDD000000Z) for the commit's date, '' when unknown."""
    return f"D:{day.replace('-', '')}000000Z" if day[:1].isdigit() else ""


def join_parts(files: list[Path], parts: list[Part], year: int, facts: dict[str, str]) -> bytes:
    """The parts joined in order, bookmarked by section, each page stamped "page X of Y"."""
    from pypdf import PdfWriter

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
            groups[part.group] = writer.add_outline_item(part.group, start)
        writer.add_outline_item(part.title, start, parent=groups.get(part.group))
    date = pdf_date(facts["date"])
    writer.add_metadata({"/Title": f"{TITLE}, edition {year} ({MARKING})", "/Subject": MARKING,
                         "/Creator": f"readmission document ({facts['version']})", "/Producer": "Chromium, pypdf",
                         **({"/CreationDate": date, "/ModDate": date} if date else {})})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# ---- the command ----

def build_document(project: Project, year: int, workers: int | None = None) -> Path:
    """Print the edition's restricted Council document from `_site-restricted/`; return its path."""
    from .audit import unsigned

    tree = OutputTree(project, year, RESTRICTED)
    site = project.root / RESTRICTED_SITE_DIR
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
        cover = Part("cover", "Cover", html=cover_html(year, run, facts, sum(p.draft for p in body if p.group == "Countries"),
                                                       len(countries)))
        names = [c["name"] for c in countries]
        files = {p.key: scratch / f"{i:03d}-{p.key}.pdf" for i, p in enumerate([cover, Part("toc", "")] + body)}
        with printer(node, site, scratch, workers or min(4, os.cpu_count() or 2)) as print_batch:
            draft_toc = Part("toc", "Contents", html=toc_html(year, body, [888] * len(body), names))
            print_batch([job(p, year, files[p.key]) for p in [cover, draft_toc] + body])
            counts = {p.key: page_count(files[p.key]) for p in [cover, draft_toc] + body}
            for _ in range(3):  # the contents' own length moves every page number after it
                starts = start_pages(counts["cover"] + counts["toc"] + 1, [counts[p.key] for p in body])
                toc = replace(draft_toc, html=toc_html(year, body, starts, names))
                print_batch([job(toc, year, files["toc"])])
                if page_count(files["toc"]) == counts["toc"]:
                    break
                counts["toc"] = page_count(files["toc"])
        parts = [cover, toc] + body
        write_bytes_atomic(target, join_parts([files[p.key] for p in parts], parts, year, facts))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return target
