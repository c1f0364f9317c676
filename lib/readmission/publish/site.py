"""Rendering the Quarto websites: the public site to `_site/`, the restricted one to `data/restricted/out/_site/`.

Quarto renders, papermill executes (`execute: enabled: false`). A render goes into a fresh folder
and is swapped in only when complete. The public render passes the publish gate (gate.py) twice:
on the files it reads, and on the rendered site, whose every file must be a declared page, a
declared resource or Quarto's own. The restricted site is rendered from its own source tree under
data/restricted/out/<year>/site/, carries a RESTRICTED banner on every page, and never goes to
`_site/`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import yaml

from .gate import check_published, gate_context, refuse_if_any
from ..base.paths import PUBLIC, RESTRICTED, OutputTree, Project, beside, published_editions, rendering
from ..base.outputs import replace_folder, write_text_atomic
from .site_checks import CONFIG, expand, load_config, render_list
from .site_sources import CANDIDATES_PAGE
from . import search_index
from .render_plan import plan_render, write_record
from .site_links import broken_links, quarto_warnings, unresolved_targets, warnings_summary
from ..method.vocabulary import setting_value, term
from ..pages.tables import raw_block, table_html
from ..method import history
from ..method.candidates import candidates
from ..settings.params import DEFAULT_EDITION, load_method
from ..method.audit import signoff_editions, unsigned

MARKER = "# readmission report site"  # the first line of our _quarto.yml
INSTALL_HINT = ("install Quarto from conda-forge (`quarto` is in environment.yml: "
                "`conda env create -f environment.yml`) or from https://quarto.org/docs/get-started/, "
                "or build it from source where neither can be reached (README, section Site); then put "
                "`quarto` on PATH")
QUARTO_OUTPUTS = ("site_libs/", "search.json", "listings.json", "sitemap.xml", "robots.txt", ".nojekyll")
BANNER_FILE = "restricted-banner.html"
SUPPORT_FILES = ("*.scss", "*.ejs", "_*.html", "*.svg")  # files of the site's root the pages need
BANNER = ('<div class="alert alert-danger text-center fw-bold" role="note" style="margin:0">'
          "RESTRICTED: per-Member-State confidential values. Not for publication.</div>\n")


class QuartoMissing(Exception):
    """`quarto` is not on PATH, so the site cannot be rendered here."""

    def __init__(self, detail: str = "quarto is not on PATH") -> None:
        super().__init__(f"{detail}: {INSTALL_HINT}")


class RenderError(Exception):
    """`quarto render` ran and failed, or was not ours to run; the message says why."""


def check_ours(root: Path) -> None:
    """Refuse a folder that is not a readmission project: rendering runs that folder's code."""
    config = root / CONFIG
    first = config.read_text(encoding="utf-8").splitlines()[:1] if config.is_file() else []
    if first != [MARKER]:
        raise RenderError(f"{root} is not a readmission project ({CONFIG} missing or not ours: its first "
                          f"line must be '{MARKER}'); nothing rendered")


def anchored_problems(project: Project) -> list[str]:
    """Every glob of the render list, and every resource, must start with '/': Quarto reads
    `a/*.json`, and even a plain `params/method.yml` resource, as `**/a/...`, which also matches
    copies inside an earlier site."""
    config = load_config(project).get("project") or {}
    globs = [e for e in config.get("render") or [] if any(ch in e for ch in "*?[")]
    return [f"{CONFIG}: '{e}' is a {'glob' if any(ch in e for ch in '*?[') else 'resource'} without a leading '/'"
            for e in globs + list(config.get("resources") or []) if not e.lstrip("!").startswith("/")]


def declared_sources(project: Project) -> list[Path]:
    """The pages and resources a public render reads, and the generated includes."""
    config = load_config(project).get("project") or {}
    found = [p for e in list(config.get("render") or []) + list(config.get("resources") or [])
             if not e.startswith("!") for p in expand(project, e)]
    generated = project.generated
    return found + ([generated] if generated.is_dir() else [])


def undeclared_outputs(project: Project, site: Path) -> list[str]:
    """Files of a rendered site that are neither a declared page or resource nor Quarto's own."""
    allowed, folders = set(), []
    for path in declared_sources(project):
        if path.is_file() and path.is_relative_to(project.root):
            rel = path.relative_to(project.root)
            allowed |= {rel.as_posix(), rel.with_suffix(".html").as_posix()}
            folders.append(rel.with_suffix("").as_posix() + "_files/")
    problems = []
    for path in sorted(site.rglob("*")):
        rel = path.relative_to(site).as_posix()
        if path.is_file() and rel not in allowed and not rel.startswith(QUARTO_OUTPUTS + tuple(folders)):
            problems.append(f"{site.name}/{rel}: not a declared page or resource")
    return problems


