"""The restricted Council document (document.py, tools/site-check/print.mjs): what goes where, in which
order, with which marks; and one real print, with Chromium, of a small hand-written restricted site
(three countries, the structure of Quarto's pages: title, <main id="quarto-document-content">, tables,
a 96-dpi PNG chart). The real print skips, saying why, where node, Chromium, the npm modules, pypdf
or poppler's pdftotext are missing.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from readmission.publish import document
from readmission.publish.document import (DRAFT, MARKING, TITLE, DocumentError, Part, body_parts, build_document,
                                  check_destination, check_site, check_tools, cover_html, document_path,
                                  name_key, start_pages, text_width, toc_html)
from readmission.base.paths import OutputTree, Project

YEAR = 2016
COUNTRIES = [  # the run's order, not the document's: it sorts by name
    {"country": "TR", "name": "Türkiye", "ok": True, "status": "not reviewed", "pages": 1},
    {"country": "XK", "name": "Kosovo*", "ok": True, "status": "reviewed", "pages": 3},
    {"country": "CI", "name": "Côte d'Ivoire", "ok": True, "status": "not reviewed", "pages": 3, "wide": True},
]
BY_NAME = ["CI", "XK", "TR"]
COMMIT_DATE = "2001-02-03T04:05:06+00:00"
INPUTS = [{"file": "eurostat/migr_eiord.csv", "rows": 28545, "sha256": "ab" * 32},
          {"file": "frontex/return_operations.csv", "rows": 6477, "sha256": "cd" * 32}]
A4 = (595.3, 841.9)


# ---- a tiny restricted tree and rendered site ----

def png(width: int, height: int) -> bytes:
    """An RGB PNG of stripes (a stand-in chart, 96 dpi like the project's charts)."""
    row = b"\x00" + bytes(v for x in range(width) for v in ((x * 5) % 256, 90, 200 - x % 100))
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(row * height)) + chunk(b"IEND", b""))


def table(table_id: str, columns: int, rows: int) -> str:
    """A table as tables.py writes it: a scroll box (role=region) with its own style."""
    head = "".join(f'<th class="rm-left">Column heading number {c}</th>' for c in range(columns))
    body = "".join("<tr>" + "".join(f'<td class="rm-right">{1234567 + r * 1000 + c:,}</td>' for c in range(columns))
                   + "</tr>" for r in range(rows))
    return (f'<div id="{table_id}" role="region" tabindex="0" style="padding:10px 0;overflow-x:auto;">'
            f"<style>#{table_id} table {{ font-size: 90%; }}</style><table><caption>{table_id}</caption>"
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>")


def page(title: str, body: str, depth: int = 0) -> str:
    """A page shaped like Quarto's: navbar, sidebar and footer outside <main>, the content inside."""
    up = "../" * depth
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title} (RESTRICTED)</title>'
            f'</head><body><header id="quarto-header"><nav>NAVBAR <a href="{up}index.html">Home</a></nav></header>'
            f'<div id="quarto-content"><nav id="TOC">On this page</nav><main class="content" '
            f'id="quarto-document-content"><div class="alert" role="note">RESTRICTED: per-Member-State '
            f'confidential values.</div><h1 class="title">{title}</h1>{body}</main></div>'
            f'<footer class="nav-footer">FOOTER</footer></body></html>')


def country_page(entry: dict) -> str:
    filler = "<p>" + "Readmission indicators and their context, per reporting state. " * 40 + "</p>"
    body = [f'<p><img src="{entry["country"]}_files/chart.png" alt="chart"></p>', table("table-trend", 5, 6)]
    body += [filler] * (entry["pages"] * 4)
    if entry.get("wide"):
        body.append(table("table-answers", 18, 4))  # too wide for portrait, even at 6.5 pt
    if entry["country"] == "XK":
        body.append("<p>*This designation is without prejudice to positions on status.</p>")
    return page(f"{entry['name']}, {YEAR} edition", "".join(body), depth=3)


