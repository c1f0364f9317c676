"""The site's search index (search.json) around an incremental render: Quarto replaces a rendered
page's entries in place and appends new ones, but keeps entries of headings a page no longer has;
so the pages to render lose their entries first, and the index is put back in a full render's order."""

from __future__ import annotations

import json
from pathlib import Path

from ..base.outputs import write_text_atomic

INDEX = "search.json"


def _page(entry: dict) -> str:
    return entry["href"].split("#", 1)[0]


def _entries(site: Path) -> list[dict] | None:
    path = site / INDEX
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def _save(site: Path, entries: list[dict]) -> None:
    # as Quarto writes it (JSON.stringify(entries, undefined, 2))
    write_text_atomic(site / INDEX, json.dumps(entries, indent=2, ensure_ascii=False))


def prune(site: Path, pages: list[str]) -> None:
    """Drop the entries of `pages` (their .html, relative to the site) before they are rendered again."""
    entries = _entries(site)
    if entries is not None:
        gone = set(pages)
        _save(site, [e for e in entries if _page(e) not in gone])


def full_render_order(pages: list[str]) -> list[str]:
    """The order a full render lists pages in: Quarto 1.11 appends each finished page and reverses
    the list after each one."""
    order: list[str] = []
    for page in pages:
        order.append(page)
        order.reverse()
    return order


def reorder(site: Path, pages: list[str]) -> None:
    """Put the index in a full render's order of `pages` (every page's .html, in the render list's
    order); a page's sections keep their own order."""
    entries = _entries(site)
    if entries is None:
        return
    rank = {page: i for i, page in enumerate(full_render_order(pages))}
    outside = sorted({_page(e) for e in entries} - rank.keys())
    if outside:
        raise ValueError(f"{INDEX} lists pages the site does not render: {', '.join(outside[:5])}")
    _save(site, sorted(entries, key=lambda e: rank[_page(e)]))
