"""Snapshot import, checksums and the input manifest: verified, all-or-nothing, clear errors."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
import yaml

from conftest import file_bytes, leftovers

from readmission.data import snapshot
from readmission.data.snapshot import (REQUIRED_FILES, compare_manifests, import_snapshot,
                                       input_manifest, read_meta, sha256_file, verify_file)
from readmission.base.errors import InputError

STAMP = "20/09/24 23:00:00"
REAL_SNAPSHOT = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "snapshot"


def write_data(folder: Path, rel: str, text: str, origin: dict | None = None) -> None:
    """A data file and a .meta.yml in the snapshot's structure."""
    path = folder / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    lines = text.splitlines()
    meta = {"meta": {"origin": origin or {"producer": "test"}},
            "outs": [{"path": path.name, "rows": len(lines) - 1, "columns": lines[0].split(","),
                      "sha256": hashlib.sha256(text.encode()).hexdigest(),
                      "size": len(text.encode())}]}
    snapshot.meta_path(path).write_text(yaml.safe_dump(meta, sort_keys=False), encoding="utf-8")


def make_snapshot(folder: Path) -> Path:
    """A tiny snapshot with all seven required files."""
    for rel in REQUIRED_FILES:
        write_data(folder, rel, "code,value\nAF,10\nMA,15\n")
    write_data(folder, "eurostat/migr_eirtn.csv",
               "DATAFLOW,LAST UPDATE,freq,geo,TIME_PERIOD,OBS_VALUE\n"
               f"ESTAT:MIGR_EIRTN(1.0),{STAMP},A,DE,2023,155\n")
    write_data(folder, "eurostat/migr_eiord.csv",
               "DATAFLOW,LAST UPDATE,freq,geo,TIME_PERIOD,OBS_VALUE\n"
               "ESTAT:MIGR_EIORD(1.0),,A,DE,2016,70005\nESTAT:MIGR_EIORD(1.0),,A,FR,2016,1\n",
               origin={"last_update": "unknown (LAST UPDATE left empty)"})
    write_data(folder, "eurostat/migr_asyappctza.csv",
               "DATAFLOW,LAST UPDATE,freq,geo,TIME_PERIOD,OBS_VALUE\n"
               "ESTAT:MIGR_ASYAPPCTZA(1.0),,A,DE,2024,10840\n",
               origin={"last_update": "18/06/25 11:00:00 (as printed upstream)"})
    return folder


def copy_snapshot(source: Path, target: Path) -> Path:
    """A writable copy of a snapshot's required files (the shared one is read-only)."""
    for rel in snapshot.with_meta(REQUIRED_FILES):
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / rel, target / rel)
    return target


@pytest.fixture
def source(tmp_path) -> Path:
    """A writable snapshot: a copy of the real one when it exists, else a synthetic one."""
    if all((REAL_SNAPSHOT / rel).is_file() for rel in REQUIRED_FILES):
        return copy_snapshot(REAL_SNAPSHOT, tmp_path / "snapshot")
    return make_snapshot(tmp_path / "snapshot")


@pytest.fixture
def public(tmp_path) -> Path:
    path = tmp_path / "data" / "public"
    path.mkdir(parents=True)
    (path / "README.md").write_text("committed readme\n")
    return path


def test_sha256_file(tmp_path):
    path = tmp_path / "abc.txt"
    path.write_bytes(b"abc")
    assert sha256_file(path) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_read_meta_without_sha256_names_file(tmp_path):
    path = tmp_path / "x.csv.meta.yml"
    path.write_text("outs:\n  - path: x.csv\n    rows: 1\n")
    with pytest.raises(InputError) as err:
        read_meta(path)
    assert str(path) in str(err.value) and "sha256" in str(err.value)


def test_read_meta_bad_yaml_names_file_and_line(tmp_path):
    path = tmp_path / "x.csv.meta.yml"
    path.write_text("meta:\n  origin: [unclosed\nouts: x\n")
    with pytest.raises(InputError) as err:
        read_meta(path)
    assert err.value.problems[0].file == str(path)
    assert err.value.problems[0].row is not None


