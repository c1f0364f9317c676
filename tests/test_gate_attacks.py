"""The publish gate as a last line (issue 23, item 6): each slip an adversary found is refused.

Every attack builds the offending public file by hand and shows the gate refuses it; its benign
twin passes, so the check is not a blanket refusal. A planted confidential value (CANARY, one
state's requests for Iraq) is first shown to be among the values the gate compares with, so each
refusal test can fail.
"""

from __future__ import annotations

import json
import shutil

import pytest
import yaml
from typer.testing import CliRunner

from conftest import REPO, install_stand_in, make_project
from readmission.base.errors import InputError
from readmission.publish.gate import (KNOWN_TAGS, check_published, confidential_values, gate_context,
                              public_numbers)
from readmission.publish.gate_numbers import numbers_in

CANARY = 48213  # DE's requests submitted to Iraq, planted; appears in no public input
FIXTURE = REPO / "data" / "fixture" / "confidential" / "2016" / "readmission_statistics.csv"


def statistics_rows(value: int = CANARY) -> list[list[str]]:
    """The fixture's statistics rows (header first) with DE's requests for Iraq set to `value`."""
    rows = [line.split(",") for line in FIXTURE.read_text(encoding="utf-8").splitlines()]
    submitted = rows[0].index("readmission_requests_submitted")
    planted = [r for r in rows[1:] if r[:2] == ["DE", "IQ"]]
    assert len(planted) == 1
    planted[0][submitted] = str(value)
    return rows


@pytest.fixture
def project(tmp_path):
    """A fixture project whose confidential statistics (data/restricted/2016/) hold the canary."""
    project = make_project(tmp_path / "p")
    folder = project.restricted / "2016"
    folder.mkdir(parents=True, exist_ok=True)
    text = "\n".join(",".join(r) for r in statistics_rows()) + "\n"
    (folder / "readmission_statistics.csv").write_text(text, encoding="utf-8")
    return project


def page(project, name: str, text: str):
    """A public file of Iraq's page (notebooks/countries/2016/<name>) holding `text`."""
    path = project.notebooks / "countries" / "2016" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(project, path, context=None) -> list[str]:
    return check_published(project, project.root, [path], context or gate_context(project))


def test_the_canary_is_a_value_the_gate_compares_with(project):
    assert CANARY in gate_context(project).values_by_country["IQ"]
    assert CANARY not in public_numbers(project)


# --- 1. cell tags ----------------------------------------------------------------------------------

def notebook(tags) -> str:
    cell = {"cell_type": "markdown", "id": "c", "metadata": {"tags": tags}, "source": "Per-state answers"}
    return json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


@pytest.mark.parametrize("tags, expected", [
    (["Restricted"], "tagged 'Restricted' (read as 'restricted'"),
    (["RESTRICTED"], "tagged 'RESTRICTED' (read as 'restricted'"),
    ([" restricted "], "tagged ' restricted ' (read as 'restricted'"),
    (["restricted"], "tagged 'restricted'"),
    (["restrcited"], "carries the tag 'restrcited', which the project does not know"),
    (["parameters", "confidential"], "carries the tag 'confidential', which the project does not know"),
    ([7], "carries the tag 7, which the project does not know"),
    ("restricted", "has tags that are not a list"),
])
def test_a_restricted_tag_in_any_case_or_an_unknown_tag_is_refused(project, tags, expected):
    problems = problems_of(project, page(project, "IQ.ipynb", notebook(tags)))
    assert any(expected in p and "cell 0" in p for p in problems), problems


@pytest.mark.parametrize("tags", [[], ["parameters"], ["injected-parameters"],
                                  ["remove-input", "raises-exception"]])
def test_a_page_with_known_tags_only_passes(project, tags):
    assert problems_of(project, page(project, "IQ.ipynb", notebook(tags))) == []


def test_every_tag_the_templates_and_papermill_write_is_known():
    """The known tags come from one constant; the templates' own tags and papermill's injected
    cell must be in it, or every public page would be refused."""
    used = {"injected-parameters"}
    for template in (REPO / "notebooks").glob("*.ipynb"):
        used |= {t for c in json.loads(template.read_text())["cells"] for t in c["metadata"].get("tags", [])}
    assert "restricted" in used and used <= KNOWN_TAGS


# --- 2. every number format ---------------------------------------------------------------------

