"""Both sites of a small project (three countries, editions 2015 and 2016) rendered with real Quarto.

These tests run wherever `quarto` is on PATH (README: "Quarto"); elsewhere they skip, saying why.
The stand-in Quarto of the other tests writes text, not Quarto's HTML: menus, links resolved by
Quarto, titles and warnings can only be checked here.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import SELECTED, active_project
from readmission.run.edition_run import RunRequest, run_edition
from readmission.settings.params import load_edition
from readmission.publish.site import render
from readmission.publish.site_links import broken_links

pytestmark = pytest.mark.skipif(
    shutil.which("quarto") is None,
    reason="quarto is not on PATH: build it as ../shared/notes/quarto-from-source.md says, or install "
           "it from conda-forge (environment.yml), then these real-render tests run")

EDITION_2015 = "data_year: 2015\nselection_year: 2014\nthreshold: 5000\nreference_date: 2015-12-31\n"


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    """Editions 2015 and 2016 run for the public, 2016 for the restricted audience, both rendered."""
    with active_project(tmp_path_factory, "rendered") as (project, _):
        (project.params / "editions" / "2015.yml").write_text(EDITION_2015)
        for year, audience in ((2015, "public"), (2016, "public"), (2016, "restricted")):
            report = run_edition(project, RunRequest(load_edition(year, project), audience, 2, False, True))
            assert report.ok, report
        public = render(project)
        restricted = render(project, audience="restricted", year=2016)
        yield project, public, restricted


def html(site, rel: str) -> str:
    return (site / rel).read_text(encoding="utf-8")


def title(page: str) -> str:
    return re.search(r"<title>(.*?)</title>", page, re.S).group(1)


def table_years(page: str, table_id: str) -> set[int]:
    """The years in the first column of the table with this id."""
    table = re.search(rf'<div id="table-{table_id}".*?</table>', page, re.S)
    assert table, f"no table {table_id}"
    return {int(y) for y in re.findall(r"<t[hd][^>]*>\s*((?:19|20)\d\d)\s*</t[hd]>", table.group(0))}


def test_both_sites_publish_with_no_warning_and_no_broken_link(sites):
    project, public, restricted = sites
    assert public.site == project.root / "_site" and restricted.site == project.restricted_site
    for rendered in (public, restricted):
        assert (rendered.site / "index.html").is_file()
        assert rendered.warnings == [], rendered.warnings
        assert broken_links(rendered.site) == []


def test_the_findings_menu_entry_and_the_edition_links_resolve_in_both_sites(sites):
    _, public, restricted = sites
    for rendered in (public, restricted):
        home = html(rendered.site, "index.html")
        assert 'href="./notebooks/findings/2016.html"' in home  # the menu's Findings: the latest edition
        assert (rendered.site / "notebooks" / "findings" / "2016.html").is_file()
        assert not (rendered.site / "notebooks" / "executed").exists()  # one address per Findings page
    assert (public.site / "notebooks" / "findings" / "2015.html").is_file()
    assert 'href="./candidates.html"' in html(restricted.site, "index.html")
    assert "candidates.html" not in html(public.site, "index.html")


def test_earlier_editions_are_links_in_public_and_named_in_restricted_pages(sites):
    _, public, restricted = sites
    page = "notebooks/countries/2016/IQ.html"
    assert 'href="../../../notebooks/countries/2015/IQ.html"' in html(public.site, page)
    shown = html(restricted.site, page)
    assert "in earlier editions: 2015 (their pages are in the public report)" in shown
    assert "countries/2015/IQ" not in shown


def test_every_title_names_its_edition(sites):
    _, public, restricted = sites
    for year in (2015, 2016):
        assert title(html(public.site, f"notebooks/countries/{year}/IQ.html")).startswith(f"Iraq, {year} edition")
        assert title(html(public.site, f"notebooks/findings/{year}.html")).startswith(f"Findings, {year} edition")
    assert title(html(restricted.site, "notebooks/countries/2016/IQ.html")).startswith("Iraq, 2016 edition")


def test_an_edition_shows_no_year_after_its_data_year(sites):
    _, public, _ = sites
    for code in SELECTED:
        page = html(public.site, f"notebooks/countries/2015/{code}.html")
        assert max(table_years(page, "trend")) == 2015, code


def test_the_method_settings_are_a_declared_download(sites):
    _, public, restricted = sites
    for rendered in (public, restricted):
        assert (rendered.site / "params" / "method.yml").is_file()
        assert 'href="params/method.yml"' in html(rendered.site, "methodology.html")


def test_every_restricted_page_is_marked_and_no_public_page_is(sites):
    _, public, restricted = sites
    for page in restricted.site.rglob("*.html"):
        assert "RESTRICTED: per-Member-State confidential values" in page.read_text(encoding="utf-8"), page
    assert not any("RESTRICTED: per-Member-State" in p.read_text(encoding="utf-8")
                   for p in public.site.rglob("*.html"))


SITE_CHECK = Path(__file__).resolve().parents[1] / "tools" / "site-check"
PUBLIC_PAGES = ["index.html", "countries.html", "methodology.html", "audit.html", "notebooks/findings/2016.html",
                "notebooks/findings/2015.html", "notebooks/countries/2016/IQ.html", "notebooks/countries/2015/IQ.html"]
RESTRICTED_PAGES = ["index.html", "candidates.html", "notebooks/countries/2016/IQ.html", "notebooks/findings/2016.html"]


@pytest.mark.skipif(shutil.which("node") is None or shutil.which("chromium") is None
                    or not (SITE_CHECK / "node_modules" / "axe-core").is_dir(),
                    reason="the browser check needs node, Debian's chromium and `npm ci --prefix tools/site-check` "
                           "(`make site-check` installs the npm part)")
@pytest.mark.parametrize("audience", ["public", "restricted"])
def test_a_browser_meets_no_other_host_no_console_error_and_no_axe_violation(sites, audience):
    _, public, restricted = sites
    site, pages = (public.site, PUBLIC_PAGES) if audience == "public" else (restricted.site, RESTRICTED_PAGES)
    result = subprocess.run(["node", str(SITE_CHECK / "check.mjs"), str(site), *pages],
                            capture_output=True, text=True, timeout=600)
    report = json.loads(result.stdout)
    problems = {p["page"]: {k: v for k, v in p.items() if k != "page" and v} for p in report["pages"]}
    assert {page: found for page, found in problems.items() if found} == {}, result.stderr
    assert result.returncode == 0 and len(report["pages"]) == len(pages)


def reader_text(page) -> str:
    """What a reader reads of a page: its text without tags, scripts, styles or code."""
    text = page.read_text(encoding="utf-8")
    text = re.sub(r"<(script|style|code|pre)\b.*?</\1>", " ", text, flags=re.S)
    text = re.sub(r"<details\b.*?</details>", " ", text, flags=re.S)  # folded "How this was computed"
    return re.sub(r"<[^>]+>", " ", text)


def test_reader_prose_holds_no_setting_key_path_or_command(sites):
    from readmission.method.vocabulary import SETTINGS

    _, public, restricted = sites
    words = [*SETTINGS, "params/", "data/reference", "readmission run", "readmission render",
             "--require-signoff", "offline default", "reviewed_by"]
    for rendered in (public, restricted):
        for page in sorted(rendered.site.rglob("*.html")):
            found = [w for w in words if w in reader_text(page)]
            assert found == [], (page.relative_to(rendered.site).as_posix(), found)


def test_the_candidates_page_compares_with_the_earlier_public_edition(sites):
    _, _, restricted = sites
    page = reader_text(restricted.site / "candidates.html")
    assert "Compared with edition 2015" in page and "No earlier edition" not in page


def test_the_site_has_a_favicon(sites):
    _, public, restricted = sites
    for rendered in (public, restricted):
        assert (rendered.site / "favicon.svg").is_file()
        assert 'rel="icon"' in html(rendered.site, "index.html")
