"""The Quarto site: its configuration, the generated includes, the checks before rendering, the render."""

from __future__ import annotations

import fnmatch
import random
import shutil
from pathlib import Path

import nbformat
import pytest
import yaml

from readmission.pages.front_matter import front_matter_cell
from readmission.base.outputs import write_json
from readmission.base.codes import KOSOVO_FOOTNOTE
from readmission.base.paths import OutputTree, Project
from readmission.publish.site import QuartoMissing, anchored_problems, render
from readmission.publish.site_checks import check_site as check_year, site_pages
from readmission.publish.site_sources import failure_notebook, write_latest_site_sources, write_site_sources

REPO = Path(__file__).resolve().parents[1]
PAGES = ["_quarto.yml", "theme.scss", "index.qmd", "methodology.qmd", "countries.qmd", "audit.qmd",
         "_scroll-boxes.html", "favicon.svg", "countries-listing.ejs"]
SYNTHETIC = "ILLUSTRATIVE, SYNTHETIC DATA - not real Member State answers"
EDITION = {"data_year": 2016, "label": "Data year 2016 (test)", "reference_date": "2016-12-31",
           "selection_year": 2015, "threshold": 1000}
COUNTRIES = {"IQ": ("Iraq", "needs to be improved with most Member States", 33665),
             "XK": ("Kosovo*", "works well with most Member States", 4210)}
PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAwS2OUAAAAABJRU5ErkJggg=="


# ---- a tiny project ----

def code_cell(source: str, outputs: list | None = None, tags: list | None = None) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source, outputs=outputs or [])
    cell.metadata["tags"] = tags or []
    return cell


def country_notebook(code: str, name: str, level: str, decisions: int) -> nbformat.NotebookNode:
    """An executed country page as the pipeline leaves it: front matter, hidden parameters, a chart."""
    matter = {"title": name, "country": code, "level": level, "decisions": decisions,
              "return-rate": 50.7, "instrument": "none"}
    chart = nbformat.v4.new_output("display_data", data={"image/png": PNG, "text/plain": "<Figure>"})
    markdown = nbformat.v4.new_output("display_data", data={
        "text/markdown": f"**Downloads:** [{code}.json]({code}.json) · [{code}.csv]({code}.csv)",
        "text/plain": "<Markdown>"})
    return nbformat.v4.new_notebook(cells=[
        front_matter_cell(matter),
        code_cell("#| include: false\ncountry = \"IQ\"", tags=["parameters"]),
        code_cell(f"#| include: false\n# Parameters\ncountry = \"{code}\"\n", tags=["injected-parameters"]),
        nbformat.v4.new_markdown_cell("## (a) Return decisions\n\nSee [Eurostat](https://ec.europa.eu/eurostat) "
                                      "and [the rating](#rating)."),
        code_cell("#| echo: false\n#| fig-alt: \"Line chart of return decisions per year.\"\nplt.show()", [chart]),
        code_cell("#| echo: false\nshow.downloads(country)", [markdown]),
    ])


def summary_notebook() -> nbformat.NotebookNode:
    return nbformat.v4.new_notebook(cells=[front_matter_cell({"title": "Findings"}),
                                           nbformat.v4.new_markdown_cell("All countries: see [Countries](../../countries.qmd).")])


def public_results(code: str, name: str, level: str, decisions: int) -> dict:
    return {"country": code, "name": name, "level": level, "return_decisions": decisions,
            "eu_return_rate": {"rate": 0.507}, "strongest_instrument": "none", "synthetic_label": SYNTHETIC}


