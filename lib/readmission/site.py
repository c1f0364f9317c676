"""The Quarto website: run-specific include files, failure pages, checks before rendering, the render.

The site's pages are `index.qmd`, `methodology.qmd`, `countries.qmd` and the executed notebooks
(`_quarto.yml` lists them). Everything that changes from run to run is written into `_generated/`
as plain markdown that the pages include, so the hand-written pages never need editing.
"""

from __future__ import annotations

import json
import re
import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote

import nbformat
import yaml

from .execute import front_matter_cell
from .outputs import write_text_atomic
from .project import Project
from .rating import LEVELS

CONFIG = "_quarto.yml"
GENERATED = "_generated"
SITE_DIR = "_site"
FAILED = "failed"
INSTALL_HINT = ("install Quarto from conda-forge (`quarto` is in environment.yml: "
                "`conda env create -f environment.yml`) or from https://quarto.org/docs/get-started/")
KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}
SOURCES = [  # input file prefix -> who publishes it, as the credits name it
    ("eurostat/", "Eurostat (CC BY 4.0)"),
    ("frontex/illegal_border_crossings", "Frontex"),
    ("frontex/return_operations", "Frontex documents via Statewatch"),
]
MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~^$@!])")
LINK = re.compile(r"!?\[(?:\\.|[^\]\\])*\]\(\s*<?([^)\s>]+)>?(?:\s+[\"'][^)]*[\"'])?\s*\)")
INCLUDE = re.compile(r"\{\{<\s*include\s+(\S+)\s*>\}\}")
FENCED = re.compile(r"^(`{3,}|~{3,}).*?^\1", re.S | re.M)
INLINE_CODE = re.compile(r"`[^`\n]*`")
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
FIG_ALT = re.compile(r"^#\|\s*fig-alt\s*:\s*\S", re.M)
HIDDEN = re.compile(r"^#\|\s*include\s*:\s*false\s*$", re.M)


class QuartoMissing(Exception):
    """`quarto` is not on PATH, so the site cannot be rendered here."""

    def __init__(self, detail: str = "quarto is not on PATH") -> None:
        super().__init__(f"{detail}: {INSTALL_HINT}")


class RenderError(Exception):
    """`quarto render` ran and failed; the message carries its error output."""


# ---- markdown helpers ----

def md_escape(text: str) -> str:
    """Plain text safe inside markdown and tables: one line, special characters escaped."""
    return MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def md_table(header: list[str], align: str, rows: list[list[str]]) -> str:
    """A pipe table; `align` has one letter per column (l or r)."""
    rule = ["---:" if a == "r" else "---" for a in align]
    lines = ["| " + " | ".join(cells) + " |" for cells in [header, rule, *rows]]
    return "\n".join(lines)


