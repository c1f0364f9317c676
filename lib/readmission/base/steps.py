"""What each step of a run depends on, declared once: run keys hash exactly these inputs, the
architecture doc shows them, and tests change each one in turn."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Input:
    """One input of a step: its kind (the name a key part goes by) and what it is."""

    kind: str
    what: str


CODE = Input("code", "the `lib` code and both notebook templates (`notebooks/*.ipynb`)")
VERSIONS = Input("versions", "Python and the packages that compute (`runkeys.PACKAGES`)")
SETTINGS = Input("settings", "edition and method settings (`params/editions/<year>.yml`, `params/method.yml`)")
HISTORY = Input("earlier editions", "earlier editions' published results and selections (never a later "
                "edition's: adding one re-runs nothing of the others)")
REFERENCE = Input("reference", "legal facts (`data/reference/*.csv`: visa list, reporting states, instruments, ...)")

STEPS: dict[str, tuple[Input, ...]] = {
    # not keyed: recomputed on every run (a fraction of a second), covered by the edition key
    "selection": (
        SETTINGS,
        REFERENCE,
        Input("decisions", "return decisions by citizenship in the selection year (`migr_eiord`)"),
    ),
    # a public run's restricted phase (run/release_step.py): a country's full assessment, kept in the
    # restricted store and taken from there while these are unchanged
    "assessment": (
        CODE, VERSIONS, SETTINGS, REFERENCE,
        Input("edition facts", "what every assessment reads beyond its country's rows: the edition, the "
              "method, the reporting states, the years of the series, the caveats, the reference tables"),
        Input("country settings", "its own `params/countries/<CODE>.yml`"),
        Input("country rows", "its rows in every public and confidential input, and which states "
              "report returns that year"),
        Input("outside selection", "whether it was run on request outside the edition's selection, and why"),
    ),
    "country": (
        CODE, VERSIONS, SETTINGS, REFERENCE,
        Input("parameters", "the notebook's papermill parameters and the audience"),
        Input("country settings", "its own `params/countries/<CODE>.yml`"),
        Input("country rows", "its rows in every public and confidential input, and which states "
              "report returns that year (how an absent row reads)"),
        Input("earlier editions", "its own results and the selections of earlier editions (its "
              "\"Across editions\" section)"),
    ),
    "summary": (
        CODE, SETTINGS, REFERENCE,
        Input("results", "the run record and every results file of the tree (published and full)"),
        HISTORY,
    ),
    "edition": (
        CODE, VERSIONS, SETTINGS, REFERENCE,
        Input("audience", "the audience, and whether the demo set stands in for the confidential inputs"),
        Input("public data", "every file of the public-data folder"),
        Input("confidential inputs", "every file of the confidential folder (real or demo)"),
        Input("country settings", "every file of `params/countries/`"),
        HISTORY,
    ),
    # the public site's render (publish/render_plan.py): a page is rendered again when its key changed
    "page": (
        Input("site", "everything every page shows or is checked with: `_quarto.yml`, the theme, the "
              "menu (`notebooks/_generated/site.yml`), the set of pages, the publish code and gate settings, Quarto's version"),
        Input("page sources", "the page, the files it includes, the results offered beside it"),
    ),
}
KEYED = ("assessment", "country", "summary", "edition", "page")


def kinds(step: str) -> list[str]:
    """The kinds of input `step` is declared to depend on, in order."""
    return [item.kind for item in STEPS[step]]


def digest(*parts: bytes) -> str:
    """One digest over parts, each hashed apart (no two lists of parts give the same bytes)."""
    h = hashlib.sha256()
    for part in parts:
        h.update(hashlib.sha256(part).digest())
    return h.hexdigest()


def step_key(step: str, parts: dict[str, bytes]) -> str:
    """The key of `step` over exactly its declared inputs, in their declared order."""
    declared = kinds(step)
    if set(parts) != set(declared):
        raise ValueError(f"step {step!r} declares {declared}, given {sorted(parts)}")
    return digest(*(kind.encode() + b"\0" + parts[kind] for kind in declared))


def markdown_table() -> str:
    """The declared steps as the Markdown table of docs/architecture.md (a test keeps them equal)."""
    rows = ["| step | keyed | depends on |", "|---|---|---|"]
    for step, inputs in STEPS.items():
        needs = "; ".join(f"**{item.kind}**: {item.what}" for item in inputs)
        rows.append(f"| {step} | {'yes' if step in KEYED else 'no'} | {needs} |")
    return "\n".join(rows) + "\n"


if __name__ == "__main__":  # pragma: no cover - prints the table for docs/architecture.md
    print(markdown_table(), end="")