def make_restricted(root: Path) -> Project:
    """A project holding a restricted run record, results files and the rendered restricted site."""
    project = Project(root)
    tree = OutputTree(project, YEAR, "restricted")
    site = Project(root).restricted_site
    tree.run_file.parent.mkdir(parents=True)
    tree.run_file.write_text(json.dumps({
        "audience": "restricted", "edition": {"data_year": YEAR, "label": "Data year 2016 (test)",
                                              "reference_date": "2016-12-31", "selection_year": 2015,
                                              "threshold": 1000},
        "inputs": INPUTS, "synthetic_confidential": True, "synthetic_label": "ILLUSTRATIVE, SYNTHETIC DATA",
        "countries": [{k: c[k] for k in ("country", "name", "ok")} | {"error": ""} for c in COUNTRIES]}))
    folder = site / "notebooks" / "countries" / str(YEAR)
    (folder).mkdir(parents=True)
    for c in COUNTRIES:
        results = json.dumps({"public": {"name": c["name"], "level": "works well with most Member States",
                                         "assessment": {"status": c["status"], "analyst_entry": False}}})
        (tree.countries / f"{c['country']}.json").write_text(results)
        (folder / f"{c['country']}.json").write_text(results)
        (folder / f"{c['country']}.html").write_text(country_page(c), encoding="utf-8")
        (folder / f"{c['country']}_files").mkdir()
        (folder / f"{c['country']}_files" / "chart.png").write_bytes(png(720, 384))
    (site / "notebooks" / "findings").mkdir(parents=True)
    (site / "notebooks" / "findings" / f"{YEAR}.html").write_text(
        page(f"Findings, {YEAR} edition", table("table-levels", 3, 3), depth=2), encoding="utf-8")
    (site / "methodology.html").write_text(page("Methodology", "<p>Disclosure rules.</p>"), encoding="utf-8")
    (site / "candidates.html").write_text(page("Article 25a(5) and (8) candidates", table("table-c", 6, 4)),
                                          encoding="utf-8")
    return project