@pytest.mark.parametrize("text, read", [
    ("48213", {48213}), ("48,213", {48213}), ("48.213", {48213}), ("48 213", {48213}),
    ("48\u202f213", {48213}), ("48\u00a0213", {48213}), ("48213.0", {48213}), ("48,213.0", {48213}),
    ("48.213,0", {48213}), ("48213th", {48213}), ("4.8213e4", {48213}), ("1,234.0", {1234}),
    ("in 2016 48 213 requests", {2016, 48213}), ("9,182,736", {9182736}),
    ("87.3 %", set()), ("0.48213", set()), ("48213.5", set()), ("48,213.57", set()),
    ("sha 48213af", set()), ("v1.48213", set()), ("1.2345678", set()),
])
def test_a_number_is_read_in_every_format_and_only_as_a_whole_number(text, read):
    assert {n for n in numbers_in(text) if n >= 1000} == read


@pytest.mark.parametrize("shown", ["48213", "48,213", "48.213", "48 213", "48\u202f213", "48\u00a0213",
                                   "48213.0", "48,213.0", "48.213,0", "48213th", "48,213rd"])
@pytest.mark.parametrize("name, template", [
    ("IQ.html", "<p>Requests from Germany: {}</p>"),
    ("IQ.json", '{{"public": {{"note": "requests: {}"}}}}'),
    ("IQ.md", "Requests from Germany: {}.\n"),
])
def test_a_confidential_value_is_refused_in_every_format(project, shown, name, template):
    problems = problems_of(project, page(project, name, template.format(shown)))
    assert any("48,213" in p and "single state's confidential value" in p for p in problems), problems


@pytest.mark.parametrize("shown", ["87.3 %", "2016", "48,214", "0.48213", "48213.5", "4,821.3", "#48213ab"])
def test_rates_years_and_other_numbers_pass(project, shown):
    assert problems_of(project, page(project, "IQ.html", f"<p>Acceptance: {shown}</p>")) == []


def test_a_json_number_has_one_reading(project):
    """48213.0 in JSON is the value; 48.213 in JSON is a decimal, never 48213."""
    assert problems_of(project, page(project, "IQ.json", '{"public": {"mean": 48.213}}')) == []
    assert problems_of(project, page(project, "IQ.json", '{"public": {"count": 48213.0}}'))


def test_a_confidential_value_in_a_csv_field_or_a_traceback_is_refused(project):
    assert problems_of(project, page(project, "IQ.csv", "year,value\n2016,48213\n"))
    error = {"output_type": "error", "ename": "ValueError", "evalue": "bad row",
             "traceback": ["\x1b[0;31mValueError\x1b[0m: DE requested \x1b[1m48213\x1b[0m"]}
    nb = json.loads(notebook([]))
    nb["cells"] = [{"cell_type": "code", "id": "e", "metadata": {}, "source": "x", "outputs": [error],
                    "execution_count": 1}]
    assert problems_of(project, page(project, "IQ.ipynb", json.dumps(nb)))


# --- 3. SVG text ---------------------------------------------------------------------------------

def test_a_value_in_svg_text_is_refused_and_svg_geometry_is_not_read(project):
    svg = '<svg xmlns="http://www.w3.org/2000/svg"><text x="10">{}</text></svg>'
    assert problems_of(project, page(project, "IQ-chart.svg", svg.format("48,213")))
    assert problems_of(project, page(project, "IQ.html", f"<div>{svg.format('48 213')}</div>"))
    assert problems_of(project, page(project, "IQ-chart.svg", svg.format("<tspan>48213</tspan>")))
    assert problems_of(project, page(project, "IQ-chart.svg", svg.format("2016"))) == []
    geometry = '<svg xmlns="http://www.w3.org/2000/svg"><rect width="48213" height="1"/></svg>'
    assert problems_of(project, page(project, "IQ-chart.svg", geometry)) == []


def test_a_matplotlib_svg_with_text_drawn_as_paths_is_read(project):
    """matplotlib draws text as glyph paths (no <text>) and keeps the string in a comment."""
    import io

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure = plt.figure()
    figure.text(0.5, 0.5, "DE: 48,213")
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg")
    plt.close(figure)
    drawn = buffer.getvalue()
    assert "<text" not in drawn
    assert problems_of(project, page(project, "IQ-chart.svg", drawn))
    output = {"output_type": "display_data", "metadata": {}, "data": {"image/svg+xml": drawn}}
    nb = json.loads(notebook([]))
    nb["cells"] = [{"cell_type": "code", "id": "s", "metadata": {}, "source": "plot()",
                    "outputs": [output], "execution_count": 1}]
    assert problems_of(project, page(project, "IQ.ipynb", json.dumps(nb)))


# --- 4. Excel read as the loader reads it --------------------------------------------------------

