"""The publish gate: nothing confidential leaves through the public site, by any sequence of commands.

Run on the folders a public render reads and on the rendered site before it replaces `_site/`. A
file is refused when it holds a `restricted` cell tag or results key, a per-state confidential
column, an absolute path of this machine, or a number (4+ digits, separators removed) that is one
Member State's value in the confidential inputs and appears nowhere in the public inputs. Numbers
on a country's own files are checked against that country's values; other pages against all. A
short reviewed allow-list (params/publish_gate.yml) admits public figures that happen to be equal.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from .project import Project
from .vocabulary import ITEMS

CONFIDENTIAL_COLUMNS = frozenset({  # per-state confidential values and their derived per-state figures
    "readmission_requests_submitted", "readmission_requests_accepted", "travel_documents_issued",
    "forced_returns", "forced_return_rate", "days_to_travel_document", "rating_return_rate",
    "acceptance_rate", "issuance_rate", "practical_cooperation", "items_answered", "score",
    "rating", "accepted_exceed_submitted", "rating_return_basis", *ITEMS,  # and the (d) questionnaire items
})
NAMED_IN_OUTPUT = frozenset({  # column names that only a per-state table would show a reader
    "readmission_requests_submitted", "readmission_requests_accepted", "travel_documents_issued",
    "days_to_travel_document", "forced_return_rate", "rating_return_rate"})
RESTRICTED_KEYS = frozenset({"restricted", "requests_by_state", "answers_by_state", "state_ratings",
                             "indicators_by_state"})
NUMBER = re.compile(r"(?<![\w.,])(\d{1,3}(?:[,\u202f\u00a0]\d{3})+|\d{4,})(?![\w]|[.,]\d)")
TEXT_SUFFIXES = {".html", ".htm", ".json", ".csv", ".md", ".qmd", ".txt", ".xml", ".yml", ".yaml", ".ipynb"}
SKIPPED_FOLDERS = {"site_libs"}  # Quarto's own scripts and styles
ALLOW_FILE = Path("params") / "publish_gate.yml"
COUNTRY_FILE = re.compile(r"^[A-Z]{2}$")
EU_TOTAL = "EU+"


class PublishRefused(Exception):
    """The public site was not published: a file holds something confidential (named per file)."""


@dataclass
class GateContext:
    """What the gate compares published files with."""

    machine_paths: list[str]
    values_by_country: dict[str, set[int]] = field(default_factory=dict)
    allowed: set[int] = field(default_factory=set)

    @property
    def all_values(self) -> set[int]:
        return set().union(*self.values_by_country.values()) if self.values_by_country else set()


def numbers_in(text: str) -> set[int]:
    """Every whole number of 4+ digits in `text`, thousands separators removed (33,665 = 33665)."""
    return {int(re.sub(r"\D", "", m)) for m in NUMBER.findall(text)}


def public_numbers(project: Project) -> set[int]:
    """Every number in the public inputs (data/public): a figure found there is public by definition."""
    found: set[int] = set()
    for path in sorted(project.public.rglob("*.csv")):
        found |= {int(n) for n in re.findall(r"\d+", path.read_text(encoding="utf-8", errors="replace"))}
    return found


def confidential_folders(project: Project) -> list[Path]:
    """Every folder of confidential inputs the project holds: data/restricted/<year>/, data/demo/<year>/."""
    roots = [p for p in sorted(project.restricted.glob("*")) if p.is_dir() and p.name != "out"]
    roots += [project.restricted] + sorted((project.root / "data" / "demo").glob("*"))
    return [p for p in roots if p.is_dir()]


def _confidential_frames(folder: Path):
    import pandas as pd

    for path in sorted(folder.iterdir()):
        stem, suffix = path.stem.lower(), path.suffix.lower()
        if stem not in ("readmission_statistics", "questionnaire") or suffix not in (".csv", ".xlsx"):
            continue
        try:
            yield (pd.read_csv(path, dtype=str) if suffix == ".csv" else pd.read_excel(path, dtype=str))
        except Exception as exc:  # fail closed: an unreadable file cannot be checked against
            raise PublishRefused(f"{path}: cannot read it to check the site against it "
                                 f"({type(exc).__name__}: {exc})") from exc


def confidential_values(project: Project, public: set[int]) -> dict[str, set[int]]:
    """Per third country, the 4+-digit values single states gave for it that the public inputs lack."""
    values: dict[str, set[int]] = {}
    for folder in confidential_folders(project):
        for frame in _confidential_frames(folder):
            columns = [c for c in frame.columns if c in CONFIDENTIAL_COLUMNS]
            if "country" not in frame.columns or not columns:
                continue
            for country, rows in frame.groupby("country"):
                cells = rows[columns].stack()
                found = {int(v) for v in cells if isinstance(v, str) and v.strip().isdigit()
                         and v.strip().isascii() and int(v) >= 1000}
                values.setdefault(str(country), set()).update(found - public)
    return values


def allowed_values(project: Project) -> set[int]:
    """The reviewed allow-list: public figures that happen to equal a confidential value."""
    from .params import read_yaml_mapping

    path = project.root / ALLOW_FILE
    if not path.exists():
        return set()
    entries = read_yaml_mapping(path).get("allow") or []
    return {int(e["value"]) for e in entries if isinstance(e, dict) and "value" in e}


def gate_context(project: Project) -> GateContext:
    public = public_numbers(project)
    paths = [str(project.root.resolve()), str(project.root)]
    return GateContext(sorted(set(paths), key=len, reverse=True),
                       confidential_values(project, public), allowed_values(project))


class _Text(HTMLParser):
    """The text a reader sees in an HTML page (with alt/title attributes): all of it, and the
    prose outside code blocks (shown code may name columns; a table header may not)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.prose: list[str] = []
        self._skip = self._code = 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("script", "style")
        self._code += tag in ("pre", "code")
        self.parts += [v for k, v in attrs if k in ("alt", "title", "aria-label") and v]

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1
        if tag in ("pre", "code") and self._code:
            self._code -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)
            if not self._code:
                self.prose.append(data)