def rendered_site_problems(project: Project, site: Path, context=None) -> list[str]:
    """The publish gate on a rendered public site: files nobody declared, anything confidential."""
    context = context if context is not None else gate_context(project)
    return undeclared_outputs(project, site) + check_published(project, site, [site], context)


def quarto_render(exe: str, cwd: Path, output: str, pages: list[str] | None = None) -> list[str]:
    """Run `quarto render` (of `pages` only, when given: Quarto brings the listings and the search
    index up to date) into `output`; return its warnings. A failed render, or one that left a link
    Quarto could not resolve, removes `output` and raises (the previous site is kept)."""
    before = render_scratch(cwd)
    try:
        result = subprocess.run([exe, "render", *(pages or []), "--output-dir", output], cwd=cwd,
                                capture_output=True, text=True)
    except FileNotFoundError:
        raise QuartoMissing(f"{exe} not found") from None
    printed = f"{result.stdout}\n{result.stderr}"
    warnings = quarto_warnings(printed)
    if result.returncode != 0 or not (cwd / output / "index.html").exists():
        shutil.rmtree(cwd / output, ignore_errors=True)
        remove_scratch(cwd, before)
        detail = (result.stderr or result.stdout).strip()[-4000:]
        raise RenderError(f"quarto render failed (exit {result.returncode}) in {cwd}; the previous "
                          f"site is kept:\n{detail}")
    unresolved = unresolved_targets(warnings)
    if unresolved:
        shutil.rmtree(cwd / output, ignore_errors=True)
        raise RenderError(f"quarto render left {len(unresolved)} unresolved link(s) in {cwd}; nothing "
                          f"published, the previous site is kept. {warnings_summary(unresolved)}")
    return warnings


def render_scratch(cwd: Path) -> set[Path]:
    """What Quarto may leave beside the sources when a render fails half-way (a page's .html,
    its listing's JSON, site_libs/): the candidates present now, so only new ones are removed."""
    return {p for p in cwd.iterdir() if p.suffix in (".html", ".json") or p.name == "site_libs"}


def remove_scratch(cwd: Path, before: set[Path]) -> None:
    for path in render_scratch(cwd) - before:
        shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)


def gate_links(site: Path) -> None:
    """Refuse a rendered site with an internal link to no file (removing it; the old site stays)."""
    problems = broken_links(site)
    if problems:
        shutil.rmtree(site, ignore_errors=True)
        refuse_if_any(problems, "publishing the site (broken links)")


def swap_in(next_dir: Path, site: Path) -> Path:
    """Replace `site` with the finished `next_dir` (the old one is removed only after the swap)."""
    replace_folder(next_dir, site, beside(site, "old"))
    return site


@dataclass(frozen=True)
class Rendered:
    """A published site, what Quarto warned about while rendering it, and what was rendered."""

    site: Path
    warnings: list[str]
    rendered: str = "every page"  # or "n of m pages (...)", or "nothing: ..."


def render_public(project: Project, exe: str) -> Rendered:
    """Gate the sources, render what changed into _site-next (every page, or the changed ones into a
    copy of _site), gate the whole result, then swap it in as _site."""
    root = project.root
    refuse_if_any(anchored_problems(project), "render")
    context = gate_context(project)
    refuse_if_any(check_published(project, root, declared_sources(project), context), "render")
    site, record = project.site, render_record(project)
    plan = plan_render(project, exe, record, site)
    if plan.nothing:
        return Rendered(site, [], "nothing: every page's sources are those of the site's last render")
    next_dir = rendering(root)
    shutil.rmtree(next_dir, ignore_errors=True)
    warnings = quarto_render(exe, root, next_dir.name) if plan.full else render_changed(project, exe, plan, next_dir)
    try:
        refuse_if_any(rendered_site_problems(project, next_dir, context), "publishing the site")
    except Exception:
        shutil.rmtree(next_dir, ignore_errors=True)
        raise
    gate_links(next_dir)
    published = swap_in(next_dir, site)
    write_record(record, plan, published)
    shown = [f"{page}: {why}" for page, why in list(plan.why.items())[:3]] + (["..."] if len(plan.why) > 3 else [])
    what = f"every page ({plan.full})" if plan.full else \
        f"{len(plan.changed)} of {len(plan.pages)} pages ({'; '.join(shown)}), and the listings"
    return Rendered(published, warnings, what)


