"""The site's run-specific sources: generated include files and failure pages.

Everything that changes from run to run is written into `notebooks/_generated/` as plain markdown
that the hand-written pages include, so they never need editing. Each audience has its own.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pandas as pd
import yaml

from ..base.codes import DESIGNATION_FOOTNOTES, designations_md
from ..pages.front_matter import front_matter_cell, page_title
from ..base.paths import PUBLIC, RESTRICTED, OutputTree, Project, findings_link, page_link, published_editions
from ..base.markdown import md_escape, md_table, share_text
from ..base.outputs import write_text_atomic
from ..base.levels import LEVELS, final_level
from ..settings.params import load_method
from ..pages.tables import raw_block, table_html
from ..method.vocabulary import country_name, setting_value
from ..method.disclosure import RULES
from ..method.audit import audit_rows

SITE_METADATA = "site.yml"  # notebooks/_generated/site.yml: named by `metadata-files` in _quarto.yml
CANDIDATES_PAGE = "candidates.qmd"  # restricted site only
FAILED = "failed"
KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}
SOURCES = [  # input file prefix -> who publishes it, as the credits name it
    ("eurostat/", "Eurostat (CC BY 4.0)"),
    ("frontex/illegal_border_crossings", "Frontex"),
    ("frontex/return_operations", "Frontex documents via Statewatch"),
]


def method_values(method) -> dict:
    """The method's settings as Methodology writes them inline ({{< meta method.<key> >}})."""
    keys = ["small_numbers", "min_decisions_concerned", "min_states_for_aggregate", "dominance_share",
            "poor_answer", "near_miss_share", "min_components", "good_from", "poor_below", "most_share",
            "min_rated_states"]
    values = {key: setting_value(key, getattr(method, key)) for key in keys}
    values.update(context_before=str(method.context_before), context_after=str(method.context_after),
                  improving_rate_change=setting_value("improving_rate_change",
                                                      method.candidates["improving_rate_change"]))
    return values


def disclosure_md(method) -> str:
    """Methodology's list of the disclosure rules, each with the value of its setting (disclosure.RULES)."""
    lines = []
    for number, rule in enumerate(RULES, start=1):
        value = f" (this setting: **{setting_value(rule.setting, getattr(method, rule.setting))}**)" \
            if rule.setting else ""
        lines.append(f"{number}. **{rule.name.capitalize()}**: {rule.words}{value}.")
    return "\n".join(lines) + "\n"


def site_metadata(latest: int, audience: str, method=None) -> dict:
    """The site's menu and the latest Findings page, merged into _quarto.yml by Quarto
    (`metadata-files`): the menu's Findings entry follows the latest edition. The restricted site
    adds its Candidates page and the `restricted` flag its pages' conditional content reads."""
    left = [{"href": "index.qmd", "text": "Home"},
            {"href": findings_link(latest), "text": "Findings"},
            {"href": "countries.qmd", "text": "Countries"},
            {"href": "methodology.qmd", "text": "Methodology"},
            {"href": "audit.qmd", "text": "Audit"},
            {"href": "methodology.qmd#glossary", "text": "Glossary"}]
    if audience != "public":
        left.append({"href": CANDIDATES_PAGE, "text": "Candidates"})
    return {"findings-page": "/" + findings_link(latest), "restricted": audience != "public",
            "method": method_values(method) if method is not None else {},
            "website": {"navbar": {"left": left}}}


def log_reference(year: int, country: str) -> str:
    """A country's run log as a path from the project root: restricted (pipeline.run_job writes it
    there, the failure's exception text included), the one place an authorised reader finds why."""
    return (OutputTree(Project(Path()), year, RESTRICTED).logs / f"{country}.log").as_posix()


def failure_summary(year: int, country: str) -> str:
    """What the public side says of a failed country: the step that failed and where its details are
    (never the exception's text, which may quote a confidential value)."""
    return (f"its country calculation (notebooks/country.ipynb for {country}) stopped with an error; "
            f"authorised readers find the error in the restricted log {log_reference(year, country)}")


