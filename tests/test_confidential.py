"""Confidential inputs: header, encoding and row checks name file/row/field, all at once; templates."""

from __future__ import annotations

import hashlib
import shutil

import openpyxl
import pandas as pd
import pytest

from readmission.data import confidential as conf
from readmission.data import templates
from readmission.base.errors import InputError
from readmission.settings.limits import Limits

from conftest import REPO

STATES = {"BE", "DE", "EL", "NO"}
COUNTRIES = {"MA", "PK", "XK", "UK"}
STATS_HEADER = ",".join(conf.STATISTICS_COLUMNS)
QUEST_HEADER = ",".join(conf.QUESTIONNAIRE_COLUMNS)


def write(folder, name, lines, encoding="utf-8"):
    path = folder / name
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def problems_of(call):
    with pytest.raises(InputError) as info:
        call()
    return info.value.problems


def test_valid_statistics_are_typed_and_empty_is_not_zero(tmp_path):
    path = write(tmp_path, "readmission_statistics.csv", [
        STATS_HEADER,
        "BE,MA,2019,100,80,70,40,35,",
        "EL,XK,2019, 0 ,,,,,\"a, quoted comment\"",
    ])
    frame, warnings = conf.read_statistics(path, STATES, COUNTRIES)
    assert warnings == []
    assert list(frame.columns) == conf.STATISTICS_COLUMNS + conf.PROVENANCE
    assert frame[conf.PROVENANCE].values.tolist() == [["readmission_statistics.csv", 2],
                                                      ["readmission_statistics.csv", 3]]
    assert frame["year"].dtype == "int64"
    assert all(frame[c].dtype == "Int64" for c in conf.COUNT_COLUMNS)
    assert frame.loc[1, "readmission_requests_submitted"] == 0
    assert frame.loc[1, ["readmission_requests_accepted", "forced_returns"]].isna().all()
    assert frame.loc[0].tolist()[:8] == ["BE", "MA", 2019, 100, 80, 70, 40, 35]
    assert frame.loc[1, "comment"] == "a, quoted comment"


def test_valid_questionnaire_is_typed(tmp_path):
    path = write(tmp_path, "questionnaire.csv", [QUEST_HEADER, "DE,PK,2019,1,,5,3,ok"])
    frame, _ = conf.read_questionnaire(path, STATES, COUNTRIES)
    assert frame.loc[0, "identification"] == 1 and pd.isna(frame.loc[0, "laissez_passer"])
    assert all(frame[c].dtype == "Int64" for c in conf.ITEMS)
    assert set(conf.ANSWER_SCALE) == {1, 2, 3, 4, 5} and conf.ANSWER_SCALE[5] == "very good"


def test_header_names_missing_and_unexpected_columns(tmp_path):
    header = STATS_HEADER.replace("forced_returns", "forced").replace(",comment", ",comment,extra")
    path = write(tmp_path, "readmission_statistics.csv", [header, "BE,MA,2019,1,1,1,1,1,"])
    [problem] = problems_of(lambda: conf.read_statistics(path, STATES))
    assert problem.file.endswith("readmission_statistics.csv") and problem.row == 1
    assert "'forced_returns'" in problem.message and "'forced'" in problem.message
    assert "'extra'" in problem.message


def test_header_in_wrong_order_is_rejected(tmp_path):
    cols = conf.QUESTIONNAIRE_COLUMNS
    path = write(tmp_path, "questionnaire.csv", [",".join([cols[1], cols[0]] + cols[2:])])
    [problem] = problems_of(lambda: conf.read_questionnaire(path, STATES))
    assert "wrong order" in problem.message and problem.row == 1


def test_not_utf8_names_the_file_and_line(tmp_path):
    path = write(tmp_path, "questionnaire.csv", [QUEST_HEADER, "BE,MA,2019,1,2,3,4,ok",
                                                 "DE,MA,2019,1,2,3,4,réponse"], encoding="latin-1")
    [problem] = problems_of(lambda: conf.read_questionnaire(path, STATES))
    assert "questionnaire.csv" in str(problem) and "UTF-8" in problem.message and problem.row == 3