def render_changed(project: Project, exe: str, plan, next_dir: Path) -> list[str]:
    """The changed pages rendered into a copy of the site (a real copy: Quarto writes some files in
    place), their search entries dropped first and the index put back in a full render's order."""
    shutil.copytree(project.site, next_dir, symlinks=True)
    html = lambda page: str(Path(page).with_suffix(".html"))  # noqa: E731
    search_index.prune(next_dir, [html(p) for p in plan.changed + plan.listings])
    if plan.listings:
        project.quarto_listing_cache.unlink(missing_ok=True)
    warnings = quarto_render(exe, project.root, next_dir.name, plan.changed + plan.listings)
    search_index.reorder(next_dir, [html(p) for p in plan.pages])
    return warnings


def render_record(project: Project) -> Path:
    """What the public site's last render was made from (data/cache/: deleting it renders everything)."""
    return project.render_cache / "public.json"


def restricted_config(project: Project) -> dict:
    """The public site's configuration, marked RESTRICTED, with the banner on every page and the
    Article 25a(5)/(8) candidates page (which the public site never has; its menu entry comes
    with the restricted tree's generated site metadata)."""
    config = load_config(project)
    settings = dict(config.get("project") or {})
    settings["render"] = list(settings.get("render") or []) + [CANDIDATES_PAGE]
    website = dict(config.get("website") or {})
    website["title"] = f"{website.get('title', 'Readmission')} (RESTRICTED)"
    formats = dict(config.get("format") or {})
    html = dict(formats.get("html") or {})
    html["include-before-body"] = BANNER_FILE
    formats["html"] = html
    return {**config, "project": settings, "website": website, "format": formats}


def link_tree(source: Path, target: Path) -> None:
    """Hard-link every visible file of `source` into `target` (fresh), keeping relative paths."""
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for path in sorted(source.rglob("*")) if source.is_dir() else []:
        rel = path.relative_to(source)
        if path.is_file() and not any(part.startswith(".") for part in rel.parts):
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            os.link(path, target / rel)


def build_restricted_sources(project: Project, year: int) -> Path:
    """The restricted site's Quarto project: the public pages' sources, the restricted outputs."""
    tree = OutputTree(project, year, RESTRICTED)
    if not tree.summary.exists():
        raise RenderError(f"no restricted run for {year} in {tree.restricted_root}: run "
                          f"`readmission run --year {year} --audience restricted` first")
    src = tree.site_sources
    for entry in render_list(project) + list((load_config(project).get("project") or {}).get("resources") or []):
        for path in expand(project, entry):
            rel = path.relative_to(project.root)
            if not path.is_relative_to(project.notebooks):  # pages and resources beside them; notebooks come below
                (src / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, src / rel)
    for pattern in SUPPORT_FILES:  # the theme, includes, the listing's template, beside the pages
        for path in project.root.glob(pattern):
            shutil.copy2(path, src / path.name)
    write_text_atomic(src / CONFIG, MARKER + "\n" + yaml.safe_dump(restricted_config(project), sort_keys=False))
    write_text_atomic(src / BANNER_FILE, BANNER)
    write_text_atomic(src / CANDIDATES_PAGE, candidates_page(project, year))
    public = OutputTree(project, year, PUBLIC)
    link_tree(tree.countries, src / public.countries.relative_to(project.root))
    summary = src / public.summary.relative_to(project.root)
    summary.parent.mkdir(parents=True, exist_ok=True)
    summary.unlink(missing_ok=True)
    os.link(tree.summary, summary)
    return src


EVIDENCE_TABLES = (  # one candidate list in two tables that fit the page: figures, then context
    ("figures", "levels and indicators", ["name", "share_states_poor", "share_states_good",
                                          "states_rating_poor", "return_decisions", "eu_return_rate",
                                          "acceptance_rate", "issuance_rate", "mean_answer"]),
    ("context", "trend and context", ["name", "trend", "main_obstacles", "instrument", "rcms", "measures"]))