def country_records(tree: OutputTree, run: dict) -> list[dict]:
    """Each country of the run with its public results (None when it failed), sorted by name. A public
    tree's failed countries say only which step failed and where the log is (failure_summary)."""
    records = []
    for entry in run.get("countries", []):
        code, name = entry["country"], entry.get("name") or entry["country"]
        error = "" if entry.get("ok") else failure_summary(tree.year, code) if tree.audience == PUBLIC else \
            f"{entry.get('error') or 'no error recorded'} (restricted log {log_reference(tree.year, code)})"
        record = {"country": code, "name": name, "ok": bool(entry.get("ok")), "error": error, "public": None}
        if record["ok"]:
            path = tree.countries / f"{code}.json"
            try:
                record["public"] = json.loads(path.read_text(encoding="utf-8"))["public"]
            except (OSError, ValueError, KeyError) as exc:
                record.update(ok=False, error=f"results file {path.name} unreadable ({type(exc).__name__})")
        records.append(record)
    return sorted(records, key=lambda r: (r["name"], r["country"]))


def level_counts(records: list[dict]) -> dict[str, list[dict]]:
    """Assessed countries grouped by level, in the order of levels.LEVELS (then any other level)."""
    groups: dict[str, list[dict]] = {level: [] for level in LEVELS}
    for record in records:
        if record["ok"]:
            groups.setdefault(final_level(record["public"]), []).append(record)
    return groups


def edition_line(edition: dict) -> str:
    label = md_escape(edition.get("label") or f"Data year {edition.get('data_year')}")
    threshold = edition.get("threshold")
    shown = f"{threshold:,}" if isinstance(threshold, int) else threshold
    return (f"**{label}**: reference date {edition.get('reference_date')}; countries with more than {shown} "
            f"return decisions in {edition.get('selection_year')}.")


def key_figures_md(run: dict, records: list[dict]) -> str:
    """The home page's key figures: countries per cooperation level and their share (a page built on
    synthetic inputs marked so where the edition mixes real and synthetic pages)."""
    assessed = [r for r in records if r["ok"]]
    year = run.get("edition", {}).get("data_year")
    marks = page_marks(records)
    mixed = len(set(marks.values())) > 1
    rows = []
    for level, members in level_counts(records).items():
        names = ", ".join(f"[{md_escape(r['name'])}]({page_link(year, r['country'])})"
                          + (f" (the method proposed: {md_escape(r['public']['level'])})"
                             if r["public"]["level"] != level else "")
                          + (" (synthetic inputs, illustrative)" if mixed and marks[r["country"]] else "")
                          for r in members)
        rows.append([md_escape(level), str(len(members)), share_text(len(members), len(assessed)), names or "–"])
    decisions = sum(int(r["public"].get("return_decisions") or 0) for r in assessed)
    failed = len(records) - len(assessed)
    parts = [edition_line(run.get("edition", {})),
             f"**{len(assessed)}** of {len(records)} selected countries assessed"
             + (f"; {failed} could not be assessed (see above)." if failed else "."),
             md_table(["Cooperation level", "Countries", "Share", "Which"], "lrrl", rows),
             f"Return decisions issued to nationals of the assessed countries: **{decisions:,}** "
             "(Eurostat `migr_eiord`, all reporting states). Shares are of the assessed countries."]
    return "\n\n".join(parts) + "\n"


SHOWN_PAGES = 8  # synthetic pages named per edition in the mixed-site warning; the rest are counted


def page_marks(records: list[dict]) -> dict[str, bool]:
    """Each assessed country's page: True when its results say it is built on synthetic inputs."""
    return {r["country"]: bool(r["public"].get("synthetic_label")) for r in records if r["ok"]}