def test_utf8_with_bom_is_accepted(tmp_path):
    path = tmp_path / "questionnaire.csv"
    path.write_bytes(("\ufeff" + QUEST_HEADER + "\nBE,MA,2019,1,2,3,4,réponse\n").encode("utf-8"))
    frame, _ = conf.read_questionnaire(path, STATES)
    assert frame.loc[0, "comment"] == "réponse"


STATS_ROW = {"reporting_state": "BE", "country": "MA", "year": "2019",
             "readmission_requests_submitted": "10", "readmission_requests_accepted": "5",
             "travel_documents_issued": "4", "forced_returns": "3", "days_to_travel_document": "20",
             "comment": ""}
QUEST_ROW = {"reporting_state": "BE", "country": "MA", "year": "2019", "identification": "3",
             "laissez_passer": "3", "readmission_acceptance": "3", "return_operations": "3",
             "comment": ""}


def row_text(row, **changes):
    return ",".join({**row, **changes}.values())


@pytest.mark.parametrize("field, value, fragment", [
    ("reporting_state", "XX", "not a reporting state"),
    ("reporting_state", "", "missing"),
    ("reporting_state", "GR", "not a reporting state"),        # Greece is EL
    ("country", "ma", "two-letter uppercase"),
    ("country", "MAR", "two-letter uppercase"),
    ("country", "AF", "not one of the edition's countries"),
    ("year", "19", "not a year"),
    ("year", "2019.0", "not a year"),
    ("readmission_requests_submitted", "-3", "whole number >= 0"),
    ("readmission_requests_accepted", "2.5", "whole number >= 0"),
    ("forced_returns", "abc", "whole number >= 0"),
    ("travel_documents_issued", "1" + "0" * 20, "implausibly large"),
    ("days_to_travel_document", "1,5", "whole number >= 0"),    # decimal comma, quoted
])
def test_each_statistics_error_names_file_row_and_field(tmp_path, field, value, fragment):
    line = row_text(STATS_ROW, **{field: value if "," not in value else f'"{value}"'})
    path = write(tmp_path, "readmission_statistics.csv",
                 [STATS_HEADER, row_text(STATS_ROW, country="PK"), line])
    [problem] = problems_of(lambda: conf.read_statistics(path, STATES, COUNTRIES))
    assert problem.file.endswith("readmission_statistics.csv") and problem.row == 3
    assert problem.field == field
    assert f"row 3, field '{field}'" in str(problem)
    assert fragment in problem.message


@pytest.mark.parametrize("value", ["0", "6", "2.5", "good", "-1"])
def test_answers_outside_the_scale_are_rejected(tmp_path, value):
    path = write(tmp_path, "questionnaire.csv",
                 [QUEST_HEADER, row_text(QUEST_ROW, laissez_passer=value)])
    [problem] = problems_of(lambda: conf.read_questionnaire(path, STATES, COUNTRIES))
    assert (problem.row, problem.field) == (2, "laissez_passer")
    assert "very poor" in problem.message and "no experience" in problem.message


def test_all_errors_in_a_file_are_reported_at_once(tmp_path):
    path = write(tmp_path, "readmission_statistics.csv", [
        STATS_HEADER,
        row_text(STATS_ROW, readmission_requests_submitted="-3"),
        row_text(STATS_ROW, country="PK", reporting_state="FR"),
        row_text(STATS_ROW, country="XK", year="last"),
    ])
    problems = problems_of(lambda: conf.read_statistics(path, STATES, COUNTRIES))
    assert [(p.row, p.field) for p in problems] == [
        (2, "readmission_requests_submitted"), (3, "reporting_state"), (4, "year")]


def test_duplicate_key_names_both_rows(tmp_path):
    path = write(tmp_path, "questionnaire.csv", [
        QUEST_HEADER, row_text(QUEST_ROW), row_text(QUEST_ROW, country="PK"), row_text(QUEST_ROW)])
    [problem] = problems_of(lambda: conf.read_questionnaire(path, STATES, COUNTRIES))
    assert problem.row == 4 and "duplicate of row 2" in problem.message