def run_content(failed: dict[str, str] | None = None) -> dict:
    countries = [{"country": c, "name": n, "ok": True, "error": ""} for c, (n, _, _) in COUNTRIES.items()]
    countries += [{"country": c, "name": n, "ok": False, "error": "ValueError: no data"} for c, n in (failed or {}).items()]
    inputs = [{"file": "eurostat/migr_eiord.csv", "sha256": "81b6e802" * 8, "last_update": None,
               "origin": "snapshot", "rows": 28545},
              {"file": "frontex/return_operations.csv", "sha256": "180ad57f" * 8, "last_update": "20/09/24 23:00:00",
               "origin": "snapshot", "rows": 6477}]
    return {"edition": EDITION, "countries": countries, "inputs": inputs,
            "synthetic_confidential": True, "synthetic_label": SYNTHETIC}


def write_nb(nb: nbformat.NotebookNode, path: Path) -> None:
    nb.metadata.setdefault("kernelspec", {"display_name": "Python 3", "language": "python", "name": "python3"})
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))


@pytest.fixture
def site(tmp_path) -> Project:
    """The repository's site files plus two executed countries, their results, a summary and run.json."""
    for name in PAGES:
        shutil.copy(REPO / name, tmp_path / name)
    (tmp_path / "params").mkdir()
    shutil.copy(REPO / "params" / "method.yml", tmp_path / "params" / "method.yml")
    project = Project(tmp_path)
    folder = OutputTree(project, 2016, "public").countries
    for code, (name, level, decisions) in COUNTRIES.items():
        write_nb(country_notebook(code, name, level, decisions), folder / f"{code}.ipynb")
        write_json(folder / f"{code}.json", {"format": 1, "public": public_results(code, name, level, decisions),
                                            "provenance": {}})
        (folder / f"{code}.csv").write_text("country,year,reporting_state,indicator,value,audience\n", encoding="utf-8")
    write_nb(summary_notebook(), project.notebooks / "findings" / "2016.ipynb")
    write_json(OutputTree(project, 2016, "public").run_file, run_content())
    write_latest_site_sources(OutputTree(project, 2016, "public"))
    return project


def check_site(project: Project, selected: list[str]) -> list[str]:
    return check_year(project, 2016, selected)


def read_nb(project: Project, code: str) -> nbformat.NotebookNode:
    return nbformat.read(str(project.notebooks / "countries" / "2016" / f"{code}.ipynb"), as_version=4)


def save_nb(project: Project, code: str, nb: nbformat.NotebookNode) -> None:
    write_nb(nb, project.notebooks / "countries" / "2016" / f"{code}.ipynb")


# ---- configuration ----

def quarto_config() -> dict:
    return yaml.safe_load((REPO / "_quarto.yml").read_text(encoding="utf-8"))


def test_quarto_config_key_settings():
    config = quarto_config()
    render_list = config["project"]["render"]
    assert config["project"]["type"] == "website"
    assert config["project"]["output-dir"] == "_site"
    assert config["execute"]["enabled"] is False
    assert "/notebooks/countries/*/*.ipynb" in render_list
    assert "/notebooks/findings/*.ipynb" in render_list
    assert not any("executed" in entry for entry in render_list)  # the Findings page has one address
    for template in ("notebooks/country.ipynb", "notebooks/summary.ipynb"):
        assert not any(fnmatch.fnmatch(template, entry) for entry in render_list), template
    resources = config["project"]["resources"]
    for results_file in ("/notebooks/countries/2016/IQ.json", "/notebooks/countries/2016/IQ.csv"):
        assert any(fnmatch.fnmatch(results_file, entry) for entry in resources), results_file
    assert config["format"]["html"]["toc"] is True
    assert config["metadata-files"] == ["notebooks/_generated/site.yml"]  # the menu, written by each run


def test_the_menu_points_findings_at_the_latest_edition(site):
    from readmission.publish.site_sources import site_metadata

    menu = yaml.safe_load((site.generated / "site.yml").read_text(encoding="utf-8"))
    assert [item["text"] for item in menu["website"]["navbar"]["left"]] == [
        "Home", "Findings", "Countries", "Methodology", "Audit", "Glossary"]
    assert menu["website"]["navbar"]["left"][1]["href"] == "notebooks/findings/2016.ipynb"
    assert menu["findings-page"] == "/notebooks/findings/2016.ipynb" and menu["restricted"] is False
    restricted = site_metadata(2015, "restricted")
    assert restricted["restricted"] is True
    assert [i["href"] for i in restricted["website"]["navbar"]["left"]][1:2] == ["notebooks/findings/2015.ipynb"]
    assert restricted["website"]["navbar"]["left"][-1] == {"href": "candidates.qmd", "text": "Candidates"}


