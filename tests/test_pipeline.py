"""A whole run on the synthetic fixture: results, determinism, failures, incremental re-runs."""

from __future__ import annotations

import json

import nbformat
import pytest

from conftest import SELECTED, active_project, notebook_bytes, public_tree, run_fixture

@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    with active_project(tmp_path_factory, "project") as (project, mp):
        report = run_fixture(project)
        yield project, report, notebook_bytes(project.root), mp


def test_run_executes_every_selected_country_and_the_summary(first_run):
    project, report, _, _ = first_run
    assert report.ok and report.selected == SELECTED and sorted(report.executed) == SELECTED
    assert report.edition.data_year == 2016, "the report names the edition it ran"
    countries = public_tree(project).countries
    for code in SELECTED:
        result = json.loads((countries / f"{code}.json").read_text())
        assert result["public"]["country"] == code and result["public"]["synthetic_label"]
        assert result["provenance"]["edition"]["data_year"] == 2016
        assert (countries / f"{code}.csv").read_text().startswith("country,year,reporting_state")
        nb = nbformat.read(countries / f"{code}.ipynb", as_version=4)
        assert f"title: {result['public']['name']}" in nb.cells[0].source
        images = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
                  if "image/png" in o.get("data", {})]
        # trend and per-state rates always; operations when there are any; no trajectory in one edition
        expected = 2 + bool(result["public"]["return_operations"])
        assert len(images) == expected, "charts vanished from (or were added to) the executed notebook"
        assert "restricted" not in result, "public audience: no per-state confidential values"
        full = json.loads((public_tree(project).store / f"{code}.json").read_text())
        assert full["restricted"]["state_ratings"], "the restricted store keeps everything"
        assert "start_time" not in json.dumps(nb.metadata) and "2026-" not in json.dumps(nb.metadata)
        assert all("execution" not in c.metadata for c in nb.cells)
    summary = nbformat.read(public_tree(project).summary, as_version=4)
    assert not (project.notebooks / "executed").exists()  # the Findings page has one address
    assert "Findings" in summary.cells[0].source
    run = json.loads(public_tree(project).run_file.read_text())
    assert [c["country"] for c in run["countries"]] == SELECTED and all(c["ok"] for c in run["countries"])


def test_published_pages_load_nothing_from_third_parties_and_keep_every_section(first_run):
    from test_no_third_party import third_party_triggers
    from test_pages import SECTIONS

    project = first_run[0]
    countries = public_tree(project).countries
    for page in sorted(countries.glob("*.ipynb")) + [public_tree(project).summary]:
        assert third_party_triggers(nbformat.read(page, as_version=4)) == [], page.name
    for code in SELECTED:
        nb = nbformat.read(countries / f"{code}.ipynb", as_version=4)
        headings = [c.source.split("\n")[0] for c in nb.cells if c.cell_type == "markdown" and c.source.startswith("## ")]
        assert [next(s for s in SECTIONS if h.startswith(s)) for h in headings] == SECTIONS, code
        shown = json.dumps([c.get("outputs", []) for c in nb.cells])
        assert shown.count("disclosure rules") == 3 and "How this was computed" in json.dumps(nb.cells)


def test_nothing_changed_nothing_runs_and_bytes_identical(first_run):
    project, _, before, _ = first_run
    report = run_fixture(project)
    assert report.executed == [] and sorted(report.reused) == SELECTED
    assert notebook_bytes(project.root) == before


def test_forced_rerun_is_byte_identical(first_run):
    project, _, before, _ = first_run
    report = run_fixture(project, force=True)
    assert sorted(report.executed) == SELECTED
    root = project.root
    after = notebook_bytes(root)
    assert after.keys() == before.keys()
    differing = [name for name in before if before[name] != after[name]]
    assert differing == []


def test_changing_one_country_reruns_only_it(first_run):
    project, _, _, _ = first_run
    note = project.params / "countries" / "PK.yml"
    note.write_text("note: a reviewer's note for this test\n", encoding="utf-8")
    try:
        report = run_fixture(project)
        assert report.executed == ["PK"] and sorted(report.reused) == ["IQ", "MA"]
        nb = (public_tree(project).countries / "PK.ipynb").read_text()
        assert "a reviewer's note for this test" in nb
    finally:
        note.unlink()


def test_a_failing_country_does_not_stop_the_others(first_run):
    """A calculation that fails for one country (here a cell raising for MA; an invalid settings
    file now stops the whole run before any country, issue 25) gives it a failure page only."""
    project, _, _, _ = first_run
    template = project.notebooks / "country.ipynb"
    original = template.read_bytes()
    nb = nbformat.read(template, as_version=4)
    nb.cells.insert(4, nbformat.v4.new_code_cell('if country == "MA":\n    raise ValueError("a calculation failed for MA")'))
    nbformat.write(nb, template)
    try:
        report = run_fixture(project)
        assert not report.ok and [o.country for o in report.failed] == ["MA"]
        assert "a calculation failed for MA" in report.failed[0].error
        countries = public_tree(project).countries
        page = nbformat.read(countries / "MA.ipynb", as_version=4)
        assert "failed" in page.cells[0].source
        run = json.loads(public_tree(project).run_file.read_text())
        assert {c["country"]: c["ok"] for c in run["countries"]} == {"IQ": True, "MA": False, "PK": True}
        assert report.summary is not None and (countries / "IQ.json").exists()
    finally:
        template.write_bytes(original)
    report = run_fixture(project)
    assert report.ok and sorted(report.executed) == SELECTED  # the template changed back: all run again


def test_a_new_edition_runs_beside_the_others_and_reruns_nothing_of_them(first_run):
    from readmission.run.edition_run import RunRequest, run_edition
    from readmission.base.paths import OutputTree
    from readmission.settings.params import load_edition

    project = first_run[0]
    (project.params / "editions" / "2015.yml").write_text(
        "data_year: 2015\nselection_year: 2014\nthreshold: 5000\nreference_date: 2015-12-31\n")
    before = {p: p.read_bytes() for p in public_tree(project).countries.glob("*.*") if p.is_file()}
    try:
        report = run_edition(project, RunRequest(load_edition(2015, project), workers=2, demo=True))
        assert report.ok and report.executed
        tree = OutputTree(project, 2015, "public")
        assert all((tree.countries / f"{c}.ipynb").exists() for c in report.selected)
        assert {p: p.read_bytes() for p in public_tree(project).countries.glob("*.*") if p.is_file()} == before
        # the site's Findings menu entry stays the latest edition's
        menu = (project.generated / "site.yml").read_text()
        assert "notebooks/findings/2016.ipynb" in menu and "2015.ipynb" not in menu
        assert "edition: 2015" in (tree.countries / f"{report.selected[0]}.ipynb").read_text()
        # 2016's pages now have a 2015 row in their "Across editions" section: they run again once
        again = run_fixture(project)
        assert sorted(again.executed) == SELECTED
        iq = (public_tree(project).countries / "IQ.ipynb").read_text()
        assert "Across editions" in iq and "2015" in iq
        assert "What changed since edition 2015" in public_tree(project).summary.read_text()
        # an edition never reads a later one: 2015 is still up to date
        assert run_edition(project, RunRequest(load_edition(2015, project), workers=2, demo=True)).executed == []
    finally:
        (project.params / "editions" / "2015.yml").unlink()
