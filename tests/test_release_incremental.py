"""The restricted phase is incremental (release_step.py): a country whose inputs did not change keeps
its figures and full results from the restricted store; only changed countries are assessed again,
and the release, the log's entry and the store are byte-identical to a phase run from scratch. The
steps across countries and releases (the rule between releases) always run over every country."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import pytest

from readmission.base.paths import RELEASE_FILE
from readmission.base import schedule
from readmission.base.steps import kinds, step_key
from readmission.run import next_folder, release_log, release_step, runkeys

from conftest import SELECTED, fixture_inputs, make_project


@pytest.fixture
def assessed(monkeypatch) -> list[str]:
    """The countries the restricted phase assesses in full, in order."""
    calls, real = [], release_step.assess_country

    def counting(inputs, country, **kwargs):
        calls.append(country)
        return real(inputs, country, **kwargs)

    monkeypatch.setattr(release_step, "assess_country", counting)
    return calls


@pytest.fixture
def project(tmp_path):
    return make_project(tmp_path / "project")


def phase(project, inputs, folder: Path, **kwargs):
    return release_step.restricted_phase(project, "public", inputs, SELECTED, folder / "store", folder / "out",
                                         **kwargs)


def store_files(folder: Path) -> dict[str, bytes]:
    """The store's results files (what the restricted side reads), by name."""
    return {p.name: p.read_bytes() for p in sorted((folder / "store").iterdir()) if p.suffix in (".json", ".csv")}


def one_row_changed(inputs, country: str):
    """`country`'s first readmission statistics row with other counts, the file's hash changed with it."""
    stats = inputs.confidential.statistics.copy()
    row = stats.index[stats["country"] == country][0]
    stats.loc[row, "readmission_requests_accepted"] = stats.loc[row, "readmission_requests_submitted"]
    sources = {name: "changed-" + digest for name, digest in inputs.confidential.sources.items()}
    return replace(inputs, confidential=replace(inputs.confidential, statistics=stats, sources=sources))


def test_a_changed_row_reassesses_its_country_only_and_the_release_is_as_from_scratch(project, tmp_path, assessed):
    inputs = fixture_inputs(project, tuple(SELECTED))
    phase(project, inputs, tmp_path / "run").record()  # published: the next release is compared with it
    assert assessed == SELECTED
    assessed.clear()

    changed = one_row_changed(inputs, "MA")
    incremental = phase(project, changed, tmp_path / "run")
    assert assessed == ["MA"]
    scratch = phase(project, changed, tmp_path / "scratch")
    assert assessed == ["MA", *SELECTED]

    release_file = lambda folder: (folder / "out" / RELEASE_FILE).read_bytes()  # noqa: E731
    assert release_file(tmp_path / "run") == release_file(tmp_path / "scratch")
    assert incremental.log_entry == scratch.log_entry and incremental.public == scratch.public
    # the store holds what a full assessment writes, the new provenance included for the kept countries
    assert store_files(tmp_path / "run") == store_files(tmp_path / "scratch")
    iq = json.loads((tmp_path / "run" / "store" / "IQ.json").read_text(encoding="utf-8"))
    assert all(v.startswith("changed-") for v in iq["provenance"]["confidential_inputs"]["files"].values())
    first = release_log.published(incremental.log)[0]["figures"]["MA"]
    assert first != incremental.log_entry["figures"]["MA"]  # the change reached the release


def test_nothing_changed_assesses_none_and_a_countrys_settings_reassess_it(project, tmp_path, assessed):
    inputs = fixture_inputs(project, tuple(SELECTED))
    before, files = phase(project, inputs, tmp_path).public, store_files(tmp_path)
    assessed.clear()
    assert phase(project, inputs, tmp_path).public == before and assessed == []
    assert store_files(tmp_path) == files
    (project.params / "countries").mkdir(parents=True, exist_ok=True)
    (project.params / "countries" / "PK.yml").write_text("note: an analyst's note\n", encoding="utf-8")
    phase(project, inputs, tmp_path)
    assert assessed == ["PK"]
    assessed.clear()
    phase(project, inputs, tmp_path, fresh=True)  # a forced run assesses every country again
    assert assessed == SELECTED


def test_a_damaged_or_foreign_entry_is_assessed_again(project, tmp_path, assessed):
    inputs = fixture_inputs(project, tuple(SELECTED))
    before = phase(project, inputs, tmp_path).public
    assessed.clear()
    release_step.kept_path(tmp_path / "store", "IQ").write_bytes(b"not a pickle")
    release_step.kept_path(tmp_path / "store", "MA").unlink()
    assert phase(project, inputs, tmp_path).public == before
    assert assessed == ["IQ", "MA"]


def test_kept_countries_still_meet_the_rule_between_releases(project, tmp_path, assessed):
    """A kept country's figures go through the comparison with the published releases every run: a
    release published meanwhile whose value differs by one state's contribution withholds it."""
    inputs = fixture_inputs(project, tuple(SELECTED))
    first = phase(project, inputs, tmp_path)
    value = first.log_entry["figures"]["IQ"]["acceptance"]["value"]
    assert value["numerator"] is not None
    other = json.loads(json.dumps(first.log_entry))
    acceptance = other["figures"]["IQ"]["acceptance"]
    state = sorted(acceptance["contributors"])[0]
    acceptance["value"] = {**value, "numerator": value["numerator"] + 1}
    acceptance["contributors"][state] = "another contribution"
    release_log.record(first.log, other)
    assessed.clear()
    again = phase(project, inputs, tmp_path)
    assert assessed == []
    released = again.entry_of("IQ")["acceptance"]
    assert released["numerator"] is None and "release 1" in released["suppressed"]
    assert again.public == phase(project, inputs, tmp_path / "scratch").public


