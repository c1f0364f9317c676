"""Which pages a render must render again: every page's inputs (step "page" of base/steps.py: the
page, what it includes, the files offered beside it, and what is site-wide) against those of the
site's last render, decided by the scheduler (base/schedule.py) as a run's steps are; a change to
anything site-wide (the configuration, the theme, the menu, the set of pages, Quarto's version)
renders all."""

from __future__ import annotations

import json
import re
import subprocess
from fnmatch import fnmatch
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import yaml

from ..base.outputs import write_json
from ..base.paths import GENERATED, Project
from ..base import schedule
from ..base.steps import digest as _digest
from .site_checks import expand, load_config, render_list

SITE_WIDE = ("_quarto.yml", "*.scss", "*.ejs", "_*.html", "*.svg", f"{GENERATED}/site.yml",
             "params/publish_gate.yml")  # the gate's settings: a site kept as it is was gated with them
PUBLISH_CODE = Path(__file__).resolve().parent  # how pages are checked and rendered
INCLUDE = re.compile(r"\{\{<\s*include\s+(\S+)\s*>\}\}")
RESULT_SUFFIXES = (".json", ".csv")  # a country page's results, offered beside it (project resources)
# Quarto renders each file it is given in a pass of its own (several seconds of start-up each): beyond
# this many changed pages, one full render is quicker
MAX_INCREMENTAL = 20


@dataclass(frozen=True)
class RenderPlan:
    """What a render does: everything (`full`, with the reason), the listed pages, or nothing."""

    pages: dict[str, schedule.Parts]  # page (relative to the project) -> its inputs (step "page")
    site_wide: str
    full: str = ""  # why everything is rendered; empty for an incremental render
    changed: list[str] = field(default_factory=list)  # pages rendered again (incremental)
    listings: list[str] = field(default_factory=list)  # listing pages rendered after them, explicitly
    why: dict[str, str] = field(default_factory=dict)  # why each changed page is rendered again

    @property
    def nothing(self) -> bool:
        return not self.full and not self.changed

    def record(self) -> dict:
        return {"site_wide": self.site_wide,
                "pages": {page: dict(zip(("key", "inputs"), schedule.record("page", parts)))
                          for page, parts in self.pages.items()}}


def quarto_version(exe: str) -> str:
    """Quarto's version: another Quarto may write every page differently."""
    result = subprocess.run([exe, "--version"], capture_output=True, text=True)
    return result.stdout.strip()


def site_pages(project: Project) -> list[Path]:
    """The pages the site renders, in the order of the configuration's render list."""
    seen: dict[Path, None] = {}
    for entry in render_list(project):
        for path in expand(project, entry):
            seen.setdefault(path, None)
    return list(seen)


def page_sources(project: Project, page: Path) -> list[Path]:
    """The files a page is made from: itself, the files it includes, a country page's results files."""
    sources = [page]
    if page.suffix == ".qmd":
        sources += [project.root / name for name in INCLUDE.findall(page.read_text(encoding="utf-8"))]
    else:
        sources += [page.with_suffix(s) for s in RESULT_SUFFIXES]
    return [p for p in sources if p.is_file()]


def site_wide_digest(project: Project, exe: str, pages: list[Path]) -> str:
    """Everything every page depends on: configuration, theme, menu, resources, the pages' names."""
    files = sorted({p for pattern in SITE_WIDE for p in project.root.glob(pattern) if p.is_file()})
    files += sorted(PUBLISH_CODE.glob("*.py"))
    resources = (load_config(project).get("project") or {}).get("resources") or []
    files += [p for entry in resources for p in expand(project, entry) if p.suffix not in RESULT_SUFFIXES]
    names = "\n".join(str(p.relative_to(project.root)) for p in pages).encode()
    return _digest(quarto_version(exe).encode(), names,
                   *(p.name.encode() + b"\0" + p.read_bytes() for p in files))


def page_parts(project: Project, page: Path, site: str) -> schedule.Parts:
    """A page's inputs by declared kind (base/steps.py, step "page")."""
    sources = _digest(*(s.read_bytes() for s in page_sources(project, page)))
    return {"site": site.encode(), "page sources": sources.encode()}