def commit_all(root: Path) -> None:
    """A git checkout whose HEAD was committed on COMMIT_DATE (the cover's date comes from it)."""
    env = {**os.environ, "GIT_COMMITTER_DATE": COMMIT_DATE, "GIT_AUTHOR_DATE": COMMIT_DATE}
    for args in (["init", "-q"], ["add", "-A"], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x"]):
        subprocess.run(["git", "-C", str(root), *args], check=True, env=env, capture_output=True)


# ---- what the document is made of (no browser) ----

def test_countries_are_sorted_by_name_ignoring_accents_case_and_the_designation_star():
    assert sorted(["Türkiye", "Kosovo*", "Côte d'Ivoire", "Cuba", "albania"], key=name_key) == \
        ["albania", "Côte d'Ivoire", "Cuba", "Kosovo*", "Türkiye"]


def test_parts_are_findings_then_countries_by_name_then_the_annex_and_drafts_are_the_unsigned():
    countries = [{k: c[k] for k in ("country", "name", "ok")} for c in COUNTRIES]
    countries.append({"country": "AF", "name": "Afghanistan", "ok": False})
    parts = body_parts(YEAR, countries, {"TR", "CI"}, {"TR": "level t"})
    assert [p.key for p in parts] == ["findings", "country-AF", "country-CI", "country-XK", "country-TR",
                                      "annex-methodology", "annex-candidates"]
    assert {p.key for p in parts if p.draft} == {"country-AF", "country-CI", "country-TR"}  # a failed one too
    assert parts[4].page == f"notebooks/countries/{YEAR}/TR.html" and parts[4].note == "level t"
    assert [p.page for p in parts[-2:]] == ["methodology.html", "candidates.html"]


def test_each_part_starts_after_the_pages_before_it():
    assert start_pages(4, [9, 1, 3]) == [4, 13, 14]


def test_the_document_goes_to_the_restricted_tree_never_under_notebooks_or_site(tmp_path):
    project = Project(tmp_path)
    assert document_path(project, YEAR) == tmp_path / "data/restricted/out/2016/document/council-2016.pdf"
    check_destination(project, document_path(project, YEAR))
    for public in ("notebooks/countries/2016/council.pdf", "_site/council.pdf"):
        with pytest.raises(DocumentError, match="refusing"):
            check_destination(project, tmp_path / public)


def test_the_cover_names_title_marking_edition_version_commit_date_and_every_input_hash():
    run = {"edition": {"data_year": 2016, "label": "L", "reference_date": "2016-12-31", "threshold": 1000,
                       "selection_year": 2015}, "inputs": INPUTS}
    facts = {"version": "v1-3-gabc", "date": "2001-02-03", "commit": "f" * 40}
    cover = cover_html(YEAR, run, facts, drafts=2, countries=3)
    for text in [TITLE.replace("'", "&#x27;"), MARKING, "2016-12-31", "v1-3-gabc", "2001-02-03", "f" * 40,
                 "ab" * 32, "cd" * 32, "1 signed off", "Council document, edition 2016"]:
        assert text in cover, text
    assert "<script" not in cover and "http" not in cover


def test_the_contents_list_every_part_with_its_page_and_the_designation_footnotes():
    parts = [Part("findings", "Findings"), Part("country-XK", "Kosovo*", "Countries", note="level x"),
             Part("annex-methodology", "A. Methodology", "Annex")]
    toc = toc_html(YEAR, parts, [3, 12, 40])
    assert re.search(r"Kosovo\*</td><td class=note>level x</td><td class=page>12<", toc)
    assert "ICJ Opinion on the Kosovo declaration" in toc and "State of Palestine" not in toc
    assert toc.index("Countries") < toc.index("Kosovo*") < toc.index("Annex")


def test_the_page_number_is_right_aligned_from_the_font_widths():
    assert text_width("page 1 of 9", 10) == pytest.approx((556 * 7 + 278 * 4) / 100)  # " " and "f" are narrow


def test_a_missing_or_stale_restricted_site_is_refused_with_the_command_to_render_it(tmp_path):
    project = make_restricted(tmp_path)
    tree = OutputTree(project, YEAR, "restricted")
    site = Project(tmp_path).restricted_site
    countries = json.loads(tree.run_file.read_text())["countries"]
    parts = body_parts(YEAR, countries, set(), {})
    check_site(site, tree, parts, countries)
    (tree.countries / "TR.json").write_text(json.dumps({"public": {"name": "Türkiye", "level": "other"}}))
    with pytest.raises(DocumentError, match="rendered from another run.*TR.*readmission render --audience "
                                            "restricted --year 2016"):
        check_site(site, tree, parts, countries)
    shutil.rmtree(site)
    with pytest.raises(DocumentError, match="render the restricted site first: readmission render "
                                            "--audience restricted --year 2016"):
        build_document(project, YEAR)


def test_a_missing_run_is_refused(tmp_path):
    with pytest.raises(DocumentError, match="readmission run --year 2016 --audience restricted"):
        build_document(Project(tmp_path), YEAR)


def test_missing_tools_are_named_with_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setattr(document.shutil, "which", lambda name: None)
    monkeypatch.setenv("CHROMIUM", str(tmp_path / "no-chromium"))
    monkeypatch.setattr(document, "PRINTER", tmp_path)
    with pytest.raises(DocumentError) as caught:
        check_tools()
    message = str(caught.value)
    assert "node, chromium, the npm modules of tools/site-check" in message
    assert "apt-get install chromium" in message and "npm ci --prefix tools/site-check" in message
    assert "\n" not in message


# ---- one real print ----

def missing_tools() -> str:
    try:
        import pypdf  # noqa: F401
    except ImportError:
        return "pypdf is not installed (pip install pypdf)"
    if shutil.which("pdftotext") is None or shutil.which("pdfimages") is None:
        return "poppler-utils is not installed (apt-get install poppler-utils)"
    try:
        check_tools()
    except DocumentError as exc:
        return str(exc)
    return ""


needs_chromium = pytest.mark.skipif(bool(missing_tools()), reason=missing_tools() or "-")


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    """The Council document of the hand-written site, and each page's text (pdftotext)."""
    from pypdf import PdfReader

    root = tmp_path_factory.mktemp("document")
    project = make_restricted(root)
    commit_all(root)
    path = build_document(project, YEAR, workers=2)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout.split("\f")[:-1]
    return project, path, PdfReader(path), text


def first_page(text: list[str], words: str) -> int:
    """The first page number (from 1) whose text holds `words`."""
    return next(i for i, t in enumerate(text, start=1) if words in t)


def country_pages(text: list[str]) -> dict[str, list[int]]:
    """Each country's pages: from its title's page to the page before the next part."""
    starts = [first_page(text, f"{c['name']}, {YEAR} edition") for c in COUNTRIES]
    ends = sorted(starts + [first_page(text, "Disclosure rules")])  # the annex's first page
    return {c["country"]: list(range(s, ends[ends.index(s) + 1])) for c, s in zip(COUNTRIES, starts)}


@needs_chromium
def test_the_pdf_opens_and_lies_in_the_restricted_tree_only(printed):
    project, path, reader, text = printed
    assert path == document_path(project, YEAR) and path.is_file()
    assert len(reader.pages) == len(text) >= 12
    assert not list(path.parent.glob(".parts-*"))  # the parts are removed
    assert not (project.root / "notebooks").exists() and not (project.root / "_site").exists()


@needs_chromium
def test_the_cover_comes_first_with_the_commit_date_and_the_inputs(printed):
    _, _, reader, text = printed
    cover = " ".join(text[0].split())
    for words in ("RESTRICTED", "Assessment of third countries' cooperation on readmission, Article 25a Visa",
                  "2001-02-03 (date of the commit)", "ab" * 32, "Reference date 2016-12-31"):
        assert words in cover, words
    assert reader.metadata["/CreationDate"].startswith("D:20010203")


@needs_chromium
def test_the_contents_name_every_country_with_the_page_it_starts_on(printed):
    _, _, _, text = printed
    toc = text[1]
    assert "Contents" in toc
    for c in COUNTRIES:
        line = next(line for line in toc.splitlines() if c["name"] in line)
        assert int(line.split()[-1]) == first_page(text, f"{c['name']}, {YEAR} edition"), line
    assert int(re.search(r"Findings\s+(\d+)", toc).group(1)) == first_page(text, f"Findings, {YEAR} edition")
    assert "ICJ Opinion on the Kosovo declaration" in " ".join(toc.split())


@needs_chromium
def test_one_section_per_country_in_name_order_then_the_annex(printed):
    _, _, _, text = printed
    starts = [first_page(text, f"{next(c['name'] for c in COUNTRIES if c['country'] == code)}, {YEAR} edition")
              for code in BY_NAME]
    assert first_page(text, f"Findings, {YEAR} edition") < starts[0] and starts == sorted(starts)
    assert starts[-1] < first_page(text, "Disclosure rules") < first_page(text, "table-c")
    assert all(sum(f"{c['name']}, {YEAR} edition" in t for t in text) == 1 for c in COUNTRIES)


@needs_chromium
def test_every_page_is_marked_restricted_and_numbered_x_of_y(printed):
    _, _, _, text = printed
    for number, page_text in enumerate(text, start=1):
        assert MARKING in page_text.split("\n", 3)[0] + page_text.rsplit("\n", 4)[-1], number  # header, footer
        assert re.findall(r"page (\d+) of (\d+)", page_text) == [(str(number), str(len(text)))], number


@needs_chromium
def test_only_the_pages_of_unsigned_countries_say_draft(printed):
    _, _, _, text = printed
    pages = country_pages(text)
    drafts = {n for c in COUNTRIES if c["status"] != "reviewed" for n in pages[c["country"]]}
    assert drafts and all(len(pages[c["country"]]) >= c["pages"] for c in COUNTRIES)
    assert {n for n, t in enumerate(text, start=1) if DRAFT in t} == drafts


@needs_chromium
def test_pages_are_a4_and_only_the_too_wide_table_turns_its_page_landscape(printed):
    _, _, reader, text = printed
    sizes = [(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages]
    assert all(s == pytest.approx(A4, abs=2) or s == pytest.approx(A4[::-1], abs=2) for s in sizes), sizes
    landscape = {n for n, s in enumerate(sizes, start=1) if s[0] > s[1]}
    assert landscape and landscape == {n for n, t in enumerate(text, start=1) if "1,234,584" in t}  # its column 17
    assert landscape <= set(country_pages(text)["CI"])
    assert "1,234,571" in text[first_page(text, "table-trend") - 1]  # a narrow table keeps its column 4, upright
    assert first_page(text, "table-trend") not in landscape


@needs_chromium
def test_charts_are_never_upscaled_and_nothing_outside_main_is_printed(printed):
    _, path, _, text = printed
    listing = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True).stdout
    charts = [line.split() for line in listing.splitlines()[2:] if line.split()[3:5] == ["720", "384"]]
    assert len(charts) == len(COUNTRIES) and all(int(c[12]) >= 96 for c in charts), charts  # x-ppi
    assert not any(word in t for t in text for word in ("NAVBAR", "FOOTER", "On this page"))


@needs_chromium
def test_a_cut_table_a_request_elsewhere_or_a_missing_file_fails_and_writes_nothing(tmp_path):
    project = make_restricted(tmp_path)
    folder = Project(tmp_path).restricted_site / "notebooks" / "countries" / str(YEAR)
    (folder / "CI.html").write_text(page("Côte d'Ivoire", table("table-answers", 60, 2), depth=3))
    (folder / "TR.html").write_text(page("Türkiye", '<img src="http://192.0.2.1/x.png" alt="x">', depth=3))
    (folder / "XK_files" / "chart.png").unlink()
    with pytest.raises(DocumentError) as caught:
        build_document(project, YEAR, workers=2)
    message = str(caught.value)
    assert "CI.html: tables too wide even on a landscape page: ['table-answers']" in message
    assert "TR.html: requests to another host refused: ['http://192.0.2.1/x.png']" in message
    assert "XK.html: files missing from the site: ['notebooks/countries/2016/XK_files/chart.png']" in message
    folder = document_path(project, YEAR).parent
    assert not document_path(project, YEAR).exists() and not list(folder.glob(".parts-*"))


@needs_chromium
def test_the_command_prints_the_document_and_says_where(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from readmission.cli import app

    project = make_restricted(tmp_path / "p")
    commit_all(project.root)
    monkeypatch.setenv("READMISSION_ROOT", str(project.root))
    done = CliRunner().invoke(app, ["document", "--year", str(YEAR)], env={"COLUMNS": "300"})
    assert done.exit_code == 0, done.output
    path = project.restricted / "out" / str(YEAR) / "document" / f"council-{YEAR}.pdf"
    assert f"Council document (RESTRICTED): {path}" in done.output and path.is_file()
    (project.restricted_site / "candidates.html").unlink()
    refused = CliRunner().invoke(app, ["document", "--year", str(YEAR)], env={"COLUMNS": "300"})
    assert refused.exit_code == 2 and "render the restricted site first" in refused.output