def test_wrong_field_count_and_multiline_comment_keep_line_numbers(tmp_path):
    path = write(tmp_path, "questionnaire.csv", [
        QUEST_HEADER, row_text(QUEST_ROW, comment='"two\nlines"'), "",
        row_text(QUEST_ROW, country="PK") + ",surplus", "BE,XK,2019,1"])
    problems = problems_of(lambda: conf.read_questionnaire(path, STATES, COUNTRIES))
    assert [p.row for p in problems] == [5, 6]
    assert "has 9 fields, expected 8" in problems[0].message


def test_any_country_code_without_a_country_list(tmp_path):
    path = write(tmp_path, "questionnaire.csv", [QUEST_HEADER, row_text(QUEST_ROW, country="AF")])
    frame, _ = conf.read_questionnaire(path, STATES)
    assert frame["country"].tolist() == ["AF"]


def test_empty_file_and_unsupported_type(tmp_path):
    empty = write(tmp_path, "questionnaire.csv", [""])
    assert "empty file" in problems_of(lambda: conf.read_questionnaire(empty, STATES))[0].message
    other = write(tmp_path, "questionnaire.ods", [QUEST_HEADER])
    assert "unsupported" in problems_of(lambda: conf.read_questionnaire(other, STATES))[0].message


def write_xlsx(path, rows):
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.create_sheet("README").append(["not data"])
    book.save(path)
    return path


def test_xlsx_reads_first_sheet_with_excel_row_numbers(tmp_path):
    path = write_xlsx(tmp_path / "questionnaire.xlsx", [
        conf.QUESTIONNAIRE_COLUMNS, ["BE", "MA", 2019, 1, 2, 3, 4, None], [],
        ["DE", "MA", 2019, 7, None, 3, 4, "bad"], ["NO", "MA", 2019, 2.5, None, None, None, None]])
    problems = problems_of(lambda: conf.read_questionnaire(path, STATES, COUNTRIES))
    assert [(p.row, p.field) for p in problems] == [(4, "identification"), (5, "identification")]
    assert "questionnaire.xlsx, row 4, field 'identification'" in str(problems[0])


def test_xlsx_and_csv_give_the_same_frame(tmp_path):
    rows = [["BE", "MA", 2019, 10, 12, None, 3, 40, "x"],
            ["EL", "UK", 2019, None, 0, 0, 0, None, None]]
    xlsx = write_xlsx(tmp_path / "readmission_statistics.xlsx", [conf.STATISTICS_COLUMNS] + rows)
    csv = write(tmp_path, "readmission_statistics.csv", [STATS_HEADER] + [
        ",".join("" if v is None else str(v) for v in row) for row in rows])
    from_xlsx, warn_xlsx = conf.read_statistics(xlsx, STATES, COUNTRIES)
    from_csv, warn_csv = conf.read_statistics(csv, STATES, COUNTRIES)
    # the same rows from either format; each row names the file it came from
    pd.testing.assert_frame_equal(from_xlsx.drop(columns="source_file"), from_csv.drop(columns="source_file"))
    assert set(from_xlsx["source_file"]) == {"readmission_statistics.xlsx"}
    assert [(w.row, w.field) for w in warn_xlsx] == [(2, "readmission_requests_accepted")]


def test_accepted_above_submitted_is_a_warning_not_an_error(tmp_path):
    path = write(tmp_path, "readmission_statistics.csv", [
        STATS_HEADER,
        row_text(STATS_ROW, readmission_requests_submitted="5", readmission_requests_accepted="5"),
        row_text(STATS_ROW, country="PK", readmission_requests_submitted="5",
                 readmission_requests_accepted="9"),
        row_text(STATS_ROW, country="XK", readmission_requests_submitted="",
                 readmission_requests_accepted="9"),
    ])
    frame, warnings = conf.read_statistics(path, STATES, COUNTRIES)
    assert len(frame) == 3
    assert [(w.row, w.field) for w in warnings] == [(3, "readmission_requests_accepted")]
    assert "accepted (9) exceeds submitted (5)" in warnings[0].message


@pytest.fixture
def folder(tmp_path):
    write(tmp_path, "readmission_statistics.csv", [STATS_HEADER, row_text(STATS_ROW)])
    write(tmp_path, "questionnaire.csv", [QUEST_HEADER, row_text(QUEST_ROW)])
    return tmp_path