def candidate_tables(frame, table_id: str, caption: str) -> str:
    """A candidate list, in the order of its rule, as two tables that share it (or 'None')."""
    if frame.empty:
        return "None in this edition."
    return "\n\n".join(raw_block(table_html(frame[columns], f"{table_id}-{part}", f"{caption}: {what}"))
                        for part, what, columns in EVIDENCE_TABLES)


def candidates_page(project: Project, year: int) -> str:
    """The restricted site's page of Article 25a(5) and (8) candidates, with the evidence for each.
    Earlier editions come from the public history (levels and EU-level figures are published);
    the page says when there is no earlier edition to compare with."""
    rules = load_method(project).candidates
    earlier = history.load_history(project, year - 1, PUBLIC)
    current = history.read_edition(project, year, RESTRICTED)
    restrictive, favourable = candidates(current, earlier + [current], rules)
    compared = (f"Compared with edition {earlier[-1].year}, the latest earlier edition run in this project "
                f"(public results; editions available: {', '.join(str(r.year) for r in earlier)})."
                if earlier else "**No earlier edition has been run in this project, so no improvement can "
                "be measured and no country can be an Article 25a(8) candidate in this edition.** Run an "
                "earlier edition to compare with.")
    return "\n\n".join([
        "---\ntitle: \"Article 25a(5) and (8) candidates\"\n---",
        f"Edition {year}. RESTRICTED: this page exists only in the restricted report.",
        "## Article 25a(5): cooperation not sufficient",
        "Countries whose assessed level is *needs to be improved with most Member States*, ordered by "
        f"{order_words(rules['restrictive_order'])}.",
        candidate_tables(restrictive, "candidates-5", f"Article 25a(5) candidates, edition {year}"),
        "## Article 25a(8): cooperation works well and is improving",
        "Countries whose assessed level is *works well with most Member States* and that improved since "
        "the previous edition (a better assessed level, or an EU+ effective return rate up by at least "
        f"{setting_value('improving_rate_change', rules['improving_rate_change'])}), ordered by "
        f"{order_words(rules['favourable_order'])}.",
        compared,
        candidate_tables(favourable, "candidates-8", f"Article 25a(8) candidates, edition {year}")]) + "\n"


def order_words(order: list[str]) -> str:
    """A candidates rule in words: 'share of rated states rating it poor (highest first), then ...'."""
    def words(label: str) -> str:  # "Share of ..." -> "share of ...", "EU+ ..." stays
        return label if label[:2].isupper() else label[0].lower() + label[1:]

    return ", then ".join(f"{words(term(field).label)} ({'highest' if way == 'desc' else 'lowest'} first)"
                          for field, way in (entry.split() for entry in order))


def render_restricted(project: Project, year: int, exe: str) -> Rendered:
    """Render the restricted site from its own sources into data/restricted/out/_site/ (never _site)."""
    src = build_restricted_sources(project, year)
    next_dir = rendering(src)
    shutil.rmtree(next_dir, ignore_errors=True)
    warnings = quarto_render(exe, src, next_dir.name)
    gate_links(next_dir)
    return Rendered(swap_in(next_dir, project.restricted_site), warnings)


def check_signoff(project: Project, audience: str, year: int | None) -> None:
    """Refuse to publish while a country of an edition that must be signed off (the restricted
    site's edition; on the public site those of params/publication.yml) has no reviewer's sign-off."""
    years = [year] if audience == RESTRICTED and year else \
        signoff_editions(project, published_editions(project, audience))
    missing = unsigned(project, audience, years) if years else {}
    if missing:
        listed = "; ".join(f"edition {y}: {', '.join(codes)}" for y, codes in sorted(missing.items()))
        raise RenderError(f"--require-signoff: {sum(map(len, missing.values()))} countries lack "
                          f"reviewed_by/reviewed_on in params/countries/<CODE>.yml ({listed}); nothing rendered")


def render(project: Project, quarto: str | None = None, audience: str = PUBLIC,
           year: int | None = None, require_signoff: bool = False) -> Rendered:
    """Render one audience's site; a failed or refused render publishes nothing."""
    check_ours(project.root)
    if require_signoff:
        check_signoff(project, audience, year)
    exe = quarto or shutil.which("quarto")
    if exe is None:
        raise QuartoMissing()
    if audience == RESTRICTED:
        return render_restricted(project, year or DEFAULT_EDITION, exe)
    if not published_editions(project, PUBLIC):
        raise RenderError("nothing to render yet: no edition has been run for the public site; run "
                          "`readmission run --year 2016 --demo` (or `make report`) first")
    return render_public(project, exe)
