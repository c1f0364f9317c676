"""The publishing bundle (bundle.py): built from the gated site, verified, the same bytes twice."""

from __future__ import annotations

import subprocess
import tarfile

import pytest

from conftest import install_stand_in
from readmission.publish.bundle import BundleError, publish, verify
from readmission.publish.site import render
from test_site import site  # noqa: F401  (the tiny project fixture)


def commit_all(root) -> None:
    for args in (["init", "-q"], ["add", "-A"], ["-c", "user.name=t", "-c", "user.email=t@example.org",
                                                  "commit", "-qm", "site sources"]):
        subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


@pytest.fixture
def published(site, tmp_path, monkeypatch):  # noqa: F811
    """The tiny project rendered (stand-in Quarto: its pages hold their text), committed to git."""
    (tmp_path / "bin").mkdir()
    install_stand_in(tmp_path / "bin", monkeypatch)
    render(site)
    (site.root / ".gitignore").write_text("_site/\ndist/\n")
    commit_all(site.root)
    return site


def test_publish_then_verify_passes_and_two_builds_are_identical(published):
    archive = publish(published)
    assert archive.parent == published.root / "dist" and archive.name.startswith("readmission-2016-")
    assert verify(archive) == []
    first = archive.read_bytes()
    archive.unlink()
    assert publish(published).read_bytes() == first  # fixed times, order and owners
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        members = tar.getmembers()
    top = archive.name.removesuffix(".tar.gz")
    assert f"{top}/SHA256SUMS" in names and f"{top}/manifest.json" in names
    assert f"{top}/site/index.html" in names and f"{top}/site/notebooks/countries/2016/IQ.json" in names
    assert {(m.uid, m.gid, m.uname, m.gname) for m in members} == {(0, 0, "", "")}
    assert len({m.mtime for m in members}) == 1


def test_the_manifest_names_commit_editions_inputs_and_versions(published):
    import json

    archive = publish(published)
    with tarfile.open(archive) as tar:
        top = archive.name.removesuffix(".tar.gz")
        manifest = json.loads(tar.extractfile(f"{top}/manifest.json").read())
    commit = subprocess.run(["git", "-C", str(published.root), "rev-parse", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    assert manifest["commit"] == commit and manifest["built"].startswith("20")
    edition = manifest["editions"][0]
    assert edition["year"] == 2016 and sorted(edition["countries"]) == ["IQ", "XK"]
    assert [i["file"] for i in edition["public_inputs"]] == ["eurostat/migr_eiord.csv", "frontex/return_operations.csv"]
    assert edition["signed_off"] == [] and "papermill" in manifest["packages"]


def test_one_changed_byte_an_added_or_a_missing_file_fails_verify_naming_it(published, tmp_path):
    archive = publish(published)
    with tarfile.open(archive) as tar:
        tar.extractall(tmp_path / "out", filter="data")
    top = tmp_path / "out" / archive.name.removesuffix(".tar.gz")
    assert verify(top) == [] and verify(tmp_path / "out") == []
    page = top / "site" / "index.html"
    data = bytearray(page.read_bytes())
    data[10] ^= 1
    page.write_bytes(bytes(data))
    assert verify(top) == ["site/index.html: changed"]
    (top / "site" / "extra.html").write_text("x")
    (top / "site" / "countries.html").unlink()
    assert verify(top) == ["site/index.html: changed", "site/extra.html: added (not in SHA256SUMS)",
                           "site/countries.html: missing"]


def test_a_site_holding_a_file_the_gate_refuses_is_not_bundled(published):
    (published.root / "_site" / "council-2016.pdf").write_bytes(b"%PDF-1.7 RESTRICTED")
    with pytest.raises(BundleError, match="council-2016.pdf: not a declared page or resource"):
        publish(published)
    assert not (published.root / "dist").exists()


def test_uncommitted_changes_or_no_git_are_refused(published):
    (published.root / "index.qmd").write_text("changed\n")
    with pytest.raises(BundleError, match="uncommitted changes"):
        publish(published)
    subprocess.run(["rm", "-rf", str(published.root / ".git")], check=True)
    with pytest.raises(BundleError, match="not a git checkout"):
        publish(published)


def test_the_commands_publish_and_verify(published, monkeypatch, tmp_path):
    from typer.testing import CliRunner

    from readmission.cli import app

    runner = CliRunner()
    monkeypatch.setenv("READMISSION_ROOT", str(published.root))
    done = runner.invoke(app, ["publish"], env={"COLUMNS": "200"})
    assert done.exit_code == 0, done.output
    archive = next((published.root / "dist").glob("*.tar.gz"))
    assert f"bundle: {archive}" in done.output and "readmission verify" in done.output
    assert runner.invoke(app, ["verify", str(archive)]).exit_code == 0
    broken = tmp_path / "broken.tar.gz"
    broken.write_bytes(archive.read_bytes()[:-100])
    failed = runner.invoke(app, ["verify", str(broken)], env={"COLUMNS": "200"})
    assert failed.exit_code == 2 and "not a readable bundle" in failed.output