def test_load_confidential_records_sources_and_is_real(folder):
    inputs = conf.load_confidential(folder, STATES, COUNTRIES)
    assert not inputs.synthetic and inputs.label == ""
    sha = hashlib.sha256((folder / "questionnaire.csv").read_bytes()).hexdigest()
    assert inputs.sources["questionnaire.csv"] == sha and len(inputs.sources) == 2


def test_load_confidential_reports_both_files_together(folder):
    write(folder, "readmission_statistics.csv", [STATS_HEADER, row_text(STATS_ROW, year="x")])
    write(folder, "questionnaire.csv", [QUEST_HEADER, row_text(QUEST_ROW, identification="9")])
    problems = problems_of(lambda: conf.load_confidential(folder, STATES, COUNTRIES))
    assert sorted((p.file.rsplit("/", 1)[-1], p.field) for p in problems) == [
        ("questionnaire.csv", "identification"), ("readmission_statistics.csv", "year")]


def test_load_confidential_missing_or_ambiguous_files(folder):
    (folder / "questionnaire.csv").unlink()
    shutil.copy(folder / "readmission_statistics.csv", folder / "readmission_statistics.xlsx")
    messages = [p.message for p in problems_of(lambda: conf.load_confidential(folder, STATES))]
    assert len(messages) == 2
    assert any("both" in m for m in messages) and any("not found" in m for m in messages)


def test_a_row_saying_it_is_synthetic_is_refused_as_real_the_demo_marker_reads_it_as_synthetic(folder):
    # issue 23, item 5: synthetic rows never pass for real ones; demo.yml marks a set as synthetic
    write(folder, "questionnaire.csv", [QUEST_HEADER, row_text(QUEST_ROW, comment="SYNTHETIC x")])
    [problem] = problems_of(lambda: conf.load_confidential(folder, STATES, COUNTRIES))
    assert (problem.file, problem.row, problem.field) == (str(folder / "questionnaire.csv"), 2, "comment")
    assert "1 of 1 rows say they are synthetic" in problem.message and "--demo" in problem.message
    (folder / conf.DEMO_MARKER).write_text("synthetic: true\n")
    inputs = conf.load_confidential(folder, STATES, COUNTRIES)
    assert inputs.synthetic and inputs.label == conf.SYNTHETIC_LABEL


def test_completeness_hand_computed():
    stats = pd.DataFrame({
        "reporting_state": ["BE", "BE", "DE", "BE"], "country": ["MA", "PK", "MA", "MA"],
        "year": [2019, 2019, 2019, 2018],
        **{c: pd.array(v, dtype="Int64") for c, v in zip(conf.COUNT_COLUMNS, [
            [1, None, 3, 1], [1, None, None, 1], [1, 2, None, 1], [1, None, None, 1],
            [1, None, None, 1]])},
        "comment": ["", "", "", ""]})
    quest = pd.DataFrame({"reporting_state": ["DE"], "country": ["AF"], "year": [2019],
                          **{c: pd.array([3], dtype="Int64") for c in conf.ITEMS}, "comment": [""]})
    inputs = conf.ConfidentialInputs(stats, quest, False, "")
    table = conf.completeness(inputs, ["BE", "DE", "NO"], ["MA", "PK"], 2019).set_index(
        ["file", "reporting_state"])
    be, de = table.loc[("readmission_statistics", "BE")], table.loc[("readmission_statistics", "DE")]
    # BE 2019: MA has 5 of 5 fields, PK 1 of 5 (the 2018 row does not count) -> 6 of 10
    assert (be["rows_expected"], be["rows_present"], be["fields_filled"]) == (2, 2, 6)
    assert be["share_filled"] == pytest.approx(0.6)
    # DE: MA only, 1 field filled out of 2 x 5 expected
    assert (de["rows_present"], de["fields_filled"], de["share_filled"]) == (1, 1, pytest.approx(0.1))
    assert table.loc[("readmission_statistics", "NO"), "rows_present"] == 0
    # the questionnaire row is for a country not selected: nothing present
    assert table.loc[("questionnaire", "DE"), "fields_filled"] == 0
    assert table.loc[("questionnaire", "DE"), "fields_expected"] == 8
    assert len(table) == 6


TEMPLATES = REPO / "data" / "templates"


