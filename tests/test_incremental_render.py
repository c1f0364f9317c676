"""The public render renders again only what changed (publish/render_plan.py), and the site it gives
is the site a full render gives after the same change, file by file."""

from __future__ import annotations

import filecmp
import json
import shutil
import time
from pathlib import Path

import pytest

from conftest import active_project, run_fixture
from readmission.base.paths import Project
from readmission.publish.render_plan import plan_render, write_record
from readmission.publish.site import render, render_record

QUARTO = shutil.which("quarto")
needs_quarto = pytest.mark.skipif(
    QUARTO is None, reason="quarto is not on PATH: build it as ../shared/notes/quarto-from-source.md says, "
                           "or install it from conda-forge (environment.yml), then this test runs")

# Files that may differ between a full and an incremental render of the same sources, one by one,
# with why. Empty: with its search entries pruned first and put back in a full render's order
# (search_index.py), and the listing rendered after the pages it lists, the subset render writes
# every file as a full render does (Quarto 1.11, this project; both renders read one source tree,
# since the listing shows each page's modification time).
ALLOWED_DIFFERENCES: dict[str, str] = {}


def site_files(site: Path) -> set[str]:
    return {str(p.relative_to(site)) for p in site.rglob("*") if p.is_file()}


def differences(full: Path, incremental: Path) -> dict[str, str]:
    """Every file present in one site only, or with other bytes, named with what differs."""
    a, b = site_files(full), site_files(incremental)
    found = {name: "only in the full render" for name in a - b}
    found |= {name: "only in the incremental render" for name in b - a}
    found |= {name: "different bytes" for name in a & b
              if not filecmp.cmp(full / name, incremental / name, shallow=False)}
    return found


# ---- the plan, without Quarto ----

def small_site(root: Path) -> None:
    (root / "_quarto.yml").write_text("project:\n  type: website\n  render: [index.qmd, a.qmd, b.qmd]\n")
    (root / "index.qmd").write_text("---\ntitle: Home\nlisting:\n  contents: /[ab].qmd\n---\n")
    (root / "a.qmd").write_text("---\ntitle: A\n---\n{{< include notebooks/_generated/a.md >}}\n")
    (root / "b.qmd").write_text("---\ntitle: B\n---\nb\n")
    Project(root).generated.mkdir(parents=True)
    (Project(root).generated / "a.md").write_text("alpha\n")
    (root / "_site").mkdir()
    (root / "_site" / "index.html").write_text("<html></html>")
    (root / ".quarto").mkdir()


@pytest.fixture
def planned(tmp_path):
    from readmission.base.paths import Project

    small_site(tmp_path)
    project = Project(tmp_path)
    record = tmp_path / "data" / "cache" / "render" / "public.json"
    return project, record, tmp_path / "_site"


def test_a_site_with_no_record_is_rendered_whole(planned):
    project, record, site = planned
    plan = plan_render(project, "true", record, site)
    assert plan.full and not plan.changed and sorted(plan.pages) == ["a.qmd", "b.qmd", "index.qmd"]


def test_unchanged_sources_render_nothing_and_a_changed_include_renders_its_page_and_the_listing(planned):
    project, record, site = planned
    write_record(record, plan_render(project, "true", record, site), site)
    assert plan_render(project, "true", record, site).nothing
    (project.generated / "a.md").write_text("alpha, revised\n")
    plan = plan_render(project, "true", record, site)
    assert not plan.full and plan.changed == ["a.qmd"] and plan.why == {"a.qmd": "changed: page sources"}
    assert plan.listings == ["index.qmd"], "no listing cache: the page listing a.qmd is rendered after it"
    cache = project.root / ".quarto" / "listing" / "listing-cache.json"
    cache.parent.mkdir(parents=True)
    cache.write_text("{}")
    assert plan_render(project, "true", record, site).listings == [], "Quarto adds it to a.qmd's pass"


def test_beyond_twenty_changed_pages_one_full_render_is_quicker(planned):
    project, record, site = planned
    for i in range(21):
        (project.root / f"p{i}.qmd").write_text(f"---\ntitle: P{i}\n---\n")
    (project.root / "_quarto.yml").write_text("project:\n  type: website\n  render: [index.qmd, a.qmd, b.qmd, p*.qmd]\n")
    write_record(record, plan_render(project, "true", record, site), site)
    for i in range(21):
        (project.root / f"p{i}.qmd").write_text(f"---\ntitle: P{i}, revised\n---\n")
    assert "21 pages changed" in plan_render(project, "true", record, site).full