def test_an_excel_input_with_a_cover_sheet_first_is_read_on_the_loaders_sheet(tmp_path):
    from openpyxl import Workbook

    from readmission.data.confidential import read_statistics

    project = make_project(tmp_path / "p")
    folder = project.restricted / "2016"
    folder.mkdir(parents=True)
    book = Workbook()
    book.active.title = "README"
    book.active.append(["Cover sheet: the data are on the sheet readmission_statistics"])
    data = book.create_sheet("readmission_statistics")
    for row in statistics_rows():
        data.append([int(v) if v.isdigit() else v for v in row])
    book.save(folder / "readmission_statistics.xlsx")
    loaded, _ = read_statistics(folder / "readmission_statistics.xlsx", {"DE"} | {
        r[0] for r in statistics_rows()[1:]})
    assert CANARY in set(loaded["readmission_requests_submitted"].dropna())  # what the run reads
    assert CANARY in confidential_values(project, set())["IQ"]  # the gate reads the same sheet
    assert problems_of(project, page(project, "IQ.html", "<p>48,213</p>"))


def test_an_unreadable_confidential_input_stops_the_gate(project):
    from readmission.publish.gate import PublishRefused

    (project.restricted / "2016" / "questionnaire.xlsx").write_bytes(b"not a workbook")
    with pytest.raises(PublishRefused, match="questionnaire.xlsx: cannot read it"):
        gate_context(project)


# --- 5. the public allow-list from declared inputs only ------------------------------------------

def append_row(path, value: int) -> None:
    """Add one observation holding `value` to a public CSV."""
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(f"ESTAT:MIGR_EIORD(1.0),,A,IQ,TOTAL,T,PER,DE,2016,{value},\n")


def declare(path) -> None:
    """Write the file's current sha256 into its .meta.yml (as a real import would)."""
    from readmission.data.snapshot import meta_path, sha256_file

    meta = yaml.safe_load(meta_path(path).read_text(encoding="utf-8"))
    meta["outs"][0].update(path=path.name, sha256=sha256_file(path))
    meta_path(path).write_text(yaml.safe_dump(meta), encoding="utf-8")


def test_a_stray_csv_under_data_public_allows_nothing(project):
    stray = project.public / "eurostat" / "stray.csv"
    stray.write_text(f"value\n{CANARY}\n", encoding="utf-8")
    shutil.copy(project.public / "eurostat" / "migr_eiord.csv.meta.yml", stray.with_name("stray.csv.meta.yml"))
    declare(stray)  # even with a .meta.yml of its own: not one of the declared public inputs
    from readmission.data.snapshot import verify_file

    verify_file(stray)
    assert problems_of(project, page(project, "IQ.html", "<p>48,213</p>"))


def test_a_declared_public_input_allows_only_while_its_sha256_matches(project):
    eiord = project.public / "eurostat" / "migr_eiord.csv"
    append_row(eiord, CANARY)  # changed since its .meta.yml was written: declares nothing
    assert problems_of(project, page(project, "IQ.html", "<p>48,213</p>"))
    declare(eiord)  # the figure is in a verified public input: it is public
    assert problems_of(project, page(project, "IQ.html", "<p>48,213</p>")) == []


# --- 6. params/publish_gate.yml validated --------------------------------------------------------

@pytest.mark.parametrize("entries, expected", [
    ('  - {value: abc, reason: "x"}\n', "allow entry 1: 'abc' is not a whole number"),
    ('  - {value: 4860.7, reason: "x"}\n', "allow entry 1: 4860.7 is not a whole number"),
    ('  - {value: "4860", reason: "x"}\n', "allow entry 1: '4860' is not a whole number"),
    ('  - {value: -5, reason: "x"}\n', "allow entry 1: -5 is not a whole number >= 0"),
    ('  - {value: 12345, reason: "a"}\n  - {value: 4860}\n', "allow entry 2: a reason is required"),
    ('  - {value: 4860, reason: "  "}\n', "allow entry 1: a reason is required"),
    ('  - {value: 4860, reason: "x", resaon: "y"}\n', "field 'resaon': allow entry 1: unknown key"),
    ('  - {vaule: 4860, reason: "x"}\n', "field 'value': allow entry 1: missing"),
    ('  - 4860\n', "allow entry 1: expected {value"),
], ids=["text", "decimal", "quoted", "negative", "no-reason", "blank-reason", "typo-key", "typo-value",
        "not-a-mapping"])
def test_an_invalid_allow_list_entry_is_an_input_error_naming_file_entry_and_field(project, entries, expected):
    path = project.params / "publish_gate.yml"
    path.write_text("# reviewed\nallow:\n" + entries, encoding="utf-8")
    with pytest.raises(InputError) as raised:
        gate_context(project)
    message = str(raised.value)
    assert expected in message and str(path) in message, message
    assert "row " in message  # the entry's line in the file