def synthetic_label(run: dict, records: list[dict]) -> str:
    """The synthetic set's label, as the run or a page's results file gives it."""
    labels = [r["public"]["synthetic_label"] for r in records if r["ok"] and r["public"].get("synthetic_label")]
    return md_escape(run.get("synthetic_label") or next(iter(labels), "") or "Synthetic confidential inputs")


def synthetic_pages_text(marks: dict[int, dict[str, bool]]) -> str:
    """'edition 2016: Iraq (IQ); edition 2015: all 3 countries': the synthetic pages, latest first."""
    parts = []
    for year in sorted(marks, reverse=True):
        codes = sorted(c for c, synthetic in marks[year].items() if synthetic)
        if not codes:
            continue
        named = [f"{md_escape(country_name(c))} ({c})" for c in codes[:SHOWN_PAGES]]
        more = f" and {len(codes) - SHOWN_PAGES} more" if len(codes) > SHOWN_PAGES else ""
        shown = f"all {len(codes)} countries" if len(codes) == len(marks[year]) > 1 else ", ".join(named) + more
        parts.append(f"edition {year}: {shown}")
    return "; ".join(parts)


def synthetic_warning(run: dict, records: list[dict], earlier: dict[int, dict[str, bool]] | None = None) -> str:
    """The site's warning: every page illustrative, or, when the site mixes pages built on real and on
    synthetic confidential inputs (in this edition or across the editions it shows), which are which."""
    year = run.get("edition", {}).get("data_year")
    marks = {**(earlier or {}), year: page_marks(records)}
    flags = [flag for pages in marks.values() for flag in pages.values()]
    label = synthetic_label(run, records)
    if any(flags) and not all(flags):
        return ("::: {.callout-warning}\n## Real and synthetic pages\n\n"
                "This site mixes pages built on the Member States' real confidential inputs with pages "
                f"built on synthetic ones ({label}). Synthetic: {synthetic_pages_text(marks)}. Each of "
                "these pages says so in a banner at its top: its ratings and levels are illustrative and are "
                "not the Commission's assessment. Figures carried from a synthetic page into another "
                "edition's pages (Across editions, what changed since an earlier edition) are marked "
                "synthetic.\n:::")
    if not (run.get("synthetic_confidential") or any(flags)):
        return ""
    return ("::: {.callout-warning}\n## Illustrative data\n\n"
            f"{label}. The confidential inputs of this run (Member States' readmission statistics "
            "and questionnaire answers) are synthetic: every rating and level that depends on them "
            "is illustrative and is not the Commission's assessment.\n:::")


def run_status_md(run: dict, records: list[dict], earlier: dict[int, dict[str, bool]] | None = None) -> str:
    """The synthetic-data warning and the countries that could not be assessed, if any: on a public
    site the step that failed and its restricted log, never the error's text (country_records)."""
    failed = [r for r in records if not r["ok"]]
    if failed:
        items = "\n".join(f"- {md_escape(r['name'])} ({r['country']}): {md_escape(r['error']) or 'no error recorded'}"
                          for r in failed)
        status = ("::: {.callout-important}\n## Countries not assessed in this run\n\n"
                  f"{items}\n\nTheir pages say so; they are left out of the key figures.\n:::")
    else:
        status = f"All {len(records)} selected countries were assessed in this run."
    return "\n\n".join(part for part in (synthetic_warning(run, records, earlier), status) if part) + "\n"


def source_of(file: str) -> str:
    return next((who for prefix, who in SOURCES if file.startswith(prefix)), "see the file's .meta.yml")