def test_verify_file_mismatch_names_file_and_both_checksums(tmp_path):
    make_snapshot(tmp_path)
    path = tmp_path / "frontex/return_operations.csv"
    expected = sha256_file(path)
    path.write_text("code,value\nAF,11\nMA,15\n")
    with pytest.raises(InputError) as err:
        verify_file(path)
    message = str(err.value)
    assert str(path) in message and expected in message and sha256_file(path) in message


def test_import_real_snapshot(snapshot_dir, public):
    entries = import_snapshot(snapshot_dir, public)
    assert [e["file"] for e in entries] == sorted(REQUIRED_FILES)
    for rel in snapshot.with_meta(REQUIRED_FILES):
        assert (public / rel).read_bytes() == (snapshot_dir / rel).read_bytes()
    by_file = {e["file"]: e for e in entries}
    for rel, entry in by_file.items():
        out = read_meta(snapshot.meta_path(snapshot_dir / rel))["outs"][0]
        assert (entry["sha256"], entry["rows"], entry["origin"]) == (out["sha256"], out["rows"],
                                                                     "snapshot")
    assert by_file["eurostat/migr_eirtn.csv"]["last_update"] == STAMP
    assert by_file["eurostat/migr_eiord.csv"]["last_update"] is None
    assert (public / "README.md").read_text() == "committed readme\n"
    assert leftovers(public) == []


def test_import_into_new_folder(tmp_path):
    source = make_snapshot(tmp_path / "snapshot")
    public = tmp_path / "data" / "public"
    entries = import_snapshot(source, public)
    assert file_bytes(public) == file_bytes(source)
    # made with mkdir, not mkdtemp (mode 700)
    assert public.stat().st_mode & 0o777 == public.parent.stat().st_mode & 0o777
    assert len(entries) == 7 and leftovers(public) == []


def test_import_replaces_older_files_and_keeps_others(tmp_path, public):
    write_data(public, "eurostat/migr_eiord.csv", "code,value\nold,1\n")
    source = make_snapshot(tmp_path / "snapshot")
    import_snapshot(source, public)
    assert (public / "eurostat/migr_eiord.csv").read_bytes() == \
        (source / "eurostat/migr_eiord.csv").read_bytes()
    assert (public / "README.md").read_text() == "committed readme\n"


