"""Per-country slices: the run parses the confidential files once; each kernel reads its own rows."""

from __future__ import annotations

import csv
import dataclasses

from readmission.data.confidential import PROVENANCE, load_confidential
from readmission.inputs.loading import edition_states
from readmission.base.paths import demo_folder
from readmission.inputs.slices import slice_folder
from readmission.settings.params import load_edition
from conftest import SELECTED, active_project, notebook_bytes, restricted_tree, run_fixture

KINDS = ("readmission_statistics", "questionnaire")


def source_rows(path) -> dict[int, list[str]]:
    """Every row of a CSV file by its row number (the header is row 1)."""
    with open(path, newline="", encoding="utf-8") as handle:
        return {number: row for number, row in enumerate(csv.reader(handle), start=1)}


def test_slices_hold_one_country_and_trace_to_source_rows_and_reruns_are_identical(tmp_path_factory):
    with active_project(tmp_path_factory, "slices") as (project, _):
        assert run_fixture(project, "restricted").ok  # restricted pages read slices (public: the release)
        tree = restricted_tree(project)
        source = demo_folder(project, load_edition(2016, project))
        for code in SELECTED:
            folder = slice_folder(tree, code)
            assert (folder / "demo.yml").read_bytes() == (source / "demo.yml").read_bytes()
            for kind in KINDS:
                original = source_rows(source / f"{kind}.csv")
                header = original[1]
                rows = source_rows(folder / f"{kind}.csv")
                assert rows[1] == header + PROVENANCE
                mine = [row for row in list(original.values())[1:] if row[1] == code]
                assert len(rows) - 1 == len(mine) > 0
                for row in list(rows.values())[1:]:
                    values, (file, number) = row[:len(header)], row[len(header):]
                    assert values[1] == code and file == f"{kind}.csv"
                    assert original[int(number)] == values
        assert run_fixture(project).ok
        public = notebook_bytes(project.root)
        assert str(project.root) not in b"".join(public.values()).decode()
        assert run_fixture(project, force=True).ok
        assert notebook_bytes(project.root) == public


def test_a_countrys_key_follows_its_own_rows_only(tmp_path_factory):
    with active_project(tmp_path_factory, "slice-keys") as (project, _):
        edition = load_edition(2016, project)
        assert run_fixture(project).ok
        from readmission.run.edition_run import RunRequest, country_keys, prepare_inputs

        request = RunRequest(edition, demo=True)
        _, inputs = prepare_inputs(project, request, SELECTED)
        keys = country_keys(project, request, inputs, SELECTED)
        folder = tmp_path_factory.mktemp("moved")
        for kind in KINDS:  # an MA row moves to the top and changes: IQ rows above it move down
            rows = list(source_rows(demo_folder(project, edition) / f"{kind}.csv").values())
            ma = next(i for i, row in enumerate(rows) if row[1] == "MA")
            moved = rows[ma][:-1] + ["changed"]
            rows = [rows[0], moved] + rows[1:ma] + rows[ma + 1:]
            with open(folder / f"{kind}.csv", "w", newline="", encoding="utf-8") as handle:
                csv.writer(handle, lineterminator="\n").writerows(rows)
        (folder / "demo.yml").write_bytes((demo_folder(project, edition) / "demo.yml").read_bytes())
        moved_inputs = dataclasses.replace(inputs, confidential=load_confidential(
            folder, set(edition_states(project, edition)), None, 2016))
        assert not moved_inputs.confidential.statistics.equals(inputs.confidential.statistics)
        after = country_keys(project, request, moved_inputs, SELECTED)
        assert after["IQ"] == keys["IQ"] and after["PK"] == keys["PK"]
        assert after["MA"] != keys["MA"]
        rows = [frame.query("country == 'IQ'")["source_row"].tolist()
                for frame in (inputs.confidential.statistics, moved_inputs.confidential.statistics)]
        assert rows[0] != rows[1], "the move should shift IQ's rows in the file"