def test_the_kept_entries_are_restricted(project, tmp_path):
    """They sit in the restricted store, hidden beside its results files; the public folder gets the
    release only."""
    phase(project, fixture_inputs(project, tuple(SELECTED)), tmp_path)
    kept = sorted(p.name for p in (tmp_path / "store").iterdir() if p.name.startswith("."))
    assert kept == sorted(release_step.kept_path(tmp_path / "store", c).name for c in SELECTED)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [RELEASE_FILE]


def test_a_country_no_longer_selected_leaves_the_pages_and_the_store(tmp_path):
    """Its page, results, key, full results and kept assessment all go (next_folder.remove_stale):
    the store holds only what a run published, and no stale entry could ever be read back."""
    out, store = tmp_path / "out", tmp_path / "store"
    for code in ("IQ", "MA"):
        for folder, names in ((out, ("ipynb", "json", "csv")), (store, ("json", "csv"))):
            folder.mkdir(exist_ok=True)
            for ext in names:
                (folder / f"{code}.{ext}").write_text("x")
        release_step.kept_path(store, code).write_bytes(b"x")
        runkeys.kept_keys(out).keep("country", code, {kind: b"k" for kind in kinds("country")})
    assert next_folder.remove_stale(out, ["IQ"], store, release_step.kept_path) == ["MA"]
    left = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert left == ["out/.runkeys/IQ.key", "out/IQ.csv", "out/IQ.ipynb", "out/IQ.json", "store/.IQ.assessed",
                    "store/IQ.csv", "store/IQ.json"]


def test_spread_over_forked_processes_the_phase_writes_the_same_bytes(project, tmp_path, monkeypatch):
    """The restricted phase over several processes (forks made after the inputs are loaded) writes the
    release, the log's entry, the store and its kept entries exactly as one process does."""
    inputs = fixture_inputs(project, tuple(SELECTED))
    pids, real = tmp_path / "pids", release_step.assess_one

    def noting_pid(*args):  # inherited by the forks: which processes assessed
        with open(pids, "a", encoding="utf-8") as handle:
            handle.write(f"{os.getpid()}\n")
        return real(*args)

    monkeypatch.setattr(release_step, "assess_one", noting_pid)
    monkeypatch.setattr(release_step, "SHARE", 1)  # the fixture's three countries, one a process
    one = phase(project, inputs, tmp_path / "one")
    assert len(set(pids.read_text().split())) == 1
    pids.unlink()
    spread = phase(project, inputs, tmp_path / "spread", workers=3)
    assert len(set(pids.read_text().split())) == 3 and os.getpid() in map(int, pids.read_text().split())

    release_file = lambda folder: (folder / "out" / RELEASE_FILE).read_bytes()  # noqa: E731
    assert release_file(tmp_path / "one") == release_file(tmp_path / "spread")
    assert one.log_entry == spread.log_entry
    assert store_files(tmp_path / "one") == store_files(tmp_path / "spread")
    parts = release_step.assessment_parts(project, inputs, SELECTED, {})
    kept = lambda folder: {c: repr(release_step.kept(folder / "store", c, parts[c])) for c in SELECTED}  # noqa: E731
    assert kept(tmp_path / "one") == kept(tmp_path / "spread") and "None" not in kept(tmp_path / "one").values()


def append(path: Path, text: str = "\n") -> None:
    path.write_bytes(path.read_bytes() + text.encode())


# kind of input -> a change to it, given the project and pytest's monkeypatch; the inputs' own kinds
# (edition facts, country rows, outside selection) are changed in the test itself
ASSESSMENT_CHANGES = {
    "code": lambda p, m: append(p.notebooks / "country.ipynb"),
    "versions": lambda p, m: m.setattr(runkeys, "package_versions", lambda: {"pandas": "0.0"}),
    "settings": lambda p, m: append(p.params / "method.yml", "# reviewed\n"),
    "reference": lambda p, m: append(p.reference / "rcms.csv"),
    "country settings": lambda p, m: (p.params / "countries" / "IQ.yml").write_text("note: reviewed\n"),
}


@pytest.mark.parametrize("kind", kinds("assessment"))
def test_each_declared_input_of_an_assessment_reassesses_its_country(project, monkeypatch, kind):
    """The scheduler names the changed input; a change to IQ's own inputs leaves MA kept."""
    inputs, outside = fixture_inputs(project, tuple(SELECTED)), {}
    before = release_step.assessment_parts(project, inputs, SELECTED, outside)
    kept = lambda code: (step_key("assessment", before[code]), schedule.part_digests(before[code]))  # noqa: E731
    if kind in ASSESSMENT_CHANGES:
        (project.params / "countries").mkdir(exist_ok=True)
        ASSESSMENT_CHANGES[kind](project, monkeypatch)
    elif kind == "edition facts":
        inputs = replace(inputs, states=inputs.states[:-1])
    elif kind == "country rows":
        inputs = one_row_changed(inputs, "IQ")
    else:
        outside = {"IQ": "run on request, outside the edition's selection"}
    again = schedule.pending("assessment", release_step.assessment_parts(project, inputs, SELECTED, outside), kept)
    assert kind in again["IQ"].removeprefix("changed: ").split(", ")
    if kind in {"country settings", "country rows", "outside selection"}:
        assert list(again) == ["IQ"]
