"""The public data cached on disk (public_cache.py): read back when nothing changed, read from the
files again when a data file, the caveats or the code changed, or when the cache is damaged."""

from __future__ import annotations

import os
import shutil

import pandas as pd
import pytest

from conftest import FIXTURE_CONFIDENTIAL, make_project
from readmission.inputs import loading as inputs, public_cache
from readmission.base.errors import InputError
from readmission.inputs.loading import folder_state, load_inputs, load_public
from readmission.settings.params import load_edition, load_method


@pytest.fixture
def project(tmp_path):
    return make_project(tmp_path / "project")


@pytest.fixture
def parses(monkeypatch):
    """How many times the public files were read and validated (a fresh process each time: no
    in-process memo)."""
    calls = []
    real = inputs._load_public

    def counting(public_dir, reference_dir):
        calls.append(public_dir)
        return real(public_dir, reference_dir)

    monkeypatch.setattr(inputs, "_load_public", counting)
    inputs._CACHE.clear()
    yield calls
    inputs._CACHE.clear()


def load_all(project, restricted_dir=FIXTURE_CONFIDENTIAL):
    """What a command or a kernel does: every input of the edition, in a new process."""
    inputs._CACHE.clear()
    return load_inputs(project, load_edition(2016, project), load_method(project), ["IQ"],
                       restricted_dir=restricted_dir)


def change_bytes_keep_size_and_time(path):
    """A data file edited in place: one digit of its last row changed, same size and modification time."""
    stat = path.stat()
    data = path.read_bytes()
    at = max(data.rfind(bytes([d])) for d in b"123456789")
    path.write_bytes(data[:at] + (b"0" if data[at:at + 1] != b"0" else b"1") + data[at + 1:])
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size and path.read_bytes() != data


def assert_same_public(a: inputs.PublicData, b: inputs.PublicData) -> None:
    for name in ("decisions", "returns", "asylum"):
        pd.testing.assert_frame_equal(getattr(a, name).observations, getattr(b, name).observations)
        pd.testing.assert_frame_equal(getattr(a, name).aggregates, getattr(b, name).aggregates)
        assert getattr(a, name).caveats == getattr(b, name).caveats
    pd.testing.assert_frame_equal(a.crossings, b.crossings)
    pd.testing.assert_frame_equal(a.operations, b.operations)
    assert (a.manifest, a.synthetic) == (b.manifest, b.synthetic)


def test_unchanged_inputs_are_read_from_the_cache_with_the_same_data(project, parses):
    first = load_all(project)
    assert len(parses) == 1 and list(project.cache.glob("*.pickle"))
    second = load_all(project)
    assert len(parses) == 1, "the second process read the files again"
    assert_same_public(first.public, second.public)
    assert first.notes == second.notes


def test_the_cache_lives_outside_the_public_folder(project, parses):
    before = folder_state(project.public)
    load_all(project)
    assert folder_state(project.public) == before
    assert project.cache.resolve() != project.public.resolve()
    assert not project.cache.resolve().is_relative_to(project.public.resolve())


def test_a_changed_data_file_is_read_again_even_with_the_same_size_and_time(project, parses):
    load_all(project)
    change_bytes_keep_size_and_time(project.public / "eurostat" / "migr_eirtn.csv")
    with pytest.raises(InputError, match="sha256 mismatch"):  # the file no longer matches its metadata
        load_all(project)
    assert len(parses) == 2


def test_changed_caveats_are_read_again(project, parses):
    load_all(project)
    caveats = project.reference / "caveats.yml"
    caveats.write_text(caveats.read_text(encoding="utf-8") + "\n# reviewed again\n", encoding="utf-8")
    load_all(project)
    assert len(parses) == 2
    load_all(project)
    assert len(parses) == 2


def test_changed_loader_code_changes_the_key(tmp_path, monkeypatch):
    lib = tmp_path / "lib"
    shutil.copytree(public_cache.LIB, lib)
    monkeypatch.setattr(public_cache, "LIB", lib)
    public_cache._environment.cache_clear()
    before = public_cache.cache_key(tmp_path, None)
    loader = lib / "data" / "eurostat.py"
    loader.write_text(loader.read_text(encoding="utf-8") + "\n# a change\n", encoding="utf-8")
    public_cache._environment.cache_clear()
    try:
        assert public_cache.cache_key(tmp_path, None) != before
    finally:
        monkeypatch.undo()
        public_cache._environment.cache_clear()