def test_nothing_in_the_site_sources_changes_with_the_date():
    for name in PAGES:
        lines = (REPO / name).read_text(encoding="utf-8").splitlines()
        text = "\n".join(line for line in lines if not line.lstrip().startswith("#"))  # comments aside
        for word in ("today", "last-modified", "date-modified", "file-modified"):
            assert word not in text, (name, word)
        assert not any(line.strip().startswith("date:") for line in lines), name


def test_countries_listing_shows_the_front_matter_fields():
    listing = yaml.safe_load((REPO / "countries.qmd").read_text(encoding="utf-8").split("---")[1])["listing"]
    assert listing["type"] == "custom" and listing["template"] == "countries-listing.ejs"
    assert listing["contents"] == "/notebooks/countries/*/*.ipynb"
    assert listing["fields"] == ["title", "edition", "level", "decisions", "return-rate", "instrument"]
    # numbers are written with separators and one decimal, and sorted on their raw values
    assert listing["field-types"] == {"edition": "number", "decisions": "number", "return-rate": "number"}
    template = (REPO / "countries-listing.ejs").read_text(encoding="utf-8")
    assert 'toLocaleString("en-GB")' in template and "toFixed(1)" in template
    assert set(listing["field-display-names"]) >= {"level", "decisions", "return-rate", "instrument"}


# ---- generated includes ----

def test_write_site_sources_is_deterministic(site):
    paths = write_site_sources(OutputTree(site, 2016, "public"), run_content())
    first = {p: p.read_bytes() for p in paths}
    shuffled = run_content()
    random.Random(3).shuffle(shuffled["countries"])
    shuffled["inputs"].reverse()
    assert {p: p.read_bytes() for p in write_site_sources(OutputTree(site, 2016, "public"), shuffled)} == first
    assert sorted(p.name for p in paths) == ["downloads.md", "key-figures.md", "run-status.md", "sources.md"]
    assert all(p.parent == site.generated for p in paths)


def test_key_figures_count_the_levels_and_their_share(site):
    text = (site.generated / "key-figures.md").read_text(encoding="utf-8")
    assert "| works well with most Member States | 1 | 50% | [Kosovo\\*](notebooks/countries/2016/XK.ipynb) |" in text
    assert "| needs to be improved with most Member States | 1 | 50% | [Iraq](notebooks/countries/2016/IQ.ipynb) |" in text
    assert "| not enough information | 0 | 0% | – |" in text
    assert "**37,875**" in text  # 33665 + 4210 return decisions


def test_sources_list_every_input_with_its_checksum_and_credit(site):
    text = (site.generated / "sources.md").read_text(encoding="utf-8")
    assert f">{'81b6e802' * 8}</code>" in text and f">{'180ad57f' * 8}</code>" in text
    assert ">28,545<" in text and "```{=html}" in text  # a finished table, as a raw HTML block
    assert "Eurostat (CC BY 4.0)" in text and "Frontex documents via Statewatch" in text
    assert "Data year 2016 (test)" in text


def test_run_status_warns_of_synthetic_data_and_names_failed_countries(site):
    write_site_sources(OutputTree(site, 2016, "public"), run_content(failed={"AF": "Afghanistan"}))
    status = (site.generated / "run-status.md").read_text(encoding="utf-8")
    assert "SYNTHETIC DATA" in status and "callout-warning" in status
    # a public site names the failed step and the restricted log, never the error's text (issue 23)
    assert "Afghanistan (AF): its country calculation" in status and "ValueError" not in status
    assert "restricted log data/restricted/out/2016/logs/AF.log" in status
    downloads = (site.generated / "downloads.md").read_text(encoding="utf-8")
    assert "AF.json" not in downloads and "notebooks/countries/2016/IQ.json" in downloads


