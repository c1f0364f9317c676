"""The release boundary end to end (issue 23): public pages built from public data and the release
only. Runs the fixture edition, then attacks what it published."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from readmission.run.edition_run import RunRequest, run_edition
from readmission.base.paths import RELEASE_FILE
from readmission.settings.params import load_edition
from readmission.run.pipeline import CountryJob, run_job

from conftest import active_project, public_tree, run_fixture

NUMBER = re.compile(r"\d+(?:[.,\u202f\u00a0 ]\d+)*")
ANSWERS = ["identification", "laissez_passer", "readmission_acceptance", "return_operations"]
CONFIDENTIAL_COUNTS = ["readmission_requests_submitted", "readmission_requests_accepted",
                       "travel_documents_issued", "forced_returns", "days_to_travel_document"]


def readings(text: str) -> set[str]:
    """Every way a number in `text` can be read: as written, separators removed, decimal point kept."""
    found = set()
    for token in NUMBER.findall(text):
        found |= {token, re.sub(r"\D", "", token), re.sub(r"[,\u202f\u00a0 ]", "", token)}
        if token.endswith((".0", ",0")):
            found.add(re.sub(r"\D", "", token[:-2]))
    return found


def public_outputs(project) -> dict[str, str]:
    """Every file the public side holds after a run (pages, results, release, generated includes)."""
    roots = [project.notebooks / "countries", project.notebooks / "findings", project.generated]
    return {p.relative_to(project.root).as_posix(): without_pictures(p.read_text(encoding="utf-8", errors="replace"))
            for root in roots if root.exists() for p in sorted(root.rglob("*"))
            if p.is_file() and ".runkeys" not in p.parts}  # hidden: never rendered


def without_pictures(text: str) -> str:
    """A file's text without base64 pictures (PNG bytes read as digits are no figures; the charts'
    data come from the same kernel, which holds public data and the release only)."""
    text = re.sub(r'"image/png": "[A-Za-z0-9+/=\\n]*"', '"image/png": ""', text)
    return re.sub(r"\b[0-9a-f]{16,}\b", "", text)  # digests (sha256 of inputs, run keys) are no figures


def public_figures(project) -> set[str]:
    """Every number of the declared public inputs and of the release: public by definition."""
    found = set()
    for path in sorted(project.public.rglob("*.csv")):
        found |= readings(path.read_text(encoding="utf-8"))
    release = (public_tree(project).countries / RELEASE_FILE).read_text(encoding="utf-8")
    shown = {f"{v * 100:.1f}\n{v * 100:.0f}\n{v:.1f}" for v in map(float, re.findall(r"\d+\.\d+", release))}
    n = len(json.loads(release)["countries"])  # shares of countries by released level: 1 of 3 = 33%
    shown |= {f"{100 * k / n:.0f}\n{100 * k / n:.1f}" for k in range(n + 1)}
    return found | readings(release) | readings("\n".join(shown))  # rates as pages show them (38.0 %)


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    with active_project(tmp_path_factory, "boundary") as (project, _):
        report = run_fixture(project)
        assert not report.failed
        yield project


def demo_values(project) -> pd.DataFrame:
    """Every per-state confidential value of the demo set, by country."""
    folder = project.demo / "2016"
    stats = pd.read_csv(folder / "readmission_statistics.csv")
    answers = pd.read_csv(folder / "questionnaire.csv")
    long = [stats.melt(["reporting_state", "country"], CONFIDENTIAL_COUNTS),
            answers.melt(["reporting_state", "country"], ANSWERS)]
    return pd.concat(long).dropna(subset=["value"])


def twin_inputs(project) -> None:
    """The demo set with every confidential value changed (counts x7 + 1000, answers 6 - a), NA kept,
    written as real inputs: a number the public side shows only because of a state's value moves."""
    real = project.restricted / "2016"
    real.mkdir(parents=True, exist_ok=True)
    for name, columns, change in (("readmission_statistics.csv", CONFIDENTIAL_COUNTS, lambda v: v * 7 + 1000),
                                  ("questionnaire.csv", ANSWERS, lambda v: 6 - v)):
        frame = pd.read_csv(project.demo / "2016" / name, dtype=str, keep_default_na=False)
        for column in columns:
            frame[column] = [str(change(int(v))) if v else "" for v in frame[column]]
        frame["comment"] = ""
        frame.to_csv(real / name, index=False)