def kept_pages(previous: dict) -> Callable[[str], schedule.Kept]:
    """The pages' keys as the last render's record kept them (a record of an earlier version kept the
    key alone: its pages render again only when their key changed)."""
    pages = previous.get("pages") if isinstance(previous.get("pages"), dict) else {}

    def kept(page: str) -> schedule.Kept:
        entry = pages.get(page)
        if isinstance(entry, str):
            return entry, None
        if not isinstance(entry, dict):
            return "", None
        inputs = entry.get("inputs")
        return str(entry.get("key", "")), inputs if isinstance(inputs, dict) else None
    return kept


def listings(project: Project, pages: list[Path]) -> dict[str, list[str]]:
    """Pages that list others (`listing:` in their front matter) and the patterns of what they list."""
    found = {}
    for page in pages:
        if page.suffix != ".qmd":
            continue
        front = page.read_text(encoding="utf-8").split("---", 2)
        listing = (yaml.safe_load(front[1]) or {}).get("listing") if len(front) == 3 else None
        if listing:
            specs = listing if isinstance(listing, list) else [listing]
            found[str(page.relative_to(project.root))] = [c.lstrip("/") for s in specs for c in _contents(s)]
    return found


def _contents(spec: dict) -> list[str]:
    """A listing's `contents`: one pattern or a list of them."""
    contents = spec.get("contents") or []
    return [contents] if isinstance(contents, str) else list(contents)


def listings_to_render(project: Project, pages: list[Path], changed: list[str]) -> list[str]:
    """The listing pages to render explicitly, last: Quarto adds a listing to the pass of the one page
    it lists while its listing cache exists; with more listed pages changed, or no cache, the cache
    is cleared (by the caller) and each listing rendered once, after them."""
    found = []
    for listing, patterns in listings(project, pages).items():
        listed = [page for page in changed if any(fnmatch(page, pattern) for pattern in patterns)]
        if listed and (len(listed) > 1 or not project.quarto_listing_cache.exists()) and listing not in changed:
            found.append(listing)
    return found


def plan_render(project: Project, exe: str, record: Path, site: Path) -> RenderPlan:
    """Compare the pages' sources with the last render's record: render what changed, and the
    listing pages with it; everything when there is no site or record, or something site-wide changed."""
    pages = site_pages(project)
    wide = site_wide_digest(project, exe, pages)
    inputs = {str(p.relative_to(project.root)): page_parts(project, p, wide) for p in pages}
    previous = _read_record(record)
    if not (site / "index.html").exists() or previous is None or not project.quarto_state.is_dir():
        return RenderPlan(inputs, wide, full="no earlier render of this site (or of Quarto's index)")
    if previous.get("site_wide") != wide:
        return RenderPlan(inputs, wide, full="the configuration, theme, menu, pages, gate or Quarto changed")
    if previous.get("site") != site_signature(site):
        return RenderPlan(inputs, wide, full="the site folder changed since its last render")
    why = schedule.pending("page", inputs, kept_pages(previous))
    changed = list(why)
    if len(changed) > MAX_INCREMENTAL:
        return RenderPlan(inputs, wide, full=f"{len(changed)} pages changed (a full render is quicker "
                                               f"beyond {MAX_INCREMENTAL})")
    return RenderPlan(inputs, wide, changed=changed, listings=listings_to_render(project, pages, changed), why=why)


def _read_record(record: Path) -> dict | None:
    try:
        content = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return content if isinstance(content, dict) else None


def site_signature(site: Path) -> str:
    """Every file of the rendered site by name, size and modification time: a site changed by hand,
    or half deleted, is rendered again rather than trusted."""
    entries = sorted(f"{p.relative_to(site)}\0{p.stat().st_size}\0{p.stat().st_mtime_ns}"
                     for p in site.rglob("*") if p.is_file())
    return _digest("\n".join(entries).encode())


def write_record(record: Path, plan: RenderPlan, site: Path) -> None:
    """Keep what this render was made from (after the site is swapped in, never before)."""
    record.parent.mkdir(parents=True, exist_ok=True)
    write_json(record, {**plan.record(), "site": site_signature(site)})
