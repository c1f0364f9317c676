"""Checks of the Quarto project before rendering: pages listed, titles, links, includes, alt text."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import nbformat
import yaml

from ..base.paths import Project, page_link

CONFIG = "_quarto.yml"
LINK = re.compile(r"!?\[(?:\\.|[^\]\\])*\]\(\s*<?([^)\s>]+)>?(?:\s+[\"'][^)]*[\"'])?\s*\)")
INCLUDE = re.compile(r"\{\{<\s*include\s+(\S+)\s*>\}\}")
FENCED = re.compile(r"^(`{3,}|~{3,}).*?^\1", re.S | re.M)
INLINE_CODE = re.compile(r"`[^`\n]*`")
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
FIG_ALT = re.compile(r"^#\|\s*fig-alt\s*:\s*\S", re.M)
HIDDEN = re.compile(r"^#\|\s*include\s*:\s*false\s*$", re.M)


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
    anchored = pattern.startswith("/")
    pattern = pattern.lstrip("/")
    if not _is_glob(pattern):
        path = root / pattern
        return [path] if path.is_file() else []
    # Quarto reads a glob without a leading '/' as '**/glob' (anywhere below the project)
    found = root.glob(pattern if anchored else f"**/{pattern}")
    return sorted(p for p in found if p.is_file() and not _quarto_ignores(p, root))


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


def check_site(project: Project, year: int, selected: list[str]) -> list[str]:
    """Problems that would make a broken or misleading site; [] when the site is fine to render."""
    if not (project.root / CONFIG).is_file():
        return [f"{CONFIG} not found in {project.root}"]
    problems = listed_page_problems(project)
    for page in site_pages(project):
        problems += qmd_problems(project, page) if page.suffix == ".qmd" else notebook_problems(project, page)
    for code in selected:
        if not (project.root / page_link(year, code)).is_file():
            problems.append(f"selected country {code} has no page ({page_link(year, code)} is missing)")
    return problems
