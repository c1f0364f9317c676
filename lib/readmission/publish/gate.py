"""The publish gate: nothing confidential leaves through the public site, by any sequence of commands.

Run on the folders a public render reads and on the rendered site before it replaces `_site/`, as
the last line behind the rules that decide what a public page holds. A file is refused when it holds
a `restricted` cell tag (compared without case) or a tag the project does not know, a restricted
results key, a per-state confidential column (as base/columns.py classes it), an absolute path of
this machine, or a number that reads as one Member State's value (1,000 or more) in the confidential
inputs and appears nowhere in the declared public inputs. Numbers are read in every format
(gate_numbers.py: separators `,` `.` and spaces, `.0`, ordinals) from text, HTML, JSON, CSV fields,
notebook outputs and SVG text; a PNG cannot be read, so a value drawn only into a raster chart is
not seen here. The confidential values are read by the loader's own reader (same sheet of a
workbook); the public ones only from the snapshot's declared files whose sha256 matches their
.meta.yml. Numbers on a country's own files are checked against that country's values; other pages
against all. A short reviewed allow-list (params/publish_gate.yml, validated: whole `value`,
`reason`) admits public figures that happen to be equal.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..data.inputfile import SUFFIXES, read_rows
from ..data.snapshot import REQUIRED_FILES, verify_file
from ..base.errors import InputError, Problem, quote, raise_if_any, shorten
from .gate_numbers import html_text, numbers_in, svg_text
from ..base.paths import Project
from ..base.columns import confidential_columns, telltale_columns
from ..data.confidential import FILES
from ..settings.limits import load_limits
from ..settings.params import read_yaml_mapping

CONFIDENTIAL_COLUMNS = confidential_columns()  # the schema's per-state confidential and derived columns
NAMED_IN_OUTPUT = telltale_columns()  # column names that only a per-state table would show a reader
RESTRICTED_KEYS = frozenset({"restricted", "requests_by_state", "answers_by_state", "state_ratings",
                             "indicators_by_state"})
RESTRICTED_TAG = "restricted"
KNOWN_TAGS = frozenset({  # every cell tag a page may carry: the templates', papermill's and Quarto's
    RESTRICTED_TAG, "parameters", "injected-parameters", "raises-exception", "papermill-error-cell-tag",
    "remove-cell", "remove-input", "remove-output"})
SMALLEST_COMPARED = 1000  # values below are not compared: rates, years' parts and small counts abound
TEXT_SUFFIXES = {".html", ".htm", ".json", ".csv", ".md", ".qmd", ".txt", ".xml", ".yml", ".yaml", ".ipynb",
                 ".svg"}
SKIPPED_FOLDERS = {"site_libs"}  # Quarto's own scripts and styles
ALLOW_FILE = "publish_gate.yml"  # in params/
ALLOW_KEYS = ("value", "reason")
_WHOLE = re.compile(r"[0-9]+")  # a count as the loader accepts it
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


def declared_public_inputs(project: Project) -> list[Path]:
    """The public inputs a run reads (the snapshot's files), each only if its sha256 matches its
    .meta.yml: a stray or altered file under data/public/ declares nothing public."""
    found = []
    for rel in sorted(REQUIRED_FILES):
        try:
            verify_file(project.public / rel)
        except InputError:
            continue
        found.append(project.public / rel)
    return found


def public_numbers(project: Project) -> set[int]:
    """Every number in the declared public inputs: a figure found there is public by definition."""
    found: set[int] = set()
    for path in declared_public_inputs(project):
        found |= {int(n) for n in re.findall(r"\d+", path.read_text(encoding="utf-8", errors="replace"))}
    return found


def confidential_folders(project: Project) -> list[Path]:
    """Every folder of confidential inputs the project holds: data/restricted/<year>/, the demo set data/restricted/out/demo/<year>/."""
    roots = [p for p in sorted(project.restricted.glob("*")) if p.is_dir() and p != project.restricted_outputs]
    roots += [project.restricted] + sorted(project.demo.glob("*"))
    return [p for p in roots if p.is_dir()]


def confidential_files(folder: Path) -> list[Path]:
    """The files of `folder` the loader could read: <kind>.csv or .xlsx, in any case."""
    return [p for p in sorted(folder.iterdir()) if p.stem.lower() in FILES and p.suffix.lower() in SUFFIXES]


def _rows(path: Path, limits) -> list[tuple[int, list[str]]]:
    """The rows of a confidential file exactly as the loader reads them (its reader; for a workbook,
    the sheet named like the file); a file it cannot read stops the gate (fail closed)."""
    try:
        return read_rows(path, path.stem.lower(), limits)[0]
    except InputError as exc:
        raise PublishRefused(f"{path}: cannot read it to check the site against it ({exc})") from exc


def file_values(rows: list[tuple[int, list[str]]]) -> dict[str, set[int]]:
    """Per third country, the whole values of 1,000 or more in the file's confidential columns."""
    values: dict[str, set[int]] = {}
    header = rows[0][1] if rows else []
    columns = [i for i, name in enumerate(header) if name in CONFIDENTIAL_COLUMNS]
    if "country" not in header or not columns:
        return values
    country = header.index("country")
    for _, fields in rows[1:]:
        cells = [fields[i] for i in columns if i < len(fields) and _WHOLE.fullmatch(fields[i])]
        found = {int(c) for c in cells if int(c) >= SMALLEST_COMPARED}
        if country < len(fields) and found:
            values.setdefault(fields[country], set()).update(found)
    return values


def confidential_values(project: Project, public: set[int]) -> dict[str, set[int]]:
    """Per third country, the values single states gave for it (1,000 or more) that the public inputs lack."""
    limits, values = load_limits(project), {}
    for folder in confidential_folders(project):
        for path in confidential_files(folder):
            for country, found in file_values(_rows(path, limits)).items():
                values.setdefault(country, set()).update(found - public)
    return values


def _entry_lines(path: Path) -> list[int | None]:
    """The line of each entry of `allow` (for messages); [] when the file's shape is not that."""
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return []
    nodes = [v for k, v in getattr(root, "value", []) if getattr(k, "value", None) == "allow"]
    items = nodes[0].value if nodes and isinstance(nodes[0], yaml.SequenceNode) else []
    return [item.start_mark.line + 1 for item in items]


def allow_entry_problems(path: Path, number: int, entry, line: int | None) -> list[Problem]:
    """What is wrong with one entry of the allow-list: a whole `value` >= 0 and a `reason`, nothing else."""
    def problem(message: str, key: str | None = None) -> Problem:
        return Problem(str(path), f"allow entry {number}: {message}", line, key)

    if not isinstance(entry, dict):
        return [problem(f"expected {{value: <whole number>, reason: <where the figure is public>}}, "
                        f"got {quote(entry)}")]
    problems = [problem(f"unknown key (allowed: {', '.join(ALLOW_KEYS)})", shorten(str(k)))
                for k in entry if k not in ALLOW_KEYS]
    value, reason = entry.get("value"), entry.get("reason")
    if "value" not in entry:
        problems.append(problem("missing: the figure to allow, a whole number", "value"))
    elif isinstance(value, bool) or not isinstance(value, int) or value < 0:
        problems.append(problem(f"{quote(value)} is not a whole number >= 0: write the figure "
                                "exactly as digits (12345), nothing is rounded", "value"))
    if not isinstance(reason, str) or not reason.strip():
        problems.append(problem("a reason is required: say where the figure is published "
                                f"(got {quote(reason)})", "reason"))
    return problems


def allowed_values(project: Project) -> set[int]:
    """The reviewed allow-list: public figures that happen to equal a confidential value.

    Validated: an unknown key, a value that is not a whole number or an entry without a reason is
    an InputError naming the file, the entry (and its line) and the field."""
    path = project.params / ALLOW_FILE
    if not path.exists():
        return set()
    content = read_yaml_mapping(path)
    problems = [Problem(str(path), "unknown setting (allowed: allow)", field=shorten(str(k)))
                for k in content if k != "allow"]
    entries = content.get("allow") if content.get("allow") is not None else []
    if not isinstance(entries, list):
        problems.append(Problem(str(path), f"expected a list of entries, got {quote(entries)}", field="allow"))
        entries = []
    lines = _entry_lines(path)
    for number, entry in enumerate(entries, start=1):
        line = lines[number - 1] if number <= len(lines) else None
        problems += allow_entry_problems(path, number, entry, line)
    raise_if_any(problems)
    return {entry["value"] for entry in entries}


def gate_context(project: Project) -> GateContext:
    """What the gate compares with: machine paths, confidential values per country, the allow-list."""
    public = public_numbers(project)
    paths = [str(project.root.resolve()), str(project.root)]
    return GateContext(sorted(set(paths), key=len, reverse=True),
                       confidential_values(project, public), allowed_values(project))


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


def tag_problems(tags, where: str) -> list[str]:
    """A cell's tags: 'restricted' in any case (and spacing) is refused, as is a tag the project does
    not know (a misspelt 'restricted' would publish the cell it was meant to hold back)."""
    if not isinstance(tags, list):
        return [f"{where} has tags that are not a list ({quote(tags)})"]
    problems = []
    for tag in tags:
        name = tag.strip().casefold() if isinstance(tag, str) else None
        if name == RESTRICTED_TAG:
            problems.append(f"{where} is tagged {quote(tag)}" + ("" if tag == RESTRICTED_TAG else
                            " (read as 'restricted': tags are compared without case)"))
        elif name not in KNOWN_TAGS:
            problems.append(f"{where} carries the tag {quote(tag)}, which the project does not know "
                            f"(known: {', '.join(sorted(KNOWN_TAGS))})")
    return problems


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")  # colours of a traceback: 12345 in red is still 12345


def _output_texts(out: dict) -> list[str]:
    """What a reader sees of one output: text, error message and traceback, data but raster images."""
    texts = ["".join(out.get("text", "")), str(out.get("evalue", "")), "\n".join(out.get("traceback") or [])]
    for kind, data in (out.get("data") or {}).items():
        content = "".join(data) if isinstance(data, list) else data if isinstance(data, str) else json.dumps(data)
        if kind == "image/svg+xml":
            texts.append(svg_text(content))
        elif not kind.startswith("image/"):
            texts.append(content)
    return [_ANSI.sub("", t) for t in texts if t]


def _notebook_text(nb: dict, where: str) -> tuple[str, str, list[str]]:
    """A notebook's sources and readable outputs, its outputs alone, its tag problems (no PNG can be read)."""
    parts, outputs, problems = [], [], []
    for index, cell in enumerate(nb.get("cells", [])):
        problems += tag_problems((cell.get("metadata") or {}).get("tags") or [], f"{where}: cell {index}")
        parts.append("".join(cell.get("source", "")))
        for out in cell.get("outputs", []):
            outputs += _output_texts(out)
    return "\n".join(parts + outputs), "\n".join(outputs), problems


def _json_text(node) -> list[str]:
    """Every key, string and whole number of a JSON document, each apart ([1,234] is 1 and 234);
    a JSON number has one reading (2.375 is not 2375; 12345.0 is 12345)."""
    if isinstance(node, dict):
        return [t for k, v in node.items() for t in [str(k), *_json_text(v)]]
    if isinstance(node, list):
        return [t for v in node for t in _json_text(v)]
    if isinstance(node, str):
        return [node]
    whole = isinstance(node, int) or (isinstance(node, float) and node.is_integer())
    return [str(int(node))] if whole and not isinstance(node, bool) else []


def _csv_fields(text: str) -> list[str]:
    """Every field of a CSV file, each apart (a comma between fields joins no numbers); a file the
    csv module cannot split is read as text."""
    try:
        return [f for row in csv.reader(io.StringIO(text)) for f in row]
    except csv.Error:
        return [text]


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
    text, shown, suffix = raw, "", path.suffix.lower()
    if suffix == ".ipynb":
        try:
            text, shown, found = _notebook_text(json.loads(raw), rel)
            problems += found
        except (ValueError, TypeError, AttributeError):
            problems.append(f"{rel}: not a readable notebook")
    elif suffix == ".json":
        try:
            document = json.loads(raw)
            problems += _json_problems(document, rel)
            text = "\n".join(_json_text(document))
        except (ValueError, RecursionError):
            pass
    elif suffix == ".csv":
        problems += _csv_problems(raw, rel)
        text = "\n".join(_csv_fields(raw))
    elif suffix in (".html", ".htm"):
        text, shown = html_text(raw)
    elif suffix == ".svg":
        text = shown = svg_text(raw)
    problems += [f"{rel}: shows the per-state confidential column '{c}'"
                 for c in sorted(NAMED_IN_OUTPUT) if c in shown]
    country = country_of(rel)
    values = context.values_by_country.get(country, set()) if country else context.all_values
    leaked = sorted((numbers_in(text) & values) - context.allowed)
    if leaked:
        problems.append(f"{rel}: holds {', '.join(f'{v:,}' for v in leaked[:5])}"
                        f"{' and more' if len(leaked) > 5 else ''}, a single state's confidential value "
                        f"(found nowhere in the public inputs; if it is a public figure, add it to params/{ALLOW_FILE})")
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
