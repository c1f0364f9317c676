"""The committed synthetic fixture is exactly what its generator writes, and says it is synthetic."""

from __future__ import annotations

import filecmp

from conftest import REPO
from readmission.base import codes
from readmission.data.fixture import write_fixture
from readmission.inputs.loading import is_synthetic


def test_committed_fixture_equals_generator_output(tmp_path):
    write_fixture(tmp_path)
    committed = REPO / "data" / "fixture" / "public"
    for rel in ["eurostat/migr_eiord.csv", "eurostat/migr_eirtn.csv", "eurostat/migr_asyappctza.csv",
                "frontex/illegal_border_crossings.csv", "frontex/return_operations.csv"]:
        assert filecmp.cmp(tmp_path / rel, committed / rel, shallow=False), rel
        assert filecmp.cmp(tmp_path / f"{rel}.meta.yml", committed / f"{rel}.meta.yml", shallow=False), rel
    assert is_synthetic(committed)


def test_synthetic_codes_only_in_benchmark_and_demo_mode(monkeypatch):
    monkeypatch.delenv(codes.SYNTHETIC_ENV, raising=False)
    assert not codes.is_country("Q042")
    monkeypatch.setenv(codes.SYNTHETIC_ENV, "1")
    assert codes.is_country("Q042") and codes.country_name("Q042") == "Synthetic country Q042"
    assert not codes.is_country("Q42")


def test_committed_fixture_confidential_set_is_the_demo_writers_output(tmp_path):
    """data/fixture/confidential/2016 (the notebook template's default) is what --demo writes for
    the fixture's seven countries: regenerate it with write_demo_set when the demo changes."""
    import shutil

    from readmission.data.fixture import COUNTRIES
    from readmission.inputs.loading import edition_states, load_public
    from readmission.run.editions import write_demo_set
    from readmission.settings.params import load_edition, load_method
    from readmission.base.paths import Project

    project = Project(REPO).copy_inputs(tmp_path / "p")
    shutil.copytree(REPO / "data" / "fixture" / "public", project.public)
    edition = load_edition(2016, project)
    written = write_demo_set(project, edition, load_method(project), sorted(COUNTRIES),
                             load_public(project.public, []), edition_states(project, edition))
    committed = REPO / "data" / "fixture" / "confidential" / "2016"
    names = sorted(p.name for p in committed.iterdir())
    assert names == sorted(p.name for p in written.iterdir())
    for name in names:
        assert filecmp.cmp(written / name, committed / name, shallow=False), name