def cell_values(path):
    book = openpyxl.load_workbook(path)
    return {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)]
            for sheet in book.worksheets}


def test_committed_templates_equal_what_write_templates_writes(tmp_path):
    written = templates.write_templates(tmp_path)
    assert sorted(p.name for p in written) == sorted(
        f"{kind}.{ext}" for kind in conf.FILES for ext in ("csv", "xlsx"))
    for path in written:
        committed = TEMPLATES / path.name
        if path.suffix == ".csv":
            assert committed.read_bytes() == path.read_bytes()
        else:
            assert cell_values(committed) == cell_values(path)


def test_templates_read_as_empty_and_describe_every_column():
    for kind, reader in (("readmission_statistics", conf.read_statistics),
                         ("questionnaire", conf.read_questionnaire)):
        for ext in ("csv", "xlsx"):
            frame, _ = reader(TEMPLATES / f"{kind}.{ext}", STATES)
            assert frame.empty and list(frame.columns) == conf.FILES[kind] + conf.PROVENANCE
        readme_sheet = cell_values(TEMPLATES / f"{kind}.xlsx")["README"]
        assert {row[0] for row in readme_sheet} >= set(conf.FILES[kind])
    readme = (TEMPLATES / "README.md").read_text(encoding="utf-8")
    for column in conf.STATISTICS_COLUMNS + conf.QUESTIONNAIRE_COLUMNS:
        assert f"`{column}`" in readme
    for answer, label in conf.ANSWER_SCALE.items():
        assert f"| {answer} | {label} |" in readme


# ---------------------------------------------------------------- issue 15: real-world files


def test_stray_quote_names_the_line_where_it_opened(tmp_path):
    rows = [QUEST_HEADER] + [row_text(QUEST_ROW, reporting_state=s, country=c)
                             for s in ("BE", "DE", "EL", "NO") for c in ("MA", "PK", "XK", "UK")]
    rows[5] = rows[5] + '"stray'
    path = write(tmp_path, "questionnaire.csv", rows)
    [problem] = problems_of(lambda: conf.read_questionnaire(path, STATES))
    assert problem.row == 6 and "stray or unbalanced" in problem.message


def test_long_multiline_field_over_the_limit_is_an_error(tmp_path):
    comment = '"' + "\n".join(f"line {i}" for i in range(5)) + '"'
    path = write(tmp_path, "questionnaire.csv", [QUEST_HEADER, row_text(QUEST_ROW),
                                                 row_text(QUEST_ROW, country="PK", comment=comment)])
    frame, _ = conf.read_questionnaire(path, STATES)  # 5 lines: within the default limit
    assert frame.loc[1, "comment"].count("\n") == 4
    [problem] = problems_of(lambda: conf.read_questionnaire(
        path, STATES, limits=Limits(max_lines_in_field=3)))
    assert problem.row == 3 and "spans more than 3 lines" in problem.message


def test_quote_opened_counts_quote_parity():
    from readmission.data.inputfile import quote_opened

    lines = ['a,b\n', 'x,"y\n', 'still y\n', 'y" and ""z"" ,\n', 'ok\n']
    assert quote_opened(lines, 1, 5) == 2
    assert quote_opened(lines, 5, 5) is None


def save_book(path, sheets, hidden=()):
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
        sheet.sheet_state = "hidden" if title in hidden else "visible"
    book.save(path)
    return path


GOOD_ROW = ["BE", "MA", 2019, 1, 2, 3, 4, None]
DRAFT_ROW = ["BE", "MA", 2019, 5, 5, 5, 5, "old draft"]


def test_xlsx_skips_a_hidden_first_sheet_and_says_which_sheet_it_read(tmp_path):
    path = save_book(tmp_path / "questionnaire.xlsx", {
        "draft": [conf.QUESTIONNAIRE_COLUMNS, DRAFT_ROW], "data": [conf.QUESTIONNAIRE_COLUMNS, GOOD_ROW]},
        hidden=("draft",))
    frame, [warning] = conf.read_questionnaire(path, STATES)
    assert frame.loc[0, "identification"] == 1
    assert warning.sheet == "data" and "hidden sheets not read: 'draft'" in warning.message
    assert str(warning).startswith(f"{path}, sheet data: no sheet named 'questionnaire'")


