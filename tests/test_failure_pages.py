"""Issue 23, item 4: a failing country's exception text (which may quote a confidential value) never
reaches the public site: its failure page, run-status and run record say which step failed and where
the restricted log is; the log holds the text (and exists: issue 24), the restricted pages may show it."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest

from conftest import active_project, make_project, public_tree, restricted_tree, run_fixture
from readmission.run.edition_run import RunRequest, record_outcome, run_record
from readmission.base.paths import OutputTree
from readmission.base.outputs import write_json
from readmission.settings.params import load_edition
from readmission.run.pipeline import CountryOutcome
from readmission.publish.site_sources import log_reference, write_site_sources

CANARY = "987654"  # stands for a confidential value that a raising cell quotes
SECRET = f"DE submitted {CANARY} readmission requests to MA"


def failing_template(project) -> None:
    """The project's country template with a cell that raises for MA, quoting SECRET."""
    template = project.notebooks / "country.ipynb"
    nb = nbformat.read(template, as_version=4)
    after = next(i for i, c in enumerate(nb.cells) if "parameters" in (c.metadata.get("tags") or []))
    computed = SECRET.replace(CANARY, '" + str(987000 + 654) + "')  # the other pages show the cell's source
    nb.cells.insert(after + 1, nbformat.v4.new_code_cell(f'if country == "MA":\n    raise ValueError("{computed}")'))
    nbformat.write(nb, template)


def public_texts(project) -> dict[str, str]:
    """Every file of the public tree the site is built from, the run record included."""
    tree = public_tree(project)
    roots = [tree.countries, tree.summary, project.generated]
    files = [p for root in roots for p in ([root] if root.is_file() else sorted(root.rglob("*"))) if p.is_file()]
    return {str(p): p.read_text(encoding="utf-8", errors="replace") for p in files}


@pytest.fixture(scope="module")
def failed(tmp_path_factory):
    """A public run, then a restricted run, in both of which MA's calculation raises SECRET."""
    with active_project(tmp_path_factory, "failure") as (project, _):
        failing_template(project)
        public = run_fixture(project)
        log = project.root / log_reference(2016, "MA")
        public_log = log.read_text(encoding="utf-8") if log.is_file() else None
        restricted = run_fixture(project, audience="restricted")
        yield SimpleNamespace(project=project, public=public, restricted=restricted, public_log=public_log)


@pytest.mark.slow
def test_the_public_failure_page_names_the_step_and_a_log_that_exists_never_the_error(failed):
    assert [o.country for o in failed.public.failed] == ["MA"] and SECRET in failed.public.failed[0].error
    page = (public_tree(failed.project).countries / "MA.ipynb").read_text(encoding="utf-8")
    assert CANARY not in page and "ValueError" not in page
    assert "notebooks/country.ipynb" in page and log_reference(2016, "MA") in page
    assert log_reference(2016, "MA") == "data/restricted/out/2016/logs/MA.log"
    assert failed.public_log is not None and SECRET in failed.public_log  # the page points to a real log


@pytest.mark.slow
def test_no_public_file_run_status_or_run_record_carries_the_error(failed):
    texts = public_texts(failed.project)
    assert any(path.endswith("run-status.md") for path in texts) and any(".runkeys" in p for p in texts)
    assert [path for path, text in texts.items() if CANARY in text] == []
    run = json.loads(public_tree(failed.project).run_file.read_text(encoding="utf-8"))
    [entry] = [c for c in run["countries"] if not c["ok"]]
    assert "country calculation" in entry["error"] and log_reference(2016, "MA") in entry["error"]
    status = (failed.project.generated / "run-status.md").read_text(encoding="utf-8")
    assert "Morocco (MA): its country calculation" in status


@pytest.mark.slow
def test_the_restricted_pages_keep_the_error(failed):
    tree = restricted_tree(failed.project)
    assert SECRET in (tree.countries / "MA.ipynb").read_text(encoding="utf-8")
    run = json.loads(tree.run_file.read_text(encoding="utf-8"))
    assert SECRET in next(c["error"] for c in run["countries"] if c["country"] == "MA")
    assert SECRET in (tree.generated / "run-status.md").read_text(encoding="utf-8")


# ---- without kernels ----

def stub_inputs():
    return SimpleNamespace(public=SimpleNamespace(manifest=[]),
                           confidential=SimpleNamespace(synthetic=False, label=""))


@pytest.mark.parametrize("audience, shown", [("public", False), ("restricted", True)])
def test_the_run_record_carries_the_error_for_the_restricted_audience_only(tmp_path, audience, shown):
    edition = load_edition(2016, make_project(tmp_path / "p"))
    run = run_record(RunRequest(edition, audience), stub_inputs(), ["IQ", "MA"], {"MA": f"ValueError: {SECRET}"})
    entry = {c["country"]: c for c in run["countries"]}
    assert entry["IQ"]["ok"] and entry["IQ"]["error"] == "" and not entry["MA"]["ok"]
    assert (CANARY in entry["MA"]["error"]) is shown
    if not shown:
        assert entry["MA"]["error"].endswith(f"restricted log {log_reference(2016, 'MA')}")


def test_a_failure_whose_worker_died_still_leaves_the_log_the_page_names(tmp_path):
    project = make_project(tmp_path / "p")
    tree = OutputTree(project, 2016, "public")
    out = tree.countries
    (out / "MA.json").parent.mkdir(parents=True)
    (out / "MA.json").write_text("{}")  # an earlier run's results: a failed country has none
    record_outcome(out, CountryOutcome("MA", False, None, f"BrokenProcessPool: {SECRET}", log=None), "k", tree)
    page = (out / "MA.ipynb").read_text(encoding="utf-8")
    assert CANARY not in page and log_reference(2016, "MA") in page and not (out / "MA.json").exists()
    assert SECRET in (project.root / log_reference(2016, "MA")).read_text(encoding="utf-8")


def test_run_status_of_a_public_site_ignores_an_error_text_in_an_older_run_record(tmp_path):
    """A run record written before this rule may still hold the text: the public site never shows it."""
    project = make_project(tmp_path / "p")
    run = {"edition": {"data_year": 2016}, "audience": "public", "synthetic_confidential": False,
           "countries": [{"country": "MA", "name": "Morocco", "ok": False, "error": SECRET}]}
    for audience, shown in (("public", False), ("restricted", True)):
        tree = OutputTree(project, 2016, audience)
        write_json(tree.run_file, run)
        write_site_sources(tree, run)
        status = (tree.generated / "run-status.md").read_text(encoding="utf-8")
        assert (CANARY in status) is shown and log_reference(2016, "MA") in status
    assert Path(project.generated / "run-status.md").is_file()