def html_text(html: str) -> tuple[str, str]:
    """(all visible text, prose outside code) of an HTML page."""
    parser = _Text()
    parser.feed(html)
    return "\n".join(parser.parts), "\n".join(parser.prose)


def _json_problems(node, where: str) -> list[str]:
    """Restricted keys anywhere; per-state records (with a reporting_state) holding a confidential column."""
    problems = []
    if isinstance(node, dict):
        problems += [f"{where}: holds the restricted key '{k}'" for k in node if k in RESTRICTED_KEYS]
        if node.get("reporting_state") not in (None, EU_TOTAL):
            problems += [f"{where}: per-state confidential column '{k}'" for k in node
                         if k in CONFIDENTIAL_COLUMNS and node[k] is not None]
        for value in node.values():
            problems += _json_problems(value, where)
    elif isinstance(node, list):
        for value in node:
            problems += _json_problems(value, where)
    return sorted(set(problems))


def _csv_problems(text: str, where: str) -> list[str]:
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return []
    header = rows[0]
    problems = []
    if "reporting_state" in header:
        problems += [f"{where}: per-state confidential column '{c}'" for c in header if c in CONFIDENTIAL_COLUMNS]
        if "indicator" in header:
            state, indicator = header.index("reporting_state"), header.index("indicator")
            bad = sorted({r[indicator] for r in rows[1:] if len(r) > max(state, indicator)
                          and r[state] != EU_TOTAL and r[indicator] in CONFIDENTIAL_COLUMNS})
            problems += [f"{where}: per-state rows of the confidential indicator '{b}'" for b in bad]
    return problems


def _notebook_text(nb: dict, where: str) -> tuple[str, str, list[str]]:
    """A notebook's sources and text outputs (no image data), its outputs alone, its restricted cells."""
    parts, outputs, problems = [], [], []
    for index, cell in enumerate(nb.get("cells", [])):
        if "restricted" in (cell.get("metadata", {}).get("tags") or []):
            problems.append(f"{where}: cell {index} is tagged 'restricted'")
        parts.append("".join(cell.get("source", "")))
        for out in cell.get("outputs", []):
            outputs.append("".join(out.get("text", "")))
            for kind, data in (out.get("data") or {}).items():
                if not kind.startswith("image/"):
                    outputs.append("".join(data) if isinstance(data, list) else json.dumps(data))
    return "\n".join(parts + outputs), "\n".join(outputs), problems


def country_of(rel: str) -> str | None:
    """The country a published file belongs to (notebooks/countries/<year>/<CODE>.*), else None."""
    parts = Path(rel).parts
    if len(parts) >= 4 and parts[-4:-2] == ("notebooks", "countries") and parts[-2].isdigit():
        stem = Path(parts[-1]).name.split(".")[0]
        return stem if COUNTRY_FILE.match(stem) else None
    return None


def file_problems(path: Path, rel: str, context: GateContext) -> list[str]:
    """Everything that makes one file unfit to publish."""
    raw = path.read_text(encoding="utf-8", errors="replace")
    problems = [f"{rel}: holds an absolute path of this machine ({p})" for p in context.machine_paths if p in raw][:1]
    text, shown = raw, ""
    if path.suffix == ".ipynb":
        try:
            text, shown, found = _notebook_text(json.loads(raw), rel)
            problems += found
        except ValueError:
            problems.append(f"{rel}: not a readable notebook")
    elif path.suffix == ".json":
        try:
            problems += _json_problems(json.loads(raw), rel)
        except ValueError:
            pass
    elif path.suffix == ".csv":
        problems += _csv_problems(raw, rel)
    elif path.suffix in (".html", ".htm"):
        text, shown = html_text(raw)
    problems += [f"{rel}: shows the per-state confidential column '{c}'"
                 for c in sorted(NAMED_IN_OUTPUT) if c in shown]
    country = country_of(rel)
    values = context.values_by_country.get(country, set()) if country else context.all_values
    leaked = sorted((numbers_in(text) & values) - context.allowed)
    if leaked:
        problems.append(f"{rel}: holds {', '.join(f'{v:,}' for v in leaked[:5])}"
                        f"{' and more' if len(leaked) > 5 else ''}, a single state's confidential value "
                        f"(found nowhere in the public inputs; if it is a public figure, add it to {ALLOW_FILE})")
    return problems


def files_to_check(root: Path, paths: list[Path]) -> list[tuple[Path, str]]:
    """(file, path relative to `root`) for every text file under `paths`, Quarto's libraries skipped."""
    found = []
    for start in paths:
        for path in ([start] if start.is_file() else sorted(start.rglob("*"))):
            rel = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
            if path.is_file() and path.suffix.lower() in TEXT_SUFFIXES and not \
                    SKIPPED_FOLDERS & set(Path(rel).parts):
                found.append((path, rel))
    return found


def check_published(project: Project, root: Path, paths: list[Path],
                    context: GateContext | None = None) -> list[str]:
    """Problems of the files under `paths` (relative names from `root`); [] when fit to publish."""
    context = context or gate_context(project)
    problems = []
    for path, rel in files_to_check(root, paths):
        problems += file_problems(path, rel, context)
    return problems


def refuse_if_any(problems: list[str], what: str) -> None:
    if problems:
        shown = "\n  ".join(problems[:20]) + (f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else "")
        raise PublishRefused(f"{what} refused, nothing published:\n  {shown}")