def test_xlsx_reads_the_sheet_named_like_the_file(tmp_path):
    path = save_book(tmp_path / "questionnaire.xlsx", {
        "notes": [["free text"]], "questionnaire": [conf.QUESTIONNAIRE_COLUMNS, GOOD_ROW]})
    frame, warnings = conf.read_questionnaire(path, STATES)
    assert warnings == [] and frame.loc[0, "return_operations"] == 4


def test_xlsx_formulas_without_values_errors_and_merged_cells_name_cells(tmp_path):
    path = save_book(tmp_path / "questionnaire.xlsx", {
        "questionnaire": [conf.QUESTIONNAIRE_COLUMNS, GOOD_ROW, ["DE", "MA", 2019, "=2+1", 1, None, 1],
                          ["EL", "MA", 2019, 1, 1, 1, 1], ["NO", "MA", 2019, 1, 1, 1, 1]]})
    book = openpyxl.load_workbook(path)
    book["questionnaire"].merge_cells("H4:H5")
    book.save(path)
    problems = problems_of(lambda: conf.read_questionnaire(path, STATES))
    assert [(p.sheet, p.cell) for p in problems] == [("questionnaire", "H4"), ("questionnaire", "D3")]
    assert str(problems[1]).startswith(f"{path}, sheet questionnaire, cell D3: formula '=2+1'")


def test_xlsx_cached_formula_values_are_read(tmp_path):
    path = save_book(tmp_path / "questionnaire.xlsx", {
        "questionnaire": [conf.QUESTIONNAIRE_COLUMNS, ["BE", "MA", 2019, "=1+2", 1, 1, 1]]})
    cached = zipfile_replace(path, "xl/worksheets/sheet1.xml", b"<f>1+2</f><v />", b"<f>1+2</f><v>3</v>")
    frame, _ = conf.read_questionnaire(cached, STATES)
    assert frame.loc[0, "identification"] == 3


def zipfile_replace(path, member, old, new):
    """A copy of a workbook with one member's bytes changed (here: a value cached, as Excel does)."""
    import zipfile

    with zipfile.ZipFile(path) as source:
        contents = {name: source.read(name) for name in source.namelist()}
    assert old in contents[member]
    contents[member] = contents[member].replace(old, new)
    out = path.with_name("cached.xlsx")
    with zipfile.ZipFile(out, "w") as target:
        for name, data in contents.items():
            target.writestr(name, data)
    return out


def test_rows_of_another_year_are_counted_and_named(folder):
    write(folder, "readmission_statistics.csv", [STATS_HEADER, row_text(STATS_ROW, year="2018"),
                                                 row_text(STATS_ROW, country="PK"),
                                                 row_text(STATS_ROW, country="XK", year="2017")])
    problems = problems_of(lambda: conf.load_confidential(folder, STATES, year=2019))
    [problem] = problems
    assert (problem.row, problem.field) == (2, "year")
    assert "2 of 3 rows are for year 2017, 2018, not the edition's data year 2019" in problem.message
    assert conf.load_confidential(folder, STATES).statistics["year"].tolist() == [2018, 2019, 2017]


def test_files_are_found_whatever_the_case_of_their_name(folder):
    (folder / "questionnaire.csv").rename(folder / "QUESTIONNAIRE.CSV")
    inputs = conf.load_confidential(folder, STATES, COUNTRIES, year=2019)
    assert "QUESTIONNAIRE.CSV" in inputs.sources
    (folder / "QUESTIONNAIRE.CSV").rename(folder / "questionnaire.xls")
    [problem] = problems_of(lambda: conf.load_confidential(folder, STATES))
    assert "'questionnaire.xls' found: only .csv and .xlsx are read" in problem.message


@pytest.mark.parametrize("value", ["\uff13", "\u0663", "\u0969"])  # full-width, Arabic-Indic, Devanagari 3
def test_non_ascii_digits_are_not_answers(tmp_path, value):
    path = write(tmp_path, "questionnaire.csv", [QUEST_HEADER, row_text(QUEST_ROW, identification=value)])
    [problem] = problems_of(lambda: conf.read_questionnaire(path, STATES))
    assert (problem.row, problem.field) == (2, "identification")
