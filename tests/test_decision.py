"""From assessment to decision: judgement on the page and in the summary, sign-off before publishing,
the audit trail, and the Article 25a(5)/(8) candidates in the restricted report only (issue 16)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from conftest import SELECTED, active_project, install_stand_in, public_tree
from readmission.cli import app
from readmission.base.levels import LEVELS


def invoke(*args: str):
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "300"}, catch_exceptions=False)


def entry(level: str, reviewed: bool) -> str:
    review = "    reviewed_by: HOME.C.2 head of sector\n    reviewed_on: 2017-03-08\n" if reviewed else ""
    return (f"assessment:\n  2016:\n    assessed_level: {level}\n    justification: >-\n"
            f"      Delegation reports of a new readmission arrangement outweigh the statistics.\n"
            f"    assessed_by: HOME.C.2 analyst\n    assessed_on: 2017-03-01\n{review}")


def method_level(project, code: str) -> str:
    return json.loads((public_tree(project).countries / f"{code}.json").read_text())["public"]["level"]


@pytest.fixture(scope="module")
def decided(tmp_path_factory):
    with active_project(tmp_path_factory, "decision") as (project, mp):
        install_stand_in(project.root.parent, mp)
        assert invoke("run", "--year", "2016", "--demo").exit_code == 0
        yield project


def test_without_entries_pages_are_drafts_and_signoff_is_refused(decided):
    project = decided
    page = (public_tree(project).countries / "IQ.ipynb").read_text()
    assert "Draft, not reviewed" in page and "No analyst entry for this edition" in page
    result = invoke("render", "--require-signoff")
    assert result.exit_code == 2
    assert "3 countries lack reviewed_by/reviewed_on" in " ".join(result.output.split())
    assert "edition 2016: IQ, MA, PK" in " ".join(result.output.split())
    assert not (project.root / "_site").exists()


def test_an_entry_reruns_only_its_country_and_shows_on_page_summary_and_audit(decided):
    project = decided
    method = method_level(project, "IQ")
    assessed = next(level for level in LEVELS[:3] if level != method)
    (project.params / "countries" / "IQ.yml").write_text(entry(assessed, reviewed=True))
    result = invoke("run", "--year", "2016", "--demo")
    assert result.exit_code == 0 and "1 run, 2 up to date" in " ".join(result.output.split())
    page = (public_tree(project).countries / "IQ.ipynb").read_text()
    assert "Assessed level (analyst judgement):** " + assessed in page
    assert "Delegation reports of a new readmission arrangement" in page and "Draft, not reviewed" not in page
    assert f"level: {assessed}" in page and f"method-level: {method}" in page
    summary = public_tree(project).summary.read_text()
    assert "1 of 3 differ from the method" in summary and "Signed off by a reviewer: 1 of 3" in summary
    results = json.loads((public_tree(project).countries / "IQ.json").read_text())["public"]["assessment"]
    audit = (project.generated / "audit.md").read_text()
    assert results["entry_sha256"][:12] in audit and "HOME.C.2 head of sector 2017-03-08" in audit


def test_signoff_passes_once_every_country_is_reviewed(decided):
    project = decided
    for code in SELECTED[1:]:
        (project.params / "countries" / f"{code}.yml").write_text(entry(method_level(project, code), True))
    assert invoke("run", "--year", "2016", "--demo").exit_code == 0
    result = invoke("render", "--require-signoff")
    assert result.exit_code == 0, result.output
    assert (project.root / "_site" / "audit.html").exists()


def test_candidates_are_in_the_restricted_site_only(decided):
    project = decided
    assert invoke("run", "--year", "2016", "--demo", "--audience", "restricted").exit_code == 0
    assert invoke("render", "--audience", "restricted").exit_code == 0
    page = project.restricted_site / "candidates.html"
    assert page.exists() and "Article 25a(5)" in page.read_text()
    assert invoke("render").exit_code == 0
    public = project.root / "_site"
    assert not list(public.rglob("candidates*"))
    texts = [p.read_text(errors="replace") for p in public.rglob("*") if p.is_file() and p.suffix in (".html", ".json")]
    assert not any("candidates.html" in t or "25a(5) candidates" in t for t in texts)


def test_signoff_is_required_of_the_editions_the_setting_names(tmp_path, monkeypatch):
    """By default only the latest edition on the site must be signed off (issue 25, item 9)."""
    from readmission.method.audit import signoff_editions
    from readmission.base.errors import InputError
    from readmission.base.paths import Project

    project = Project(tmp_path)
    (tmp_path / "params").mkdir()
    assert signoff_editions(project, [2014, 2015, 2016]) == [2016]  # no settings file: the latest
    setting = tmp_path / "params" / "publication.yml"
    for value, expected in (("latest", [2016]), ("all", [2014, 2015, 2016]), ("[2015, 2019]", [2015])):
        setting.write_text(f"signoff_required: {value}\n")
        assert signoff_editions(project, [2014, 2015, 2016]) == expected, value
    setting.write_text("signoff_required: lastest\n")
    with pytest.raises(InputError, match=r"publication.yml.*signoff_required.*'lastest'"):
        signoff_editions(project, [2016])


def test_misnamed_or_invalid_country_settings_stop_the_run_before_any_country(tmp_path, monkeypatch):
    """IQ.yaml, iq.yml or ZZ.yml would be silently ignored, a bad date would become a failure page:
    the run names each file and what is expected, and runs nothing (issue 25, item 9)."""
    from conftest import make_project, run_fixture
    from readmission.base.errors import InputError

    project = make_project(tmp_path / "p")
    monkeypatch.setenv("READMISSION_ROOT", str(project.root))
    folder = project.params / "countries"
    for name in ("IQ.yaml", "iq.yml", "ZZ.yml"):
        (folder / name).write_text("note: checked\n")
    (folder / "MA.yml").write_text(entry(LEVELS[0], reviewed=False).replace("2017-03-01", "2017-13-01"))
    with pytest.raises(InputError) as failure:
        run_fixture(project)
    text = str(failure.value)
    assert f"{folder}/IQ.yaml: not read: a country's settings file is named exactly <CODE>.yml (expected IQ.yml)" in text
    assert f"{folder}/iq.yml: not read" in text and "(expected IQ.yml)" in text
    assert f"{folder}/ZZ.yml: not read" in text and "CODE a Eurostat country code" in text
    assert f"{folder}/MA.yml, row 7: not valid YAML" in text
    assert not public_tree(project).countries.exists()  # no country ran, no failure page
