"""What a rendered site must hold before it is published: every internal link resolves, and
Quarto's warnings are counted, shown and, for unresolved links, refused."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

LINK_ATTRIBUTES = {"href", "src"}
EXTERNAL = re.compile(r"^(?:[A-Za-z][A-Za-z0-9+.-]*:|//)")  # http:, mailto:, data:, javascript:, //host
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
WARNING = re.compile(r"^\s*WARN(?:ING)?\b")
PAGE = re.compile(r"^\s*\[\s*\d+/\d+\]\s+(\S.*?)\s*$")  # "[12/165] notebooks/countries/2016/IQ.ipynb"
UNRESOLVED = "Unable to resolve link target"
SHOWN = 5  # warnings quoted in a message; the rest are counted


class _Links(HTMLParser):
    """Collects the values of every href and src attribute of one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.targets: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.targets += [value for name, value in attrs if name in LINK_ATTRIBUTES and value]


def page_targets(page: Path) -> list[str]:
    """The href and src values of one HTML page, in document order."""
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8", errors="replace"))
    return parser.targets


def resolves(site: Path, page: Path, target: str) -> bool:
    """An internal link resolves when its file (or its folder's index.html) is in the site."""
    path = unquote(urlsplit(target).path)
    if not path:  # "#section" or "?query": the page itself
        return True
    resolved = (site / path.lstrip("/")) if path.startswith("/") else (page.parent / path)
    resolved = Path(resolved.resolve())
    if not resolved.is_relative_to(site.resolve()):
        return False
    return resolved.is_file() or (resolved / "index.html").is_file()


def broken_links(site: Path) -> list[str]:
    """Every href/src of every HTML page of `site` that points inside the site to no file."""
    problems = []
    for page in sorted(site.rglob("*.html")):
        for target in dict.fromkeys(page_targets(page)):
            if not EXTERNAL.match(target) and not resolves(site, page, target):
                problems.append(f"{page.relative_to(site).as_posix()}: link to '{target}' resolves to no "
                                "file of the site")
    return problems


def quarto_warnings(output: str) -> list[str]:
    """Quarto's warning lines without colour codes, each after the page Quarto was rendering."""
    warnings, page = [], ""
    for line in ANSI.sub("", output).splitlines():
        if match := PAGE.match(line):
            page = match.group(1)
        elif WARNING.match(line):
            warnings.append(f"{page}: {line.strip()}" if page else line.strip())
    return warnings


def unresolved_targets(warnings: list[str]) -> list[str]:
    """The warnings that say a page links to a target Quarto could not resolve."""
    return [w for w in warnings if UNRESOLVED in w]


def warnings_summary(warnings: list[str]) -> str:
    """'N Quarto warnings', then the first few, for the command's output."""
    if not warnings:
        return "0 Quarto warnings"
    shown = "\n  ".join(warnings[:SHOWN])
    more = f"\n  ... and {len(warnings) - SHOWN} more" if len(warnings) > SHOWN else ""
    return f"{len(warnings)} Quarto warning{'s' if len(warnings) != 1 else ''}:\n  {shown}{more}"