def test_changed_loader_code_reads_the_files_again(project, parses, monkeypatch):
    load_all(project)
    monkeypatch.setattr(public_cache, "_environment", lambda: b"other code")
    load_all(project)
    assert len(parses) == 2


@pytest.mark.parametrize("damage", ["truncated", "garbage", "empty", "other object"])
def test_a_damaged_cache_is_ignored_and_rewritten(project, parses, damage):
    first = load_all(project)
    [slot] = project.cache.glob("*.pickle")
    data = slot.read_bytes()
    header = data[:public_cache.KEY_LENGTH + 1]
    slot.write_bytes({"truncated": data[:len(data) // 2], "garbage": header + b"\x80\x05not a pickle",
                      "empty": b"", "other object": header + b"\x80\x04K\x01."}[damage])
    again = load_all(project)
    assert len(parses) == 2
    assert_same_public(first.public, again.public)
    assert slot.read_bytes() == data
    load_all(project)
    assert len(parses) == 2


def test_an_unwritable_cache_is_skipped(project, parses):
    project.cache.parent.mkdir(parents=True, exist_ok=True)
    project.cache.write_text("a file where the folder should be", encoding="utf-8")
    load_all(project)
    load_all(project)
    assert len(parses) == 2


def test_inputs_refused_leave_no_cache(project, parses, tmp_path):
    bad = tmp_path / "confidential"
    shutil.copytree(FIXTURE_CONFIDENTIAL, bad)
    (bad / "questionnaire.csv").write_text("not,the,header\n", encoding="utf-8")
    with pytest.raises(InputError):
        load_all(project, bad)
    assert not project.cache.exists()


def test_without_a_cache_folder_nothing_is_written(project, parses):
    load_public(project.public, [], project.reference)
    inputs._CACHE.clear()
    load_public(project.public, [], project.reference)
    assert len(parses) == 2 and not project.cache.exists()


def test_a_copied_project_uses_the_same_slot_name(project, tmp_path):
    copy = make_project(tmp_path / "copy")
    assert public_cache.slot(project.cache, project.public).name == \
        public_cache.slot(copy.cache, copy.public).name
    assert public_cache.slot(project.cache, project.public) != \
        public_cache.slot(project.cache, tmp_path / "elsewhere")


def test_a_warm_process_stores_the_cache_once(project, parses):
    edition, method = load_edition(2016, project), load_method(project)
    load_inputs(project, edition, method, ["IQ"], restricted_dir=FIXTURE_CONFIDENTIAL)
    [slot] = project.cache.glob("*.pickle")
    written = slot.stat().st_mtime_ns, slot.stat().st_ino
    load_inputs(project, edition, method, ["MA"], restricted_dir=FIXTURE_CONFIDENTIAL)
    assert (slot.stat().st_mtime_ns, slot.stat().st_ino) == written and len(parses) == 1


def test_a_kernel_warming_up_takes_the_public_data_from_the_cache_only(project, parses):
    """preload_public (a kernel's warm-up) never parses the files: with no cache it does nothing;
    once a run stored them, it fills the memo and the notebook's load_inputs reads nothing again."""
    assert not inputs.preload_public(project.public, project.reference, project.cache)
    assert parses == [] and not inputs._CACHE
    stored = load_all(project)  # a run's inputs: parsed once, stored on disk
    assert len(parses) == 1
    inputs._CACHE.clear()  # a new process: the kernel
    assert inputs.preload_public(project.public, project.reference, project.cache)
    again = load_inputs(project, load_edition(2016, project), load_method(project), ["IQ"],
                        restricted_dir=FIXTURE_CONFIDENTIAL)
    assert len(parses) == 1, "the warmed-up kernel parsed the public files again"
    assert_same_public(stored.public, again.public)


def test_importing_public_data_validates_and_caches_them_for_the_first_run(project, parses):
    inputs.store_public(project)  # what `data import` and `data fetch` do after writing data/public
    assert len(parses) == 1 and list(project.cache.iterdir())
    load_all(project)
    assert len(parses) == 1, "the first run parsed the public files although the import cached them"


def test_fetched_data_the_loaders_refuse_are_a_warning_and_cache_nothing(project, monkeypatch, capsys):
    """After `data fetch` (`data import` refuses such data before copying: tests/test_bad_inputs.py)."""
    from readmission import cli_data

    path = project.public / "eurostat" / "migr_eiord.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("OBS_FLAG", "FLAG", 1), encoding="utf-8")
    cli_data.cache_public(project)
    assert "do not validate" in capsys.readouterr().out
    assert not project.cache.exists() or not list(project.cache.iterdir())