def test_no_per_state_confidential_value_is_published_in_any_format(published):
    """Differential scan: every number of the public outputs that is one state's confidential value
    (any size, any format) must stay when every confidential value changes, or be a public figure
    (public inputs, the release). Nothing else may follow a state's value onto the public side."""
    before, allowed = public_outputs(published), public_figures(published)
    assert not any("restricted" in json.loads((published.root / name).read_text(encoding="utf-8"))
                   for name in before if name.endswith(".json"))
    values = demo_values(published)
    twin_inputs(published)
    twin = run_edition(published, RunRequest(load_edition(2016, published), "public", 2, False, False))
    assert not twin.failed and twin.summary, "the run on the changed inputs must publish every page to compare"
    after = set().union(*(readings(text) for text in public_outputs(published).values()))
    found = set().union(*(readings(text) for text in before.values()))
    leaks = sorted({str(int(v)) for v in values["value"]} & found - after - allowed, key=int)
    assert len(values) > 100 and leaks == []


def page(path: Path) -> list:
    """A page's cells as a reader gets them (the hidden injected parameters name the run's folder)."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return [c for c in cells if "injected-parameters" not in c.get("metadata", {}).get("tags", [])]


def test_the_public_phase_runs_without_the_confidential_folder(published, tmp_path):
    project, tree = published, public_tree(published)
    away = tmp_path / "away"
    moved = [project.restricted]  # the demo set included
    for folder in moved:
        shutil.move(folder, away / folder.name)
    try:
        job = CountryJob(project.root, 2016, "IQ", tmp_path / "out", None, "public", None, True,
                         release=tree.countries / RELEASE_FILE)
        outcome = run_job(job)
        assert outcome.ok, outcome.error
        assert page(tmp_path / "out" / "IQ.ipynb") == page(tree.countries / "IQ.ipynb")
        assert (tmp_path / "out" / "IQ.json").read_bytes() == (tree.countries / "IQ.json").read_bytes()
    finally:
        for folder in moved:
            if not folder.exists():
                shutil.move(away / folder.name, folder)


def test_a_public_page_runs_no_restricted_cell_and_names_no_state_rating(published):
    page = json.loads((public_tree(published).countries / "IQ.ipynb").read_text(encoding="utf-8"))
    tags = {t.lower() for cell in page["cells"] for t in cell.get("metadata", {}).get("tags", [])}
    assert "restricted" not in tags
    results = json.loads((public_tree(published).countries / "IQ.json").read_text(encoding="utf-8"))
    assert results["provenance"]["confidential_inputs"]["released"] is True
    assert "component_scores" not in results["public"] and "restricted" not in results


def test_a_late_state_changes_no_public_aggregate(tmp_path_factory):
    """Publish without Cyprus's Iraq row, then with it: the acceptance aggregates would differ by
    exactly that state's counts, so the second release withholds them."""
    with active_project(tmp_path_factory, "late") as (project, _):
        edition = load_edition(2016, project)
        run_fixture(project)  # writes the demo set, used here as if real (comments cleared)
        real = project.restricted / "2016"
        real.mkdir(parents=True)
        for name in ("readmission_statistics.csv", "questionnaire.csv"):
            text = (project.demo / "2016" / name).read_text(encoding="utf-8")
            (real / name).write_text(text.replace("SYNTHETIC demo value", ""), encoding="utf-8")
        full = (real / "readmission_statistics.csv").read_text(encoding="utf-8")
        late = [line for line in full.splitlines() if line.startswith("CY,IQ,")]
        (real / "readmission_statistics.csv").write_text(
            "\n".join(line for line in full.splitlines() if line not in late) + "\n", encoding="utf-8")
        run_edition(project, RunRequest(edition, "public", 2, False, False))
        iq = public_tree(project).countries / "IQ.json"
        first = json.loads(iq.read_text(encoding="utf-8"))["public"]["eu_acceptance_rate"]
        assert first["numerator"] is not None and late
        (real / "readmission_statistics.csv").write_text(full, encoding="utf-8")
        run_edition(project, RunRequest(edition, "public", 2, False, False))
        second = json.loads(iq.read_text(encoding="utf-8"))["public"]["eu_acceptance_rate"]
        assert second["numerator"] is None and second["states_included"] == []
        assert "release 1" in second["suppressed"]
        logged = sorted((project.restricted / "releases" / "2016").glob("release-*.json"))
        assert [p.name for p in logged] == ["release-0001.json", "release-0002.json"]