def sources_md(run: dict) -> str:
    """The edition and each public input file with its origin, last update, rows and SHA-256."""
    rows = pd.DataFrame([{"file": i["file"], "source": source_of(i["file"]), "origin": i.get("origin"),
                          "last_update": i.get("last_update"), "rows": i.get("rows"), "sha256": i.get("sha256")}
                         for i in sorted(run.get("inputs", []), key=lambda i: i["file"])])
    confidential = ("synthetic in this run: " + md_escape(run.get("synthetic_label") or "illustrative values")
                    if run.get("synthetic_confidential") else "confidential, not published")
    parts = ["Edition: " + edition_line(run.get("edition", {})),
             raw_block(table_html(rows, "sources", "Input files with their SHA-256 checksums"))
             if not rows.empty else "No input manifest was recorded for this run.",
             f"Member States' readmission statistics and questionnaire answers: {confidential}."]
    return "\n\n".join(parts) + "\n"


def downloads_md(tree: OutputTree, records: list[dict]) -> str:
    """Each country's page and results files (JSON with provenance, tidy CSV), as present."""
    rows = []
    for r in records:
        files = [f"[{kind}]({page_link(tree.year, r['country'], ext)})"
                 for kind, ext in (("JSON", "json"), ("CSV", "csv"))
                 if r["ok"] and (tree.countries / f"{r['country']}.{ext}").exists()]
        status = "assessed" if r["ok"] else "not assessed"
        rows.append([f"[{md_escape(r['name'])}]({page_link(tree.year, r['country'])})", r["country"], status,
                     " · ".join(files) or "–"])
    return md_table(["Country", "Code", "Status", "Results"], "llll", rows) + "\n"


def write_site_sources(tree: OutputTree, run: dict, earlier: dict[int, dict[str, bool]] | None = None) -> list[Path]:
    """Write the run-specific includes under the audience's _generated/ (deterministic, atomic);
    `earlier`: the other editions' pages the site shows, each marked synthetic or not (page_marks)."""
    records = country_records(tree, run)
    texts = {"key-figures.md": key_figures_md(run, records), "run-status.md": run_status_md(run, records, earlier),
             "sources.md": sources_md(run), "downloads.md": downloads_md(tree, records)}
    paths = []
    for name, text in texts.items():
        path = tree.generated / name
        write_text_atomic(path, text)
        paths.append(path)
    return paths


def editions_md(trees: list[OutputTree]) -> str:
    """Every edition of the site, latest first, with its findings page and its countries."""
    rows = []
    for tree in sorted(trees, key=lambda t: t.year, reverse=True):
        run = json.loads(tree.run_file.read_text(encoding="utf-8"))
        edition, countries = run.get("edition", {}), run.get("countries", [])
        assessed = sum(1 for c in countries if c.get("ok"))
        findings = findings_link(tree.year)
        rows.append([f"[{md_escape(edition.get('label') or tree.year)}]({findings})", str(tree.year),
                     str(edition.get("selection_year", "")), f"{assessed} of {len(countries)}"])
    return md_table(["Edition", "Data year", "Selected on", "Countries assessed"], "lrrr", rows) + "\n"


def selection_md(trees: list[OutputTree]) -> str:
    """Per edition, latest first: its reporting states (EU+), their legal basis, and the countries
    whose selection depends on counting the United Kingdom among them."""
    rows, bases = [], {}
    for tree in sorted(trees, key=lambda t: t.year, reverse=True):
        path = tree.project.edition_results(tree.year) / "selection.json"
        if not path.exists():
            continue
        record = json.loads(path.read_text(encoding="utf-8"))
        uk = record.get("depends_on_uk") or {}
        names = lambda codes: ", ".join(md_escape(country_name(c)) for c in codes) or "none"  # noqa: E731
        rows.append([str(tree.year), str(len(record.get("reporting_states", []))),
                     ", ".join(record.get("edition", {}).get("excluded_states", [])) or "none",
                     names(uk.get("leave_without", [])), names(uk.get("enter_without", []))])
        bases.setdefault(record.get("reporting_basis", ""), []).append(str(tree.year))
    if not rows:
        return "No edition's selection has been recorded yet.\n"
    table = md_table(["Edition", "Reporting states (EU+)", "Left out by the edition's settings",
                      "Selected only with the United Kingdom", "Selected only without it"], "lrlll", rows)
    basis = "\n\n".join(f"Reporting states of edition {', '.join(years)}: {md_escape(text)}."
                         for text, years in bases.items() if text)
    return f"{table}\n\n{basis}\n"