def test_corrupt_byte_refused_and_public_untouched(source, public):
    import_snapshot(source, public)
    before = file_bytes(public)
    path = source / "eurostat/migr_eirtn.csv"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] = (data[len(data) // 2] + 1) % 256
    path.write_bytes(bytes(data))
    expected = read_meta(snapshot.meta_path(path))["outs"][0]["sha256"]
    with pytest.raises(InputError) as err:
        import_snapshot(source, public)
    message = str(err.value)
    assert "eurostat/migr_eirtn.csv" in message
    assert expected in message and hashlib.sha256(bytes(data)).hexdigest() in message
    assert file_bytes(public) == before
    assert leftovers(public) == []


def test_missing_file_refused_before_writing(tmp_path):
    source = make_snapshot(tmp_path / "snapshot")
    (source / "frontex/return_operations.csv").unlink()
    public = tmp_path / "data" / "public"
    with pytest.raises(InputError) as err:
        import_snapshot(source, public)
    assert "frontex/return_operations.csv" in str(err.value) and "missing" in str(err.value)
    assert not (tmp_path / "data").exists()


def test_missing_meta_and_every_problem_reported(tmp_path, public):
    source = make_snapshot(tmp_path / "snapshot")
    (source / "eurostat/iso3_codes.csv.meta.yml").unlink()
    (source / "frontex/illegal_border_crossings.csv").unlink()
    before = file_bytes(public)
    with pytest.raises(InputError) as err:
        import_snapshot(source, public)
    files = [p.file for p in err.value.problems]
    assert str(source / "eurostat/iso3_codes.csv.meta.yml") in files
    assert str(source / "frontex/illegal_border_crossings.csv") in files
    assert file_bytes(public) == before


def test_missing_source_folder(tmp_path, public):
    with pytest.raises(InputError) as err:
        import_snapshot(tmp_path / "nowhere", public)
    assert "nowhere" in str(err.value)


def test_failed_swap_restores_public(tmp_path, public, monkeypatch):
    write_data(public, "eurostat/migr_eiord.csv", "code,value\nold,1\n")
    before = file_bytes(public)
    source = make_snapshot(tmp_path / "snapshot")
    real_replace, calls = snapshot.os.replace, []

    def flaky_replace(src, dst):
        calls.append(src)
        if len(calls) == 4:
            raise OSError("disk full")
        return real_replace(src, dst)

    monkeypatch.setattr(snapshot.os, "replace", flaky_replace)
    with pytest.raises(OSError, match="disk full"):
        import_snapshot(source, public)
    monkeypatch.undo()
    assert file_bytes(public) == before
    assert leftovers(public) == []


def test_manifest_sorted_with_stamps_and_origin(tmp_path, public):
    import_snapshot(make_snapshot(tmp_path / "snapshot"), public)
    manifest = input_manifest(public)
    assert [e["file"] for e in manifest] == sorted(REQUIRED_FILES)
    by_file = {e["file"]: e for e in manifest}
    assert by_file["eurostat/migr_eirtn.csv"]["last_update"] == STAMP  # from the column
    assert by_file["eurostat/migr_asyappctza.csv"]["last_update"] == "18/06/25 11:00:00"  # meta
    assert by_file["eurostat/migr_eiord.csv"]["last_update"] is None  # "unknown ..."
    assert by_file["eurostat/migr_eiord.csv"]["rows"] == 2
    assert {e["origin"] for e in manifest} == {"snapshot"}


def test_manifest_marks_synthetic_fixtures(tmp_path):
    write_data(tmp_path, "eurostat/migr_eiord.csv", "code,value\nAF,1\n")
    meta_file = snapshot.meta_path(tmp_path / "eurostat/migr_eiord.csv")
    meta = yaml.safe_load(meta_file.read_text())
    meta["meta"]["synthetic"] = True
    meta_file.write_text(yaml.safe_dump(meta))
    assert input_manifest(tmp_path)[0]["origin"] == "synthetic"


def test_manifest_refuses_edited_or_undocumented_files(tmp_path, public):
    import_snapshot(make_snapshot(tmp_path / "snapshot"), public)
    with open(public / "frontex/return_operations.csv", "a") as handle:
        handle.write("XX,1\n")
    (public / "eurostat/extra.csv").write_text("a,b\n1,2\n")
    with pytest.raises(InputError) as err:
        input_manifest(public)
    message = str(err.value)
    assert "frontex/return_operations.csv" in message and "sha256 mismatch" in message
    assert "extra.csv.meta.yml" in message and "missing" in message


def test_compare_manifests(tmp_path, public):
    import_snapshot(make_snapshot(tmp_path / "snapshot"), public)
    old = input_manifest(public)
    assert compare_manifests(old, old) == []
    write_data(public, "eurostat/migr_eiord.csv",
               "DATAFLOW,LAST UPDATE,freq,geo,TIME_PERIOD,OBS_VALUE\n"
               "ESTAT:MIGR_EIORD(1.0),01/02/25 23:00:00,A,DE,2016,70010\n")
    (public / "frontex/return_operations.csv").unlink()
    (public / "frontex/return_operations.csv.meta.yml").unlink()
    write_data(public, "eurostat/migr_eipre.csv", "code,value\nAF,1\n")
    changes = compare_manifests(old, input_manifest(public))
    assert any(c.startswith("eurostat/migr_eiord.csv: sha256 changed") for c in changes)
    assert "eurostat/migr_eiord.csv: rows changed 2 -> 1" in changes
    assert "eurostat/migr_eiord.csv: last_update changed None -> 01/02/25 23:00:00" in changes
    assert "frontex/return_operations.csv: removed" in changes
    assert any(c.startswith("eurostat/migr_eipre.csv: added") for c in changes)
    assert len(changes) == 5