@pytest.mark.parametrize("content, expected", [
    ("alow: []\n", "field 'alow': unknown setting"),
    ("allow: {value: 4860}\n", "field 'allow': expected a list"),
])
def test_an_allow_list_of_the_wrong_shape_is_an_input_error(project, content, expected):
    (project.params / "publish_gate.yml").write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=expected):
        gate_context(project)


def test_a_valid_allow_list_entry_admits_exactly_its_value(project):
    (project.params / "publish_gate.yml").write_text(
        f"allow:\n  - {{value: {CANARY}, reason: 'equal by chance to a public figure (test)'}}\n")
    assert problems_of(project, page(project, "IQ.html", "<p>48,213</p>")) == []
    assert gate_context(project).allowed == {CANARY}
    assert (REPO / "params" / "publish_gate.yml").exists() and gate_context(make_project(
        project.root.parent / "q")).allowed == set()  # the committed list is valid (and empty)


def test_render_with_an_invalid_allow_list_exits_2_with_the_message(project, monkeypatch):
    from readmission.cli import app
    from readmission.base.paths import PUBLIC, OutputTree

    run_file = OutputTree(project, 2016, PUBLIC).run_file  # an edition has run: the render goes on
    run_file.parent.mkdir(parents=True, exist_ok=True)
    run_file.write_text("{}")
    (project.params / "publish_gate.yml").write_text("allow:\n  - {value: 4860.7, reason: x}\n")
    monkeypatch.setenv("READMISSION_ROOT", str(project.root))
    install_stand_in(project.root.parent, monkeypatch)
    result = CliRunner().invoke(app, ["render"])
    assert result.exit_code == 2, result.output
    assert "publish_gate.yml" in result.output and "allow entry 1" in result.output
    assert "Traceback" not in result.output


def columns_the_gate_lets_through(folder) -> list[str]:
    """The schema's confidential columns that pass the gate in a per-state CSV row or JSON record, or
    (read from an input file) whose values it would not compare; [] when it refuses them all."""
    from readmission.base.columns import COLUMNS
    from readmission.publish.gate import GateContext, file_problems, file_values

    passed = []
    for name, column in COLUMNS.items():
        if not column.confidential:
            continue
        table, records = folder / "IQ.csv", folder / "IQ.json"
        table.write_text(f"reporting_state,{name}\nDE,2\n", encoding="utf-8")
        records.write_text(json.dumps({"public": {"by_state": [{"reporting_state": "DE", name: 2}]}}))
        found = [file_problems(path, path.name, GateContext([])) for path in (table, records)]
        compared = file_values([(1, ["reporting_state", "country", name]), (2, ["DE", "IQ", "12345"])])
        if not all(any(f"column '{name}'" in p for p in problems) for problems in found) or \
                (column.input_file and compared != {"IQ": {12345}}):
            passed.append(name)
    return passed


def test_the_gate_refuses_every_column_the_schema_classes_confidential(tmp_path):
    from readmission.base.columns import PER_STATE, confidential_columns
    from readmission.publish.gate import GateContext, file_problems

    assert len(confidential_columns()) > 20 and columns_the_gate_lets_through(tmp_path) == []
    public = [name for name, column in PER_STATE.items() if not column.confidential]
    table = tmp_path / "IQ.csv"
    table.write_text(",".join(public) + "\n" + ",".join("2" for _ in public) + "\n", encoding="utf-8")
    assert file_problems(table, table.name, GateContext([])) == []  # the benign twin: public columns pass


def test_a_confidential_column_missing_from_the_gates_list_is_caught(tmp_path, monkeypatch):
    """The check above can fail: the gate once let the (d)(iv) column 'return_operations' through."""
    from readmission.publish import gate

    monkeypatch.setattr(gate, "CONFIDENTIAL_COLUMNS", gate.CONFIDENTIAL_COLUMNS - {"return_operations", "score"})
    assert columns_the_gate_lets_through(tmp_path) == ["return_operations", "score"]


def test_the_gate_refuses_a_public_output_showing_a_telltale_column_by_name(tmp_path):
    from readmission.base.columns import telltale_columns
    from readmission.publish.gate import GateContext, file_problems

    for name in sorted(telltale_columns()):
        shown = tmp_path / "IQ.html"
        shown.write_text(f"<html><body><p>{name}</p></body></html>", encoding="utf-8")
        assert file_problems(shown, shown.name, GateContext([])) == [
            f"IQ.html: shows the per-state confidential column '{name}'"]