def test_run_status_without_failures_or_synthetic_data(site):
    run = run_content()
    run["synthetic_confidential"] = False
    for code, (name, level, decisions) in COUNTRIES.items():  # real pages: no synthetic label
        write_json(site.notebooks / "countries" / "2016" / f"{code}.json", {
            "format": 1, "public": {**public_results(code, name, level, decisions), "synthetic_label": ""}})
    write_site_sources(OutputTree(site, 2016, "public"), run)
    status = (site.generated / "run-status.md").read_text(encoding="utf-8")
    assert status == "All 2 selected countries were assessed in this run.\n"


def test_failure_notebook_is_a_titled_page_with_the_error(site):
    nb = failure_notebook("AF", "Afghanistan", 2016, "KeyError: 'AF' *not* in [data]")  # restricted: the error
    matter = yaml.safe_load(nb.cells[0].source.strip("-\n"))
    assert nb.cells[0].cell_type == "raw"
    assert matter == {"title": "Afghanistan, 2016 edition", "country-name": "Afghanistan", "country": "AF",
                      "edition": 2016, "level": "failed",
                      "subtitle": "Not assessed in this run"}
    assert "KeyError: 'AF' \\*not\\* in \\[data\\]" in nb.cells[1].source
    assert nbformat.writes(nb) == nbformat.writes(failure_notebook("AF", "Afghanistan", 2016, "KeyError: 'AF' *not* in [data]"))
    assert "KeyError" not in failure_notebook("AF", "Afghanistan", 2016).cells[1].source  # public: no error text
    kosovo = failure_notebook("XK", "Kosovo*", 2016).cells[0].source
    assert yaml.safe_load(kosovo.strip("-\n"))["description"] == KOSOVO_FOOTNOTE
    nbformat.validate(nb)


# ---- pages and checks ----

def test_render_list_resolves_to_pages_that_exist(site):
    for template in ("country.ipynb", "summary.ipynb"):
        write_nb(summary_notebook(), site.notebooks / template)  # templates present, never pages
    pages = [p.relative_to(site.root).as_posix() for p in site_pages(site)]
    assert pages == ["index.qmd", "notebooks/findings/2016.ipynb",
                     "countries.qmd", "methodology.qmd", "audit.qmd",
                     "notebooks/countries/2016/IQ.ipynb", "notebooks/countries/2016/XK.ipynb"]
    assert all((site.root / p).is_file() for p in pages)


def test_check_site_passes_a_good_project(site):
    assert check_site(site, ["IQ", "XK"]) == []


def test_check_site_passes_with_a_failed_country_page(site):
    save_nb(site, "AF", failure_notebook("AF", "Afghanistan", 2016))
    write_site_sources(OutputTree(site, 2016, "public"), run_content(failed={"AF": "Afghanistan"}))
    assert check_site(site, ["AF", "IQ", "XK"]) == []


def test_check_site_names_a_page_without_title(site):
    nb = read_nb(site, "IQ")
    nb.cells[0] = front_matter_cell({"country": "IQ", "level": "poor"})
    save_nb(site, "IQ", nb)
    (site.root / "methodology.qmd").write_text("No front matter here.\n", encoding="utf-8")
    problems = check_site(site, ["IQ", "XK"])
    assert any("IQ.ipynb" in p and "title" in p for p in problems), problems
    assert any("methodology.qmd" in p and "title" in p for p in problems), problems


def test_check_site_names_a_selected_country_without_page(site):
    problems = check_site(site, ["IQ", "PK", "XK"])
    assert problems == ["selected country PK has no page (notebooks/countries/2016/PK.ipynb is missing)"]