def percent(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "n/a"


# ---- run content ----

def countries_dir(project: Project) -> Path:
    return project.notebooks / "countries"


def page_link(country: str) -> str:
    return f"notebooks/countries/{country}.ipynb"


def country_records(project: Project, run: dict) -> list[dict]:
    """Each country of the run with its public results (None when it failed), sorted by name."""
    records = []
    for entry in run.get("countries", []):
        code, name = entry["country"], entry.get("name") or entry["country"]
        record = {"country": code, "name": name, "ok": bool(entry.get("ok")),
                  "error": entry.get("error", ""), "public": None}
        if record["ok"]:
            path = countries_dir(project) / f"{code}.json"
            try:
                record["public"] = json.loads(path.read_text(encoding="utf-8"))["public"]
            except (OSError, ValueError, KeyError) as exc:
                record.update(ok=False, error=f"results file {path.name} unreadable ({type(exc).__name__})")
        records.append(record)
    return sorted(records, key=lambda r: (r["name"], r["country"]))


def level_counts(records: list[dict]) -> dict[str, list[dict]]:
    """Assessed countries grouped by level, in the order of rating.LEVELS (then any other level)."""
    groups: dict[str, list[dict]] = {level: [] for level in LEVELS}
    for record in records:
        if record["ok"]:
            groups.setdefault(record["public"]["level"], []).append(record)
    return groups


def edition_line(edition: dict) -> str:
    label = md_escape(edition.get("label") or f"Data year {edition.get('data_year')}")
    return (f"**{label}**. Data year {edition.get('data_year')}, reference date "
            f"{edition.get('reference_date')}; countries with more than {edition.get('threshold')} "
            f"return decisions in {edition.get('selection_year')}.")


def key_figures_md(run: dict, records: list[dict]) -> str:
    """The home page's key figures: countries per cooperation level and their share."""
    assessed = [r for r in records if r["ok"]]
    rows = []
    for level, members in level_counts(records).items():
        names = ", ".join(f"[{md_escape(r['name'])}]({page_link(r['country'])})" for r in members)
        rows.append([md_escape(level), str(len(members)), percent(len(members), len(assessed)), names or "–"])
    decisions = sum(int(r["public"].get("return_decisions") or 0) for r in assessed)
    failed = len(records) - len(assessed)
    parts = [edition_line(run.get("edition", {})),
             f"**{len(assessed)}** of {len(records)} selected countries assessed"
             + (f"; {failed} could not be assessed (see above)." if failed else "."),
             md_table(["Cooperation level", "Countries", "Share", "Which"], "lrrl", rows),
             f"Return decisions issued to nationals of the assessed countries: **{decisions:,}** "
             "(Eurostat `migr_eiord`, all reporting states). Shares are of the assessed countries."]
    return "\n\n".join(parts) + "\n"


def synthetic_warning(run: dict) -> str:
    if not run.get("synthetic_confidential"):
        return ""
    label = md_escape(run.get("synthetic_label") or "Synthetic confidential inputs")
    return ("::: {.callout-warning}\n## Illustrative data\n\n"
            f"{label}. The confidential inputs of this run (Member States' readmission statistics "
            "and questionnaire answers) are synthetic: every rating and level that depends on them "
            "is illustrative and is not the Commission's assessment.\n:::")


def run_status_md(run: dict, records: list[dict]) -> str:
    """The synthetic-data warning and the countries that could not be assessed, if any."""
    failed = [r for r in records if not r["ok"]]
    if failed:
        items = "\n".join(f"- {md_escape(r['name'])} ({r['country']}): {md_escape(r['error']) or 'no error recorded'}"
                          for r in failed)
        status = ("::: {.callout-important}\n## Countries not assessed in this run\n\n"
                  f"{items}\n\nTheir pages say so; they are left out of the key figures.\n:::")
    else:
        status = f"All {len(records)} selected countries were assessed in this run."
    return "\n\n".join(part for part in (synthetic_warning(run), status) if part) + "\n"


def source_of(file: str) -> str:
    return next((who for prefix, who in SOURCES if file.startswith(prefix)), "see the file's .meta.yml")


def sources_md(run: dict) -> str:
    """The edition and each public input file with its origin, last update, rows and SHA-256."""
    rows = [[f"`{i['file']}`", md_escape(source_of(i["file"])), md_escape(i.get("origin") or "–"),
             md_escape(i.get("last_update") or "–"), str(i.get("rows", "–")), f"`{i.get('sha256', '')}`"]
            for i in sorted(run.get("inputs", []), key=lambda i: i["file"])]
    confidential = ("synthetic in this run: " + md_escape(run.get("synthetic_label") or "illustrative values")
                    if run.get("synthetic_confidential") else "confidential, not published")
    parts = ["Edition: " + edition_line(run.get("edition", {})),
             md_table(["File", "Source", "Origin", "Last update", "Rows", "SHA-256"], "llllrl", rows)
             if rows else "No input manifest was recorded for this run.",
             f"Member States' readmission statistics and questionnaire answers: {confidential}."]
    return "\n\n".join(parts) + "\n"


def downloads_md(project: Project, records: list[dict]) -> str:
    """Each country's page and results files (JSON with provenance, tidy CSV), as present."""
    rows = []
    for r in records:
        files = [f"[{kind}](notebooks/countries/{r['country']}.{ext})" for kind, ext in (("JSON", "json"), ("CSV", "csv"))
                 if r["ok"] and (countries_dir(project) / f"{r['country']}.{ext}").exists()]
        status = "assessed" if r["ok"] else "not assessed"
        rows.append([f"[{md_escape(r['name'])}]({page_link(r['country'])})", r["country"], status,
                     " · ".join(files) or "–"])
    return md_table(["Country", "Code", "Status", "Results"], "llll", rows) + "\n"


def write_site_sources(project: Project, run: dict) -> list[Path]:
    """Write the run-specific includes under _generated/ (deterministic text, atomic writes)."""
    records = country_records(project, run)
    texts = {"key-figures.md": key_figures_md(run, records), "run-status.md": run_status_md(run, records),
             "sources.md": sources_md(run), "downloads.md": downloads_md(project, records)}
    paths = []
    for name, text in texts.items():
        path = project.root / GENERATED / name
        write_text_atomic(path, text)
        paths.append(path)
    return paths


def failure_notebook(country: str, name: str, error: str) -> nbformat.NotebookNode:
    """The page of a country whose run failed: its front matter says level "failed", then the error."""
    from .data.codes import DESIGNATION_FOOTNOTES

    matter = {"title": name, "country": country, "level": FAILED, "subtitle": "Not assessed in this run"}
    if country in DESIGNATION_FOOTNOTES:
        matter["description"] = DESIGNATION_FOOTNOTES[country]
    text = (f"**{md_escape(name)} ({country}) could not be assessed in this run.**\n\n"
            f"The error that stopped it: {md_escape(error) or 'no error recorded'}\n\n"
            f"The run's log for this country (`logs/<data year>/{country}.log`) has the details.")
    front, body = front_matter_cell(matter), nbformat.v4.new_markdown_cell(text)
    front["id"], body["id"] = "front-matter", "failure"  # fixed ids: the file is byte-identical per run
    nb = nbformat.v4.new_notebook(cells=[front, body])
    nb.metadata = {"kernelspec": dict(KERNELSPEC), "language_info": {"name": "python"}}
    return nb


# ---- pages ----

def load_config(project: Project) -> dict:
    return yaml.safe_load((project.root / CONFIG).read_text(encoding="utf-8")) or {}


def render_list(project: Project) -> list[str]:
    return list((load_config(project).get("project") or {}).get("render") or [])


def _is_glob(pattern: str) -> bool:
    return any(ch in pattern for ch in "*?[")


def _quarto_ignores(path: Path, root: Path) -> bool:
    """Quarto skips files and folders whose names start with '.' or '_'."""
    return any(part.startswith((".", "_")) for part in path.relative_to(root).parts)


def expand(project: Project, pattern: str) -> list[Path]:
    """The files a render-list entry stands for, sorted; a plain name is kept only if it exists."""
    root = project.root
    if not _is_glob(pattern):
        path = root / pattern
        return [path] if path.is_file() else []
    return sorted(p for p in root.glob(pattern) if p.is_file() and not _quarto_ignores(p, root))


def site_pages(project: Project) -> list[Path]:
    """The pages the render list resolves to, in its order ('!' entries remove pages)."""
    pages: list[Path] = []
    for pattern in render_list(project):
        if pattern.startswith("!"):
            removed = set(expand(project, pattern[1:].rstrip("/")))
            prefix = str(project.root / pattern[1:].rstrip("/")) + "/"
            pages = [p for p in pages if p not in removed and not str(p).startswith(prefix)]
        else:
            pages += [p for p in expand(project, pattern) if p not in pages]
    return pages


def front_matter(text: str) -> dict | None:
    """The YAML between a leading '---' line and the next one; None when there is none."""
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or lines[0].strip() != "---":
        return None
    end = next((i for i, line in enumerate(lines[1:], 1) if line.strip() in ("---", "...")), None)
    if end is None:
        return None
    try:
        content = yaml.safe_load("\n".join(lines[1:end]))
    except yaml.YAMLError:
        return None
    return content if isinstance(content, dict) else None


def has_title(matter: dict | None) -> bool:
    return bool(matter) and isinstance(matter.get("title"), (str, int, float)) and str(matter["title"]).strip() != ""


# ---- checks ----

def rel(project: Project, path: Path) -> str:
    try:
        return path.relative_to(project.root).as_posix()
    except ValueError:
        return str(path)


def broken_links(project: Project, text: str, base: Path, where: str) -> list[str]:
    """Relative links and images in markdown `text` (resolved from `base`) whose file is missing."""
    prose = INLINE_CODE.sub("", FENCED.sub("", text))
    problems = []
    for target in LINK.findall(prose):
        if SCHEME.match(target) or target.startswith("#") or "{{<" in target:
            continue
        path = unquote(target.split("#")[0].split("?")[0])
        resolved = project.root / path.lstrip("/") if path.startswith("/") else base / path
        if path and not resolved.exists():
            problems.append(f"{where}: link to '{target}' but {rel(project, resolved)} does not exist")
    return problems


def include_problems(project: Project, text: str, page: Path) -> list[str]:
    """Included files must exist; their links resolve from the including page's folder."""
    problems = []
    for target in INCLUDE.findall(INLINE_CODE.sub("", FENCED.sub("", text))):
        path = project.root / target.lstrip("/") if target.startswith("/") else page.parent / target
        where = f"{rel(project, page)} (included {target})"
        if not path.is_file():
            problems.append(f"{rel(project, page)}: includes {target} but {rel(project, path)} does not exist")
        else:
            problems += broken_links(project, path.read_text(encoding="utf-8"), page.parent, where)
    return problems


def qmd_problems(project: Project, page: Path) -> list[str]:
    text = page.read_text(encoding="utf-8")
    problems = [] if has_title(front_matter(text)) else [f"{rel(project, page)}: no title in its front matter"]
    return problems + broken_links(project, text, page.parent, rel(project, page)) + include_problems(project, text, page)


def notebook_title_problem(project: Project, nb: nbformat.NotebookNode, page: Path) -> list[str]:
    first = nb.cells[0] if nb.cells else None
    matter = front_matter(first.source) if first is not None and first.cell_type == "raw" else None
    return [] if has_title(matter) else [f"{rel(project, page)}: no title (first cell must be a raw "
                                         "cell with YAML front matter holding `title`)"]


def cell_problems(project: Project, cell, index: int, page: Path) -> list[str]:
    """One notebook cell: its links, its charts' alt text, a visible injected-parameters cell."""
    where = f"{rel(project, page)} cell {index}"
    if cell.cell_type == "markdown":
        return broken_links(project, cell.source, page.parent, where)
    if cell.cell_type != "code":
        return []
    problems = []
    if "injected-parameters" in cell.metadata.get("tags", []) and not cell.source.startswith("#| include: false"):
        problems.append(f"{where}: papermill's injected-parameters cell is shown (start it with `#| include: false`)")
    outputs = [] if HIDDEN.search(cell.source) else cell.get("outputs", [])
    for out in outputs:
        markdown = out.get("data", {}).get("text/markdown")
        if markdown:
            text = "".join(markdown) if isinstance(markdown, list) else markdown
            problems += broken_links(project, text, page.parent, f"{where} output")
    if any("image/png" in out.get("data", {}) for out in outputs) and not FIG_ALT.search(cell.source):
        problems.append(f"{where}: chart without alt text (add a `#| fig-alt:` line)")
    return problems


def notebook_problems(project: Project, page: Path) -> list[str]:
    try:
        nb = nbformat.read(str(page), as_version=4)
    except Exception as exc:  # unreadable JSON or not a notebook: report, do not stop the check
        return [f"{rel(project, page)}: not a readable notebook ({type(exc).__name__}: {exc})"]
    problems = notebook_title_problem(project, nb, page)
    for index, cell in enumerate(nb.cells):
        problems += cell_problems(project, cell, index, page)
    return problems


def listed_page_problems(project: Project) -> list[str]:
    """Every render-list entry names an existing page (a glob: at least one)."""
    problems = []
    for pattern in render_list(project):
        if not pattern.startswith("!") and not expand(project, pattern):
            problems.append(f"{CONFIG}: render list entry '{pattern}' matches no file")
    return problems


def check_site(project: Project, selected: list[str]) -> list[str]:
    """Problems that would make a broken or misleading site; [] when the site is fine to render."""
    if not (project.root / CONFIG).is_file():
        return [f"{CONFIG} not found in {project.root}"]
    problems = listed_page_problems(project)
    for page in site_pages(project):
        problems += qmd_problems(project, page) if page.suffix == ".qmd" else notebook_problems(project, page)
    for code in selected:
        if not (countries_dir(project) / f"{code}.ipynb").is_file():
            problems.append(f"selected country {code} has no page ({page_link(code)} is missing)")
    return problems


# ---- render ----

def render(project: Project, quarto: str | None = None) -> Path:
    """Run `quarto render` into a fresh folder and swap it in: a failed render publishes nothing.

    Quarto's `--output-dir` ("write project output to DIR, path is project relative") sends the
    site to `_site-next`; only a complete render replaces `_site`.
    """
    exe = quarto or shutil.which("quarto")
    if exe is None:
        raise QuartoMissing()
    root = project.root
    next_dir, old_dir, site = root / f"{SITE_DIR}-next", root / f"{SITE_DIR}-old", root / SITE_DIR
    shutil.rmtree(next_dir, ignore_errors=True)
    try:
        result = subprocess.run([exe, "render", "--output-dir", next_dir.name], cwd=root,
                                capture_output=True, text=True)
    except FileNotFoundError:
        raise QuartoMissing(f"{exe} not found") from None
    if result.returncode != 0 or not (next_dir / "index.html").exists():
        shutil.rmtree(next_dir, ignore_errors=True)
        detail = (result.stderr or result.stdout).strip()[-4000:]
        raise RenderError(f"quarto render failed (exit {result.returncode}) in {root}; the previous "
                          f"site is kept:\n{detail}")
    shutil.rmtree(old_dir, ignore_errors=True)
    if site.exists():
        os.replace(site, old_dir)
    os.replace(next_dir, site)
    shutil.rmtree(old_dir, ignore_errors=True)
    return site