def test_a_record_of_keys_alone_from_an_earlier_version_renders_only_changed_pages(planned):
    """Records written before the pages' inputs were kept beside their keys still spare unchanged pages."""
    project, record, site = planned
    write_record(record, plan_render(project, "true", record, site), site)
    content = json.loads(record.read_text(encoding="utf-8"))
    content["pages"] = {page: entry["key"] for page, entry in content["pages"].items()}
    record.write_text(json.dumps(content), encoding="utf-8")
    assert plan_render(project, "true", record, site).nothing
    (project.generated / "a.md").write_text("alpha, revised\n")
    plan = plan_render(project, "true", record, site)
    assert plan.changed == ["a.qmd"] and plan.why == {"a.qmd": "no record of its inputs from an earlier run"}


def test_the_search_index_loses_a_page_s_entries_and_takes_a_full_render_s_order(tmp_path):
    from readmission.publish import search_index

    pages = ["index.html", "a.html", "b.html", "c.html"]
    assert search_index.full_render_order(pages) == ["c.html", "a.html", "index.html", "b.html"]
    entries = [{"href": "a.html", "title": "A"}, {"href": "a.html#old-heading", "title": "gone"},
               {"href": "index.html", "title": "Home"}, {"href": "b.html", "title": "B"},
               {"href": "c.html", "title": "C"}]
    (tmp_path / "search.json").write_text(json.dumps(entries))
    search_index.prune(tmp_path, ["a.html"])
    assert [e["href"] for e in json.loads((tmp_path / "search.json").read_text())] == ["index.html", "b.html", "c.html"]
    search_index.reorder(tmp_path, pages)
    assert [e["href"] for e in json.loads((tmp_path / "search.json").read_text())] == ["c.html", "index.html", "b.html"]
    with pytest.raises(ValueError, match="z.html"):
        (tmp_path / "search.json").write_text(json.dumps([{"href": "z.html"}]))
        search_index.reorder(tmp_path, pages)


@pytest.mark.parametrize("change, reason", [
    (lambda root: (root / "_quarto.yml").write_text((root / "_quarto.yml").read_text() + "# x\n"), "configuration"),
    (lambda root: (root / "theme.scss").write_text("$x: 1;\n"), "configuration"),
    (lambda root: (root / "_site" / "b.html").write_text("edited by hand"), "site folder changed"),
    (lambda root: shutil.rmtree(root / ".quarto"), "Quarto's index"),
])
def test_a_site_wide_change_renders_every_page(planned, change, reason):
    project, record, site = planned
    write_record(record, plan_render(project, "true", record, site), site)
    change(project.root)
    plan = plan_render(project, "true", record, site)
    assert reason in plan.full


# ---- real Quarto: incremental and full renders compared ----

def confidential_as_real(project) -> None:
    """The demo set a run wrote, used as if real (its synthetic marks cleared): a run with demo off
    reads it, and a changed row stays changed."""
    real = project.restricted / "2016"
    real.mkdir(parents=True)
    for name in ("readmission_statistics.csv", "questionnaire.csv"):
        text = (project.demo / "2016" / name).read_text(encoding="utf-8")
        (real / name).write_text(text.replace("SYNTHETIC demo value", ""), encoding="utf-8")


def change_one_country(project, country: str = "IQ") -> str:
    """One confidential row of one country changed: the state that submitted most requests for it
    now reports none of them accepted (its released acceptance rate moves, or is withheld)."""
    path = project.restricted / "2016" / "readmission_statistics.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    submitted, accepted = header.index("readmission_requests_submitted"), header.index("readmission_requests_accepted")
    rows = [(i, line.split(",")) for i, line in enumerate(lines) if line.split(",")[1] == country]
    i, fields = max(rows, key=lambda row: int(row[1][submitted] or 0))
    fields[accepted] = "0"
    lines[i] = ",".join(fields)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return country


@needs_quarto
@pytest.mark.slow
def test_an_incremental_render_gives_the_full_render_s_site(tmp_path_factory):
    with active_project(tmp_path_factory, "incremental") as (project, _):
        assert run_fixture(project).ok
        confidential_as_real(project)
        assert run_fixture(project, demo=False).ok
        first = render(project)
        assert first.rendered.startswith("every page")
        again = render(project)
        assert again.rendered.startswith("nothing"), again.rendered

        country = change_one_country(project)
        report = run_fixture(project, demo=False)
        assert report.ok and report.executed == [country], report
        before = {p: p.stat().st_mtime_ns for p in (project.root / "_site").rglob("*.html")}
        time.sleep(0.01)
        incremental = render(project)
        assert not incremental.rendered.startswith(("every", "nothing")), incremental.rendered
        page = project.root / "_site" / "notebooks" / "countries" / "2016" / f"{country}.html"
        assert page.stat().st_mtime_ns != before[page]
        kept = project.root.parent / "incremental-site"
        shutil.copytree(project.root / "_site", kept)

        render_record(project).unlink()
        full = render(project)
        assert full.rendered.startswith("every page")
        found = differences(project.root / "_site", kept)
        assert {name: why for name, why in found.items() if name not in ALLOWED_DIFFERENCES} == {}