def write_latest_site_sources(tree: OutputTree) -> list[Path]:
    """The includes of the audience's site: the latest edition's figures and the list of editions."""
    years = sorted(set(published_editions(tree.project, tree.audience)) | {tree.year})
    trees = [OutputTree(tree.project, y, tree.audience) for y in years] if tree.audience == "public" else [tree]
    latest = trees[-1]
    published = [t for t in trees if t.run_file.exists()]
    earlier = {t.year: page_marks(country_records(t, json.loads(t.run_file.read_text(encoding="utf-8"))))
               for t in published if t is not latest}
    paths = write_site_sources(latest, json.loads(latest.run_file.read_text(encoding="utf-8")), earlier)
    extra = {"editions.md": editions_md(published), "audit.md": audit_md(published),
             SITE_METADATA: yaml.safe_dump(site_metadata(latest.year, tree.audience, load_method(tree.project)),
                                           sort_keys=False, allow_unicode=True),
             "designations.md": designations_md(), "selection.md": selection_md(published),
             "disclosure.md": disclosure_md(load_method(tree.project))}
    for name, text in extra.items():
        write_text_atomic(latest.generated / name, text)
    return paths + [latest.generated / name for name in extra]


def audit_md(trees: list[OutputTree]) -> str:
    """Per edition, latest first: every country's method level, assessed level and sign-off."""
    parts = []
    for tree in sorted(trees, key=lambda t: t.year, reverse=True):
        table = audit_rows(tree.project, tree)
        rows = [[md_escape(r.name), r.country, md_escape(r.method_level), md_escape(r.assessed_level),
                 r.status, md_escape(f"{r.assessed_by} {r.assessed_on}".strip()) or "–",
                 md_escape(f"{r.reviewed_by} {r.reviewed_on}".strip()) or "–",
                 f"`{r.entry}`" if r.entry else "–", f"`{r.commit}`" if r.commit else "–"]
                for r in table.sort_values(["name", "country"]).itertuples()]
        signed = int((table["status"] == "reviewed").sum())
        parts += [f"### Edition {tree.year}", f"{signed} of {len(table)} countries signed off by a reviewer.",
                  md_table(["Country", "Code", "Method's level", "Assessed level", "Status", "Assessed",
                            "Reviewed", "Entry (sha256)", "Commit"], "lllllllll", rows)]
    return "\n\n".join(parts) + "\n"


def failure_notebook(country: str, name: str, year: int, error: str = "") -> nbformat.NotebookNode:
    """The page of a country whose run failed: its front matter says level "failed", then the step
    that failed and its restricted log; `error`, the exception's text, only on a restricted page."""
    matter = {"title": page_title(name, year), "country-name": name, "country": country, "edition": year,
              "level": FAILED,
              "subtitle": "Not assessed in this run"}
    if country in DESIGNATION_FOOTNOTES:
        matter["description"] = DESIGNATION_FOOTNOTES[country]
    text = (f"**{md_escape(name)} ({country}) could not be assessed in this run.**\n\n"
            f"The step that failed: the calculation of this country's page (`notebooks/country.ipynb`, "
            f"country {country}, edition {year}).\n\n"
            + (f"The error that stopped it: {md_escape(error)}\n\n" if error else "")
            + f"Authorised readers find the error in the run's restricted log, `{log_reference(year, country)}` "
            "(not published).")
    front, body = front_matter_cell(matter), nbformat.v4.new_markdown_cell(text)
    front["id"], body["id"] = "front-matter", "failure"  # fixed ids: the file is byte-identical per run
    nb = nbformat.v4.new_notebook(cells=[front, body])
    nb.metadata = {"kernelspec": dict(KERNELSPEC), "language_info": {"name": "python"}}
    return nb
