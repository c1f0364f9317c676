"""Confidential values never reach the public site, by any sequence of commands (issue 9).

Real-format confidential files (no demo marker) carry canary values that no output could produce
by chance. Command sequences run through the real command line; the public tree, `_site/` and
every published file are scanned. The restricted outputs must show the canaries, which proves the
scans can fail.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from conftest import REPO, active_project, install_stand_in, public_tree, restricted_tree
from readmission.cli import app
from readmission.data.confidential import QUESTIONNAIRE_COLUMNS, STATISTICS_COLUMNS

CANARIES = {  # (state, country, column) -> value no output could produce by chance
    ("DE", "IQ", "readmission_requests_submitted"): 9182736,
    ("DE", "IQ", "readmission_requests_accepted"): 8273645,
    ("FR", "PK", "travel_documents_issued"): 7364554,
    ("IT", "MA", "forced_returns"): 6455463,
    ("NL", "IQ", "days_to_travel_document"): 5546372,
}


def write_confidential(project, comment: str = "canary test input") -> Path:
    """Real-format confidential files (the fixture's rows, no demo marker) with canaries planted."""
    source = REPO / "data" / "fixture" / "confidential" / "2016"
    stats = pd.read_csv(source / "readmission_statistics.csv", dtype=str, keep_default_na=False)
    answers = pd.read_csv(source / "questionnaire.csv", dtype=str, keep_default_na=False)
    for frame in (stats, answers):
        frame["comment"] = comment
    for (state, country, column), value in CANARIES.items():
        row = (stats["reporting_state"] == state) & (stats["country"] == country)
        assert row.sum() == 1
        stats.loc[row, column] = str(value)
    folder = project.restricted / "2016"
    folder.mkdir(parents=True, exist_ok=True)
    stats[STATISTICS_COLUMNS].to_csv(folder / "readmission_statistics.csv", index=False)
    answers[QUESTIONNAIRE_COLUMNS].to_csv(folder / "questionnaire.csv", index=False)
    return folder


def files_text(*roots: Path) -> dict[str, str]:
    """Every file under the roots as text (notebooks without their image data)."""
    import re

    texts = {}
    for root in roots:
        for path in ([root] if root.is_file() else sorted(root.rglob("*")) if root.exists() else []):
            if path.is_file() and path.suffix != ".png":
                text = path.read_text(encoding="utf-8", errors="replace")
                texts[str(path)] = re.sub(r'"image/png": "[^"]*"', '"image/png": ""', text)
    return texts


def leaks(texts: dict[str, str]) -> list[str]:
    """Canaries (with or without thousands separators), restricted keys and tags found."""
    found = []
    for name, text in texts.items():
        found += [f"{name}: {v}" for v in CANARIES.values() if str(v) in text or f"{v:,}" in text]
        found += [f"{name}: restricted key" for _ in [1] if '"restricted": {' in text]
        found += [f"{name}: restricted tag" for _ in [1] if '"restricted"\n' in text and ".ipynb" in name]
    return found


def public_outputs(project) -> list[Path]:
    """Everything public a run or render writes (the notebook templates are inputs, not outputs)."""
    return [project.notebooks / "countries", project.notebooks / "findings", project.generated,
            project.root / "_site", project.notebooks / "selection"]


def invoke(*args: str) -> str:
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def canary_project(tmp_path_factory):
    with active_project(tmp_path_factory, "canaries") as (project, mp):
        write_confidential(project)
        install_stand_in(project.root.parent, mp)
        yield project


def test_run_then_restricted_country_then_run_then_render_publishes_nothing_confidential(canary_project):
    project = canary_project
    invoke("run", "--year", "2016", "--workers", "2")
    before = {p: b for p, b in files_text(project.notebooks).items()}
    invoke("country", "IQ", "--year", "2016", "--audience", "restricted")
    assert files_text(project.notebooks) == before, "a restricted country run wrote into notebooks/"
    assert leaks(files_text(restricted_tree(project).countries)), "the restricted page must show them"
    invoke("run", "--year", "2016", "--workers", "2")
    invoke("render")
    assert leaks(files_text(*public_outputs(project))) == []
    result = json.loads((public_tree(project).countries / "IQ.json").read_text())
    assert result["provenance"]["confidential_inputs"]["synthetic"] is False
    # DE's canary dominates IQ's requests: the aggregate is withheld (rule b), not n/a
    assert "more than 80%" in result["public"]["eu_acceptance_rate"]["suppressed"]
    other = json.loads((public_tree(project).countries / "MA.json").read_text())
    assert other["public"]["eu_acceptance_rate"]["rate"] is not None  # EU aggregates still shown


def test_restricted_run_and_render_then_public_run_and_render_publish_nothing_confidential(canary_project):
    project = canary_project
    invoke("run", "--year", "2016", "--workers", "2", "--audience", "restricted")
    invoke("render", "--audience", "restricted")
    restricted_site = project.restricted_site
    texts = files_text(restricted_site)
    assert len({leak.split(": ")[-1] for leak in leaks(texts)}) >= len(CANARIES) - 1
    assert all("RESTRICTED" in t for n, t in texts.items() if n.endswith(".html"))
    invoke("run", "--year", "2016", "--workers", "2")
    invoke("render")
    first = sorted(p.relative_to(project.root) for p in (project.root / "_site").rglob("*"))
    invoke("render")
    second = sorted(p.relative_to(project.root) for p in (project.root / "_site").rglob("*"))
    assert first == second, "a render copied an earlier site into the new one"
    assert not [p for p in second if "_site" in p.parts[1:] or "_site-restricted" in p.parts]
    assert leaks(files_text(*public_outputs(project))) == []
    assert not any("restricted" in p.parts for p in project.notebooks.rglob("*"))


@pytest.mark.parametrize("plant, expected", [
    ("tag", "tagged 'restricted'"),
    ("tag-case", "tagged 'Restricted' (read as 'restricted'"),
    ("key", "restricted key 'restricted'"),
    ("column", "per-state confidential column 'readmission_requests_submitted'"),
    ("path", "absolute path of this machine"),
    ("value", "a single state's confidential value"),
    ("value-format", "a single state's confidential value"),
])
def test_the_gate_refuses_restricted_content_planted_by_hand(canary_project, plant, expected):
    project = canary_project
    countries = public_tree(project).countries
    page, results, table = countries / "IQ.ipynb", countries / "IQ.json", countries / "IQ.csv"
    saved = {p: p.read_bytes() for p in (page, results, table)}
    site_before = files_text(project.root / "_site")
    try:
        if plant in ("tag", "tag-case"):
            nb = json.loads(page.read_text())
            nb["cells"][-1]["metadata"]["tags"] = ["restricted" if plant == "tag" else "Restricted"]
            page.write_text(json.dumps(nb))
        elif plant == "key":
            data = json.loads(results.read_text())
            data["restricted"] = {"note": "planted"}
            results.write_text(json.dumps(data))
        elif plant == "column":
            table.write_text("reporting_state,readmission_requests_submitted\nDE,12\n")
        elif plant == "path":
            data = json.loads(results.read_text())
            data["public"]["note"] = str(project.restricted / "2016")
            results.write_text(json.dumps(data))
        else:
            data = json.loads(results.read_text())
            data["public"]["note"] = "requests from DE: " + ("9,182,736" if plant == "value" else "9.182.736,0")
            results.write_text(json.dumps(data))
        result = CliRunner().invoke(app, ["render"])
        assert result.exit_code == 2 and expected in result.output, result.output
        assert "IQ" in result.output
        assert files_text(project.root / "_site") == site_before, "a refused render changed _site"
    finally:
        for path, data in saved.items():
            path.write_bytes(data)


def test_render_refuses_a_folder_that_is_not_a_readmission_project(tmp_path, monkeypatch):
    other = tmp_path / "other"
    other.mkdir()
    (other / "_quarto.yml").write_text("project:\n  type: website\n")
    (other / "index.qmd").write_text("---\ntitle: x\n---\n```{python}\nopen('ran', 'w')\n```\n")
    monkeypatch.setenv("READMISSION_ROOT", str(other))
    install_stand_in(tmp_path, monkeypatch)
    result = CliRunner().invoke(app, ["render"])
    assert result.exit_code == 2 and "not a readmission project" in result.output
    assert not (other / "_site").exists() and not (other / "_site-next").exists()


def test_a_comment_saying_synthetic_does_not_make_real_data_synthetic(tmp_path):
    from readmission.data.confidential import load_confidential
    from conftest import make_project

    project = make_project(tmp_path / "p")
    folder = write_confidential(project, comment="Synthetic check of the form, values are real")
    inputs = load_confidential(folder, {s for s, _, _ in CANARIES} | set(
        pd.read_csv(folder / "questionnaire.csv")["reporting_state"]))
    assert inputs.synthetic is False and inputs.label == ""


def test_run_without_confidential_files_stops_naming_the_folder_unless_demo(tmp_path, monkeypatch):
    from conftest import make_project

    project = make_project(tmp_path / "p")
    monkeypatch.setenv("READMISSION_ROOT", str(project.root))
    result = CliRunner().invoke(app, ["run", "--year", "2016"])
    assert result.exit_code == 2
    assert str(project.restricted / "2016") in result.output and "--demo" in result.output
    assert "data/templates" in result.output
    assert not (project.notebooks / "countries").exists()


def test_two_checkouts_in_different_folders_give_byte_identical_public_outputs(tmp_path_factory):
    from conftest import notebook_bytes, run_fixture

    outputs = []
    for name in ("first-checkout", "second"):
        with active_project(tmp_path_factory, name) as (project, _):
            assert run_fixture(project).ok
            files = notebook_bytes(project.root)
            for folder in (project.generated, project.notebooks / "selection"):
                files.update({p.relative_to(project.root).as_posix(): p.read_bytes()
                              for p in sorted(folder.rglob("*")) if p.is_file()})
            assert not [n for n, data in files.items() if str(project.root).encode() in data]
            outputs.append(files)
    assert outputs[0].keys() == outputs[1].keys()
    assert [n for n in outputs[0] if outputs[0][n] != outputs[1][n]] == []


def test_staging_and_logs_live_in_the_restricted_tree(tmp_path):
    from conftest import make_project
    from readmission.settings.params import load_edition
    from readmission.run.pipeline import notebook_parameters

    project = make_project(tmp_path / "p")
    params = notebook_parameters(project, load_edition(2016, project), "IQ", project.public,
                                 project.restricted / "2016")
    staging = (project.notebooks / params["results_dir"]).resolve()
    assert staging.is_relative_to((project.restricted / "out").resolve())
    assert not staging.is_relative_to(project.notebooks.resolve())
    tree = public_tree(project)
    assert tree.logs.is_relative_to(project.restricted) and tree.store.is_relative_to(project.restricted)
    assert not str(restricted_tree(project).countries).endswith("notebooks/countries")
    shutil.rmtree(project.root)


def test_the_allow_list_admits_a_reviewed_public_figure(tmp_path):
    from conftest import make_project
    from readmission.publish.gate import check_published, gate_context

    project = make_project(tmp_path / "p")
    write_confidential(project)
    page = project.notebooks / "countries" / "2016" / "IQ.json"
    page.parent.mkdir(parents=True)
    page.write_text('{"public": {"note": "9,182,736 persons"}}')
    assert any("9,182,736" in p for p in check_published(project, project.root, [page]))
    (project.params / "publish_gate.yml").write_text(
        "allow:\n  - {value: 9182736, reason: a public figure equal by chance (test)}\n")
    assert check_published(project, project.root, [page], gate_context(project)) == []


def test_the_gate_knows_every_per_state_confidential_column_the_tables_have(iraq, fixture_2016):
    """Each column of a per-state table (the assessment's, and the confidential inputs as loaded) is in
    the column schema with a class, and the gate refuses every one not public in a per-state file: the
    gate once listed 'return_operations_answer', a column that does not exist, and let the real (d)(iv)
    column 'return_operations' through (issue 24)."""
    from readmission.base.columns import CLASSES, COLUMNS, CONFIDENTIAL
    from readmission.method import cooperation
    from readmission.method.sections import per_state_indicators
    from readmission.publish.gate import _csv_problems

    for column in cooperation.ITEM_COLUMNS:
        assert COLUMNS[column].disclosure == CONFIDENTIAL
        assert _csv_problems(f"reporting_state,{column}\nDE,2\n", "f.csv") == [
            f"f.csv: per-state confidential column '{column}'"]
    tables = [per_state_indicators(iraq.return_rates, iraq.requests, iraq.answers), iraq.answers, iraq.requests,
              iraq.return_rates, iraq.indicators, iraq.state_ratings,
              fixture_2016.confidential.statistics, fixture_2016.confidential.questionnaire]
    per_state = {c for table in tables for c in table.columns}
    assert sorted(c for c in per_state if c not in COLUMNS or COLUMNS[c].disclosure not in CLASSES) == []
    for column in sorted(c for c in per_state if COLUMNS[c].confidential):
        assert _csv_problems(f"reporting_state,{column}\nDE,2\n", "f.csv") == [
            f"f.csv: per-state confidential column '{column}'"]