def test_check_site_names_a_missing_listed_page(site):
    (site.notebooks / "findings" / "2016.ipynb").unlink()
    problems = check_site(site, ["IQ", "XK"])
    assert any("notebooks/findings/*.ipynb" in p and "matches no file" in p for p in problems), problems


@pytest.mark.parametrize("defect, expected", [
    ("index", "index.qmd: link to 'missing-page.qmd'"),
    ("notebook-markdown", "IQ.ipynb cell 3: link to 'figures/gone.png'"),
    ("notebook-output", "XK.ipynb cell 5 output: link to 'XK.csv'"),
    ("generated", "countries.qmd (included notebooks/_generated/downloads.md): link to 'notebooks/countries/2016/IQ.csv'"),
])
def test_check_site_names_a_broken_link(site, defect, expected):
    if defect == "index":
        with open(site.root / "index.qmd", "a", encoding="utf-8") as handle:
            handle.write("\nSee [this page](missing-page.qmd) and [EU law](https://eur-lex.europa.eu).\n")
    elif defect == "notebook-markdown":
        nb = read_nb(site, "IQ")
        nb.cells[3].source += "\n\n![chart](figures/gone.png)"
        save_nb(site, "IQ", nb)
    elif defect == "notebook-output":
        (site.notebooks / "countries" / "2016" / "XK.csv").unlink()
        write_site_sources(OutputTree(site, 2016, "public"), run_content())  # the downloads table follows the files present
    else:
        (site.notebooks / "countries" / "2016" / "IQ.csv").unlink()  # after the includes were written
    problems = check_site(site, ["IQ", "XK"])
    assert any(expected in p for p in problems), problems


def test_check_site_names_a_missing_include(site):
    (site.generated / "key-figures.md").unlink()
    problems = check_site(site, ["IQ", "XK"])
    assert problems == ["index.qmd: includes notebooks/_generated/key-figures.md but notebooks/_generated/key-figures.md does not exist"]


def test_check_site_names_a_chart_without_alt_text(site):
    nb = read_nb(site, "XK")
    nb.cells[4].source = "#| echo: false\nplt.show()"
    save_nb(site, "XK", nb)
    problems = check_site(site, ["IQ", "XK"])
    assert problems == ["notebooks/countries/2016/XK.ipynb cell 4: chart without alt text (add a `#| fig-alt:` line)"]


def test_check_site_names_a_visible_injected_parameters_cell(site):
    nb = read_nb(site, "IQ")
    nb.cells[2].source = "# Parameters\ncountry = \"IQ\"\n"
    save_nb(site, "IQ", nb)
    problems = check_site(site, ["IQ", "XK"])
    assert len(problems) == 1 and "IQ.ipynb cell 2" in problems[0] and "injected-parameters" in problems[0]


def test_designation_footnotes_on_every_page_that_names_kosovo_or_palestine(site):
    """Home, Countries, Methodology and Audit include them; Findings shows them in its last section."""
    from readmission.base.codes import PALESTINE_FOOTNOTE

    for name in ("index.qmd", "countries.qmd", "methodology.qmd", "audit.qmd"):
        assert "{{< include notebooks/_generated/designations.md >}}" in (REPO / name).read_text(encoding="utf-8"), name
    written = (site.generated / "designations.md").read_text(encoding="utf-8")
    for note in (KOSOVO_FOOTNOTE, PALESTINE_FOOTNOTE):
        assert note.lstrip("*") in written
    assert "show.designations()" in (REPO / "notebooks" / "summary.py").read_text(encoding="utf-8")


def test_pages_include_the_generated_files():
    index = (REPO / "index.qmd").read_text(encoding="utf-8")
    methodology = (REPO / "methodology.qmd").read_text(encoding="utf-8")
    assert "\n\n{{< include notebooks/_generated/key-figures.md >}}\n\n" in index
    assert "\n\n{{< include notebooks/_generated/run-status.md >}}\n\n" in index
    assert "\n\n{{< include notebooks/_generated/sources.md >}}\n\n" in methodology
    assert "Reg" in index and "810/2009" in index and "2019/1155" in index


# ---- render ----

def test_render_without_quarto_says_how_to_install(site, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(QuartoMissing, match="conda-forge.*quarto.org/docs/get-started"):
        render(site)


@pytest.mark.skipif(shutil.which("quarto") is None,
                    reason="quarto is not on PATH: the site is rendered with real Quarto elsewhere (see README)")
def test_quarto_renders_the_site(site):
    rendered = render(site)
    out = rendered.site
    assert rendered.warnings == []
    assert (out / "index.html").is_file()
    assert (out / "notebooks" / "countries" / "2016" / "IQ.html").is_file()
    assert (out / "notebooks" / "countries" / "2016" / "IQ.json").is_file()
    assert not (out / "notebooks" / "country.html").exists()
    assert "Kosovo" in (out / "countries.html").read_text(encoding="utf-8")


def test_palestine_carries_its_designation_footnote():
    from readmission.base.codes import PALESTINE_FOOTNOTE, country_name
    from readmission.run.pipeline import front_matter

    results = {"public": {"name": country_name("PS"), "country": "PS", "level": "x", "return_decisions": 1,
                          "eu_return_rate": {"rate": None}, "strongest_instrument": "none",
                          "synthetic_label": ""}, "provenance": {"edition": {"data_year": 2016}}}
    matter = front_matter(results, "public")
    assert matter["title"] == "Palestine*, 2016 edition" and matter["description"] == PALESTINE_FOOTNOTE
    assert matter["audience"] == "public"


def test_every_glob_of_the_site_starts_with_a_slash():
    """Quarto reads `a/*.json` as `**/a/*.json`: an unanchored glob also matches an earlier site."""
    assert anchored_problems(Project(REPO)) == []
    listing = yaml.safe_load((REPO / "countries.qmd").read_text(encoding="utf-8").split("---")[1])["listing"]
    assert str(listing["contents"]).startswith("/")


def test_an_unanchored_glob_is_named(site):
    config = (site.root / "_quarto.yml").read_text(encoding="utf-8")
    (site.root / "_quarto.yml").write_text(config.replace('"/notebooks/countries/*/*.json"', '"notebooks/countries/*/*.json"'))
    assert anchored_problems(site) == ["_quarto.yml: 'notebooks/countries/*/*.json' is a glob without a leading '/'"]


def test_gitignore_holds_the_lines_quarto_appends():
    lines = (REPO / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert "/.quarto/" in lines and "**/*.quarto_ipynb" in lines


def test_home_page_lists_every_edition_latest_first(site):
    tree15 = OutputTree(site, 2015, "public")
    run = run_content()
    run["edition"] = {**EDITION, "data_year": 2015, "label": "Data year 2015 (test)", "selection_year": 2014}
    write_json(tree15.run_file, run)
    write_latest_site_sources(tree15)  # an earlier edition run later: the site still shows 2016 first
    text = (site.generated / "editions.md").read_text(encoding="utf-8")
    assert text.index("Data year 2016 (test)") < text.index("Data year 2015 (test)")
    assert "(notebooks/findings/2015.ipynb)" in text and "(notebooks/findings/2016.ipynb)" in text
    assert "Data year 2016 (test)" in (site.generated / "key-figures.md").read_text(encoding="utf-8")


def test_a_plain_resource_without_a_leading_slash_is_named(site):
    """Quarto copied `params/method.yml` from inside an earlier `_site/` too (seen with Quarto 1.11)."""
    config = (site.root / "_quarto.yml").read_text(encoding="utf-8")
    (site.root / "_quarto.yml").write_text(config.replace('- /params/method.yml', '- params/method.yml'))
    assert anchored_problems(site) == ["_quarto.yml: 'params/method.yml' is a resource without a leading '/'"]
